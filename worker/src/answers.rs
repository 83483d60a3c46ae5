//! Commits and reveals, batched: the answers the miner decided on while reading one block go
//! out as one `commit_results` and one `reveal_results` (in chunks of the runtime's
//! `MaxAnswersPerCall`), so a miner with many jobs in a phase sends two transactions per block
//! instead of one per job. A lone answer goes out as the single call. The chain takes a batch
//! whole or not at all: if one is refused (a job's phase ended meanwhile, say), its answers
//! are sent again one by one, so a stale job never holds back the others.

use std::sync::Arc;

use anyhow::Result;
use subxt::ext::scale_encode::EncodeAsFields;

use crate::{
	chain::{Chain, JobId},
	metrics::Metrics,
	service::{forget, Shared},
};

/// An answer to one job, ready to submit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
	/// The commitment to the output (`blake2_256(SCALE(job, miner, output, salt))`).
	Commit { job: JobId, commitment: [u8; 32] },
	/// The output committed to and its salt.
	Reveal { job: JobId, output: Vec<i64>, salt: [u8; 32] },
}

impl Answer {
	fn job(&self) -> JobId {
		match self {
			Answer::Commit { job, .. } | Answer::Reveal { job, .. } => *job,
		}
	}
}

/// Submits `answers` in the background: the commitments (in chunks of `max_per_call`, each one
/// transaction), then the reveals likewise.
pub fn submit(shared: &Arc<Shared>, chain: &Arc<Chain>, answers: Vec<Answer>, max_per_call: usize) {
	let (commits, reveals): (Vec<Answer>, Vec<Answer>) =
		answers.into_iter().partition(|answer| matches!(answer, Answer::Commit { .. }));
	for kind in [commits, reveals] {
		for chunk in kind.chunks(max_per_call.max(1)) {
			let (shared, chain, chunk) = (shared.clone(), chain.clone(), chunk.to_vec());
			tokio::spawn(async move { submit_chunk(&shared, &chain, chunk).await });
		}
	}
}

/// Sends one chunk of answers of one kind: a single call for one answer, a batch for more,
/// and if the batch is refused, each answer again on its own.
async fn submit_chunk(shared: &Arc<Shared>, chain: &Arc<Chain>, chunk: Vec<Answer>) {
	if let [answer] = chunk.as_slice() {
		let result = submit_one(chain, answer).await;
		return note(shared, &chunk, result).await;
	}
	let result = match chunk.first() {
		Some(Answer::Commit { .. }) => {
			let commitments: Vec<(JobId, [u8; 32])> = chunk
				.iter()
				.filter_map(|answer| match answer {
					Answer::Commit { job, commitment } => Some((*job, *commitment)),
					Answer::Reveal { .. } => None,
				})
				.collect();
			send(chain, "commit_results", (commitments,)).await
		}
		Some(Answer::Reveal { .. }) => {
			let reveals: Vec<(JobId, Vec<i64>, [u8; 32])> = chunk
				.iter()
				.filter_map(|answer| match answer {
					Answer::Reveal { job, output, salt } => Some((*job, output.clone(), *salt)),
					Answer::Commit { .. } => None,
				})
				.collect();
			send(chain, "reveal_results", (reveals,)).await
		}
		None => return,
	};
	match result {
		Ok(()) => {
			Metrics::add(&shared.metrics.answer_batches, 1);
			note(shared, &chunk, Ok(())).await;
		}
		Err(error) => {
			Metrics::add(&shared.metrics.tx_failures, 1);
			log::warn!(
				"a batch of {} answers was refused ({error:#}); sending them one by one",
				chunk.len()
			);
			for answer in chunk {
				let result = submit_one(chain, &answer).await;
				note(shared, std::slice::from_ref(&answer), result).await;
			}
		}
	}
}

/// `commit_result` or `reveal_result` for one answer.
async fn submit_one(chain: &Chain, answer: &Answer) -> Result<()> {
	match answer {
		Answer::Commit { job, commitment } => {
			send(chain, "commit_result", (*job, *commitment)).await
		}
		Answer::Reveal { job, output, salt } => {
			send(chain, "reveal_result", (*job, output.clone(), *salt)).await
		}
	}
}

async fn send(chain: &Chain, call: &str, args: impl EncodeAsFields) -> Result<()> {
	chain.submit("Inference", call, args).await.map(|_| ())
}

/// Counts and logs what became of `answers` (all of one kind); a revealed job is forgotten.
async fn note(shared: &Arc<Shared>, answers: &[Answer], result: Result<()>) {
	if let Err(error) = result {
		Metrics::add(&shared.metrics.tx_failures, 1);
		for answer in answers {
			log::warn!("job {}: {} failed: {error:#}", answer.job(), kind(answer));
		}
		return;
	}
	for answer in answers {
		let job = answer.job();
		match answer {
			Answer::Commit { .. } => {
				Metrics::add(&shared.metrics.commits, 1);
				log::info!("job {job}: committed");
			}
			Answer::Reveal { output, .. } => {
				Metrics::add(&shared.metrics.reveals, 1);
				log::info!("job {job}: revealed {output:?}");
				forget(shared, job).await;
			}
		}
	}
	if shared.options.crash_after_commit && matches!(answers.first(), Some(Answer::Commit { .. })) {
		log::error!("--crash-after-commit-for-tests: exiting before the reveal");
		std::process::exit(3);
	}
}

fn kind(answer: &Answer) -> &'static str {
	match answer {
		Answer::Commit { .. } => "commit",
		Answer::Reveal { .. } => "reveal",
	}
}
