//! The runtime upgrade against a live chain's state, as `try-runtime on-runtime-upgrade` runs
//! it: every migration with its `pre_upgrade`/`post_upgrade` checks, every stored value decoded
//! with the new types, every pallet's `try_state`, the migrations' weight within a block, and
//! a second run that changes nothing (idempotence).
//!
//! The state is a snapshot the e2e test `runtime_upgrade.test.mjs` takes of its chain on the old
//! runtime (models, shares, an open order, pending revenue, a licence, an open proposal with
//! votes, bonded miners and a job in flight), in the block that set the new code, written to
//! `$MODELCHAIN_SNAPSHOT` as `[[key, value], …]` hex pairs. `./scripts/test.sh` runs it after the
//! e2e tests:
//!
//! ```sh
//! MODELCHAIN_SNAPSHOT=… SKIP_WASM_BUILD=1 cargo test --release -p modelchain-runtime \
//!     --features try-runtime --test live_upgrade
//! ```
//!
//! Why not `try-runtime-cli` itself: the crate of that name on crates.io is the polkadot v1.10
//! library (0.42.0, no binary, pinned to that release's crates), and the standalone CLI is only
//! on GitHub, which the build machines cannot reach. This test calls the same entry point the
//! CLI calls in the runtime (`Executive::try_runtime_upgrade`), natively instead of in wasm.
#![cfg(feature = "try-runtime")]

use frame_support::{traits::GetStorageVersion, weights::Weight};
use frame_try_runtime::UpgradeCheckSelect;
use modelchain_runtime::{
	ComputeStaking, Executive, ModelAccess, ModelGovernance, Runtime, VERSION,
};
use sp_core::Bytes;
use sp_runtime::{StateVersion, Storage};

/// `[[key, value], …]` in hex, as the e2e test writes it.
fn load_snapshot() -> Storage {
	let path = std::env::var("MODELCHAIN_SNAPSHOT").expect(
		"MODELCHAIN_SNAPSHOT: the state snapshot runtime_upgrade.test.mjs writes (run the e2e tests first)",
	);
	let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
	let pairs: Vec<(Bytes, Bytes)> =
		serde_json::from_str(&text).expect("[[key, value], …] in 0x-prefixed hex");
	let mut storage = Storage::default();
	storage.top.extend(pairs.into_iter().map(|(key, value)| (key.0, value.0)));
	storage
}

#[test]
fn the_upgrade_migrates_a_live_chains_state_and_keeps_every_invariant() {
	let storage = load_snapshot();
	assert!(storage.top.len() > 100, "a snapshot of a chain with state, not an empty one");
	let mut ext = sp_io::TestExternalities::new_with_state_version(storage, StateVersion::V1);
	ext.execute_with(|| {
		let last = frame_system::LastRuntimeUpgrade::<Runtime>::get().expect("an upgraded chain");
		assert!(
			last.spec_version.0 < VERSION.spec_version,
			"the snapshot is of an older runtime ({} vs {})",
			last.spec_version.0,
			VERSION.spec_version
		);

		// The pallets this upgrade migrates are behind their code (so the migrations run).
		let behind = || {
			[
				ComputeStaking::on_chain_storage_version()
					< ComputeStaking::in_code_storage_version(),
				ModelGovernance::on_chain_storage_version()
					< ModelGovernance::in_code_storage_version(),
				ModelAccess::on_chain_storage_version() < ModelAccess::in_code_storage_version(),
			]
		};
		assert_eq!(
			behind(),
			[true, true, true],
			"the snapshot is not of the layout this upgrade migrates"
		);

		let weight = Executive::try_runtime_upgrade(UpgradeCheckSelect::All)
			.unwrap_or_else(|e| panic!("the upgrade failed its checks: {e:?}"));
		let max: Weight = <Runtime as frame_system::Config>::BlockWeights::get().max_block;
		assert!(
			weight.all_lte(max),
			"the migrations weigh {weight:?}, more than a block ({max:?})"
		);

		// Once migrated, running the upgrade again changes nothing.
		let root = sp_io::storage::root(StateVersion::V1);
		Executive::try_runtime_upgrade(UpgradeCheckSelect::PreAndPost)
			.unwrap_or_else(|e| panic!("the second run failed its checks: {e:?}"));
		assert_eq!(sp_io::storage::root(StateVersion::V1), root, "a migration ran twice");
	});
}
