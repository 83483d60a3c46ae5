//! The HTTP side: the node's dispatch hints (`/v1/jobs`), the verifier endpoint
//! (`/v1/verify`, authenticated, judgements kept for the node's next ask), `/health` and
//! `/metrics`. (`/v1/query` is in [`crate::queries`].)

use super::*;

/// How long `/v1/verify` waits for a judgement before answering "still verifying" (the node
/// gives the whole run 3 s).
pub(super) const VERIFY_WAIT: Duration = Duration::from_millis(2_000);
/// How many judgements `/v1/verify` remembers for the node's next ask.
pub(super) const KEPT_VERIFICATIONS: usize = 256;

/// A verify request's judgement: under way, or done.
pub(super) enum Verification {
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

/// The body the node's off-chain worker POSTs (see `pallet_inference::ocw`).
#[derive(Deserialize)]
pub(super) struct JobRequest {
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

pub(super) fn error(status: StatusCode, message: impl Into<String>) -> Response {
	let message = message.into();
	if status.is_client_error() || status.is_server_error() {
		log::warn!("answering {status}: {message}");
	}
	(status, Json(serde_json::json!({ "error": message }))).into_response()
}

/// The request's JSON body, or a 4xx naming what is wrong with it (also logged).
pub(super) fn parse(
	body: Result<Json<JobRequest>, JsonRejection>,
	route: &str,
) -> Result<JobRequest, Box<Response>> {
	body.map(|Json(request)| request).map_err(|rejection| {
		log::warn!("{route}: bad request: {}", rejection.body_text());
		Box::new(error(rejection.status(), rejection.body_text()))
	})
}

pub(super) async fn dispatch_job(
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

pub(super) async fn verify_job(
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
pub(super) async fn judgement(
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

pub(super) async fn health(State(shared): State<Arc<Shared>>) -> Response {
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

pub(super) async fn metrics(State(shared): State<Arc<Shared>>) -> Response {
	let pending = shared.store.lock().await.jobs().count();
	let channels = shared.paid.channels().await;
	(
		StatusCode::OK,
		[("content-type", "text/plain; version=0.0.4")],
		shared.metrics.render(pending, channels),
	)
		.into_response()
}
