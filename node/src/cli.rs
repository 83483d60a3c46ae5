//! Command line of `modelchain-node`: the standard Substrate CLI plus ModelChain's subcommands.

/// Subcommands besides running the node.
#[derive(Debug, clap::Subcommand)]
#[allow(clippy::large_enum_variant)]
pub enum Subcommand {
	/// Key management: generate, inspect and insert keys (e.g. session keys into the keystore).
	#[command(subcommand)]
	Key(sc_cli::KeySubcommand),

	/// Build a chain specification.
	/// DEPRECATED: `build-spec` will be removed upstream; prefer `export-chain-spec`.
	BuildSpec(sc_cli::BuildSpecCmd),

	/// Export the chain specification of the selected chain.
	ExportChainSpec(sc_cli::ExportChainSpecCmd),

	/// Validate blocks.
	CheckBlock(sc_cli::CheckBlockCmd),

	/// Export blocks.
	ExportBlocks(sc_cli::ExportBlocksCmd),

	/// Export the state of a given block into a chain spec.
	ExportState(sc_cli::ExportStateCmd),

	/// Import blocks.
	ImportBlocks(sc_cli::ImportBlocksCmd),

	/// Remove the whole chain.
	PurgeChain(sc_cli::PurgeChainCmd),

	/// Revert the chain to a previous state.
	Revert(sc_cli::RevertCmd),

	/// Runtime and pallet benchmarks (only in a node built with `--features runtime-benchmarks`,
	/// see `scripts/benchmarks.sh`).
	#[cfg(feature = "runtime-benchmarks")]
	#[command(subcommand)]
	Benchmark(frame_benchmarking_cli::BenchmarkCmd),

	/// Db meta columns information.
	ChainInfo(sc_cli::ChainInfoCmd),
}

/// The `modelchain-node` command line.
#[derive(Debug, clap::Parser)]
pub struct Cli {
	#[command(subcommand)]
	pub subcommand: Option<Subcommand>,

	#[clap(flatten)]
	pub run: sc_cli::RunCmd,

	/// Base URL of the verifier (a `modelchain-worker` in the verifier role, e.g.
	/// `http://127.0.0.1:7071`) through which this validator's off-chain worker re-executes
	/// inference jobs in their challenge window. Written to the node's off-chain storage at
	/// every start (and removed when the flag is absent): without it the node verifies
	/// nothing. Needs `--inference-verifier-secret-file`.
	#[arg(long, value_name = "URL", requires = "inference_verifier_secret_file")]
	pub inference_verifier_url: Option<String>,

	/// File with the 32-byte secret (64 hex digits) this node shares with its verifier (the
	/// worker's `--verifier-secret-file`): it authenticates every request to the verifier and
	/// every answer, so nobody else can use the verifier and a man in the middle cannot forge
	/// an answer. Generate one with `openssl rand -hex 32` (or `od -An -tx1 -N32 /dev/urandom
	/// | tr -d ' \n'`) and keep it readable by the node and the verifier only.
	#[arg(long, value_name = "PATH")]
	pub inference_verifier_secret_file: Option<std::path::PathBuf>,

	/// A verifier for one model version, `MODEL.VERSION=URL` (e.g. `3.0=http://127.0.0.1:7072`;
	/// repeat for more): that version's jobs are re-executed there instead of at
	/// `--inference-verifier-url`, so one validator can verify every model with one verifier
	/// per version. Every verifier shares `--inference-verifier-secret-file`.
	#[arg(long, value_name = "MODEL.VERSION=URL", requires = "inference_verifier_secret_file")]
	pub inference_verifier_route: Vec<String>,

	/// POST each new inference job to its miners' registered endpoints (`<endpoint>/v1/jobs`),
	/// a hint that saves them a block: miners learn their jobs from `JobAssigned` events
	/// anyway. Off by default: those endpoints are chosen by the miners, so a node that
	/// dispatches sends (fixed-shape JSON) POSTs wherever they point, its own internal network
	/// included. Turn it on only on a node whose network can take that.
	#[arg(long)]
	pub inference_dispatch: bool,
}
