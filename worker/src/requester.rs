//! `modelchain-worker query`: the requester's side of paid queries.
//!
//! Picks a bonded miner serving the model (the `InferenceApi_eligible_workers` runtime API, the
//! one with the largest bond unless `--miner` names one), reuses this requester's open channel to
//! it or opens one, and sends each query with a voucher over HTTP to the miner's registered
//! endpoint. Every answer's receipt is checked (its fields against the query and the answer,
//! its signature against the miner's key) before the next voucher commits to it. The channel's
//! state (cumulative amount, query count, receipts tree) is kept in `--state-file`, so that the
//! next run goes on where this one stopped.

use std::{
	collections::BTreeSet,
	path::{Path, PathBuf},
	sync::Arc,
	time::Instant,
};

use anyhow::{bail, ensure, Context, Result};
use clap::Args;
use codec::{Decode, Encode};
use http_body_util::{BodyExt, Full};
use hyper::{body::Bytes, client::conn::http1::SendRequest, Request, Uri};
use hyper_util::rt::TokioIo;
use modelchain_query_protocol::{
	input_hash, output_hash, voucher_message, Receipt, ReceiptsTree, Voucher,
};
use serde::{Deserialize, Serialize};
use subxt::utils::AccountId32;
use subxt_signer::sr25519::{self, Keypair};

use crate::{
	chain::Chain,
	channels::{receipt_json, ChannelId, ChannelView},
	engine, format_mdl, input, parse_mdl,
};

/// `modelchain-worker query`.
#[derive(Args)]
pub struct QueryArgs {
	/// The model to query.
	#[arg(long)]
	model: u32,
	/// The input: 64 comma-separated pixel values 0..=16 (the digits model).
	#[arg(long, conflicts_with_all = ["input_hex", "prompt"])]
	pixels: Option<String>,
	/// The input: a prompt for a language model (the `modelchain-llm/1` input).
	#[arg(long, conflicts_with = "input_hex")]
	prompt: Option<String>,
	/// With --prompt: most tokens to generate.
	#[arg(long, requires = "prompt")]
	max_tokens: Option<usize>,
	/// The input as hex bytes.
	#[arg(long)]
	input_hex: Option<String>,
	/// Send the query this many times.
	#[arg(long, default_value_t = 1)]
	count: u32,
	/// The miner to pay (SS58); default: the eligible miner with the largest bond.
	#[arg(long)]
	miner: Option<String>,
	/// Escrow of a new channel, in MDL.
	#[arg(long, default_value = "10")]
	deposit: String,
	/// Lifetime of a new channel, in blocks.
	#[arg(long, default_value_t = 1_200)]
	lifetime: u32,
	/// Where this requester's channels are remembered (one small file per channel).
	#[arg(long, default_value = ".modelchain-requester")]
	state_dir: PathBuf,
	/// Concurrent clients, each on its own channel (a load test of the miner).
	#[arg(long, default_value_t = 1)]
	concurrency: u32,
	/// Print one JSON summary (queries/s, latency p50/p99) instead of every answer.
	#[arg(long)]
	summary: bool,
}

/// What the requester remembers of one channel.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
struct ChannelState {
	model: u32,
	miner: String,
	channel: ChannelId,
	/// Decimal plancks.
	cumulative: String,
	queries: u64,
	/// SCALE of the receipts tree, hex.
	tree: String,
}

/// The requester's channels, one JSON file each under the state directory, named
/// `<genesis hash>-<channel>.json`: saving one after each query writes a few kilobytes.
struct StateDir {
	dir: PathBuf,
}

impl StateDir {
	fn open(dir: &Path) -> Result<Self> {
		std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
		Ok(Self { dir: dir.to_path_buf() })
	}

	fn path(&self, genesis: &[u8; 32], channel: ChannelId) -> PathBuf {
		self.dir.join(format!("0x{}-{channel}.json", hex::encode(genesis)))
	}

	/// The channels remembered on the chain with `genesis`, newest first.
	fn channels(&self, genesis: &[u8; 32]) -> Result<Vec<ChannelState>> {
		let prefix = format!("0x{}-", hex::encode(genesis));
		let mut channels = Vec::new();
		for entry in std::fs::read_dir(&self.dir)
			.with_context(|| format!("reading {}", self.dir.display()))?
		{
			let path = entry?.path();
			let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
			if !name.starts_with(&prefix) || !name.ends_with(".json") {
				continue;
			}
			let text = std::fs::read_to_string(&path)
				.with_context(|| format!("reading {}", path.display()))?;
			channels.push(
				serde_json::from_str(&text).with_context(|| {
					format!("{} is not a requester channel file", path.display())
				})?,
			);
		}
		channels.sort_by_key(|c: &ChannelState| std::cmp::Reverse(c.channel));
		Ok(channels)
	}

	/// Written to a temporary file and renamed: a crash leaves the old state or the new one.
	fn save(&self, genesis: &[u8; 32], state: &ChannelState) -> Result<()> {
		let path = self.path(genesis, state.channel);
		let temp = path.with_extension("tmp");
		std::fs::write(&temp, serde_json::to_vec(state)?)
			.with_context(|| format!("writing {}", temp.display()))?;
		std::fs::rename(&temp, &path).with_context(|| format!("replacing {}", path.display()))
	}
}

/// An open channel being paid into.
struct Open {
	id: ChannelId,
	view: ChannelView,
	cumulative: u128,
	queries: u64,
	tree: ReceiptsTree,
}

/// One answered query, checked.
pub struct Answer {
	/// The model's output.
	pub output: Vec<i64>,
	/// The checked receipt.
	pub receipt: Receipt,
}

/// Runs `query`.
pub async fn query(rpc: &str, signer: Keypair, args: QueryArgs) -> Result<()> {
	let input = match (&args.pixels, &args.prompt, &args.input_hex) {
		(Some(pixels), _, _) => engine::digits::parse_pixels(pixels)?,
		(_, Some(prompt), _) => engine::llm::prompt_input(prompt, args.max_tokens),
		(_, _, Some(text)) => {
			hex::decode(text.trim_start_matches("0x")).context("--input-hex is not hex")?
		}
		_ => bail!("give the input with --pixels, --prompt or --input-hex"),
	};
	let chain = Chain::connect(rpc, signer.clone()).await?;
	let genesis = chain.api.genesis_hash().0;
	let miner = pick_miner(&chain, args.model, args.miner.as_deref()).await?;
	let record = chain.worker(&miner).await?.context("the miner has no worker record")?;
	let endpoint =
		String::from_utf8(record.endpoint).context("the miner's endpoint is not text")?;
	let state = StateDir::open(&args.state_dir)?;

	// One channel per concurrent client: a channel's queries are sequential (each voucher
	// commits to the receipts before it).
	let lanes = args.concurrency.max(1);
	let mut opens = Vec::new();
	let mut taken = BTreeSet::new();
	for _ in 0..lanes {
		let open = match reusable(&chain, &state, genesis, args.model, &miner, &taken).await? {
			Some(open) => open,
			None => {
				let deposit = parse_mdl(&args.deposit)?;
				open_channel(&chain, &miner, args.model, deposit, args.lifetime).await?
			}
		};
		eprintln!(
			"channel {} to {miner} (bond {} MDL) at {endpoint}: price {} MDL, {} queries so far",
			open.id,
			format_mdl(record.active_bond),
			format_mdl(open.view.terms.price),
			open.queries
		);
		taken.insert(open.id);
		opens.push(open);
	}

	let state = Arc::new(state);
	let count = args.count.max(1);
	let started = Instant::now();
	let mut lanes_running = Vec::new();
	for (lane, mut open) in (0..lanes).zip(opens) {
		let queries = count / lanes + u32::from(lane < count % lanes);
		let (signer, endpoint, input, state, miner) =
			(signer.clone(), endpoint.clone(), input.clone(), state.clone(), miner);
		let quiet = args.summary;
		lanes_running.push(tokio::spawn(async move {
			let mut connection = Connection::open(&endpoint).await?;
			let mut latencies = Vec::with_capacity(queries as usize);
			for _ in 0..queries {
				let sent = Instant::now();
				let answer = send(&mut connection, &signer, &genesis, &mut open, &input).await;
				// Remembered before anything else: the next run must go on from here.
				state.save(&genesis, &remember(&open, &miner))?;
				let answer = answer?;
				latencies.push(sent.elapsed());
				if !quiet {
					println!(
						"{}",
						serde_json::json!({
							"channel": open.id,
							"query": answer.receipt.sequence,
							"output": answer.output,
							"cumulative": answer.receipt.cumulative.to_string(),
							"outputHash": format!("0x{}", hex::encode(answer.receipt.output_hash)),
						})
					);
				}
			}
			anyhow::Ok(latencies)
		}));
	}
	let mut latencies = Vec::new();
	for lane in lanes_running {
		latencies.extend(lane.await.context("a client task panicked")??);
	}
	let elapsed = started.elapsed();
	latencies.sort_unstable();
	let percentile = |p: usize| {
		let index = (latencies.len() * p / 100).min(latencies.len().saturating_sub(1));
		latencies.get(index).map_or(0.0, |d| d.as_secs_f64() * 1e6)
	};
	let summary = serde_json::json!({
		"queries": latencies.len(),
		"clients": lanes,
		"seconds": elapsed.as_secs_f64(),
		"queries_per_second": latencies.len() as f64 / elapsed.as_secs_f64(),
		"p50_us": percentile(50),
		"p99_us": percentile(99),
	});
	if args.summary {
		println!("{summary}");
	} else {
		eprintln!("{summary}");
	}
	Ok(())
}

/// The miner named, or the eligible miner with the largest bond.
async fn pick_miner(chain: &Chain, model: u32, named: Option<&str>) -> Result<AccountId32> {
	let at = chain.at_best().await?;
	let raw = at
		.runtime_apis()
		.call_raw("InferenceApi_eligible_workers", Some(&model.encode()))
		.await
		.context("calling InferenceApi_eligible_workers")?;
	let eligible =
		Vec::<([u8; 32], u128)>::decode(&mut &raw[..]).context("decoding the eligible miners")?;
	match named {
		Some(named) => {
			let miner: AccountId32 =
				named.parse().map_err(|e| anyhow::anyhow!("--miner: {e:?}"))?;
			ensure!(
				eligible.iter().any(|(who, _)| *who == miner.0),
				"{miner} does not serve model {model} now (not bonded enough, chilled or jailed)"
			);
			Ok(miner)
		}
		None => eligible
			.iter()
			.max_by_key(|(_, bond)| *bond)
			.map(|(who, _)| AccountId32(*who))
			.with_context(|| format!("no miner serves model {model} now")),
	}
}

/// This requester's channel to `miner` for `model`, if it is still open and usable.
async fn reusable(
	chain: &Chain,
	state: &StateDir,
	genesis: [u8; 32],
	model: u32,
	miner: &AccountId32,
	taken: &BTreeSet<ChannelId>,
) -> Result<Option<Open>> {
	let best = chain.at_best().await?.block_number();
	for remembered in state.channels(&genesis)? {
		if taken.contains(&remembered.channel)
			|| remembered.model != model
			|| remembered.miner != miner.to_string()
		{
			continue;
		}
		let Some(view) = chain.channel(remembered.channel).await? else { continue };
		let cumulative: u128 = remembered.cumulative.parse().context("state file: cumulative")?;
		let usable = view.requester == *chain.account()
			&& view.closing_at.is_none()
			&& best < view.expires_at
			&& cumulative.saturating_add(view.terms.price) <= view.deposit;
		if usable {
			let tree = hex::decode(&remembered.tree).context("state file: tree")?;
			return Ok(Some(Open {
				id: remembered.channel,
				view,
				cumulative,
				queries: remembered.queries,
				tree: ReceiptsTree::decode(&mut &tree[..]).context("state file: tree")?,
			}));
		}
	}
	Ok(None)
}

async fn open_channel(
	chain: &Chain,
	miner: &AccountId32,
	model: u32,
	deposit: u128,
	lifetime: u32,
) -> Result<Open> {
	let included =
		chain.submit("QueryChannels", "open_channel", (miner.0, model, deposit, lifetime)).await?;
	#[derive(scale_decode::DecodeAsType)]
	struct Opened {
		channel: u64,
	}
	let id = included.event::<Opened>("QueryChannels", "ChannelOpened")?.channel;
	let view = chain.channel(id).await?.context("the channel just opened is gone")?;
	eprintln!("opened channel {id}: {} MDL for {lifetime} blocks", format_mdl(deposit));
	Ok(Open { id, view, cumulative: 0, queries: 0, tree: ReceiptsTree::new() })
}

fn remember(open: &Open, miner: &AccountId32) -> ChannelState {
	ChannelState {
		model: open.view.version.model,
		miner: miner.to_string(),
		channel: open.id,
		cumulative: open.cumulative.to_string(),
		queries: open.queries,
		tree: hex::encode(open.tree.encode()),
	}
}

/// A kept-alive HTTP/1.1 connection to a miner.
pub struct Connection {
	uri: Uri,
	sender: SendRequest<Full<Bytes>>,
}

impl Connection {
	/// Connects to the miner at `endpoint` (`http://host:port` or `https://…`).
	pub async fn open(endpoint: &str) -> Result<Self> {
		let uri: Uri = format!("{}/v1/query", endpoint.trim_end_matches('/')).parse()?;
		let stream = input::connect(&uri).await.map_err(|e| anyhow::anyhow!("{e}"))?;
		let (sender, connection) =
			hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
		tokio::spawn(async move {
			if let Err(error) = connection.await {
				log::debug!("miner connection: {error}");
			}
		});
		Ok(Self { uri, sender })
	}

	/// POSTs a JSON body; the status and the JSON answer.
	pub async fn post(&mut self, body: &serde_json::Value) -> Result<(u16, serde_json::Value)> {
		let authority = self.uri.authority().map(|a| a.to_string()).unwrap_or_default();
		let request = Request::post(self.uri.path())
			.header(hyper::header::HOST, authority)
			.header(hyper::header::CONTENT_TYPE, "application/json")
			.body(Full::new(Bytes::from(serde_json::to_vec(body)?)))?;
		self.sender.ready().await?;
		let response = self.sender.send_request(request).await?;
		let status = response.status().as_u16();
		let bytes = response.into_body().collect().await?.to_bytes();
		let json = serde_json::from_slice(&bytes)
			.with_context(|| format!("the miner answered {status} with a body that is not JSON"))?;
		Ok((status, json))
	}
}

/// Sends one paid query on `open` and checks the answer's receipt; on success the channel's
/// state counts the query and its receipt.
async fn send(
	connection: &mut Connection,
	signer: &Keypair,
	genesis: &[u8; 32],
	open: &mut Open,
	input: &[u8],
) -> Result<Answer> {
	let voucher = Voucher {
		channel: open.id,
		cumulative: open.cumulative.saturating_add(open.view.terms.price),
		queries: open.queries.saturating_add(1),
		receipts_root: open.tree.root(),
	};
	let signature = signer.sign(&voucher_message(genesis, &voucher));
	let body = serde_json::json!({
		"voucher": {
			"channel": voucher.channel,
			"cumulative": voucher.cumulative.to_string(),
			"queries": voucher.queries,
			"receiptsRoot": format!("0x{}", hex::encode(voucher.receipts_root)),
		},
		"signature": format!("0x{}", hex::encode(signature.0)),
		"input": format!("0x{}", hex::encode(input)),
	});
	let (status, answer) = connection.post(&body).await?;
	if status != 200 {
		bail!(
			"the miner refused the query ({status}, {}): {}",
			answer["reason"].as_str().unwrap_or("?"),
			answer["error"].as_str().unwrap_or("no reason given")
		);
	}
	let output: Vec<i64> =
		serde_json::from_value(answer["output"].clone()).context("the answer has no output")?;
	let expected = Receipt {
		channel: voucher.channel,
		sequence: voucher.queries,
		model: open.view.version.model,
		version: open.view.version.version,
		input_hash: input_hash(input),
		output_hash: output_hash(&output),
		cumulative: voucher.cumulative,
	};
	check_receipt(&answer, &expected, &open.view.miner, genesis)?;
	open.tree.push(expected.leaf()).map_err(|_| anyhow::anyhow!("the channel is full"))?;
	open.cumulative = voucher.cumulative;
	open.queries = voucher.queries;
	Ok(Answer { output, receipt: expected })
}

/// Checks that the answer's receipt is `expected`, signed by `miner` for this chain.
fn check_receipt(
	answer: &serde_json::Value,
	expected: &Receipt,
	miner: &AccountId32,
	genesis: &[u8; 32],
) -> Result<()> {
	let receipt = &answer["receipt"];
	let matches = *receipt == receipt_json(expected);
	ensure!(matches, "the miner's receipt does not describe this query and answer: {receipt}");
	let signature = answer["signature"]
		.as_str()
		.and_then(|text| hex::decode(text.trim_start_matches("0x")).ok())
		.and_then(|bytes| <[u8; 64]>::try_from(bytes).ok())
		.context("the receipt's signature is not 64 bytes of hex")?;
	ensure!(
		sr25519::verify(
			&sr25519::Signature(signature),
			expected.message(genesis),
			&sr25519::PublicKey(miner.0)
		),
		"the receipt is not signed by the channel's miner {miner}"
	);
	Ok(())
}

#[cfg(test)]
mod tests {
	use super::*;
	use subxt_signer::sr25519::dev;

	fn receipt() -> Receipt {
		Receipt {
			channel: 7,
			sequence: 3,
			model: 0,
			version: 1,
			input_hash: [0x22; 32],
			output_hash: [0x33; 32],
			cumulative: 3_000_000_000,
		}
	}

	fn answer(receipt: &Receipt, signer: &Keypair, genesis: &[u8; 32]) -> serde_json::Value {
		serde_json::json!({
			"receipt": receipt_json(receipt),
			"signature": format!("0x{}", hex::encode(signer.sign(&receipt.message(genesis)).0)),
		})
	}

	#[test]
	fn a_receipt_is_checked_field_by_field_and_by_signature() {
		let bob = dev::bob();
		let miner = bob.public_key().to_account_id();
		let genesis = [0x11; 32];
		let good = receipt();
		assert!(check_receipt(&answer(&good, &bob, &genesis), &good, &miner, &genesis).is_ok());
		let lied = Receipt { output_hash: [0x44; 32], ..good.clone() };
		assert!(
			check_receipt(&answer(&lied, &bob, &genesis), &good, &miner, &genesis).is_err(),
			"a receipt for another output"
		);
		assert!(
			check_receipt(&answer(&good, &dev::alice(), &genesis), &good, &miner, &genesis)
				.is_err(),
			"signed by someone else"
		);
		assert!(
			check_receipt(&answer(&good, &bob, &[0x22; 32]), &good, &miner, &genesis).is_err(),
			"signed for another chain"
		);
	}

	#[test]
	fn channel_files_round_trip_and_a_corrupt_one_is_an_error() {
		let dir = std::env::temp_dir().join(format!("modelchain-requester-{}", std::process::id()));
		let _ = std::fs::remove_dir_all(&dir);
		let state = StateDir::open(&dir).expect("creates");
		let genesis = [0x11; 32];
		assert!(state.channels(&genesis).expect("empty").is_empty());
		let mut tree = ReceiptsTree::new();
		tree.push(receipt().leaf()).expect("room");
		let remembered = |channel| ChannelState {
			model: 0,
			miner: dev::bob().public_key().to_account_id().to_string(),
			channel,
			cumulative: "3000000000".into(),
			queries: 1,
			tree: hex::encode(tree.encode()),
		};
		state.save(&genesis, &remembered(7)).expect("saves");
		state.save(&genesis, &remembered(9)).expect("saves");
		state.save(&[0x22; 32], &remembered(8)).expect("saves");
		assert_eq!(state.channels(&genesis).expect("loads"), vec![remembered(9), remembered(7)]);
		std::fs::write(state.path(&genesis, 7), "not json").expect("writes");
		assert!(
			state.channels(&genesis).is_err(),
			"a corrupt file is an error, not a lost channel"
		);
	}
}
