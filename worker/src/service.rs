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
//!
//! The worker is a pipeline of small modules: [`follow`] follows the chain's best blocks and
//! the jobs assigned to this miner, [`jobs`] decides what each job needs (run the engine, save,
//! commit, reveal), [`crate::answers`] submits the answers of a block together, [`http`] serves
//! the node's dispatch hints, the verifier endpoint, health and metrics ([`crate::metrics`]).

mod follow;
mod http;
mod jobs;

pub use jobs::{count_execution, forget};

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

// Each stage sees the others' items (they are `pub(super)`: private to `run`'s pipeline).
use self::{follow::*, http::*, jobs::*};

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
