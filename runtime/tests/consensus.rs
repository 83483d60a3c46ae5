//! Block weights, sessions and the validator set as the runtime configures them.

mod common;

use common::with_genesis;
use frame_support::{dispatch::DispatchClass, traits::Get};
use modelchain_runtime::{
	configs::{
		consensus::{SessionLength, SessionPeriod, MIN_SESSION_PERIOD},
		system::RuntimeBlockWeights,
	},
	genesis_config_presets::{LOCAL_4_VALIDATORS_PRESET, PRODUCTION_PRESET},
	units::MINUTES,
	weights::{BlockExecutionWeight, ExtrinsicBaseWeight},
	Runtime,
};
use pallet_session::ShouldEndSession;

#[test]
fn block_weights_use_the_measured_base_weights_and_are_valid() {
	let weights = RuntimeBlockWeights::get();
	assert!(weights.clone().validate().is_ok());
	assert_eq!(weights.base_block, BlockExecutionWeight::get());
	for class in DispatchClass::all() {
		assert_eq!(weights.get(*class).base_extrinsic, ExtrinsicBaseWeight::get());
	}
	// An empty block and a remark fit many times over in one second of compute.
	assert!(BlockExecutionWeight::get().ref_time() < weights.max_block.ref_time() / 10);
	assert!(ExtrinsicBaseWeight::get().ref_time() < weights.max_block.ref_time() / 1_000);
}

#[test]
fn the_session_period_is_a_storage_parameter_never_below_the_minimum() {
	sp_io::TestExternalities::default().execute_with(|| {
		assert_eq!(SessionLength::get(), 10 * MINUTES);
		SessionPeriod::set(&10);
		assert_eq!(SessionLength::get(), 10);
		// The runtime's own rule (`PeriodicSessions<SessionLength, SessionOffset>`).
		type Periodic = <Runtime as pallet_session::Config>::ShouldEndSession;
		assert!(Periodic::should_end_session(20));
		assert!(!Periodic::should_end_session(25));
		// A period of 0 would divide by zero: it is taken as the minimum.
		SessionPeriod::set(&0);
		assert_eq!(SessionLength::get(), MIN_SESSION_PERIOD);
		assert!(Periodic::should_end_session(MIN_SESSION_PERIOD * 3));
	});
}

#[test]
fn the_validator_set_starts_as_the_session_validators() {
	for preset in ["development", "local_testnet", LOCAL_4_VALIDATORS_PRESET] {
		with_genesis(preset, || {
			let set = pallet_validator_set::Validators::<Runtime>::get().into_inner();
			assert!(!set.is_empty());
			assert_eq!(set, pallet_session::Validators::<Runtime>::get());
		});
	}
	with_genesis(PRODUCTION_PRESET, || {
		assert!(pallet_validator_set::Validators::<Runtime>::get().is_empty());
	});
}

/// H-7: fees rise with block fullness. After blocks whose normal class is full the fee
/// multiplier grows; after empty blocks it never falls below 1 (fees never below the weight
/// fee).
#[test]
fn fees_rise_with_block_fullness_and_never_fall_below_the_weight_fee() {
	use frame_support::traits::Hooks;
	use sp_runtime::{traits::One, FixedU128};
	type Payment = pallet_transaction_payment::Pallet<Runtime>;
	let full = RuntimeBlockWeights::get()
		.get(DispatchClass::Normal)
		.max_total
		.expect("the normal class has a limit");
	with_genesis(LOCAL_4_VALIDATORS_PRESET, || {
		let mut last = pallet_transaction_payment::NextFeeMultiplier::<Runtime>::get();
		assert_eq!(last, FixedU128::one());
		for block in 1..=20u32 {
			frame_system::Pallet::<Runtime>::set_block_consumed_resources(full, 0);
			Payment::on_finalize(block);
			let next = pallet_transaction_payment::NextFeeMultiplier::<Runtime>::get();
			assert!(next > last, "block {block}: {next:?} after {last:?}");
			last = next;
		}
		for block in 21..=100u32 {
			frame_system::Pallet::<Runtime>::set_block_consumed_resources(
				frame_support::weights::Weight::zero(),
				0,
			);
			Payment::on_finalize(block);
		}
		assert_eq!(
			pallet_transaction_payment::NextFeeMultiplier::<Runtime>::get(),
			FixedU128::one()
		);
	});
}

/// M-7: in a block that changes the session, Aura's authorities change in `on_initialize`
/// (Session's hook), before the randomness inherent is applied; the slot author accepted is
/// still the one the node's Aura chose with the parent's authorities, whatever the order of
/// the pallets' hooks. And the slot is this block's, set by Aura from the pre-runtime digest.
#[test]
fn the_slot_author_is_chosen_by_the_parents_authorities_across_a_session_change() {
	use codec::Encode;
	use frame_support::traits::{OnFinalize, OnInitialize};
	use modelchain_runtime::{AllPalletsWithSystem, SlotRandomness, System};
	use sp_consensus_aura::{sr25519::AuthorityId as AuraId, Slot, AURA_ENGINE_ID};
	use sp_keyring::Sr25519Keyring;
	use sp_runtime::{BoundedVec, Digest, DigestItem};

	let start_block = |number: u32, slot: u64| {
		let digest = Digest {
			logs: vec![DigestItem::PreRuntime(AURA_ENGINE_ID, Slot::from(slot).encode())],
		};
		System::initialize(&number, &Default::default(), &digest);
		AllPalletsWithSystem::on_initialize(number);
	};
	with_genesis("development", || {
		let alice = Sr25519Keyring::Alice.public();
		let bob = Sr25519Keyring::Bob.public();
		start_block(1, 1_001);
		assert_eq!(SlotRandomness::slot_author(), Some((1_001, alice)), "this block's slot");
		SlotRandomness::on_finalize(1);
		start_block(2, 1_002);
		// A session change in this block makes Bob the only authority.
		pallet_aura::Authorities::<Runtime>::put(BoundedVec::truncate_from(vec![AuraId::from(
			bob,
		)]));
		assert_eq!(SlotRandomness::slot_author(), Some((1_002, alice)), "the parent's authorities");
		SlotRandomness::on_finalize(2);
		start_block(3, 1_003);
		assert_eq!(SlotRandomness::slot_author(), Some((1_003, bob)), "then the new ones");
	});
}
