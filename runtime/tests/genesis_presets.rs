//! Every genesis preset builds a valid genesis state with the validators, sudo key, balances and
//! compute-staking parameters it promises.

mod common;

use common::with_genesis;
use modelchain_runtime::{
	genesis_config_presets::{
		get_preset, preset_names, ENDOWMENT, LOCAL_4_VALIDATORS_PRESET, PRODUCTION_PRESET,
	},
	units::DAYS,
	Runtime,
};
use sp_genesis_builder::PresetId;
use sp_keyring::Sr25519Keyring;

fn validator_count() -> usize {
	pallet_session::Validators::<Runtime>::get().len()
}

#[test]
fn lists_every_preset() {
	let names: Vec<String> = preset_names();
	assert_eq!(
		names,
		["development", "local_testnet", LOCAL_4_VALIDATORS_PRESET, PRODUCTION_PRESET]
	);
	assert!(get_preset(&PresetId::from("no-such-preset")).is_none());
}

#[test]
fn development_has_alice_as_validator_and_sudo_and_short_periods() {
	with_genesis("development", || {
		assert_eq!(validator_count(), 1);
		assert_eq!(pallet_aura::Authorities::<Runtime>::get().len(), 1);
		assert_eq!(pallet_grandpa::Pallet::<Runtime>::grandpa_authorities().len(), 1);
		assert_eq!(pallet_sudo::Key::<Runtime>::get(), Some(Sr25519Keyring::Alice.to_account_id()));
		assert_eq!(
			pallet_balances::Pallet::<Runtime>::free_balance(Sr25519Keyring::Bob.to_account_id()),
			ENDOWMENT
		);
		let params = pallet_compute_staking::Parameters::<Runtime>::get().expect("set at genesis");
		assert!(params.unbonding_period < 100, "dev unbonding is a few blocks");
	});
}

#[test]
fn local_presets_have_two_and_four_validators() {
	with_genesis("local_testnet", || assert_eq!(validator_count(), 2));
	with_genesis(LOCAL_4_VALIDATORS_PRESET, || {
		assert_eq!(validator_count(), 4);
		assert_eq!(pallet_aura::Authorities::<Runtime>::get().len(), 4);
		assert_eq!(pallet_grandpa::Pallet::<Runtime>::grandpa_authorities().len(), 4);
	});
}

#[test]
fn production_has_no_sudo_and_28_days_of_unbonding() {
	with_genesis(PRODUCTION_PRESET, || {
		assert_eq!(pallet_sudo::Key::<Runtime>::get(), None);
		assert_eq!(validator_count(), 0);
		let params = pallet_compute_staking::Parameters::<Runtime>::get().expect("set at genesis");
		assert_eq!(params.unbonding_period, 28 * DAYS);
	});
}

/// L-1, L-13: in every preset a miner cannot unbond when it is assigned and withdraw before the
/// job's slash (unbonding outlasts a job's commit, reveal and challenge windows), and skipping
/// a losing reveal is never slashed less than revealing it.
#[test]
fn every_preset_keeps_stake_slashable_for_a_jobs_lifetime_and_missed_reveals_dear() {
	for preset in preset_names() {
		with_genesis(&preset, || {
			let staking =
				pallet_compute_staking::Parameters::<Runtime>::get().expect("set at genesis");
			let inference = pallet_inference::Parameters::<Runtime>::get();
			let lifetime =
				inference.commit_period + inference.reveal_period + inference.challenge_period;
			assert!(
				staking.unbonding_period > lifetime,
				"{preset}: unbonding {} blocks, a job lives {lifetime}",
				staking.unbonding_period
			);
			assert!(staking.slash_missed_reveal >= staking.slash_wrong_result, "{preset}");
		});
	}
}
