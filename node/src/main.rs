//! `modelchain-node`: the ModelChain validator and full node.
// `sc_cli::Error` and `sc_service::Error` are large; the node returns them as every Substrate
// node does, once per command, so boxing them buys nothing.
#![allow(clippy::result_large_err)]

mod chain_spec;
mod cli;
mod command;
mod randomness;
mod rpc;
mod service;

fn main() -> sc_cli::Result<()> {
	command::run()
}
