//! Genesis presets: `development` (Alice alone), `local_testnet` (Alice and Bob) and
//! `local_4validators` (Alice, Bob, Charlie and Dave). The node's chain specs are built from
//! these; `modelchain-node build-spec --chain <preset>` prints them.

use alloc::{vec, vec::Vec};
use frame_support::build_struct_json_patch;
use serde_json::Value;
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_consensus_grandpa::AuthorityId as GrandpaId;
use sp_genesis_builder::{self, PresetId};
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};

use pallet_compute_staking::StakingParameters;
use pallet_inference::{sr25519::AuthorityId as InferenceId, InferenceParameters};
use sp_runtime::Perbill;

use crate::{
	units::{DAYS, HOURS, MINUTES, UNIT},
	AccountId, Balance, BalancesConfig, BlockNumber, ComputeStakingConfig, InferenceConfig,
	RuntimeGenesisConfig, SessionConfig, SessionKeys, SudoConfig, ValidatorSetConfig,
};

/// The preset with four validators, for the local multi-validator network.
pub const LOCAL_4_VALIDATORS_PRESET: &str = "local_4validators";
/// The template of a production chain spec: production periods, no sudo, no pre-funded dev
/// accounts and no validators (an operator fills in `session.keys` and `balances`).
pub const PRODUCTION_PRESET: &str = "production";

/// Balance of every pre-funded development account.
pub const ENDOWMENT: Balance = 1_000_000 * UNIT;

/// A validator at genesis: its account and its session keys.
pub struct GenesisValidator {
	pub account: AccountId,
	pub aura: AuraId,
	pub grandpa: GrandpaId,
	pub inference: InferenceId,
}

/// The validator of a well-known development key (`//Alice`, `//Bob`, ...).
fn dev_validator(who: Sr25519Keyring, grandpa: Ed25519Keyring) -> GenesisValidator {
	GenesisValidator {
		account: who.to_account_id(),
		aura: who.public().into(),
		grandpa: grandpa.public().into(),
		inference: who.public().into(),
	}
}

/// Compute-staking parameters of a chain: `fast` for dev and local chains (periods of a few
/// blocks, so tests run in minutes), otherwise production values (28 days of unbonding).
pub fn compute_staking_parameters(fast: bool) -> StakingParameters<Balance, BlockNumber> {
	StakingParameters {
		min_miner_bond: 1_000 * UNIT,
		// Longer than a job's lifetime (15 blocks fast), so that a miner cannot unbond when
		// it is assigned and withdraw before a slash for that job.
		unbonding_period: if fast { 40 } else { 28 * DAYS },
		jail_period: if fast { 20 } else { DAYS },
		slash_wrong_result: Perbill::from_percent(10),
		slash_missed_reveal: Perbill::from_percent(10),
	}
}

/// Inference parameters of a chain: `fast` for dev and local chains (phases of 5 blocks, 15 s),
/// otherwise production values (a minute to commit and to reveal, 5 minutes to challenge).
pub fn inference_parameters(fast: bool) -> InferenceParameters<BlockNumber> {
	InferenceParameters {
		protocol_fee: Perbill::from_percent(5),
		commit_period: if fast { 5 } else { MINUTES },
		reveal_period: if fast { 5 } else { MINUTES },
		challenge_period: if fast { 5 } else { 5 * MINUTES },
		verification_sample: Perbill::from_percent(10),
		retention_period: if fast { HOURS } else { 7 * DAYS },
	}
}

/// Builds a genesis config: the validators, the sudo key (if any), the pre-funded accounts and
/// the compute-staking parameters.
pub fn modelchain_genesis(
	validators: Vec<GenesisValidator>,
	endowed_accounts: Vec<AccountId>,
	root: Option<AccountId>,
	fast_periods: bool,
) -> Value {
	build_struct_json_patch!(RuntimeGenesisConfig {
		balances: BalancesConfig {
			balances: endowed_accounts.iter().cloned().map(|k| (k, ENDOWMENT)).collect::<Vec<_>>(),
		},
		validator_set: ValidatorSetConfig {
			initial_validators: validators.iter().map(|v| v.account.clone()).collect::<Vec<_>>(),
		},
		session: SessionConfig {
			keys: validators
				.into_iter()
				.map(|v| {
					let keys =
						SessionKeys { aura: v.aura, grandpa: v.grandpa, inference: v.inference };
					(v.account.clone(), v.account, keys)
				})
				.collect::<Vec<_>>(),
		},
		sudo: SudoConfig { key: root },
		compute_staking: ComputeStakingConfig {
			parameters: Some(compute_staking_parameters(fast_periods)),
		},
		inference: InferenceConfig { parameters: Some(inference_parameters(fast_periods)) },
	})
}

/// Every well-known development account, including the `//stash` ones.
fn dev_accounts() -> Vec<AccountId> {
	Sr25519Keyring::well_known().map(|k| k.to_account_id()).collect()
}

/// `development`: Alice validates alone and holds sudo.
pub fn development_config_genesis() -> Value {
	modelchain_genesis(
		vec![dev_validator(Sr25519Keyring::Alice, Ed25519Keyring::Alice)],
		dev_accounts(),
		Some(Sr25519Keyring::Alice.to_account_id()),
		true,
	)
}

/// `local_testnet`: Alice and Bob validate; Alice holds sudo.
pub fn local_config_genesis() -> Value {
	modelchain_genesis(
		vec![
			dev_validator(Sr25519Keyring::Alice, Ed25519Keyring::Alice),
			dev_validator(Sr25519Keyring::Bob, Ed25519Keyring::Bob),
		],
		dev_accounts(),
		Some(Sr25519Keyring::Alice.to_account_id()),
		true,
	)
}

/// `local_4validators`: Alice, Bob, Charlie and Dave validate; Alice holds sudo. With four
/// validators GRANDPA keeps finalizing while one is down (it needs more than two thirds).
pub fn local_4validators_config_genesis() -> Value {
	modelchain_genesis(
		vec![
			dev_validator(Sr25519Keyring::Alice, Ed25519Keyring::Alice),
			dev_validator(Sr25519Keyring::Bob, Ed25519Keyring::Bob),
			dev_validator(Sr25519Keyring::Charlie, Ed25519Keyring::Charlie),
			dev_validator(Sr25519Keyring::Dave, Ed25519Keyring::Dave),
		],
		dev_accounts(),
		Some(Sr25519Keyring::Alice.to_account_id()),
		true,
	)
}

/// `production`: production periods, no sudo, nothing pre-funded, no validators yet.
pub fn production_config_genesis() -> Value {
	modelchain_genesis(Vec::new(), Vec::new(), None, false)
}

/// The JSON of the preset named `id`, if there is one.
pub fn get_preset(id: &PresetId) -> Option<Vec<u8>> {
	let patch = match id.as_ref() {
		sp_genesis_builder::DEV_RUNTIME_PRESET => development_config_genesis(),
		sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET => local_config_genesis(),
		LOCAL_4_VALIDATORS_PRESET => local_4validators_config_genesis(),
		PRODUCTION_PRESET => production_config_genesis(),
		_ => return None,
	};
	serde_json::to_string(&patch).ok().map(|json| json.into_bytes())
}

/// The names of the presets this runtime provides.
pub fn preset_names() -> Vec<PresetId> {
	vec![
		PresetId::from(sp_genesis_builder::DEV_RUNTIME_PRESET),
		PresetId::from(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET),
		PresetId::from(LOCAL_4_VALIDATORS_PRESET),
		PresetId::from(PRODUCTION_PRESET),
	]
}
