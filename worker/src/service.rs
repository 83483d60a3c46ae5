//! `modelchain-worker run`: the miner loop and the HTTP server.
//!
//! The miner follows the node's best blocks. It learns of its jobs from `JobAssigned` events
//! and from the node's off-chain worker, which POSTs each new job to `/v1/jobs` (either is
//! enough; the chain is the source of truth). With each best block it reads the record of every
//! job it follows and acts on its phase: in the commit phase it runs the model, saves output
//! and salt to disk and commits; in the reveal phase it reveals. The answers decided at one
//! block go out together, as one `commit_results` and one `reveal_results` (see
//! [`crate::answers`]). A restart reloads the saved jobs and scans recent ones, and a lost
//! connection is re-established, so neither loses a reveal.
//!
//! `/v1/verify` re-executes a job for the node's verifier (`--inference-verifier-url`), only
//! for requests authenticated with the secret shared with that node (see [`crate::auth`]),
//! and authenticates its answer.

use std::{
	collections::{BTreeMap, BTreeSet},
	net::SocketAddr,
	sync::{atomic::Ordering, Arc},
	time::{Duration, Instant},
};

use anyhow::{Context, Result};
use axum::{
	body::Bytes,
	extract::{rejection::JsonRejection, State},
	http::{header, HeaderMap, HeaderName, StatusCode},
	response::{IntoResponse, Response},
	routing::{get, post},
	Json, Router,
};
use serde::Deserialize;
use subxt::utils::AccountId32;
use subxt_signer::sr25519::Keypair;
use tokio::sync::{mpsc, Mutex};

use crate::{
	answers::{self, Answer},
	auth::{self, Secret},
	chain::{
		commitment, constant_u32, job_at, next_job_id_at, AtBlock, AuditDrawn, Chain, JobAssigned,
		JobId, JobInput, JobPhase, RevealPhaseStarted, VersionRef,
	},
	engine::{file_sha256, Engine, Judged, INVALID_INPUT},
	input::{self, FetchError},
	metrics::Metrics,
	queries::{self, Paid},
	runner::{Busy, Runner},
	store::{PendingJob, Store},
};

/// How `run` behaves.
pub struct Options {
	/// The node's RPC URL.
	pub rpc: String,
	/// Where the HTTP server listens.
	pub listen: SocketAddr,
	/// The version served.
	pub version: VersionRef,
	/// Follow the chain and mine (false: only answer `/v1/verify`).
	pub mine: bool,
	/// The secret shared with the node whose verifier this is; `/v1/verify` is off without.
	pub verifier_secret: Option<Secret>,
	/// Bounds of a remote input's fetch.
	pub input_limits: input::Limits,
	/// How many model executions may run at once.
	pub engine_concurrency: usize,
	/// Test only: commit a wrong output, to show slashing.
	pub lie: bool,
	/// Test only: exit as if crashed right after the first commitment is included.
	pub crash_after_commit: bool,
}

/// What a job is waiting for on this side.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Submitted {
	Commit(u64),
	Reveal(u64),
}

/// A job the miner follows.
struct Watched {
	since: Instant,
	submitted: Option<Submitted>,
}

/// Blocks after which an unanswered submission is tried again.
const RESUBMIT_AFTER: u64 = 3;
/// How many recent jobs a (re)start scans for assignments it may have missed.
const RESCAN_JOBS: u64 = 64;
/// Blocks before its commit deadline at which a miner stops retrying an unavailable remote
/// input and commits the invalid-input output (a block to include the commit, two spare).
const GIVE_UP_FETCH_BLOCKS: u64 = 3;

/// A remote input's fetch: under way, or ended.
enum Fetch {
	Running,
	Ended(Result<Vec<u8>, FetchError>),
}

/// How long `/v1/verify` waits for a judgement before answering "still verifying" (the node
/// gives the whole run 3 s).
const VERIFY_WAIT: Duration = Duration::from_millis(2_000);
/// How many judgements `/v1/verify` remembers for the node's next ask.
const KEPT_VERIFICATIONS: usize = 256;

/// A verify request's judgement: under way, or done.
enum Verification {
	Running,
	Done(Judged),
}

/// Judgements by request (the sha256 of its body), the oldest forgotten first.
#[derive(Default)]
pub struct Verifications {
	entries: BTreeMap<[u8; 32], Verification>,
	order: std::collections::VecDeque<[u8; 32]>,
}

impl Verifications {
	fn get(&self, key: &[u8; 32]) -> Option<&Verification> {
		self.entries.get(key)
	}

	fn start(&mut self, key: [u8; 32]) {
		while self.order.len() >= KEPT_VERIFICATIONS {
			if let Some(oldest) = self.order.pop_front() {
				self.entries.remove(&oldest);
			}
		}
		self.entries.insert(key, Verification::Running);
		self.order.push_back(key);
	}

	fn finish(&mut self, key: [u8; 32], judged: Judged) {
		if let Some(entry) = self.entries.get_mut(&key) {
			*entry = Verification::Done(judged);
		}
	}

	fn forget(&mut self, key: &[u8; 32]) {
		self.entries.remove(key);
		self.order.retain(|kept| kept != key);
	}
}

/// What the HTTP handlers and the background tasks share.
pub struct Shared {
	pub options: Options,
	/// The model, run off the async runtime with bounded concurrency.
	pub runner: Runner<Engine>,
	pub account: AccountId32,
	pub signer: Keypair,
	pub metrics: Metrics,
	store: Mutex<Store>,
	/// Paid queries: the channels served and their logs.
	pub paid: Paid,
	watched: Mutex<BTreeMap<JobId, Watched>>,
	/// Remote inputs of watched jobs, fetched off the decision path (a slow input server
	/// must not delay other jobs' commits and reveals).
	fetches: Mutex<BTreeMap<JobId, Fetch>>,
	pub chain: Mutex<Option<Arc<Chain>>>,
	dispatched: mpsc::Sender<JobId>,
	/// Jobs dispatched over `/v1/jobs` and not yet handled: a job POSTed again meanwhile is
	/// not queued twice (a flood of one id cannot fill the queue).
	queued: Mutex<BTreeSet<JobId>>,
	/// Held by whoever reads the chain and decides about jobs (the block loop, a dispatch,
	/// the start-up scan): a job is never submitted twice, and the chain client is never
	/// asked for concurrent storage reads (those stalled the chainHead backend in our tests).
	/// `process_job` expects its caller to hold it.
	pub deciding: Mutex<()>,
	/// `/v1/verify`'s judgements, kept for the node's next ask.
	verifications: Mutex<Verifications>,
}

/// Runs the worker until Ctrl-C.
pub async fn run(
	options: Options,
	model: Engine,
	signer: Keypair,
	store: Store,
	paid: Paid,
) -> Result<()> {
	let (dispatched, mut incoming) = mpsc::channel::<JobId>(1024);
	let account = signer.public_key().to_account_id();
	let runner = Runner::new(model, options.engine_concurrency);
	let shared = Arc::new(Shared {
		options,
		runner,
		account,
		signer,
		metrics: Metrics::default(),
		store: Mutex::new(store),
		paid,
		watched: Mutex::new(BTreeMap::new()),
		fetches: Mutex::new(BTreeMap::new()),
		chain: Mutex::new(None),
		dispatched,
		queued: Mutex::new(BTreeSet::new()),
		deciding: Mutex::new(()),
		verifications: Mutex::new(Verifications::default()),
	});

	let listener = tokio::net::TcpListener::bind(shared.options.listen)
		.await
		.with_context(|| format!("listening on {}", shared.options.listen))?;
	log::info!(
		"serving model {} version {} (sha256 0x{}) as {} on http://{}",
		shared.options.version.model,
		shared.options.version.version,
		hex::encode(shared.runner.engine().sha256()),
		shared.account,
		listener.local_addr()?
	);
	let app = Router::new()
		.route("/v1/jobs", post(dispatch_job))
		.route("/v1/verify", post(verify_job))
		.route("/v1/query", post(queries::answer_query))
		.route("/health", get(health))
		.route("/metrics", get(metrics))
		.with_state(shared.clone());
	let server = tokio::spawn(async move { axum::serve(listener, app).await });

	if shared.options.mine {
		let miner = shared.clone();
		tokio::spawn(async move { follow_chain(miner).await });
		let tender = shared.clone();
		tokio::spawn(async move { queries::tend_channels(tender).await });
		let receiver = shared.clone();
		tokio::spawn(async move {
			while let Some(job) = incoming.recv().await {
				receiver.queued.lock().await.remove(&job);
				if let Err(error) = adopt_dispatched(&receiver, job).await {
					log::warn!("job {job}: {error:#}");
				}
			}
		});
	}

	tokio::select! {
		result = server => { result??; }
		_ = tokio::signal::ctrl_c() => { log::info!("stopping"); }
	}
	Ok(())
}

/// A job a node POSTed to `/v1/jobs`: followed from now on if the chain says it is open and
/// this miner's (the block loop answers it with the next block, in a batch with the others;
/// it usually knows the job already from its `JobAssigned` event). Unknown ids are dropped.
async fn adopt_dispatched(shared: &Arc<Shared>, job: JobId) -> Result<()> {
	if shared.watched.lock().await.contains_key(&job) {
		return Ok(());
	}
	let Some(chain) = shared.chain.lock().await.clone() else {
		// Not connected: the start-up scan finds the job.
		return Ok(());
	};
	let _deciding = shared.deciding.lock().await;
	let Some(view) = job_at(&chain.at_best().await?, job).await? else { return Ok(()) };
	let open = matches!(view.phase, JobPhase::Commit | JobPhase::Reveal);
	if open && view.assignment(&shared.account).is_some() {
		log::debug!("job {job}: dispatched by a node");
		watch(shared, job).await;
	}
	Ok(())
}

async fn watch(shared: &Shared, job: JobId) {
	let mut watched = shared.watched.lock().await;
	if let std::collections::btree_map::Entry::Vacant(entry) = watched.entry(job) {
		Metrics::add(&shared.metrics.jobs_seen, 1);
		entry.insert(Watched { since: Instant::now(), submitted: None });
	}
}

/// Follows best blocks, reconnecting whenever the node goes away.
async fn follow_chain(shared: Arc<Shared>) {
	let mut first = true;
	loop {
		match Chain::connect_retrying(
			&shared.options.rpc,
			&shared.signer,
			u32::MAX,
			Duration::from_secs(2),
		)
		.await
		{
			Ok(chain) => {
				if !first {
					Metrics::add(&shared.metrics.reconnects, 1);
				}
				first = false;
				let chain = Arc::new(chain);
				// Fixed for the chain's life: a node of another chain is refused by `connect`'s
				// caller below.
				let genesis = chain.api.genesis_hash().0;
				if *shared.paid.genesis.get_or_init(|| genesis) != genesis {
					log::error!(
						"the node at {} is on another chain; not following it",
						shared.options.rpc
					);
					tokio::time::sleep(Duration::from_secs(10)).await;
					continue;
				}
				*shared.chain.lock().await = Some(chain.clone());
				shared.metrics.connected.store(true, Ordering::Relaxed);
				if let Err(error) = follow_blocks(&shared, &chain).await {
					log::warn!("lost the chain: {error:#}; reconnecting");
				}
				shared.metrics.connected.store(false, Ordering::Relaxed);
				*shared.chain.lock().await = None;
			}
			Err(error) => log::warn!("cannot connect: {error:#}"),
		}
		tokio::time::sleep(Duration::from_secs(1)).await;
	}
}

async fn follow_blocks(shared: &Arc<Shared>, chain: &Arc<Chain>) -> Result<()> {
	// Jobs saved before a restart, and recent jobs this miner may have missed meanwhile.
	let saved: Vec<JobId> = shared.store.lock().await.jobs().map(|(job, _)| *job).collect();
	for job in saved {
		watch(shared, job).await;
	}
	// The subscription may start with older blocks; this scan covers them.
	let start;
	{
		let _deciding = shared.deciding.lock().await;
		let at = chain.at_best().await?;
		start = at.block_number();
		let next = next_job_id_at(&at).await?;
		for job in next.saturating_sub(RESCAN_JOBS)..next {
			let Some(view) = job_at(&at, job).await? else { continue };
			let open = matches!(view.phase, JobPhase::Commit | JobPhase::Reveal);
			if open && view.assignment(&shared.account).is_some() {
				watch(shared, job).await;
			}
		}
	}

	let mut blocks = chain.api.stream_best_blocks().await?;
	while let Some(block) = blocks.next().await {
		let block = block?;
		if block.number() < start {
			continue;
		}
		shared.metrics.best_block.fetch_max(block.number(), Ordering::Relaxed);
		let _deciding = shared.deciding.lock().await;
		let at = block.at().await?;
		let events = at.events().fetch().await?;
		// Jobs whose phase changed in this block.
		let mut moved = BTreeSet::new();
		for event in events.iter() {
			let event = event?;
			if event.pallet_name() == "QueryChannels" && event.event_name() == "AuditDrawn" {
				let drawn: AuditDrawn = event.decode_fields_unchecked_as()?;
				if drawn.miner == shared.account {
					log::info!(
						"audit {}: receipt {} of channel {} drawn (block {})",
						drawn.audit,
						drawn.index,
						drawn.channel,
						block.number()
					);
					let (shared, chain) = (shared.clone(), chain.clone());
					tokio::spawn(
						async move { queries::answer_audit(&shared, &chain, drawn).await },
					);
				}
			}
			if event.pallet_name() == "Inference" && event.event_name() == "JobAssigned" {
				let assigned: JobAssigned = event.decode_fields_unchecked_as()?;
				if assigned.miners.contains(&shared.account) {
					log::info!("job {} assigned (block {})", assigned.job, block.number());
					watch(shared, assigned.job).await;
					moved.insert(assigned.job);
				}
			}
			if event.pallet_name() == "Inference" && event.event_name() == "RevealPhaseStarted" {
				let started: RevealPhaseStarted = event.decode_fields_unchecked_as()?;
				moved.insert(started.job);
			}
		}
		// The watched jobs that may need an answer now, read at this block; the answers go
		// out together.
		let jobs = due_jobs(shared, &moved, block.number()).await;
		let mut decided = Vec::new();
		for job in jobs {
			match process_job(shared, &at, block.number(), job).await {
				Ok(answer) => decided.extend(answer),
				Err(error) => log::warn!("job {job}: {error:#}"),
			}
		}
		// Every output and salt decided at this block on disk, once, before any commitment
		// to them goes out.
		if let Err(error) = shared.store.lock().await.persist() {
			log::error!("saving the jobs' outputs and salts: {error:#}; submitting nothing");
			continue;
		}
		if !decided.is_empty() {
			let per_call = constant_u32(&at, "Inference", "MaxAnswersPerCall").unwrap_or(1);
			answers::submit(shared, chain, decided, per_call as usize);
		}
	}
	anyhow::bail!("the block subscription ended")
}

/// The watched jobs to read at block `best`: those whose phase changed in it (`moved`), those
/// with nothing submitted (new, or waiting for a remote input), and those whose submission has
/// not shown on chain within `RESUBMIT_AFTER` blocks. A job whose answer was just sent is not
/// read again until one of these holds: at a high job rate that is most of them, and reading
/// each at every block made the miner fall behind the chain.
async fn due_jobs(shared: &Shared, moved: &BTreeSet<JobId>, best: u64) -> Vec<JobId> {
	shared
		.watched
		.lock()
		.await
		.iter()
		.filter(|(job, watched)| match watched.submitted {
			_ if moved.contains(job) => true,
			None => true,
			Some(Submitted::Commit(at) | Submitted::Reveal(at)) => best >= at + RESUBMIT_AFTER,
		})
		.map(|(job, _)| *job)
		.collect()
}

/// Decides what to do about one job according to its phase on chain: the answer to submit
/// (computed and saved to disk first), if any. The caller holds `Shared::deciding` and
/// submits the answers it collected (see [`answers::submit`]).
async fn process_job(
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

async fn mark(shared: &Shared, job: JobId, submitted: Submitted) {
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
async fn prepare(
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
async fn remote_input(
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
async fn timed_inference(shared: &Shared, input: Vec<u8>) -> Result<(Vec<i64>, Duration)> {
	let ran = shared.runner.infer(input).await?;
	count_execution(shared, ran.1);
	Ok(ran)
}

/// Counts one model execution that took `took` in the metrics.
pub fn count_execution(shared: &Shared, took: Duration) {
	Metrics::add(&shared.metrics.engine_runs, 1);
	Metrics::add(&shared.metrics.engine_ns, took.as_nanos() as u64);
}

/// The body the node's off-chain worker POSTs (see `pallet_inference::ocw`).
#[derive(Deserialize)]
struct JobRequest {
	job: JobId,
	#[serde(default)]
	model: u32,
	#[serde(default)]
	version: u32,
	#[serde(default)]
	input: String,
	/// `null` when the input is inline.
	#[serde(default)]
	input_uri: Option<String>,
	/// The remote input's blake2-256 (hex; empty when the input is inline).
	#[serde(default)]
	input_hash: String,
	#[serde(default)]
	miners: Vec<String>,
	/// `/v1/verify`: the distinct outputs the job's miners revealed, the majority's first.
	#[serde(default)]
	revealed: Vec<Vec<i64>>,
}

fn error(status: StatusCode, message: impl Into<String>) -> Response {
	let message = message.into();
	if status.is_client_error() || status.is_server_error() {
		log::warn!("answering {status}: {message}");
	}
	(status, Json(serde_json::json!({ "error": message }))).into_response()
}

/// The request's JSON body, or a 4xx naming what is wrong with it (also logged).
fn parse(
	body: Result<Json<JobRequest>, JsonRejection>,
	route: &str,
) -> Result<JobRequest, Box<Response>> {
	body.map(|Json(request)| request).map_err(|rejection| {
		log::warn!("{route}: bad request: {}", rejection.body_text());
		Box::new(error(rejection.status(), rejection.body_text()))
	})
}

async fn dispatch_job(
	State(shared): State<Arc<Shared>>,
	body: Result<Json<JobRequest>, JsonRejection>,
) -> Response {
	let request = match parse(body, "/v1/jobs") {
		Ok(request) => request,
		Err(response) => return *response,
	};
	if !shared.options.mine {
		return error(StatusCode::NOT_FOUND, "this worker only verifies");
	}
	let me = hex::encode(shared.account.0);
	let assigned =
		request.miners.iter().any(|miner| miner.trim_start_matches("0x").eq_ignore_ascii_case(&me));
	if !assigned {
		return (
			StatusCode::OK,
			Json(serde_json::json!({ "accepted": false, "reason": "not assigned" })),
		)
			.into_response();
	}
	Metrics::add(&shared.metrics.jobs_dispatched, 1);
	// A hint only: the job is read from the chain before any work, and one already queued
	// is not queued again.
	let mut queued = shared.queued.lock().await;
	if queued.contains(&request.job) {
		return (
			StatusCode::ACCEPTED,
			Json(serde_json::json!({ "accepted": true, "reason": "already queued" })),
		)
			.into_response();
	}
	if shared.dispatched.try_send(request.job).is_err() {
		return error(StatusCode::SERVICE_UNAVAILABLE, "busy");
	}
	queued.insert(request.job);
	(StatusCode::ACCEPTED, Json(serde_json::json!({ "accepted": true }))).into_response()
}

async fn verify_job(
	State(shared): State<Arc<Shared>>,
	headers: HeaderMap,
	body: Bytes,
) -> Response {
	// Authenticated before anything else: nobody but the node makes this worker run a model.
	let Some(secret) = &shared.options.verifier_secret else {
		return error(
			StatusCode::FORBIDDEN,
			"verification is off: start the worker with --verifier-secret-file (the secret \
			 of the node's --inference-verifier-secret-file)",
		);
	};
	let mac = headers.get(auth::MAC_HEADER).and_then(|value| value.to_str().ok());
	let request_mac = match secret.check_request(mac, &body) {
		Ok(request_mac) => request_mac,
		Err(refused) => {
			Metrics::add(&shared.metrics.verifications_unauthorized, 1);
			return error(StatusCode::UNAUTHORIZED, refused.to_string());
		}
	};
	let request: JobRequest = match serde_json::from_slice(&body) {
		Ok(request) => request,
		Err(e) => return error(StatusCode::BAD_REQUEST, format!("/v1/verify: {e}")),
	};
	let requested = VersionRef { model: request.model, version: request.version };
	if requested != shared.options.version {
		return error(
			StatusCode::CONFLICT,
			format!("this worker serves {:?}", shared.options.version),
		);
	}
	// `None`: an input that can never be used, answered like any unreadable one.
	let input = match request.input_uri.filter(|uri| !uri.is_empty()) {
		Some(uri) => {
			let hash = hex::decode(request.input_hash.trim_start_matches("0x"))
				.ok()
				.and_then(|hash| <[u8; 32]>::try_from(hash).ok());
			let Some(hash) = hash else {
				return error(StatusCode::BAD_REQUEST, "input_hash is not 32 bytes of hex");
			};
			match input::fetch(&uri, &hash, shared.options.input_limits).await {
				Ok(bytes) => Some(bytes),
				Err(FetchError::Unusable(why)) => {
					log::info!("job {}: {why}; the invalid-input output", request.job);
					None
				}
				// No verdict: this machine's network may be the one at fault.
				Err(FetchError::Unavailable(why)) => {
					return error(StatusCode::SERVICE_UNAVAILABLE, why)
				}
			}
		}
		None => match hex::decode(request.input.trim_start_matches("0x")) {
			Ok(input) => Some(input),
			Err(_) => return error(StatusCode::BAD_REQUEST, "input is not hex"),
		},
	};
	let key = file_sha256(&body);
	let judged = match input {
		Some(input) => match judgement(&shared, key, input, request.revealed).await {
			Ok(judged) => judged,
			Err(response) => return *response,
		},
		None => Judged { output: INVALID_INPUT.to_vec(), accepted: Vec::new() },
	};
	// `--lie-for-tests` makes a verifier answer wrong outputs too (a lying validator).
	let judged = if shared.options.lie {
		Judged { output: shared.runner.engine().lie(judged.output), accepted: Vec::new() }
	} else {
		judged
	};
	Metrics::add(&shared.metrics.verifications, 1);
	log::info!(
		"verified job {}: {} ({} other revealed outputs acceptable)",
		request.job,
		shared.runner.engine().render(&judged.output),
		judged.accepted.len()
	);
	// The node checks this MAC, bound to its request, before it signs a verdict.
	let body =
		serde_json::json!({ "output": judged.output, "accepted": judged.accepted }).to_string();
	let mac = auth::header_value(&secret.response_mac(&request_mac, body.as_bytes()));
	let headers = [
		(header::CONTENT_TYPE, "application/json".to_owned()),
		(HeaderName::from_static(auth::MAC_HEADER), mac),
	];
	(StatusCode::OK, headers, body).into_response()
}

/// The judgement of the verify request `key`: computed before, or computed now if it ends
/// within [`VERIFY_WAIT`]. A longer one (a language model's teacher forcing) goes on after the
/// answer "still verifying" and is answered when the node asks again (it retries a job after
/// two blocks). Only a free engine slot is used: a flood of verify requests must not queue
/// ahead of the miner's jobs.
async fn judgement(
	shared: &Arc<Shared>,
	key: [u8; 32],
	input: Vec<u8>,
	revealed: Vec<Vec<i64>>,
) -> Result<Judged, Box<Response>> {
	let still_verifying =
		|| Box::new(error(StatusCode::SERVICE_UNAVAILABLE, "still verifying this job: ask again"));
	match shared.verifications.lock().await.get(&key) {
		Some(Verification::Done(judged)) => return Ok(judged.clone()),
		Some(Verification::Running) => return Err(still_verifying()),
		None => {}
	}
	let running = match shared.runner.try_judge(input, revealed) {
		Ok(running) => running,
		Err(Busy) => {
			Metrics::add(&shared.metrics.verifications_busy, 1);
			return Err(Box::new(error(
				StatusCode::SERVICE_UNAVAILABLE,
				"busy: every engine slot is in use",
			)));
		}
	};
	shared.verifications.lock().await.start(key);
	let finishing = {
		let shared = shared.clone();
		tokio::spawn(async move {
			let ended = running.await.context("the engine's thread panicked").and_then(|ran| ran);
			let mut verifications = shared.verifications.lock().await;
			match ended {
				Ok((judged, took)) => {
					count_execution(&shared, took);
					verifications.finish(key, judged.clone());
					Ok(judged)
				}
				Err(e) => {
					verifications.forget(&key);
					Err(e)
				}
			}
		})
	};
	match tokio::time::timeout(VERIFY_WAIT, finishing).await {
		Ok(Ok(Ok(judged))) => Ok(judged),
		Ok(Ok(Err(e))) => Err(Box::new(error(StatusCode::INTERNAL_SERVER_ERROR, format!("{e:#}")))),
		Ok(Err(e)) => Err(Box::new(error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))),
		Err(_) => Err(still_verifying()),
	}
}

async fn health(State(shared): State<Arc<Shared>>) -> Response {
	let connected = shared.metrics.connected.load(Ordering::Relaxed);
	let healthy = connected || !shared.options.mine;
	let body = serde_json::json!({
		"status": if healthy { "ok" } else { "disconnected" },
		"account": shared.account.to_string(),
		"mining": shared.options.mine,
		"connected": connected,
		"best_block": shared.metrics.best_block.load(Ordering::Relaxed),
		"model": shared.options.version,
		"weights_sha256": hex::encode(shared.runner.engine().sha256()),
		"pending_jobs": shared.store.lock().await.jobs().count(),
	});
	let status = if healthy { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
	(status, Json(body)).into_response()
}

async fn metrics(State(shared): State<Arc<Shared>>) -> Response {
	let pending = shared.store.lock().await.jobs().count();
	let channels = shared.paid.channels().await;
	(
		StatusCode::OK,
		[("content-type", "text/plain; version=0.0.4")],
		shared.metrics.render(pending, channels),
	)
		.into_response()
}
