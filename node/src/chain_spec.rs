//! Chain specifications: `dev`, `local`, `local4` and the `production` template are built from
//! the runtime's genesis presets; any other value of `--chain` is read as a chain-spec JSON file.

use modelchain_runtime::{
	genesis_config_presets::{LOCAL_4_VALIDATORS_PRESET, PRODUCTION_PRESET},
	units::TOKEN_DECIMALS,
	WASM_BINARY,
};
use sc_service::{ChainType, Properties};

/// A chain specification of ModelChain (no extensions).
pub type ChainSpec = sc_service::GenericChainSpec;

/// Token properties shown by wallets such as polkadot.js apps.
fn properties() -> Properties {
	let mut properties = Properties::new();
	properties.insert("tokenSymbol".into(), modelchain_runtime::units::TOKEN_SYMBOL.into());
	properties.insert("tokenDecimals".into(), TOKEN_DECIMALS.into());
	properties.insert("ss58Format".into(), 42.into());
	properties
}

fn wasm_binary() -> Result<&'static [u8], String> {
	WASM_BINARY.ok_or_else(|| "The runtime wasm binary is not available.".to_string())
}

fn from_preset(
	name: &str,
	id: &str,
	chain_type: ChainType,
	preset: &str,
) -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm_binary()?, None)
		.with_name(name)
		.with_id(id)
		.with_chain_type(chain_type)
		.with_genesis_config_preset_name(preset)
		.with_protocol_id("modelchain")
		.with_properties(properties())
		.build())
}

/// Single-validator development chain (Alice).
pub fn development_chain_spec() -> Result<ChainSpec, String> {
	from_preset(
		"ModelChain Development",
		"modelchain_dev",
		ChainType::Development,
		sp_genesis_builder::DEV_RUNTIME_PRESET,
	)
}

/// Two-validator local testnet (Alice, Bob).
pub fn local_chain_spec() -> Result<ChainSpec, String> {
	from_preset(
		"ModelChain Local Testnet",
		"modelchain_local",
		ChainType::Local,
		sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET,
	)
}

/// Four-validator local testnet (Alice, Bob, Charlie, Dave).
pub fn local_4validators_chain_spec() -> Result<ChainSpec, String> {
	from_preset(
		"ModelChain Local Testnet (4 validators)",
		"modelchain_local4",
		ChainType::Local,
		LOCAL_4_VALIDATORS_PRESET,
	)
}

/// Template of a production chain spec: production periods (28 days of unbonding), no sudo and
/// no validators. Export it with `build-spec --chain production`, fill in `session.keys` and
/// `balances`, then convert it with `build-spec --raw`.
pub fn production_chain_spec_template() -> Result<ChainSpec, String> {
	from_preset("ModelChain", "modelchain", ChainType::Live, PRODUCTION_PRESET)
}
