//! Only `pallet-model-shares` moves model shares: share assets live in `ShareAssets`, a
//! `pallet-assets` instance with no calls, so no origin (signed, root, sudo, a referendum) can
//! move, freeze, destroy or re-parameterise them through `pallet-assets`, while `Assets` stays
//! usable for everyone's own assets.

mod common;

use common::{register_and_issue, with_genesis};
use frame_support::assert_ok;
use modelchain_runtime::{
	configs::assets::SHARE_ASSET_ID_BASE, ModelShares, Runtime, RuntimeCall, RuntimeOrigin,
	ShareAssets,
};
use pallet_assets::Call as AssetsCall;
use sp_keyring::Sr25519Keyring;
use sp_runtime::{traits::Dispatchable, MultiAddress};

/// `ShareAssets` exposes no call in the metadata (so none exists in `RuntimeCall`), while its
/// storage and events are there for wallets and explorers.
#[test]
fn share_assets_have_no_calls() {
	use frame_support::__private::metadata::RuntimeMetadata;
	let metadata =
		sp_io::TestExternalities::default().execute_with(modelchain_runtime::Runtime::metadata);
	let RuntimeMetadata::V14(metadata) = metadata.1 else { panic!("the default metadata is V14") };
	let pallet = metadata.pallets.iter().find(|p| p.name == "ShareAssets").expect("ShareAssets");
	assert!(pallet.calls.is_none(), "ShareAssets has calls");
	assert!(pallet.storage.is_some() && pallet.event.is_some());
	let assets = metadata.pallets.iter().find(|p| p.name == "Assets").expect("Assets");
	assert!(assets.calls.is_some());
}

/// Every `Assets` call naming a share id, signed or from root, fails and changes nothing: the
/// shares are not in that instance.
#[test]
fn no_assets_call_from_any_origin_changes_a_share_asset() {
	with_genesis("development", || {
		frame_system::Pallet::<Runtime>::set_block_number(1);
		let alice = Sr25519Keyring::Alice.to_account_id();
		let bob = Sr25519Keyring::Bob.to_account_id();
		let model = register_and_issue(&alice, 1_000_000);
		let share = SHARE_ASSET_ID_BASE + model;
		assert_eq!(ShareAssets::balance(share, &alice), 1_000_000);
		let id = codec::Compact(share);
		let bob_addr = MultiAddress::Id(bob.clone());
		let alice_addr = MultiAddress::Id(alice.clone());

		let calls: Vec<AssetsCall<Runtime>> = vec![
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
			for origin in [RuntimeOrigin::signed(alice.clone()), RuntimeOrigin::root()] {
				let result = RuntimeCall::Assets(call.clone()).dispatch(origin);
				assert!(result.is_err(), "{name} succeeded on a share id");
			}
		}
		assert_eq!(sp_io::storage::root(sp_runtime::StateVersion::V1), before);
		assert_eq!(ShareAssets::balance(share, &alice), 1_000_000);

		// And shares move through the shares pallet.
		assert_ok!(ModelShares::transfer_shares(
			RuntimeOrigin::signed(alice),
			model,
			bob.clone(),
			10
		));
		assert_eq!(ShareAssets::balance(share, &bob), 10);
	});
}
