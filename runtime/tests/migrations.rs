//! The runtime's storage migrations, run on the storage layout they migrate from.

mod common;

use common::{register_and_issue, with_genesis};
use frame_support::{
	assert_ok,
	traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion},
};
use modelchain_runtime::{
	migrations::{MoveSharesToShareAssets, UncheckedMoveSharesToShareAssets},
	ModelShares, Runtime, RuntimeOrigin, ShareAssets, System,
};
use pallet_assets::{ExistenceReason, Instance2};
use sp_keyring::Sr25519Keyring;

/// Puts the share assets back where spec 107 kept them: in `Assets`, not sufficient, each
/// holder with a consumer reference; the shares pallet at storage version 1.
fn to_spec_107_layout() {
	let ids: Vec<u32> = pallet_assets::Asset::<Runtime, Instance2>::iter_keys().collect();
	for id in ids {
		let mut details = pallet_assets::Asset::<Runtime, Instance2>::take(id).unwrap();
		for (who, mut account) in pallet_assets::Account::<Runtime, Instance2>::drain_prefix(id) {
			account.reason = ExistenceReason::Consumer;
			System::inc_consumers(&who).unwrap();
			System::dec_sufficients(&who);
			pallet_assets::Account::<Runtime>::insert(id, &who, account);
		}
		details.is_sufficient = false;
		details.sufficients = 0;
		pallet_assets::Asset::<Runtime>::insert(id, details);
		let metadata = pallet_assets::Metadata::<Runtime, Instance2>::take(id);
		pallet_assets::Metadata::<Runtime>::insert(id, metadata);
	}
	StorageVersion::new(1).put::<pallet_model_shares::Pallet<Runtime>>();
}

#[test]
fn spec_108_moves_every_share_holding_to_share_assets_unchanged() {
	with_genesis("development", || {
		System::set_block_number(1);
		let alice = Sr25519Keyring::Alice.to_account_id();
		let bob = Sr25519Keyring::Bob.to_account_id();
		let first = register_and_issue(&alice, 1_000_000);
		let second = register_and_issue(&bob, 5_000);
		assert_ok!(ModelShares::transfer_shares(
			RuntimeOrigin::signed(alice.clone()),
			first,
			bob.clone(),
			250
		));
		assert_ok!(ModelShares::create_order(RuntimeOrigin::signed(bob.clone()), second, 100, 7));
		to_spec_107_layout();
		let before = UncheckedMoveSharesToShareAssets::share_books(false);
		assert_eq!(before.assets.len(), 2);
		assert_eq!(before.holdings.len(), 4, "alice, bob, bob and the escrow");
		assert_eq!(UncheckedMoveSharesToShareAssets::share_books(true), Default::default());
		// Bob's two holdings each take a consumer reference (his order deposit one more).
		let bob_consumers = System::consumers(&bob);

		MoveSharesToShareAssets::on_runtime_upgrade();

		assert_ok!(UncheckedMoveSharesToShareAssets::check_moved(&before));
		assert_eq!(ModelShares::on_chain_storage_version(), 2);
		assert_eq!(System::consumers(&bob), bob_consumers - 2);
		assert_eq!(System::sufficients(&bob), 2);
		// Shares move and orders fill as before.
		assert_ok!(ModelShares::transfer_shares(
			RuntimeOrigin::signed(bob.clone()),
			first,
			alice.clone(),
			50
		));
		assert_ok!(ModelShares::fill_order(RuntimeOrigin::signed(alice.clone()), 0, 10));
		assert_eq!(
			ShareAssets::balance(
				modelchain_runtime::configs::assets::SHARE_ASSET_ID_BASE + second,
				&alice
			),
			10
		);

		// Once is enough: the version gate skips a second run.
		let after = UncheckedMoveSharesToShareAssets::share_books(true);
		MoveSharesToShareAssets::on_runtime_upgrade();
		assert_eq!(UncheckedMoveSharesToShareAssets::share_books(true), after);
	});
}
