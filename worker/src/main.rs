//! `modelchain-worker`: the miner and verifier that ModelChain's GPU (or CPU) operators run.
//!
//! ```text
//! modelchain-worker --suri //Bob model publish --model-file models/digits/model.safetensors …
//! modelchain-worker --suri //Bob register --model 0 --endpoint http://127.0.0.1:9955 --bond 2000
//! modelchain-worker --suri //Bob run --model 0 --model-file models/digits/model.safetensors
//! modelchain-worker --suri //Bob status
//! modelchain-worker --suri //Bob unbond --amount 500
//! modelchain-worker --suri //Dave query --model 0 --pixels 0,0,5,… --count 10
//! modelchain-worker infer --model-file models/digits/model.safetensors --pixels 0,0,5,…
//! ```

mod answers;
mod ask;
mod auth;
mod chain;
mod channels;
mod engine;
mod input;
mod metrics;
mod queries;
mod requester;
mod runner;
mod service;
mod store;
mod weights;

use std::{
	net::SocketAddr,
	path::{Path, PathBuf},
	str::FromStr,
	time::{Duration, Instant},
};

use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand};
use subxt::dynamic::Value;
use subxt_signer::{sr25519::Keypair, SecretUri};

use crate::{
	chain::{variant, version_value, Chain, VersionRef, VersionView},
	engine::{Engine, DEFAULT_MAX_OUTPUT_VALUES},
};

/// MDL has 12 decimals.
const UNIT: u128 = 1_000_000_000_000;

#[derive(Parser)]
#[command(name = "modelchain-worker", version, about = "ModelChain miner and verifier")]
struct Cli {
	/// The node's RPC endpoint.
	#[arg(long, global = true, env = "MODELCHAIN_RPC", default_value = "ws://127.0.0.1:9944")]
	rpc: String,
	/// The worker's secret key: a secret URI such as `//Bob` (dev) or a mnemonic phrase.
	/// Prefer the environment variable to the command line for real keys.
	#[arg(long, global = true, env = "MODELCHAIN_SURI", hide_env_values = true)]
	suri: Option<String>,
	#[command(subcommand)]
	command: Command,
}

#[derive(Subcommand)]
enum Command {
	/// Registers this account as a worker for a model version and bonds stake.
	Register(RegisterArgs),
	/// Serves jobs (follows the chain, commits and reveals), paid queries (/v1/query, claims)
	/// and /v1/verify.
	Run(RunArgs),
	/// Starts unbonding stake (withdrawable after the unbonding period).
	Unbond {
		/// Amount in MDL (e.g. `500` or `0.25`).
		#[arg(long)]
		amount: String,
	},
	/// Shows this account's worker record and balance.
	Status,
	/// Requesters: pays a miner for queries off chain (a query channel and signed vouchers),
	/// checking each answer's signed receipt.
	Query(requester::QueryArgs),
	/// Model owners: register models.
	#[command(subcommand)]
	Model(ModelCommand),
	/// Downloads a version's weights from its on-chain `weights_uri` (resuming a partial
	/// download) into --model-file, and checks their sha256 against the chain.
	Fetch {
		#[command(flatten)]
		served: ServedVersion,
		/// Fetch from this URI instead (a mirror); the chain's hash is still checked.
		#[arg(long)]
		from: Option<String>,
	},
	/// Checks a claimed output of a language model by teacher forcing, as a verifier does:
	/// prints whether it is acceptable, its near ties and its widest logit gap.
	Check {
		/// The weights file (a GGUF).
		#[arg(long)]
		model_file: PathBuf,
		#[command(flatten)]
		input: InputArgs,
		/// The claimed output: comma-separated token ids.
		#[arg(long)]
		output: String,
	},
	/// Requesters: asks a model on chain (a job computed by its miners) and prints the agreed
	/// output (and, with --model-file, the text it says).
	Ask(ask::AskArgs),
	/// Runs the model locally on one input (no chain), optionally timing the bare engine.
	Infer {
		/// The weights file.
		#[arg(long)]
		model_file: PathBuf,
		#[command(flatten)]
		input: InputArgs,
		/// Run this many times and report the engine's time per inference.
		#[arg(long, default_value_t = 1)]
		repeat: u32,
	},
}

#[derive(Args)]
struct ServedVersion {
	/// The model served.
	#[arg(long)]
	model: u32,
	/// The version served (default: the model's active version).
	#[arg(long)]
	version: Option<u32>,
	/// The weights file; its sha256 must equal the version's `weights_hash` on chain.
	#[arg(long)]
	model_file: Option<PathBuf>,
}

/// A model input, for `infer` (`query` has its own).
#[derive(Args)]
pub struct InputArgs {
	/// The digits model: 64 comma-separated pixel values 0..=16.
	#[arg(long, conflicts_with_all = ["prompt", "input"])]
	pixels: Option<String>,
	/// A language model: the prompt, answered as a chat (the `modelchain-llm/1` input).
	#[arg(long, conflicts_with = "input")]
	prompt: Option<String>,
	/// With --prompt: most tokens to generate.
	#[arg(long, requires = "prompt")]
	max_tokens: Option<usize>,
	/// The input bytes as they are (e.g. a `modelchain-llm/1` JSON object).
	#[arg(long)]
	input: Option<String>,
}

impl InputArgs {
	/// The job input these arguments give.
	pub fn bytes(&self) -> Result<Vec<u8>> {
		match (&self.pixels, &self.prompt, &self.input) {
			(Some(pixels), _, _) => engine::digits::parse_pixels(pixels),
			(_, Some(prompt), _) => Ok(engine::llm::prompt_input(prompt, self.max_tokens)),
			(_, _, Some(input)) => Ok(input.as_bytes().to_vec()),
			_ => bail!("give the input with --pixels, --prompt or --input"),
		}
	}
}

#[derive(Args)]
struct RegisterArgs {
	#[command(flatten)]
	served: ServedVersion,
	/// The URL the node's off-chain worker POSTs jobs to (this worker's `run --listen`).
	#[arg(long)]
	endpoint: String,
	/// A description of the hardware.
	#[arg(long, default_value = "CPU")]
	hardware: String,
	/// Stake to bond, in MDL.
	#[arg(long, default_value = "0")]
	bond: String,
}

#[derive(Args)]
struct RunArgs {
	#[command(flatten)]
	served: ServedVersion,
	/// Where the HTTP server (/v1/jobs, /v1/verify, /v1/query, /health, /metrics) listens.
	#[arg(long, default_value = "127.0.0.1:9955")]
	listen: SocketAddr,
	/// Where pending commitments are saved (one directory per worker).
	#[arg(long, default_value = ".modelchain-worker")]
	state_dir: PathBuf,
	/// Only answer /v1/verify (the node's verifier); do not mine. Needs
	/// --verifier-secret-file.
	#[arg(long, requires = "verifier_secret_file")]
	verify_only: bool,
	/// File with the secret shared with the validator node whose verifier this is (64 hex
	/// digits; the node's --inference-verifier-secret-file). /v1/verify answers only requests
	/// authenticated with it, and is off without it.
	#[arg(long, env = "MODELCHAIN_VERIFIER_SECRET_FILE", value_name = "PATH")]
	verifier_secret_file: Option<PathBuf>,
	/// Largest remote input (`Remote { uri, hash }`) fetched, in bytes; a larger one is
	/// answered as an invalid input.
	#[arg(long, default_value_t = 1 << 20)]
	input_max_bytes: usize,
	/// Longest one fetch of a remote input may take, in milliseconds (keep it under the
	/// node's 3 s verifier deadline). A miner retries a timed-out fetch on later blocks.
	#[arg(long, default_value_t = 2_000)]
	input_timeout_ms: u64,
	/// Most model executions at once, off the async runtime (default: the CPU count). The
	/// miner's own jobs wait for a free slot; /v1/verify answers 503 when none is free.
	#[arg(long)]
	engine_concurrency: Option<usize>,
	/// Paid queries: claim a channel's vouchers once what they owe beyond the last claim
	/// reaches this many MDL (a claim also happens when the requester asks to close the
	/// channel, and before it expires).
	#[arg(long, default_value = "100")]
	claim_threshold: String,
	/// Paid queries: claim a channel's vouchers when it expires within this many blocks.
	#[arg(long, default_value_t = 20)]
	claim_expiry_margin: u64,
	/// TESTS ONLY: commit a wrong output (as a verifier: answer one), to show that lying is
	/// slashed (outvoted).
	#[arg(long, hide = true)]
	lie_for_tests: bool,
	/// TESTS ONLY: exit (as if crashed) right after the first commitment is included.
	#[arg(long, hide = true)]
	crash_after_commit_for_tests: bool,
}

#[derive(Subcommand)]
enum ModelCommand {
	/// Registers a model from its weights file and model card, and issues its shares.
	Publish(PublishArgs),
}

#[derive(Args)]
struct PublishArgs {
	/// The weights file (its sha256 becomes the version's `weights_hash`).
	#[arg(long)]
	model_file: PathBuf,
	/// The model card (`model.json`): supplies the data set's sha256 and the licence.
	#[arg(long)]
	card: Option<PathBuf>,
	/// Display name (default: the card's `name`, else `Digits`).
	#[arg(long)]
	name: Option<String>,
	/// Share symbol, A–Z and 0–9 (default: the card's `symbol`, else `DGT`).
	#[arg(long)]
	symbol: Option<String>,
	/// Where the weights can be fetched.
	#[arg(long)]
	weights_uri: Option<String>,
	/// Where the model card can be read (default: the `--card` file, else the weights).
	#[arg(long)]
	metadata_uri: Option<String>,
	/// Price of one inference, in MDL (default: the card's `price_mdl`, else 1).
	#[arg(long)]
	price: Option<String>,
	/// Creator royalty, percent of each fee.
	#[arg(long, default_value_t = 5)]
	royalty_percent: u32,
	/// Miners' part, percent of each fee.
	#[arg(long, default_value_t = 30)]
	miners_percent: u32,
	/// Miners per job.
	#[arg(long, default_value_t = 3)]
	redundancy: u8,
	/// Shares to issue to the owner (0: none).
	#[arg(long, default_value_t = 1_000_000)]
	shares: u128,
}

#[tokio::main]
async fn main() {
	env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
	if let Err(error) = run(Cli::parse()).await {
		eprintln!("error: {error:#}");
		std::process::exit(1);
	}
}

async fn run(cli: Cli) -> Result<()> {
	match cli.command {
		Command::Infer { model_file, input, repeat } => infer(&model_file, &input, repeat),
		Command::Register(args) => register(&cli.rpc, signer(&cli.suri)?, args).await,
		Command::Run(args) => serve(&cli.rpc, signer(&cli.suri)?, args).await,
		Command::Unbond { amount } => {
			let chain = Chain::connect(&cli.rpc, signer(&cli.suri)?).await?;
			let amount = parse_mdl(&amount)?;
			chain.submit("ComputeStaking", "unbond", (amount,)).await?;
			println!("unbonding {} MDL", format_mdl(amount));
			Ok(())
		}
		Command::Status => status(&cli.rpc, signer(&cli.suri)?).await,
		Command::Ask(args) => ask::ask(&cli.rpc, signer(&cli.suri)?, args).await,
		Command::Check { model_file, input, output } => check(&model_file, &input, &output),
		Command::Fetch { served, from } => {
			let chain = Chain::connect(&cli.rpc, signer(&cli.suri)?).await?;
			let path = served.model_file.clone().context("fetch needs --model-file")?;
			let (version, record) = chain_version(&chain, &served).await?;
			let uri =
				from.unwrap_or_else(|| String::from_utf8_lossy(&record.weights_uri).into_owned());
			weights::ensure(&uri, &path, record.weights_hash)
				.await
				.with_context(|| format!("model {} version {}", version.model, version.version))?;
			println!("{}", path.display());
			Ok(())
		}
		Command::Query(args) => requester::query(&cli.rpc, signer(&cli.suri)?, args).await,
		Command::Model(ModelCommand::Publish(args)) => {
			publish(&cli.rpc, signer(&cli.suri)?, args).await
		}
	}
}

fn signer(suri: &Option<String>) -> Result<Keypair> {
	let suri =
		suri.as_deref().context("--suri (or MODELCHAIN_SURI) is required for this command")?;
	let uri = SecretUri::from_str(suri).context("--suri is not a valid secret URI")?;
	Keypair::from_uri(&uri).context("cannot derive a key from --suri")
}

/// Parses an amount of MDL with up to 12 decimals (`2000`, `0.5`) into plancks.
fn parse_mdl(text: &str) -> Result<u128> {
	let (whole, fraction) = text.trim().split_once('.').unwrap_or((text.trim(), ""));
	if whole.is_empty() && fraction.is_empty() || fraction.len() > 12 {
		bail!("{text:?} is not an amount of MDL (at most 12 decimals)");
	}
	let whole: u128 = if whole.is_empty() { 0 } else { whole.parse().context("bad amount")? };
	let fraction: u128 = if fraction.is_empty() {
		0
	} else {
		format!("{fraction:0<12}").parse().context("bad amount")?
	};
	whole.checked_mul(UNIT).and_then(|w| w.checked_add(fraction)).context("amount too large")
}

fn format_mdl(plancks: u128) -> String {
	let fraction = format!("{:012}", plancks % UNIT);
	let fraction = fraction.trim_end_matches('0');
	if fraction.is_empty() {
		format!("{}", plancks / UNIT)
	} else {
		format!("{}.{fraction}", plancks / UNIT)
	}
}

/// The served version (the model's active one unless given) and its on-chain record.
async fn chain_version(chain: &Chain, served: &ServedVersion) -> Result<(VersionRef, VersionView)> {
	let model =
		chain.model(served.model).await?.with_context(|| format!("no model {}", served.model))?;
	let version =
		VersionRef { model: served.model, version: served.version.unwrap_or(model.active_version) };
	let record = chain
		.version(version)
		.await?
		.with_context(|| format!("model {} has no version {}", version.model, version.version))?;
	Ok((version, record))
}

/// Resolves the served version and loads the weights file, checked against the chain (format
/// and sha256); a missing file is first fetched from the version's `weights_uri`.
async fn served_version(
	chain: &Chain,
	served: &ServedVersion,
) -> Result<(VersionRef, Option<Engine>)> {
	let (version, record) = chain_version(chain, served).await?;
	let Some(path) = &served.model_file else { return Ok((version, None)) };
	let uri = String::from_utf8_lossy(&record.weights_uri).into_owned();
	let context = || {
		format!(
			"model {} version {}: the registered weights are at {uri}",
			version.model, version.version
		)
	};
	if !path.exists() {
		log::info!("{} is missing: fetching the weights from {uri}", path.display());
		weights::ensure(&uri, path, record.weights_hash).await.with_context(context)?;
	}
	let engine = Engine::load(
		path,
		Some(&record.expected()),
		engine::default_device(),
		chain.max_output_values().await?,
	)
	.with_context(context)?;
	Ok((version, Some(engine)))
}

async fn register(rpc: &str, signer: Keypair, args: RegisterArgs) -> Result<()> {
	let chain = Chain::connect(rpc, signer).await?;
	let (version, _) = served_version(&chain, &args.served).await?;
	if chain.worker(chain.account()).await?.is_some() {
		println!("{} is already registered", chain.account());
	} else {
		chain
			.submit(
				"ComputeStaking",
				"register_worker",
				(
					// Miners are the chain's only worker role (validators verify).
					variant("Miner"),
					args.endpoint.as_bytes().to_vec(),
					args.hardware.as_bytes().to_vec(),
					Value::unnamed_composite([version_value(version)]),
				),
			)
			.await?;
		println!(
			"registered {} as a miner of model {} version {}",
			chain.account(),
			version.model,
			version.version
		);
	}
	let bond = parse_mdl(&args.bond)?;
	if bond > 0 {
		chain.submit("ComputeStaking", "bond", (bond,)).await?;
		println!("bonded {} MDL", format_mdl(bond));
	}
	Ok(())
}

async fn serve(rpc: &str, signer: Keypair, args: RunArgs) -> Result<()> {
	let path = args.served.model_file.clone().context("run needs --model-file")?;
	// Check the weights against the chain before serving anything; the node may still be
	// starting, so wait for it a little.
	let chain = Chain::connect_retrying(rpc, &signer, 30, Duration::from_secs(2)).await?;
	let (version, model) = served_version(&chain, &args.served).await?;
	let model = model.context("run needs --model-file")?;
	if !args.verify_only && chain.worker(chain.account()).await?.is_none() {
		log::warn!(
			"{} is not a registered worker: no jobs will be assigned (run `register` first)",
			chain.account()
		);
	}
	drop(chain);
	log::info!(
		"weights {} match the chain (sha256 0x{}): {}",
		path.display(),
		hex::encode(model.sha256()),
		model.describe()
	);
	let store = store::Store::open(&args.state_dir)?;
	let paid = queries::Paid::load(
		&args.state_dir,
		parse_mdl(&args.claim_threshold)?,
		args.claim_expiry_margin,
	)?;
	let options = service::Options {
		rpc: rpc.to_owned(),
		listen: args.listen,
		version,
		mine: !args.verify_only,
		verifier_secret: args
			.verifier_secret_file
			.as_deref()
			.map(auth::Secret::load)
			.transpose()?,
		input_limits: input::Limits {
			max_bytes: args.input_max_bytes,
			timeout: std::time::Duration::from_millis(args.input_timeout_ms),
		},
		engine_concurrency: args
			.engine_concurrency
			.unwrap_or_else(|| std::thread::available_parallelism().map(usize::from).unwrap_or(1)),
		lie: args.lie_for_tests,
		crash_after_commit: args.crash_after_commit_for_tests,
	};
	if options.lie {
		log::warn!("--lie-for-tests: this worker commits WRONG outputs and will be slashed");
	}
	service::run(options, model, signer, store, paid).await
}

async fn status(rpc: &str, signer: Keypair) -> Result<()> {
	let chain = Chain::connect(rpc, signer).await?;
	let worker = chain.worker(chain.account()).await?;
	let free = chain.free_balance(chain.account()).await?;
	let body = serde_json::json!({
		"account": chain.account().to_string(),
		"free_balance": format_mdl(free),
		"registered": worker.is_some(),
		"worker": worker.map(|w| serde_json::json!({
			"endpoint": String::from_utf8_lossy(&w.endpoint),
			"active_bond": format_mdl(w.active_bond),
			"versions": w.versions,
			"reputation": w.reputation,
			"jailed_until": w.jailed_until,
		})),
	});
	println!("{}", serde_json::to_string_pretty(&body)?);
	Ok(())
}

async fn publish(rpc: &str, signer: Keypair, args: PublishArgs) -> Result<()> {
	let bytes = std::fs::read(&args.model_file)
		.with_context(|| format!("reading {}", args.model_file.display()))?;
	let model =
		Engine::from_bytes(&bytes, None, candle_core::Device::Cpu, DEFAULT_MAX_OUTPUT_VALUES)?;
	let card: serde_json::Value = match &args.card {
		Some(path) => serde_json::from_str(&std::fs::read_to_string(path)?)
			.with_context(|| format!("{} is not JSON", path.display()))?,
		None => serde_json::Value::Null,
	};
	let dataset = match card["dataset_sha256"].as_str() {
		Some(text) => {
			<[u8; 32]>::try_from(hex::decode(text)?.as_slice()).context("dataset_sha256")?
		}
		None => [0u8; 32],
	};
	let from_card = |flag: &Option<String>, key: &str, default: &str| {
		flag.clone().or_else(|| card[key].as_str().map(str::to_owned)).unwrap_or(default.into())
	};
	let name = from_card(&args.name, "name", "Digits");
	let symbol = from_card(&args.symbol, "symbol", "DGT");
	let price = from_card(&args.price, "price_mdl", "1");
	let licence = card["licence"].as_str().unwrap_or("unspecified");
	let licence = licence.split_whitespace().next().unwrap_or("unspecified");
	let weights_uri = args
		.weights_uri
		.clone()
		.unwrap_or_else(|| format!("file://{}", display_path(&args.model_file)));
	let metadata_uri = args.metadata_uri.clone().unwrap_or_else(|| match &args.card {
		Some(card) => format!("file://{}", display_path(card)),
		None => weights_uri.clone(),
	});
	let percent = |p: u32| -> Result<u128> {
		if p > 100 {
			bail!("{p}% is more than 100%");
		}
		Ok(u128::from(p) * 10_000_000)
	};
	let version = Value::named_composite([
		("weights_hash", Value::from_bytes(model.sha256())),
		("weights_uri", Value::from_bytes(weights_uri.as_bytes())),
		("format", variant(model.format().chain_name())),
		("architecture", Value::from_bytes(model.architecture().as_bytes())),
		("dataset_fingerprint", Value::from_bytes(dataset)),
		("licence", Value::from_bytes(licence.as_bytes())),
		("output_precision", Value::u128(0)),
		("price_per_inference", Value::u128(parse_mdl(&price)?)),
	]);
	let economics = Value::named_composite([
		("creator_royalty", Value::u128(percent(args.royalty_percent)?)),
		("miners_share", Value::u128(percent(args.miners_percent)?)),
		("redundancy", Value::u128(u128::from(args.redundancy))),
	]);
	let chain = Chain::connect(rpc, signer).await?;
	let included = chain
		.submit(
			"ModelRegistry",
			"register_model",
			(
				name.as_bytes().to_vec(),
				symbol.as_bytes().to_vec(),
				metadata_uri.as_bytes().to_vec(),
				version,
				economics,
			),
		)
		.await?;
	#[derive(scale_decode::DecodeAsType)]
	struct Registered {
		model: u32,
	}
	let id = included.event::<Registered>("ModelRegistry", "ModelRegistered")?.model;
	println!("model {id} registered: weights sha256 0x{}", hex::encode(model.sha256()));
	if args.shares > 0 {
		chain.submit("ModelShares", "issue_shares", (id, args.shares)).await?;
		println!("model {id}: {} shares issued to {}", args.shares, chain.account());
	}
	println!("MODEL_ID={id}");
	Ok(())
}

fn display_path(path: &Path) -> String {
	std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf()).display().to_string()
}

fn check(model_file: &Path, input: &InputArgs, claimed: &str) -> Result<()> {
	let Engine::Llm(model) =
		Engine::load(model_file, None, engine::default_device(), DEFAULT_MAX_OUTPUT_VALUES)?
	else {
		bail!("check applies to language models (exact models are compared by hash)");
	};
	let claimed = claimed
		.split(',')
		.map(|id| id.trim().parse::<i64>().with_context(|| format!("bad token id {id:?}")))
		.collect::<Result<Vec<i64>>>()?;
	let verdict = match model.check(&input.bytes()?, &claimed)? {
		engine::llm::Check::Accepted { near_ties, widest_gap } => serde_json::json!({
			"accepted": true, "near_ties": near_ties, "widest_gap": widest_gap,
			"tolerance": engine::llm::LOGIT_TOLERANCE,
		}),
		engine::llm::Check::Rejected(why) => serde_json::json!({ "accepted": false, "why": why }),
	};
	println!("{verdict}");
	Ok(())
}

fn infer(model_file: &Path, input: &InputArgs, repeat: u32) -> Result<()> {
	let model =
		Engine::load(model_file, None, engine::default_device(), DEFAULT_MAX_OUTPUT_VALUES)?;
	let input = input.bytes()?;
	if let Some(why) = model.input_error(&input) {
		bail!("the model cannot read this input: {why}");
	}
	if let Engine::Llm(llm) = &model {
		let request = llm.request(&input).map_err(anyhow::Error::msg)?;
		let mut runs = Vec::new();
		for _ in 0..repeat.max(1) {
			runs.push(llm.generate(&request)?);
		}
		let median = |mut values: Vec<f64>| {
			values.sort_by(f64::total_cmp);
			values.get(values.len() / 2).copied().unwrap_or_default()
		};
		let generated = runs.first().map(|run| run.tokens.clone()).unwrap_or_default();
		let output: Vec<i64> = generated.iter().map(|id| i64::from(*id)).collect();
		println!(
			"{}",
			serde_json::json!({
				"output": output,
				"text": model.render(&output),
				"prompt_tokens": request.prompt.len(),
				"prompt": request.prompt,
				"generated_tokens": generated.len(),
				"deterministic": runs.iter().all(|run| run.tokens == generated),
				"time_to_first_token_ms": median(runs.iter().map(|r| r.prefill.as_secs_f64() * 1e3).collect()),
				"prefill_tokens_per_s": median(runs.iter().map(|r| r.prompt_tokens as f64 / r.prefill.as_secs_f64()).collect()),
				"decode_tokens_per_s": median(runs.iter().map(|r| (r.tokens.len().saturating_sub(1)) as f64 / r.decode.as_secs_f64().max(1e-9)).collect()),
			})
		);
		return Ok(());
	}
	let mut output = Vec::new();
	let started = Instant::now();
	for _ in 0..repeat.max(1) {
		output = model.infer(&input)?;
	}
	let per_run = started.elapsed().as_secs_f64() / f64::from(repeat.max(1));
	println!(
		"{}",
		serde_json::json!({ "output": output, "class": output.first(), "engine_us_per_inference": per_run * 1e6 })
	);
	Ok(())
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn amounts_parse_exactly() {
		assert_eq!(parse_mdl("2000").expect("ok"), 2000 * UNIT);
		assert_eq!(parse_mdl("0.5").expect("ok"), UNIT / 2);
		assert_eq!(parse_mdl(".000000000001").expect("ok"), 1);
		assert!(parse_mdl("1.0000000000001").is_err(), "13 decimals");
		assert!(parse_mdl("").is_err());
		assert!(parse_mdl("-1").is_err());
		assert!(parse_mdl("1e3").is_err());
		assert!(parse_mdl("999999999999999999999999999999").is_err(), "overflow");
		assert_eq!(format_mdl(2000 * UNIT), "2000");
		assert_eq!(format_mdl(UNIT / 4 + 3 * UNIT), "3.25");
	}

	#[test]
	fn dev_keys_derive() {
		let bob = signer(&Some("//Bob".into())).expect("derives");
		assert_eq!(
			bob.public_key().to_account_id().to_string(),
			"5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty"
		);
		assert!(signer(&None).is_err());
	}
}
