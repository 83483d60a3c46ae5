//! The off-chain worker of validator nodes: it pushes new jobs to their miners and re-executes
//! jobs in their challenge window through the node's verifier, submitting signed verdicts.
//!
//! Nothing here is under consensus: it runs after each new best block on every authority node
//! (sometimes twice, or skipping blocks), so every step is idempotent and bounded:
//! - dispatch (only on a node that opted in: [`DISPATCH_KEY`], set from `--inference-dispatch`;
//!   the endpoints are the miners' choice, see the security review's L-2) looks at the last
//!   `DISPATCH_WINDOW` jobs, POSTs each to the miners that have not committed yet, and gives
//!   up on a job after `MAX_DISPATCH_ATTEMPTS` runs that failed;
//! - verification looks at every job the chain put in `VerificationDue` (at most one per
//!   unfinished job), earliest deadline first, and claims each with a compare-and-set marker
//!   in persistent off-chain storage, so one node verifies a job once; the pool keeps one
//!   verdict per job and key;
//! - all HTTP requests of a run share one deadline of `HTTP_DEADLINE_MS`, so a dead endpoint
//!   costs at most that and never blocks block import (off-chain workers run on their own
//!   threads).
//!
//! The verifier endpoint is read from the persistent off-chain storage key
//! [`VERIFIER_URL_KEY`], the secret shared with it from [`VERIFIER_SECRET_KEY`]; the node sets
//! them from `--inference-verifier-url` and `--inference-verifier-secret-file`. Every request
//! to the verifier carries [`request_mac`] in the [`MAC_HEADER`] header and every answer must
//! carry [`response_mac`], bound to the request: only this node can make its verifier work,
//! and a man in the middle of plain HTTP can neither forge nor replay an answer. The worker
//! (`worker/src/auth.rs`) implements the same definition; both test the same vector.

use super::*;
use alloc::{string::String, vec::Vec};
use codec::{Decode, Encode};
use frame_support::{traits::Get, BoundedVec};
use frame_system::{offchain::SubmitTransaction, pallet_prelude::BlockNumberFor};
use modelchain_primitives::{ComputeStakingInterface, ModelVersionRef};
use sp_core::H256;
use sp_runtime::{
	offchain::{
		http,
		storage::{MutateStorageError, StorageRetrievalError, StorageValueRef},
		Duration,
	},
	traits::Saturating,
	RuntimeAppPublic,
};

/// Persistent off-chain storage key of the verifier endpoint's base URL (e.g.
/// `http://127.0.0.1:7071`); verification is off while it is unset.
pub const VERIFIER_URL_KEY: &[u8] = b"modelchain::inference::verifier-url";
/// Persistent off-chain storage key of the per-version verifiers: SCALE
/// `Vec<(ModelVersionRef, Vec<u8>)>`, the base URL of the verifier of each listed version (the
/// jobs of any other version go to [`VERIFIER_URL_KEY`]'s).
pub const VERIFIER_ROUTES_KEY: &[u8] = b"modelchain::inference::verifier-routes";
/// Persistent off-chain storage key of whether this node POSTs new jobs to their miners'
/// endpoints (SCALE `true`; the node sets it from `--inference-dispatch`). Unset, nothing is
/// dispatched: miners learn their jobs from `JobAssigned` events.
pub const DISPATCH_KEY: &[u8] = b"modelchain::inference::dispatch-enabled";
/// Persistent off-chain storage key of the 32-byte secret shared with the verifier;
/// verification is off while it is unset.
pub const VERIFIER_SECRET_KEY: &[u8] = b"modelchain::inference::verifier-secret";
/// The HTTP header that carries a request's or an answer's MAC (`0x`-prefixed hex).
pub const MAC_HEADER: &str = "x-modelchain-mac";
const REQUEST_MAC_CONTEXT: &[u8] = b"modelchain/verify-request";
const RESPONSE_MAC_CONTEXT: &[u8] = b"modelchain/verify-response";
/// Prefix of the per-job dispatch records.
const DISPATCH_PREFIX: &[u8] = b"modelchain::inference::dispatch::";
/// Prefix of the per-job verification markers.
const VERIFIED_PREFIX: &[u8] = b"modelchain::inference::verified::";
/// The lowest job id whose dispatch record or verification marker may still exist (those of
/// earlier jobs were removed once the jobs finished).
const PRUNE_CURSOR_KEY: &[u8] = b"modelchain::inference::prune-cursor";
/// Most jobs whose off-chain records one run removes.
pub const PRUNE_PER_RUN: u64 = 64;
/// How many of the newest jobs dispatch looks at.
pub const DISPATCH_WINDOW: u64 = 16;
/// Runs after which dispatch gives up on a miner that does not answer.
pub const MAX_DISPATCH_ATTEMPTS: u8 = 3;
/// Blocks after which a node retries a verification that got no verdict on chain (the
/// verifier failed, or the verdict was dropped).
pub const VERIFY_RETRY_BLOCKS: u32 = 2;
/// Deadline of all HTTP requests of one run.
pub const HTTP_DEADLINE_MS: u64 = 3_000;
/// Longest verifier response read, in bytes.
const MAX_RESPONSE_BYTES: usize = 64 * 1024;

/// What dispatch remembers about a job: which miners accepted it and how many runs tried.
#[derive(Encode, Decode, Default, Clone, PartialEq, Eq, Debug)]
struct DispatchRecord {
	delivered: Vec<u8>,
	attempts: u8,
}

/// The verifier's answer.
#[derive(serde::Deserialize)]
struct VerifyResponse {
	/// The output it stands for.
	output: Vec<i64>,
	/// Other revealed outputs it accepts (tolerance-verified models).
	#[serde(default)]
	accepted: Vec<Vec<i64>>,
}

impl<T: Config> Pallet<T> {
	/// Entry point from the `offchain_worker` hook.
	pub(crate) fn run_offchain_worker(now: BlockNumberFor<T>) {
		if !sp_io::offchain::is_validator() {
			return;
		}
		if let Err(error) = Self::dispatch_new_jobs(now) {
			log::warn!(target: "runtime::inference", "dispatch at block {now:?}: {error}");
		}
		if let Err(error) = Self::verify_jobs(now) {
			log::warn!(target: "runtime::inference", "verification at block {now:?}: {error}");
		}
		Self::prune_offchain_records();
	}

	/// Removes the dispatch records and verification markers of finished (or pruned) jobs,
	/// oldest first, at most `PRUNE_PER_RUN` per run, stopping at the first unfinished job:
	/// this node's off-chain database keeps records only of jobs that may still need them.
	fn prune_offchain_records() {
		let cursor = StorageValueRef::persistent(PRUNE_CURSOR_KEY);
		let start: JobId = cursor.get().ok().flatten().unwrap_or_default();
		let end = NextJobId::<T>::get().min(start.saturating_add(PRUNE_PER_RUN));
		let mut job = start;
		while job < end {
			let unfinished = Jobs::<T>::get(job)
				.is_some_and(|record| !matches!(record.phase, JobPhase::Finished(_)));
			if unfinished {
				break;
			}
			StorageValueRef::persistent(&storage_key(DISPATCH_PREFIX, job)).clear();
			StorageValueRef::persistent(&storage_key(VERIFIED_PREFIX, job)).clear();
			job = job.saturating_add(1);
		}
		if job != start {
			cursor.set(&job);
		}
	}

	/// The JSON body POSTed to a miner (`/v1/jobs`) or the verifier (`/v1/verify`), with
	/// `revealed`: the distinct outputs the job's miners revealed (for the verifier; the
	/// majority's first).
	pub fn job_request_body(job: JobId, record: &JobOf<T>, revealed: &[Output<T>]) -> Vec<u8> {
		let (input, uri, hash) = match &record.input {
			JobInput::Inline(bytes) => (hex(bytes), String::new(), String::new()),
			JobInput::Remote { uri, hash } => {
				(String::new(), String::from_utf8_lossy(uri).into_owned(), hex(hash))
			}
		};
		let miners: Vec<String> = record
			.assignments
			.iter()
			.map(|a| alloc::format!("\"{}\"", hex(&a.miner.encode())))
			.collect();
		let revealed: Vec<String> = revealed
			.iter()
			.map(|output| {
				let values: Vec<String> =
					output.iter().map(|value| alloc::format!("{value}")).collect();
				alloc::format!("[{}]", values.join(","))
			})
			.collect();
		alloc::format!(
			"{{\"job\":{job},\"model\":{},\"version\":{},\"output_precision\":{},\"input\":\"{input}\",\"input_uri\":{},\"input_hash\":\"{hash}\",\"miners\":[{}],\"deadline\":{:?},\"revealed\":[{}]}}",
			record.version.model,
			record.version.version,
			record.output_precision,
			serde_json_string(&uri),
			miners.join(","),
			record.deadline,
			revealed.join(","),
		)
		.into_bytes()
	}

	/// The distinct outputs a job's miners revealed, the majority's (its result) first, then
	/// in assignment order.
	pub fn revealed_outputs(job: JobId, record: &JobOf<T>) -> Vec<Output<T>> {
		let mut outputs: Vec<Output<T>> = Results::<T>::get(job).into_iter().collect();
		for assignment in record.assignments.iter() {
			if assignment.revealed.is_none() {
				continue;
			}
			if let Some(output) = Reveals::<T>::get(job, &assignment.miner) {
				if !outputs.contains(&output) {
					outputs.push(output);
				}
			}
		}
		outputs
	}

	/// POSTs the newest jobs still in their commit phase to the miners that have not committed
	/// yet, if this node opted in ([`DISPATCH_KEY`]). Miners de-duplicate by job id.
	fn dispatch_new_jobs(now: BlockNumberFor<T>) -> Result<(), &'static str> {
		let opted_in = StorageValueRef::persistent(DISPATCH_KEY).get::<bool>().ok().flatten();
		if opted_in != Some(true) {
			return Ok(());
		}
		let next = NextJobId::<T>::get();
		let deadline = sp_io::offchain::timestamp().add(Duration::from_millis(HTTP_DEADLINE_MS));
		let mut in_flight: Vec<(JobId, u8, http::PendingRequest)> = Vec::new();
		for job in next.saturating_sub(DISPATCH_WINDOW)..next {
			let Some(record) = Jobs::<T>::get(job) else { continue };
			if record.phase != JobPhase::Commit || now >= record.deadline {
				continue;
			}
			let key = storage_key(DISPATCH_PREFIX, job);
			let store = StorageValueRef::persistent(&key);
			let mut dispatch = store.get::<DispatchRecord>().ok().flatten().unwrap_or_default();
			if dispatch.attempts >= MAX_DISPATCH_ATTEMPTS {
				continue;
			}
			let body = Self::job_request_body(job, &record, &[]);
			let mut sent_any = false;
			for (index, assignment) in record.assignments.iter().enumerate() {
				let index = index as u8;
				if assignment.commitment.is_some() || dispatch.delivered.contains(&index) {
					continue;
				}
				let Some(endpoint) = T::Staking::endpoint(&assignment.miner) else { continue };
				let Ok(endpoint) = String::from_utf8(endpoint) else { continue };
				let url = alloc::format!("{}/v1/jobs", endpoint.trim_end_matches('/'));
				let request = http::Request::post(&url, alloc::vec![body.clone()])
					.add_header("Content-Type", "application/json")
					.deadline(deadline)
					.send();
				if let Ok(pending) = request {
					in_flight.push((job, index, pending));
					sent_any = true;
				}
			}
			if sent_any {
				dispatch.attempts = dispatch.attempts.saturating_add(1);
				store.set(&dispatch);
			}
		}
		if in_flight.is_empty() {
			return Ok(());
		}
		let (meta, pending): (Vec<(JobId, u8)>, Vec<http::PendingRequest>) =
			in_flight.into_iter().map(|(job, index, p)| ((job, index), p)).unzip();
		let results = http::PendingRequest::try_wait_all(pending, Some(deadline));
		for ((job, index), result) in meta.into_iter().zip(results) {
			let accepted =
				matches!(result, Ok(Ok(ref response)) if (200..300).contains(&response.code));
			if accepted {
				let key = storage_key(DISPATCH_PREFIX, job);
				let store = StorageValueRef::persistent(&key);
				let _ = store.mutate(
					|current: Result<Option<DispatchRecord>, StorageRetrievalError>| {
						let mut record = current.ok().flatten().unwrap_or_default();
						if !record.delivered.contains(&index) {
							record.delivered.push(index);
						}
						Ok::<_, ()>(record)
					},
				);
			}
		}
		Ok(())
	}

	/// Re-executes every job the chain put in `VerificationDue` (earliest deadline first)
	/// that this node's key has not given a verdict on, through the verifier endpoint, and
	/// submits a signed verdict for each; what the run's HTTP deadline leaves undone is
	/// taken up by the next run.
	fn verify_jobs(now: BlockNumberFor<T>) -> Result<(), &'static str> {
		let verifiers = Verifiers::load();
		if verifiers.is_empty() {
			return Ok(());
		}
		let Some(secret) = StorageValueRef::persistent(VERIFIER_SECRET_KEY)
			.get::<Vec<u8>>()
			.ok()
			.flatten()
			.and_then(|secret| <[u8; 32]>::try_from(secret).ok())
		else {
			return Err("a verifier URL but no verifier secret: verification is off");
		};
		let authorities = Authorities::<T>::get();
		let Some(key) = T::AuthorityId::all().into_iter().find(|key| authorities.contains(key))
		else {
			return Ok(());
		};
		let mut due: Vec<(BlockNumberFor<T>, JobId, JobOf<T>)> = VerificationDue::<T>::iter_keys()
			.filter(|job| !Self::has_voted(*job, &key))
			.filter_map(|job| Jobs::<T>::get(job).map(|record| (record.deadline, job, record)))
			.filter(|(deadline, _, _)| now < *deadline)
			.collect();
		due.sort_by_key(|(deadline, job, _)| (*deadline, *job));
		let deadline = sp_io::offchain::timestamp().add(Duration::from_millis(HTTP_DEADLINE_MS));
		for (_, job, record) in due {
			if sp_io::offchain::timestamp() >= deadline {
				break;
			}
			// A version this node has no verifier for is left to the other validators.
			let Some(url) = verifiers.url_for(&record.version) else { continue };
			// Claim the job for this node (compare-and-set, safe across concurrent runs); a
			// claim older than `VERIFY_RETRY_BLOCKS` without a verdict on chain is retried.
			let marker = storage_key(VERIFIED_PREFIX, job);
			let retry_after: BlockNumberFor<T> = VERIFY_RETRY_BLOCKS.into();
			let claimed = StorageValueRef::persistent(&marker).mutate(
				|claimed: Result<Option<BlockNumberFor<T>>, StorageRetrievalError>| match claimed {
					Ok(Some(at)) if now < at.saturating_add(retry_after) => Err(()),
					_ => Ok(now),
				},
			);
			if let Err(
				MutateStorageError::ValueFunctionFailed(())
				| MutateStorageError::ConcurrentModification(_),
			) = claimed
			{
				continue;
			}
			let judged = match Self::call_verifier(url, &secret, job, &record, deadline) {
				Ok(judged) => judged,
				Err(error) => {
					log::warn!(target: "runtime::inference", "verifier on job {job}: {error}");
					continue;
				}
			};
			let verdict = Verdict {
				job,
				output_hash: output_hash(&judged.output),
				accepted: Self::accepted_hashes(&record, &judged),
				authority: key.clone(),
			};
			let Some(signature) = key.sign(&Self::verdict_message(&verdict)) else {
				return Err("the inference key cannot sign");
			};
			let call = Call::<T>::submit_verdict { verdict, signature };
			let xt = T::create_authorized_transaction(call.into());
			if SubmitTransaction::<T, Call<T>>::submit_transaction(xt).is_err() {
				log::warn!(target: "runtime::inference", "the pool refused the verdict on job {job}");
			}
		}
		Ok(())
	}

	/// The hashes of the other revealed outputs the verifier accepted, as a verdict lists
	/// them: revealed ones only, without the verdict's own output, ascending, each once.
	fn accepted_hashes(
		record: &JobOf<T>,
		judged: &VerifyResponse,
	) -> BoundedVec<H256, T::MaxRedundancy> {
		let own = output_hash(&judged.output);
		let mut hashes: Vec<H256> = judged
			.accepted
			.iter()
			.map(|output| output_hash(output))
			.filter(|hash| *hash != own)
			.filter(|hash| record.assignments.iter().any(|a| a.revealed == Some(*hash)))
			.collect();
		hashes.sort();
		hashes.dedup();
		// At most one per assignment, so within `MaxRedundancy`.
		BoundedVec::truncate_from(hashes)
	}

	/// POSTs a job to the verifier, authenticated with `secret`, and reads the canonical
	/// output it stands for (and the other revealed outputs it accepts), once its answer's
	/// MAC is right.
	fn call_verifier(
		url: &str,
		secret: &[u8; 32],
		job: JobId,
		record: &JobOf<T>,
		deadline: sp_runtime::offchain::Timestamp,
	) -> Result<VerifyResponse, &'static str> {
		let url = alloc::format!("{}/v1/verify", url.trim_end_matches('/'));
		let body = Self::job_request_body(job, record, &Self::revealed_outputs(job, record));
		let request_mac = request_mac(secret, &body);
		let pending = http::Request::post(&url, alloc::vec![body])
			.add_header("Content-Type", "application/json")
			.add_header(MAC_HEADER, &hex(&request_mac))
			.deadline(deadline)
			.send()
			.map_err(|_| "cannot send the request")?;
		let mut response = pending
			.try_wait(deadline)
			.map_err(|_| "deadline reached")?
			.map_err(|_| "request failed")?;
		if response.code != 200 {
			return Err("verifier answered with an error status");
		}
		let mut headers = response.headers().into_iter();
		let mut answer_mac = None;
		while headers.next() {
			if let Some((name, value)) = headers.current() {
				if name.eq_ignore_ascii_case(MAC_HEADER) {
					answer_mac = unhex32(value);
				}
			}
		}
		let mut reader = response.body();
		reader.deadline(deadline);
		let body: Vec<u8> = reader.by_ref().take(MAX_RESPONSE_BYTES.saturating_add(1)).collect();
		if reader.error().is_some() {
			return Err("reading the verifier's answer failed or timed out");
		}
		if body.len() > MAX_RESPONSE_BYTES {
			return Err("the verifier's answer is too long");
		}
		if answer_mac != Some(response_mac(secret, &request_mac, &body)) {
			return Err("the verifier's answer is not authenticated (missing or wrong MAC)");
		}
		let parsed: VerifyResponse =
			serde_json::from_slice(&body).map_err(|_| "verifier answer is not {\"output\":[…]}")?;
		let fits = |output: &Vec<i64>| {
			!output.is_empty() && output.len() <= T::MaxOutputValues::get() as usize
		};
		if !fits(&parsed.output) || !parsed.accepted.iter().all(fits) {
			return Err("verifier output is empty or too long");
		}
		Ok(parsed)
	}
}

/// This node's verifiers: one per model version that has its own, and a default one.
struct Verifiers {
	default: Option<String>,
	routes: Vec<(ModelVersionRef, String)>,
}

impl Verifiers {
	/// What the node stored from `--inference-verifier-url` and `--inference-verifier-route`.
	fn load() -> Self {
		let default = StorageValueRef::persistent(VERIFIER_URL_KEY)
			.get::<Vec<u8>>()
			.ok()
			.flatten()
			.and_then(|url| String::from_utf8(url).ok());
		let routes = StorageValueRef::persistent(VERIFIER_ROUTES_KEY)
			.get::<Vec<(ModelVersionRef, Vec<u8>)>>()
			.ok()
			.flatten()
			.unwrap_or_default()
			.into_iter()
			.filter_map(|(version, url)| Some((version, String::from_utf8(url).ok()?)))
			.collect();
		Self { default, routes }
	}

	/// Whether no verifier is configured (verification is off).
	fn is_empty(&self) -> bool {
		self.default.is_none() && self.routes.is_empty()
	}

	/// The base URL of the verifier of `version`'s jobs, if any.
	fn url_for(&self, version: &ModelVersionRef) -> Option<&str> {
		self.routes
			.iter()
			.find(|(routed, _)| routed == version)
			.map(|(_, url)| url.as_str())
			.or(self.default.as_deref())
	}
}

/// The MAC of a request body to the verifier: `blake2_256(secret ‖ context ‖ body)` (BLAKE2
/// has no length extension, so a prefix MAC is sound).
pub fn request_mac(secret: &[u8; 32], body: &[u8]) -> [u8; 32] {
	sp_io::hashing::blake2_256(&[&secret[..], REQUEST_MAC_CONTEXT, body].concat())
}

/// The MAC of the verifier's answer `body` to the request whose MAC was `request_mac`.
pub fn response_mac(secret: &[u8; 32], request_mac: &[u8; 32], body: &[u8]) -> [u8; 32] {
	sp_io::hashing::blake2_256(
		&[&secret[..], RESPONSE_MAC_CONTEXT, &request_mac[..], body].concat(),
	)
}

/// 32 bytes from 64 hex digits (`0x` allowed), or `None`.
fn unhex32(text: &str) -> Option<[u8; 32]> {
	let digits = text.trim().trim_start_matches("0x").as_bytes();
	if digits.len() != 64 {
		return None;
	}
	let nibble = |c: u8| char::from(c).to_digit(16).and_then(|d| u8::try_from(d).ok());
	let mut out = [0u8; 32];
	for (byte, pair) in out.iter_mut().zip(digits.chunks(2)) {
		let (high, low) = (pair.first().copied()?, pair.get(1).copied()?);
		*byte = nibble(high)?.checked_mul(16)?.checked_add(nibble(low)?)?;
	}
	Some(out)
}

/// `prefix ++ decimal job id`.
fn storage_key(prefix: &[u8], job: JobId) -> Vec<u8> {
	let mut key = prefix.to_vec();
	key.extend_from_slice(alloc::format!("{job}").as_bytes());
	key
}

/// `0x`-prefixed lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
	const DIGITS: &[u8; 16] = b"0123456789abcdef";
	let mut out = String::with_capacity(bytes.len().saturating_mul(2).saturating_add(2));
	out.push_str("0x");
	for byte in bytes {
		for nibble in [byte >> 4, byte & 0x0f] {
			out.push(char::from(DIGITS.get(usize::from(nibble)).copied().unwrap_or(b'0')));
		}
	}
	out
}

/// A JSON string literal (quotes and escapes), or `null` for an empty string.
fn serde_json_string(value: &str) -> String {
	if value.is_empty() {
		return String::from("null");
	}
	serde_json::to_string(value).unwrap_or_else(|_| String::from("null"))
}
