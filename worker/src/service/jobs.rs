//! Job decisions: what one job needs at its phase on chain (run the engine, save output and
//! salt, commit; reveal; forget), remote inputs fetched off the decision path.

use super::*;

/// What a job is waiting for on this side.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Submitted {
	Commit(u64),
	Reveal(u64),
}

/// A job the miner follows.
pub(super) struct Watched {
	pub(super) since: Instant,
	pub(super) submitted: Option<Submitted>,
}

/// Blocks after which an unanswered submission is tried again.
pub(super) const RESUBMIT_AFTER: u64 = 3;
/// How many recent jobs a (re)start scans for assignments it may have missed.
pub(super) const RESCAN_JOBS: u64 = 64;
/// Blocks before its commit deadline at which a miner stops retrying an unavailable remote
/// input and commits the invalid-input output (a block to include the commit, two spare).
pub(super) const GIVE_UP_FETCH_BLOCKS: u64 = 3;

/// A remote input's fetch: under way, or ended.
pub(super) enum Fetch {
	Running,
	Ended(Result<Vec<u8>, FetchError>),
}

/// Decides what to do about one job according to its phase on chain: the answer to submit
/// (computed and saved to disk first), if any. The caller holds `Shared::deciding` and
/// submits the answers it collected (see [`answers::submit`]).
pub(super) async fn process_job(
	shared: &Arc<Shared>,
	at: &AtBlock,
	best: u64,
	job: JobId,
) -> Result<Option<Answer>> {
	log::debug!("job {job}: deciding at block {best}");
	let Some(view) = job_at(at, job).await? else {
		log::debug!("job {job}: gone from the chain");
		forget(shared, job).await;
		return Ok(None);
	};
	log::debug!("job {job}: {:?} until {} (block {best})", view.phase, view.deadline);
	let Some(assignment) = view.assignment(&shared.account).cloned() else {
		forget(shared, job).await;
		return Ok(None);
	};
	if view.version != shared.options.version {
		log::warn!("job {job} runs {:?}, which this worker does not serve", view.version);
		forget(shared, job).await;
		return Ok(None);
	}
	let submitted = shared.watched.lock().await.get(&job).and_then(|w| w.submitted);
	match view.phase {
		JobPhase::Commit if assignment.commitment.is_none() && best < u64::from(view.deadline) => {
			if matches!(submitted, Some(Submitted::Commit(at)) if best < at + RESUBMIT_AFTER) {
				return Ok(None);
			}
			let give_up = best + GIVE_UP_FETCH_BLOCKS >= u64::from(view.deadline);
			let Some(pending) = prepare(shared, job, &view.input, give_up).await? else {
				return Ok(None);
			};
			let salt = pending.salt_bytes()?;
			let commitment = commitment(job, &shared.account, &pending.output, &salt);
			mark(shared, job, Submitted::Commit(best)).await;
			Ok(Some(Answer::Commit { job, commitment }))
		}
		JobPhase::Reveal if assignment.commitment.is_some() && assignment.revealed.is_none() => {
			if matches!(submitted, Some(Submitted::Reveal(at)) if best < at + RESUBMIT_AFTER) {
				return Ok(None);
			}
			let Some(pending) = shared.store.lock().await.get(job).cloned() else {
				log::error!("job {job}: committed but its output and salt are lost; cannot reveal");
				forget(shared, job).await;
				return Ok(None);
			};
			let salt = pending.salt_bytes()?;
			if Some(commitment(job, &shared.account, &pending.output, &salt))
				!= assignment.commitment
			{
				log::error!("job {job}: the saved output does not match the commitment on chain");
				forget(shared, job).await;
				return Ok(None);
			}
			mark(shared, job, Submitted::Reveal(best)).await;
			Ok(Some(Answer::Reveal { job, output: pending.output, salt }))
		}
		// Committed and waiting for the reveal phase.
		JobPhase::Commit => Ok(None),
		// Revealed, missed, or over: nothing left to do.
		_ => {
			forget(shared, job).await;
			Ok(None)
		}
	}
}

pub(super) async fn mark(shared: &Shared, job: JobId, submitted: Submitted) {
	if let Some(watched) = shared.watched.lock().await.get_mut(&job) {
		watched.submitted = Some(submitted);
	}
}

/// Stops following `job` and deletes its saved output and salt.
pub async fn forget(shared: &Shared, job: JobId) {
	shared.watched.lock().await.remove(&job);
	shared.fetches.lock().await.remove(&job);
	shared.store.lock().await.remove(job);
}

/// The job's output and salt: saved ones if the job was computed before (a restart), else
/// computed now and saved to disk before anything is submitted. `None` while a remote input
/// is still being fetched; `give_up` answers an unavailable one as invalid instead of retrying.
pub(super) async fn prepare(
	shared: &Arc<Shared>,
	job: JobId,
	input: &JobInput,
	give_up: bool,
) -> Result<Option<PendingJob>> {
	if let Some(pending) = shared.store.lock().await.get(job) {
		return Ok(Some(pending.clone()));
	}
	let (output, engine) = match input {
		JobInput::Inline(bytes) => timed_inference(shared, bytes.clone()).await?,
		JobInput::Remote { uri, hash } => match remote_input(shared, job, uri, hash, give_up).await
		{
			None => return Ok(None),
			Some(Ok(bytes)) => timed_inference(shared, bytes).await?,
			Some(Err(why)) => {
				log::warn!("job {job}: {why}; answering the invalid-input output");
				(INVALID_INPUT.to_vec(), Duration::ZERO)
			}
		},
	};
	let output = if shared.options.lie { shared.runner.engine().lie(output) } else { output };
	let mut salt = [0u8; 32];
	getrandom::getrandom(&mut salt)
		.map_err(|e| anyhow::anyhow!("no randomness for a salt: {e}"))?;
	let pending =
		PendingJob { output, salt: hex::encode(salt), engine_ms: engine.as_secs_f64() * 1e3 };
	// On disk before the commitment goes out: the block loop persists before it submits.
	shared.store.lock().await.stage(job, pending.clone());
	if let Some(watched) = shared.watched.lock().await.get(&job) {
		Metrics::add(&shared.metrics.commit_latency_runs, 1);
		Metrics::add(&shared.metrics.commit_latency_ns, watched.since.elapsed().as_nanos() as u64);
	}
	Ok(Some(pending))
}

/// A watched job's remote input once its fetch has ended: its bytes, or why it is answered
/// as invalid (unusable, or unavailable and `give_up`). `None` while a fetch runs; one is
/// started in the background if none is (the block loop's next pass picks up its result).
pub(super) async fn remote_input(
	shared: &Arc<Shared>,
	job: JobId,
	uri: &[u8],
	hash: &[u8; 32],
	give_up: bool,
) -> Option<Result<Vec<u8>, FetchError>> {
	let mut fetches = shared.fetches.lock().await;
	match fetches.remove(&job) {
		Some(Fetch::Running) => {
			fetches.insert(job, Fetch::Running);
			return None;
		}
		Some(Fetch::Ended(Err(FetchError::Unavailable(why)))) if !give_up => {
			log::info!("job {job}: {why}; retrying");
		}
		Some(Fetch::Ended(ended)) => return Some(ended),
		None => {}
	}
	fetches.insert(job, Fetch::Running);
	let (shared, uri, hash) = (shared.clone(), String::from_utf8_lossy(uri).into_owned(), *hash);
	tokio::spawn(async move {
		let fetched = input::fetch(&uri, &hash, shared.options.input_limits).await;
		Metrics::add(&shared.metrics.input_fetches, 1);
		let mut fetches = shared.fetches.lock().await;
		// Forgotten meanwhile: drop the result. Otherwise the next block's pass uses it.
		if let Some(entry) = fetches.get_mut(&job) {
			*entry = Fetch::Ended(fetched);
		}
	});
	None
}

/// Runs a miner's job on the engine, waiting for a free execution slot.
pub(super) async fn timed_inference(
	shared: &Shared,
	input: Vec<u8>,
) -> Result<(Vec<i64>, Duration)> {
	let ran = shared.runner.infer(input).await?;
	count_execution(shared, ran.1);
	Ok(ran)
}

/// Counts one model execution that took `took` in the metrics.
pub fn count_execution(shared: &Shared, took: Duration) {
	Metrics::add(&shared.metrics.engine_runs, 1);
	Metrics::add(&shared.metrics.engine_ns, took.as_nanos() as u64);
}
