//! Helpers shared by the runtime's integration tests.
#![allow(dead_code)]

use codec::Encode;
use frame_support::{assert_ok, genesis_builder_helper::build_state, traits::fungible::Mutate};
use modelchain_primitives::{ModelVersionRef, WorkerRole};
use modelchain_runtime::{
	genesis_config_presets::get_preset, units::UNIT, Balances, ComputeStaking, Inference,
	ModelRegistry, ModelShares, Runtime, RuntimeEvent, RuntimeGenesisConfig, RuntimeOrigin, System,
};
use pallet_inference::InputArg;
use serde_json::Value;
use sp_genesis_builder::PresetId;
use sp_runtime::{AccountId32, Perbill};

/// Overlays `patch` on `base` the way chain specs do: objects merge key by key, anything else
/// replaces.
pub fn merge(base: &mut Value, patch: Value) {
	match (base, patch) {
		(Value::Object(base), Value::Object(patch)) => {
			for (key, value) in patch {
				merge(base.entry(key).or_insert(Value::Null), value);
			}
		}
		(base, patch) => *base = patch,
	}
}

/// The genesis state of `preset`.
pub fn genesis_ext(preset: &str) -> sp_io::TestExternalities {
	let patch: Value =
		serde_json::from_slice(&get_preset(&PresetId::from(preset)).expect("preset exists"))
			.expect("preset is JSON");
	let mut config = serde_json::to_value(RuntimeGenesisConfig::default()).expect("serializes");
	merge(&mut config, patch);
	let mut ext = sp_io::TestExternalities::default();
	ext.execute_with(|| {
		build_state::<RuntimeGenesisConfig>(serde_json::to_vec(&config).expect("serializes"))
			.expect("genesis builds");
	});
	ext
}

/// Builds the genesis state of `preset` and runs `check` in it.
pub fn with_genesis(preset: &str, check: impl FnOnce()) {
	genesis_ext(preset).execute_with(check);
}

/// `owner` registers a model (price 1 MDL, 5% royalty, 30% to miners, redundancy 3) and issues
/// `supply` shares of it to itself; returns the model's id.
pub fn register_and_issue(owner: &AccountId32, supply: u128) -> u32 {
	let model = pallet_model_registry::NextModelId::<Runtime>::get();
	let version = pallet_model_registry::VersionInput {
		weights_hash: [1; 32],
		weights_uri: b"file://weights".to_vec(),
		format: pallet_model_registry::WeightsFormat::Safetensors,
		architecture: b"mlp".to_vec(),
		dataset_fingerprint: [2; 32],
		licence: b"MIT".to_vec(),
		output_precision: 4,
		price_per_inference: UNIT,
	};
	let economics = pallet_model_registry::ModelEconomics {
		creator_royalty: Perbill::from_percent(5),
		miners_share: Perbill::from_percent(30),
		redundancy: 3,
	};
	assert_ok!(ModelRegistry::register_model(
		RuntimeOrigin::signed(owner.clone()),
		b"Digits".to_vec(),
		b"DGT".to_vec(),
		b"https://card".to_vec(),
		version,
		economics
	));
	assert_ok!(ModelShares::issue_shares(RuntimeOrigin::signed(owner.clone()), model, supply));
	model
}

/// A deterministic test account of `kind` number `index`.
pub fn account(kind: &str, index: u32) -> AccountId32 {
	AccountId32::from(sp_io::hashing::blake2_256(&(kind, index).encode()))
}

/// `who` registers as a miner of `versions` and bonds 2,000 MDL.
pub fn register_miner(who: &AccountId32, versions: Vec<ModelVersionRef>) {
	Balances::set_balance(who, 3_000 * UNIT);
	assert_ok!(ComputeStaking::register_worker(
		RuntimeOrigin::signed(who.clone()),
		WorkerRole::Miner,
		b"http://127.0.0.1:9/".to_vec(),
		b"1x CPU".to_vec(),
		versions
	));
	assert_ok!(ComputeStaking::bond(RuntimeOrigin::signed(who.clone()), 2_000 * UNIT));
}

/// `requester` asks `model` for an inference (2 MDL); the next block assigns its miners (see
/// [`assign_in_next_block`]). Returns the job and its miners.
pub fn request(requester: &AccountId32, model: u32) -> (u64, Vec<AccountId32>) {
	let job = pallet_inference::NextJobId::<Runtime>::get();
	assert_ok!(Inference::request_inference(
		RuntimeOrigin::signed(requester.clone()),
		model,
		InputArg::Inline(b"[0.1,0.2]".to_vec()),
		2 * UNIT
	));
	assign_in_next_block();
	System::events()
		.into_iter()
		.rev()
		.find_map(|record| match record.event {
			RuntimeEvent::Inference(pallet_inference::Event::JobAssigned {
				job: assigned,
				miners,
				..
			}) if assigned == job => Some((job, miners)),
			_ => None,
		})
		.expect("JobAssigned")
}

/// Moves to the next block as the executive would up to `on_poll`: the block's slot randomness
/// is set (what the author's VRF inherent does; here a hash of the block number) and the
/// inference pallet's `on_poll` assigns the miners of the jobs requested before.
pub fn assign_in_next_block() {
	use frame_support::{traits::Hooks, weights::WeightMeter};
	let next = System::block_number() + 1;
	System::set_block_number(next);
	pallet_slot_randomness::Randomness::<Runtime>::put(pallet_slot_randomness::BlockRandomness {
		value: sp_io::hashing::blake2_256(&(b"test-randomness", next).encode()),
		block: next,
	});
	Inference::on_poll(next, &mut WeightMeter::new());
}
