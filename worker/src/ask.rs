//! `modelchain-worker ask`: a requester's on-chain job from the command line. Submits
//! `inference.requestInference` with the input inline, follows the job to its end and prints
//! the outcome, the agreed output and, given the weights (`--model-file`), what it says (a
//! language model's text).

use std::{path::PathBuf, time::Duration};

use anyhow::{bail, Result};
use clap::Args;
use subxt::dynamic::Value;
use subxt_signer::sr25519::Keypair;

use crate::{
	chain::{job_at, results_at, Chain, JobPhase},
	engine::{self, Engine, DEFAULT_MAX_OUTPUT_VALUES},
	parse_mdl, InputArgs,
};

/// `modelchain-worker ask`.
#[derive(Args)]
pub struct AskArgs {
	/// The model to ask (its active version runs the job).
	#[arg(long)]
	model: u32,
	#[command(flatten)]
	input: InputArgs,
	/// The most to pay, in MDL (the version's price is charged).
	#[arg(long, default_value = "100")]
	max_fee: String,
	/// The weights, to print the output as text (a language model's tokens); checked against
	/// nothing, used only to decode.
	#[arg(long)]
	model_file: Option<PathBuf>,
	/// Give up waiting after this many seconds (the job goes on).
	#[arg(long, default_value_t = 600)]
	timeout: u64,
}

/// Runs `ask`.
pub async fn ask(rpc: &str, signer: Keypair, args: AskArgs) -> Result<()> {
	let input = args.input.bytes()?;
	let decoder = args
		.model_file
		.as_deref()
		.map(|path| Engine::load(path, None, engine::default_device(), DEFAULT_MAX_OUTPUT_VALUES))
		.transpose()?;
	let chain = Chain::connect(rpc, signer).await?;
	let included = chain
		.submit(
			"Inference",
			"request_inference",
			(
				args.model,
				Value::unnamed_variant("Inline", [Value::from_bytes(&input)]),
				parse_mdl(&args.max_fee)?,
			),
		)
		.await?;
	#[derive(scale_decode::DecodeAsType)]
	struct Requested {
		job: u64,
	}
	let job = included.event::<Requested>("Inference", "JobRequested")?.job;
	eprintln!("job {job} requested; waiting for its miners and quorum");
	let started = std::time::Instant::now();
	let outcome = loop {
		if started.elapsed() > Duration::from_secs(args.timeout) {
			bail!("job {job} has not finished after {} s", args.timeout);
		}
		let at = chain.at_best().await?;
		match job_at(&at, job).await?.map(|record| record.phase) {
			Some(JobPhase::Finished(outcome)) => break (outcome, results_at(&at, job).await?),
			Some(_) => tokio::time::sleep(Duration::from_millis(500)).await,
			None => bail!("job {job} is gone from the chain (pruned)"),
		}
	};
	let (outcome, output) = outcome;
	let text = match (&decoder, &output) {
		(Some(engine), Some(output)) => Some(engine.render(output)),
		_ => None,
	};
	println!(
		"{}",
		serde_json::json!({
			"job": job,
			"outcome": format!("{outcome:?}"),
			"output": output,
			"text": text,
			"seconds": started.elapsed().as_secs_f64(),
		})
	);
	Ok(())
}
