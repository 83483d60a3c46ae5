//! Paid queries, served: `POST /v1/query` and the background work that makes them money (the
//! group commit of the channel logs and the claims).
//!
//! ```text
//! POST /v1/query
//! { "voucher": { "channel": 7, "cumulative": "3000000000", "queries": 3,
//!                "receiptsRoot": "0x…" },            // the root of receipts 1..queries-1
//!   "signature": "0x…",                              // the requester's sr25519 signature of
//!                                                    // SCALE(b"modelchain/voucher", genesis, voucher)
//!   "input": "0x…" }                                 // the model's input bytes
//! 200 { "output": [3], "receipt": { "channel", "sequence", "model", "version", "inputHash",
//!       "outputHash", "cumulative" }, "signature": "0x…", "miner": "5…", "engineMicros": 93 }
//! 4xx { "error": "…", "reason": "bad_signature" }   // nothing run, nothing recorded
//! ```
//!
//! The receipt's signature is the miner's sr25519 signature of
//! `modelchain_query_protocol::Receipt::message` (see that crate for the bytes and a test
//! vector).

use std::{
	collections::BTreeSet,
	path::PathBuf,
	sync::{atomic::Ordering, Arc, OnceLock},
	time::{Duration, Instant, SystemTime},
};

use anyhow::{Context as _, Result};
use axum::{
	extract::{rejection::JsonRejection, State},
	http::StatusCode,
	response::{IntoResponse, Response},
	Json,
};
use modelchain_query_protocol::Voucher;
use serde::Deserialize;
use subxt::dynamic::Value;
use tokio::sync::Mutex;

use crate::{
	chain::{AuditDrawn, Chain},
	channels::{
		self, claim_due, Books, ChannelBook, ChannelId, ChannelView, Refusal, Served, Serving,
	},
	metrics::Metrics,
	service::{count_execution, Shared},
};

/// How often the channel logs are fsynced together (the group commit): a claim waits at most
/// this long for a voucher to become claimable, and a power loss loses at most this much.
pub const FLUSH_EVERY: Duration = Duration::from_millis(100);
/// How often the channels' records are read again and due claims submitted.
const CLAIM_CHECK_EVERY: Duration = Duration::from_secs(3);
/// How long a closed channel's log is kept (for audits and disputes) before it is deleted.
const CLOSED_LOG_RETENTION: Duration = Duration::from_secs(24 * 3600);

/// The paid-query state of a running worker.
pub struct Paid {
	/// Where the channel logs are.
	dir: PathBuf,
	/// The channels this miner serves or served.
	books: Mutex<Books>,
	/// The chain's genesis hash, once connected.
	pub genesis: OnceLock<[u8; 32]>,
	/// Claim when a channel's unclaimed value reaches this many plancks.
	claim_threshold: u128,
	/// Claim when a channel expires within this many blocks.
	expiry_margin: u64,
	/// Channels whose claim is being submitted.
	claiming: std::sync::Mutex<BTreeSet<ChannelId>>,
}

impl Paid {
	/// Loads the channel logs under `state_dir` (a restarted miner claims what it served).
	pub fn load(
		state_dir: &std::path::Path,
		claim_threshold: u128,
		expiry_margin: u64,
	) -> Result<Self> {
		let dir = channels::logs_dir(state_dir);
		let mut books = Books::new();
		for id in channels::logged_channels(&dir)? {
			let book = ChannelBook::open(&dir, id)?;
			log::info!("channel {id}: {} queries answered before the restart", book.queries());
			books.insert(id, Arc::new(Mutex::new(book)));
		}
		Ok(Self {
			dir,
			books: Mutex::new(books),
			genesis: OnceLock::new(),
			claim_threshold,
			expiry_margin,
			claiming: Default::default(),
		})
	}

	/// How many channels are in the book.
	pub async fn channels(&self) -> usize {
		self.books.lock().await.len()
	}
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct VoucherJson {
	channel: u64,
	/// A decimal string: amounts exceed JavaScript's safe integers.
	cumulative: String,
	queries: u64,
	receipts_root: String,
}

/// The body of `POST /v1/query`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueryRequest {
	voucher: VoucherJson,
	signature: String,
	input: String,
}

fn bad_request(reason: &'static str, message: impl Into<String>) -> Refusal {
	Refusal { status: 400, reason, message: message.into() }
}

fn hex_bytes<const N: usize>(text: &str, what: &str) -> Result<[u8; N], Refusal> {
	hex::decode(text.trim_start_matches("0x"))
		.ok()
		.and_then(|bytes| <[u8; N]>::try_from(bytes).ok())
		.ok_or_else(|| bad_request("malformed", format!("{what} is not {N} bytes of hex")))
}

impl QueryRequest {
	fn parse(self) -> Result<(Voucher, [u8; 64], Vec<u8>), Refusal> {
		let cumulative = self.voucher.cumulative.parse::<u128>().map_err(|_| {
			bad_request("malformed", "voucher.cumulative is not a decimal amount in plancks")
		})?;
		let voucher = Voucher {
			channel: self.voucher.channel,
			cumulative,
			queries: self.voucher.queries,
			receipts_root: hex_bytes(&self.voucher.receipts_root, "voucher.receiptsRoot")?,
		};
		let signature = hex_bytes(&self.signature, "signature")?;
		let input = hex::decode(self.input.trim_start_matches("0x"))
			.map_err(|_| bad_request("malformed", "input is not hex"))?;
		Ok((voucher, signature, input))
	}
}

/// `POST /v1/query`: checks the voucher, runs the model, logs the query, answers with the
/// output and a signed receipt.
pub async fn answer_query(
	State(shared): State<Arc<Shared>>,
	body: Result<Json<QueryRequest>, JsonRejection>,
) -> Response {
	let started = Instant::now();
	match serve_query(&shared, body).await {
		Ok(answer) => {
			Metrics::add(&shared.metrics.queries, 1);
			shared.metrics.query_seconds.observe(started.elapsed());
			(StatusCode::OK, Json(answer)).into_response()
		}
		Err(refusal) => {
			shared.metrics.refused(refusal.reason);
			log::info!("/v1/query refused ({}): {}", refusal.reason, refusal.message);
			let status = StatusCode::from_u16(refusal.status).unwrap_or(StatusCode::BAD_REQUEST);
			let body = serde_json::json!({ "error": refusal.message, "reason": refusal.reason });
			(status, Json(body)).into_response()
		}
	}
}

async fn serve_query(
	shared: &Arc<Shared>,
	body: Result<Json<QueryRequest>, JsonRejection>,
) -> Result<serde_json::Value, Refusal> {
	if !shared.options.mine {
		return Err(Refusal {
			status: 404,
			reason: "not_mining",
			message: "this worker only verifies".into(),
		});
	}
	let Json(request) =
		body.map_err(|rejection| bad_request("malformed", rejection.body_text()))?;
	let (voucher, signature, input) = request.parse()?;
	if let Some(why) = shared.runner.engine().input_error(&input) {
		return Err(bad_request("invalid_input", why));
	}
	let unavailable =
		|message: &str| Refusal { status: 503, reason: "unavailable", message: message.into() };
	let genesis =
		*shared.paid.genesis.get().ok_or_else(|| unavailable("not connected to the chain yet"))?;

	let book = book_for(shared, voucher.channel).await?;
	let mut book = book.lock().await;
	let context = Serving {
		me: &shared.account,
		version: shared.options.version,
		genesis,
		best: shared.metrics.best_block.load(Ordering::Relaxed),
	};
	if let Err(refusal) = book.check(&context, &voucher, &signature) {
		// The record may be stale: a top-up raises the deposit and extends the lifetime, a
		// claim or a new licence lets more queries through.
		if !matches!(
			refusal.reason,
			"deposit_exhausted"
				| "channel_expired"
				| "no_licence"
				| "licence_expired"
				| "licence_exhausted"
		) {
			return Err(refusal);
		}
		book.view = read_channel(shared, voucher.channel)
			.await
			.map_err(|e| unavailable(&format!("{e:#}")))?;
		book.check(&context, &voucher, &signature)?;
	}

	let ran = shared.runner.infer(input.clone()).await.map_err(|error| Refusal {
		status: 500,
		reason: "engine_failed",
		message: format!("{error:#}"),
	})?;
	count_execution(shared, ran.1);
	let (output, took) = ran;
	let output = if shared.options.lie { shared.runner.engine().lie(output) } else { output };
	let served = Served {
		voucher,
		signature,
		model: shared.options.version.model,
		version: shared.options.version.version,
		input,
		output,
	};
	book.record(&served).map_err(|error| Refusal {
		status: 500,
		reason: "not_recorded",
		message: format!("the query could not be logged, so it is not answered: {error:#}"),
	})?;
	drop(book);
	let receipt = served.receipt();
	let receipt_signature = shared.signer.sign(&receipt.message(&genesis));
	Ok(serde_json::json!({
		"output": served.output,
		"receipt": channels::receipt_json(&receipt),
		"signature": format!("0x{}", hex::encode(receipt_signature.0)),
		"miner": shared.account.to_string(),
		"engineMicros": took.as_micros(),
	}))
}

/// The book of `channel`, loading it on its first query: only a channel that exists on chain
/// and names this miner gets a log, so vouchers of made-up channels cost no disk.
async fn book_for(
	shared: &Arc<Shared>,
	channel: ChannelId,
) -> Result<Arc<Mutex<ChannelBook>>, Refusal> {
	if let Some(book) = shared.paid.books.lock().await.get(&channel) {
		let book = book.clone();
		let missing_view = book.lock().await.view.is_none();
		if missing_view {
			let view = read_channel(shared, channel).await.map_err(unavailable)?;
			book.lock().await.view = view;
		}
		return Ok(book);
	}
	let view = read_channel(shared, channel).await.map_err(unavailable)?;
	let Some(view) = view else {
		return Err(Refusal {
			status: 404,
			reason: "unknown_channel",
			message: format!("no open channel {channel}"),
		});
	};
	if view.miner != shared.account {
		return Err(Refusal {
			status: 403,
			reason: "not_this_miner",
			message: format!("channel {channel} is served by {}, not by this miner", view.miner),
		});
	}
	let mut books = shared.paid.books.lock().await;
	if let Some(book) = books.get(&channel) {
		return Ok(book.clone());
	}
	if books.len() >= channels::MAX_CHANNELS {
		return Err(Refusal {
			status: 503,
			reason: "too_many_channels",
			message: "this miner serves as many channels as it can; try another miner".into(),
		});
	}
	let mut book = ChannelBook::open(&shared.paid.dir, channel).map_err(|error| Refusal {
		status: 500,
		reason: "not_recorded",
		message: format!("{error:#}"),
	})?;
	book.view = Some(view);
	let book = Arc::new(Mutex::new(book));
	books.insert(channel, book.clone());
	Ok(book)
}

fn unavailable(error: anyhow::Error) -> Refusal {
	Refusal {
		status: 503,
		reason: "unavailable",
		message: format!("cannot read the chain: {error:#}"),
	}
}

/// Reads a channel's record at the best block (one chain read at a time: see `Shared::deciding`).
async fn read_channel(shared: &Shared, channel: ChannelId) -> Result<Option<ChannelView>> {
	let chain = shared.chain.lock().await.clone().context("not connected to the chain")?;
	let _deciding = shared.deciding.lock().await;
	chain.channel(channel).await
}

/// Fsyncs the channel logs together every [`FLUSH_EVERY`], marking their vouchers claimable,
/// and every [`CLAIM_CHECK_EVERY`] reads the channels again and claims what is due.
pub async fn tend_channels(shared: Arc<Shared>) {
	let mut last_check = Instant::now();
	loop {
		tokio::time::sleep(FLUSH_EVERY).await;
		if let Err(error) = flush(&shared).await {
			log::error!("channel logs: {error:#}");
		}
		if last_check.elapsed() >= CLAIM_CHECK_EVERY {
			last_check = Instant::now();
			if let Err(error) = check_claims(&shared).await {
				log::warn!("claims: {error:#}");
			}
		}
	}
}

/// The group commit: one fsync per dirty log, then their latest vouchers become claimable.
async fn flush(shared: &Shared) -> Result<()> {
	let books: Vec<_> = shared.paid.books.lock().await.values().cloned().collect();
	let mut synced = Vec::new();
	for book in books {
		let mut guard = book.lock().await;
		if guard.dirty {
			guard.dirty = false;
			synced.push((book.clone(), guard.log(), guard.latest_signed()));
		}
	}
	if synced.is_empty() {
		return Ok(());
	}
	let logs: Vec<_> = synced.iter().map(|(_, log, _)| log.clone()).collect();
	tokio::task::spawn_blocking(move || logs.iter().try_for_each(|log| log.sync_data()))
		.await
		.context("the fsync thread panicked")?
		.context("fsync of a channel log")?;
	for (book, _, latest) in synced {
		book.lock().await.durable = latest;
	}
	Ok(())
}

async fn check_claims(shared: &Arc<Shared>) -> Result<()> {
	let Some(chain) = shared.chain.lock().await.clone() else { return Ok(()) };
	let best = shared.metrics.best_block.load(Ordering::Relaxed);
	let max_per_claim = {
		let _deciding = shared.deciding.lock().await;
		chain.max_queries_per_claim().await?
	};
	let books: Vec<_> =
		shared.paid.books.lock().await.iter().map(|(id, b)| (*id, b.clone())).collect();
	for (id, book) in books {
		let durable = book.lock().await.durable.clone();
		let view = {
			let _deciding = shared.deciding.lock().await;
			chain.channel(id).await?
		};
		let mut guard = book.lock().await;
		guard.view = view.clone();
		let Some(view) = view else {
			// Closed: its claims are over. Keep the log a while for disputes, then delete it.
			let old = std::fs::metadata(guard.path())
				.and_then(|meta| meta.modified())
				.map(|modified| SystemTime::now().duration_since(modified).unwrap_or_default())
				.is_ok_and(|age| age >= CLOSED_LOG_RETENTION);
			if old {
				std::fs::remove_file(guard.path()).ok();
				drop(guard);
				shared.paid.books.lock().await.remove(&id);
				log::info!("channel {id}: closed; its log is deleted");
			}
			continue;
		};
		drop(guard);
		let Some((mut voucher, mut signature)) = durable else { continue };
		// A claim settles at most `max` new queries (the audit bound): claim the voucher of
		// query `claimed + max` first; the next passes claim the rest.
		if let Some(max) = max_per_claim {
			let cap = view.queries_claimed.saturating_add(max);
			if voucher.queries > cap {
				let earlier = book.lock().await.served_at(cap).ok().flatten();
				match earlier {
					Some(served) => (voucher, signature) = (served.voucher, served.signature),
					None => {
						log::warn!("channel {id}: no logged voucher for query {cap}; cannot claim");
						continue;
					}
				}
			}
		}
		let Some(due) = claim_due(
			&view,
			&voucher,
			best,
			shared.paid.claim_threshold,
			shared.paid.expiry_margin,
		) else {
			continue;
		};
		let claiming = shared.paid.claiming.lock().map(|mut set| set.insert(id)).unwrap_or(false);
		if !claiming {
			continue;
		}
		log::info!(
			"channel {id}: claiming {} for {} queries ({due:?})",
			voucher.cumulative,
			voucher.queries
		);
		let shared = shared.clone();
		let chain = chain.clone();
		tokio::spawn(async move {
			claim(&shared, &chain, &view, voucher, signature).await;
			if let Ok(mut set) = shared.paid.claiming.lock() {
				set.remove(&id);
			}
		});
	}
	Ok(())
}

async fn claim(
	shared: &Shared,
	chain: &Chain,
	view: &ChannelView,
	voucher: Voucher,
	signature: [u8; 64],
) {
	let id = voucher.channel;
	let args = (
		id,
		Value::named_composite([
			("channel", Value::u128(u128::from(voucher.channel))),
			("cumulative", Value::u128(voucher.cumulative)),
			("queries", Value::u128(u128::from(voucher.queries))),
			("receipts_root", Value::from_bytes(voucher.receipts_root)),
		]),
		Value::unnamed_variant("Sr25519", [Value::from_bytes(signature)]),
	);
	match chain.submit("QueryChannels", "claim", args).await {
		Ok(_) => {
			let amount = voucher.cumulative.saturating_sub(view.claimed);
			Metrics::add(&shared.metrics.claims, 1);
			Metrics::add(
				&shared.metrics.claimed_plancks,
				u64::try_from(amount).unwrap_or(u64::MAX),
			);
			log::info!("channel {id}: claimed {amount} ({} queries in all)", voucher.queries);
		}
		Err(error) => {
			Metrics::add(&shared.metrics.claim_failures, 1);
			log::warn!("channel {id}: claim failed: {error:#}");
		}
	}
}

/// Reveals an audited receipt of this miner's: the logged query, its receipt and the Merkle
/// proof under the root the claimed voucher signed. A miner that cannot is slashed, so a failure
/// is retried while the audit's window lasts.
pub async fn answer_audit(shared: &Arc<Shared>, chain: &Arc<Chain>, drawn: AuditDrawn) {
	let audit = drawn.audit;
	let args = match audit_reveal(shared, &drawn).await {
		Ok(args) => args,
		Err(error) => {
			Metrics::add(&shared.metrics.audit_failures, 1);
			log::error!("audit {audit}: cannot answer: {error:#}");
			return;
		}
	};
	for attempt in 1..=3 {
		if shared.metrics.best_block.load(Ordering::Relaxed) >= drawn.deadline {
			log::error!("audit {audit}: its window ended at block {}", drawn.deadline);
			break;
		}
		match chain.submit("QueryChannels", "reveal_audit", args.clone()).await {
			Ok(_) => {
				Metrics::add(&shared.metrics.audits_answered, 1);
				log::info!("audit {audit}: revealed receipt {}", drawn.index);
				return;
			}
			Err(error) => {
				log::warn!("audit {audit}: reveal attempt {attempt} failed: {error:#}");
				tokio::time::sleep(Duration::from_secs(6)).await;
			}
		}
	}
	Metrics::add(&shared.metrics.audit_failures, 1);
}

/// The arguments of `reveal_audit` for `drawn`, from the channel's log.
async fn audit_reveal(
	shared: &Shared,
	drawn: &AuditDrawn,
) -> Result<(u64, Value, Value, Value, Value)> {
	let book = shared.paid.books.lock().await.get(&drawn.channel).cloned();
	let book = book.with_context(|| format!("no log of channel {}", drawn.channel))?;
	let (query, proof) = book.lock().await.audit_answer(drawn.count, drawn.index)?;
	let receipt = query.receipt();
	Ok((
		drawn.audit,
		Value::named_composite([
			("channel", Value::u128(u128::from(receipt.channel))),
			("sequence", Value::u128(u128::from(receipt.sequence))),
			("model", Value::u128(u128::from(receipt.model))),
			("version", Value::u128(u128::from(receipt.version))),
			("input_hash", Value::from_bytes(receipt.input_hash)),
			("output_hash", Value::from_bytes(receipt.output_hash)),
			("cumulative", Value::u128(receipt.cumulative)),
		]),
		Value::from_bytes(&query.input),
		Value::unnamed_composite(query.output.iter().map(|v| Value::i128(i128::from(*v)))),
		Value::unnamed_composite(proof.iter().map(Value::from_bytes)),
	))
}
