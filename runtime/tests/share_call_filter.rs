//! Only `pallet-model-shares` moves model shares: every `pallet-assets` call on a share asset is
//! rejected by the call filter and changes nothing, while other assets stay usable.

mod common;

use common::{register_and_issue, with_genesis};
use frame_support::assert_ok;
use modelchain_runtime::{
	configs::assets::SHARE_ASSET_ID_BASE, Assets, ModelShares, Runtime, RuntimeCall, RuntimeOrigin,
};
use pallet_assets::Call as AssetsCall;
use sp_keyring::Sr25519Keyring;
use sp_runtime::{traits::Dispatchable, MultiAddress};

#[test]
fn every_assets_call_on_a_share_asset_is_filtered_and_changes_nothing() {
	with_genesis("development", || {
		frame_system::Pallet::<Runtime>::set_block_number(1);
		let alice = Sr25519Keyring::Alice.to_account_id();
		let bob = Sr25519Keyring::Bob.to_account_id();
		let model = register_and_issue(&alice, 1_000_000);
		let share = SHARE_ASSET_ID_BASE + model;
		assert_eq!(Assets::balance(share, &alice), 1_000_000);
		let id = codec::Compact(share);
		let new_id = codec::Compact(share + 1);
		let bob_addr = MultiAddress::Id(bob.clone());
		let alice_addr = MultiAddress::Id(alice.clone());

		let calls: Vec<AssetsCall<Runtime>> = vec![
			AssetsCall::create { id: new_id, admin: alice_addr.clone(), min_balance: 1 },
			AssetsCall::transfer { id, target: bob_addr.clone(), amount: 1 },
			AssetsCall::transfer_keep_alive { id, target: bob_addr.clone(), amount: 1 },
			AssetsCall::transfer_all { id, dest: bob_addr.clone(), keep_alive: false },
			AssetsCall::force_transfer {
				id,
				source: alice_addr.clone(),
				dest: bob_addr.clone(),
				amount: 1,
			},
			AssetsCall::approve_transfer { id, delegate: bob_addr.clone(), amount: 1 },
			AssetsCall::transfer_approved {
				id,
				owner: alice_addr.clone(),
				destination: bob_addr.clone(),
				amount: 1,
			},
			AssetsCall::cancel_approval { id, delegate: bob_addr.clone() },
			AssetsCall::force_cancel_approval {
				id,
				owner: alice_addr.clone(),
				delegate: bob_addr.clone(),
			},
			AssetsCall::mint { id, beneficiary: alice_addr.clone(), amount: 1 },
			AssetsCall::burn { id, who: alice_addr.clone(), amount: 1 },
			AssetsCall::freeze { id, who: alice_addr.clone() },
			AssetsCall::thaw { id, who: alice_addr.clone() },
			AssetsCall::block { id, who: alice_addr.clone() },
			AssetsCall::freeze_asset { id },
			AssetsCall::thaw_asset { id },
			AssetsCall::transfer_ownership { id, owner: alice_addr.clone() },
			AssetsCall::set_team {
				id,
				issuer: alice_addr.clone(),
				admin: alice_addr.clone(),
				freezer: alice_addr.clone(),
			},
			AssetsCall::set_metadata {
				id,
				name: b"X".to_vec(),
				symbol: b"X".to_vec(),
				decimals: 0,
			},
			AssetsCall::clear_metadata { id },
			AssetsCall::set_min_balance { id, min_balance: 2 },
			AssetsCall::start_destroy { id },
			AssetsCall::destroy_accounts { id },
			AssetsCall::destroy_approvals { id },
			AssetsCall::finish_destroy { id },
			AssetsCall::touch { id },
			AssetsCall::touch_other { id, who: bob_addr.clone() },
			AssetsCall::refund { id, allow_burn: true },
			AssetsCall::refund_other { id, who: bob_addr.clone() },
			AssetsCall::force_create {
				id: new_id,
				owner: alice_addr.clone(),
				is_sufficient: false,
				min_balance: 1,
			},
			AssetsCall::force_set_metadata {
				id,
				name: b"X".to_vec(),
				symbol: b"X".to_vec(),
				decimals: 0,
				is_frozen: false,
			},
			AssetsCall::force_clear_metadata { id },
			AssetsCall::force_asset_status {
				id,
				owner: alice_addr.clone(),
				issuer: alice_addr.clone(),
				admin: alice_addr.clone(),
				freezer: alice_addr.clone(),
				min_balance: 1,
				is_sufficient: false,
				is_frozen: false,
			},
			AssetsCall::set_reserves { id, reserves: Default::default() },
		];
		let before = sp_io::storage::root(sp_runtime::StateVersion::V1);
		for call in calls {
			let name = format!("{call:?}");
			let result = RuntimeCall::Assets(call).dispatch(RuntimeOrigin::signed(alice.clone()));
			let error = result.expect_err(&name).error;
			assert_eq!(
				error,
				frame_system::Error::<Runtime>::CallFiltered.into(),
				"{name} was not filtered"
			);
		}
		assert_eq!(sp_io::storage::root(sp_runtime::StateVersion::V1), before);
		assert_eq!(Assets::balance(share, &alice), 1_000_000);

		// The filter only covers share assets: an ordinary asset still works.
		let ordinary = RuntimeCall::Assets(AssetsCall::create {
			id: codec::Compact(7),
			admin: alice_addr,
			min_balance: 1,
		});
		assert_ok!(ordinary.dispatch(RuntimeOrigin::signed(alice.clone())));
		// And shares move through the shares pallet.
		assert_ok!(ModelShares::transfer_shares(
			RuntimeOrigin::signed(alice),
			model,
			bob.clone(),
			10
		));
		assert_eq!(Assets::balance(share, &bob), 10);
	});
}
