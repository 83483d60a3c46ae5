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
	collections::BTreeMap,
	path::{Path, PathBuf},
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
	channels::{ChannelId, ChannelView},
	engine, format_mdl, input, parse_mdl,
};

/// `modelchain-worker query`.
#[derive(Args)]
pub struct QueryArgs {
	/// The model to query.
	#[arg(long)]
	model: u32,
	/// The input: 64 comma-separated pixel values 0..=16 (the digits model).
	#[arg(long, conflicts_with = "input_hex")]
	pixels: Option<String>,
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
	/// Where this requester's channels are remembered.
	#[arg(long, default_value = ".modelchain-requester.json")]
	state_file: PathBuf,
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

/// The state file: channels by `0x<genesis>/<channel>`.
#[derive(Serialize, Deserialize, Default)]
struct StateFile {
	channels: BTreeMap<String, ChannelState>,
}

impl StateFile {
	fn load(path: &Path) -> Result<Self> {
		match std::fs::read_to_string(path) {
			Ok(text) => serde_json::from_str(&text)
				.with_context(|| format!("{} is not a requester state file", path.display())),
			Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
			Err(error) => Err(error).with_context(|| format!("reading {}", path.display())),
		}
	}

	/// Written to a temporary file and renamed: a crash leaves the old state or the new one.
	fn save(&self, path: &Path) -> Result<()> {
		let temp = path.with_extension("tmp");
		std::fs::write(&temp, serde_json::to_vec_pretty(self)?)
			.with_context(|| format!("writing {}", temp.display()))?;
		std::fs::rename(&temp, path).with_context(|| format!("replacing {}", path.display()))
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
	let input = match (&args.pixels, &args.input_hex) {
		(Some(pixels), _) => engine::parse_pixels(pixels)?,
		(None, Some(text)) => {
			hex::decode(text.trim_start_matches("0x")).context("--input-hex is not hex")?
		}
		(None, None) => bail!("give the input with --pixels or --input-hex"),
	};
	let chain = Chain::connect(rpc, signer.clone()).await?;
	let genesis = chain.api.genesis_hash().0;
	let miner = pick_miner(&chain, args.model, args.miner.as_deref()).await?;
	let record = chain.worker(&miner).await?.context("the miner has no worker record")?;
	let endpoint =
		String::from_utf8(record.endpoint).context("the miner's endpoint is not text")?;
	let mut state = StateFile::load(&args.state_file)?;
	let mut open = match reusable(&chain, &state, genesis, args.model, &miner).await? {
		Some(open) => open,
		None => {
			open_channel(&chain, &miner, args.model, parse_mdl(&args.deposit)?, args.lifetime)
				.await?
		}
	};
	eprintln!(
		"channel {} to {miner} (bond {} MDL) at {endpoint}: price {} MDL, {} queries so far",
		open.id,
		format_mdl(record.active_bond),
		format_mdl(open.view.terms.price),
		open.queries
	);
	let mut connection = Connection::open(&endpoint).await?;
	let mut latencies = Vec::new();
	for _ in 0..args.count.max(1) {
		let started = Instant::now();
		let answer = send(&mut connection, &signer, &genesis, &mut open, &input).await;
		let key = format!("0x{}/{}", hex::encode(genesis), open.id);
		state.channels.insert(key, remember(&open, &miner));
		state.save(&args.state_file)?;
		let answer = answer?;
		latencies.push(started.elapsed().as_micros());
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
	latencies.sort_unstable();
	if let Some(median) = latencies.get(latencies.len() / 2) {
		eprintln!("{} queries, median {median} µs per query over HTTP", latencies.len());
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
	state: &StateFile,
	genesis: [u8; 32],
	model: u32,
	miner: &AccountId32,
) -> Result<Option<Open>> {
	let prefix = format!("0x{}/", hex::encode(genesis));
	let best = chain.at_best().await?.block_number();
	for (key, remembered) in state.channels.iter().rev() {
		if !key.starts_with(&prefix)
			|| remembered.model != model
			|| remembered.miner != miner.to_string()
		{
			continue;
		}
		let Some(view) = chain.channel(remembered.channel).await? else { continue };
		let cumulative: u128 = remembered.cumulative.parse().context("state file: cumulative")?;
		let usable = view.closing_at.is_none()
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
	let events = included.raw.context("the opening's block could not be read back")?;
	let mut id = None;
	for event in events.iter() {
		let event = event?;
		if event.pallet_name() == "QueryChannels" && event.event_name() == "ChannelOpened" {
			id = Some(event.decode_fields_unchecked_as::<Opened>()?.channel);
		}
	}
	let id = id.context("no ChannelOpened event")?;
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
	let hash = |name: &str| receipt[name].as_str().map(str::to_owned).unwrap_or_default();
	let matches = receipt["channel"].as_u64() == Some(expected.channel)
		&& receipt["sequence"].as_u64() == Some(expected.sequence)
		&& receipt["model"].as_u64() == Some(u64::from(expected.model))
		&& receipt["version"].as_u64() == Some(u64::from(expected.version))
		&& hash("inputHash") == format!("0x{}", hex::encode(expected.input_hash))
		&& hash("outputHash") == format!("0x{}", hex::encode(expected.output_hash))
		&& receipt["cumulative"].as_str() == Some(expected.cumulative.to_string().as_str());
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
			"receipt": {
				"channel": receipt.channel,
				"sequence": receipt.sequence,
				"model": receipt.model,
				"version": receipt.version,
				"inputHash": format!("0x{}", hex::encode(receipt.input_hash)),
				"outputHash": format!("0x{}", hex::encode(receipt.output_hash)),
				"cumulative": receipt.cumulative.to_string(),
			},
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
	fn the_state_file_round_trips_and_a_missing_one_is_empty() {
		let path =
			std::env::temp_dir().join(format!("modelchain-requester-{}.json", std::process::id()));
		let _ = std::fs::remove_file(&path);
		assert!(StateFile::load(&path).expect("missing is empty").channels.is_empty());
		let mut state = StateFile::default();
		let mut tree = ReceiptsTree::new();
		tree.push(receipt().leaf()).expect("room");
		let remembered = ChannelState {
			model: 0,
			miner: dev::bob().public_key().to_account_id().to_string(),
			channel: 7,
			cumulative: "3000000000".into(),
			queries: 1,
			tree: hex::encode(tree.encode()),
		};
		state.channels.insert("0x11/7".into(), remembered.clone());
		state.save(&path).expect("saves");
		let loaded = StateFile::load(&path).expect("loads");
		assert_eq!(loaded.channels.get("0x11/7"), Some(&remembered));
		std::fs::write(&path, "not json").expect("writes");
		assert!(StateFile::load(&path).is_err(), "a corrupt file is an error, not an empty state");
	}
}
