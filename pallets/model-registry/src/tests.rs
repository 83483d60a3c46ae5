//! Tests of the model registry: every call, every error path, provenance and the interface
//! used by the shares, governance and inference pallets.

use crate::{
	mock::*, Error, Event, HoldReason, ModelEconomics, Models, VersionInput, Versions,
	WeightsFormat,
};
use frame_support::{assert_noop, assert_ok, traits::fungible::InspectHold};
use modelchain_primitives::{
	ModelRegistryInterface, ModelStatus, ModelVersionInspect, ModelVersionRef,
};
use sp_runtime::{DispatchError, Perbill};

fn version(seed: u8) -> VersionInput<Balance> {
	VersionInput {
		weights_hash: [seed; 32],
		weights_uri: b"ipfs://weights".to_vec(),
		format: WeightsFormat::Onnx,
		architecture: b"mlp-64-32-10".to_vec(),
		dataset_fingerprint: [7; 32],
		licence: b"Apache-2.0".to_vec(),
		output_precision: 4,
		price_per_inference: 50,
	}
}

fn economics() -> ModelEconomics {
	ModelEconomics {
		creator_royalty: Perbill::from_percent(5),
		miners_share: Perbill::from_percent(30),
		redundancy: 3,
	}
}

fn register(owner: AccountId) -> u32 {
	let id = crate::NextModelId::<Test>::get();
	assert_ok!(Registry::register_model(
		RuntimeOrigin::signed(owner),
		b"Digits".to_vec(),
		b"DGT".to_vec(),
		b"https://model.card".to_vec(),
		version(1),
		economics()
	));
	id
}

fn held(who: AccountId) -> Balance {
	Balances::balance_on_hold(&HoldReason::ModelDeposit.into(), &who)
}

fn last_event() -> RuntimeEvent {
	System::events().pop().expect("an event").event
}

fn try_register(
	name: &[u8],
	symbol: &[u8],
	uri: &[u8],
	v: VersionInput<Balance>,
	e: ModelEconomics,
) -> sp_runtime::DispatchResult {
	Registry::register_model(
		RuntimeOrigin::signed(ALICE),
		name.to_vec(),
		symbol.to_vec(),
		uri.to_vec(),
		v,
		e,
	)
}

#[test]
fn registers_a_model_with_its_first_version_and_holds_the_deposit() {
	new_test_ext().execute_with(|| {
		let id = register(ALICE);
		let info = Models::<Test>::get(id).unwrap();
		assert_eq!(info.owner, ALICE);
		assert_eq!(info.name.to_vec(), b"Digits".to_vec());
		assert_eq!(info.status, ModelStatus::Active);
		assert_eq!(info.active_version, 0);
		assert_eq!(info.version_count, 1);
		assert!(!info.shares_issued);
		assert_eq!(info.deposit, MODEL_DEPOSIT + VERSION_DEPOSIT);
		assert_eq!(held(ALICE), MODEL_DEPOSIT + VERSION_DEPOSIT);
		let v = Versions::<Test>::get(id, 0).unwrap();
		assert_eq!(v.weights_hash, [1; 32]);
		assert_eq!(v.registered_at, 1);
		assert_eq!(
			last_event(),
			Event::ModelRegistered {
				model: id,
				owner: ALICE,
				weights_hash: [1; 32],
				deposit: MODEL_DEPOSIT + VERSION_DEPOSIT
			}
			.into()
		);
		assert_eq!(register(BOB), id + 1);
	});
}

#[test]
fn fails_to_register_with_bad_strings() {
	new_test_ext().execute_with(|| {
		let v = version(1);
		let e = economics();
		assert_noop!(try_register(b"", b"DGT", b"u", v.clone(), e), Error::<Test>::BadName);
		assert_noop!(try_register(&[b'n'; 17], b"DGT", b"u", v.clone(), e), Error::<Test>::BadName);
		assert_noop!(try_register(b"n", b"", b"u", v.clone(), e), Error::<Test>::BadSymbol);
		assert_noop!(try_register(b"n", b"dgt", b"u", v.clone(), e), Error::<Test>::BadSymbol);
		assert_noop!(try_register(b"n", b"TOOLONG", b"u", v.clone(), e), Error::<Test>::BadSymbol);
		assert_noop!(try_register(b"n", b"DGT", b"", v.clone(), e), Error::<Test>::BadUri);
		assert_noop!(try_register(b"n", b"DGT", &[b'u'; 33], v.clone(), e), Error::<Test>::BadUri);
		let mut bad = v.clone();
		bad.weights_uri = vec![];
		assert_noop!(try_register(b"n", b"DGT", b"u", bad, e), Error::<Test>::BadUri);
		let mut bad = v.clone();
		bad.architecture = vec![b'a'; 13];
		assert_noop!(try_register(b"n", b"DGT", b"u", bad, e), Error::<Test>::BadTag);
		let mut bad = v.clone();
		bad.licence = vec![];
		assert_noop!(try_register(b"n", b"DGT", b"u", bad, e), Error::<Test>::BadTag);
	});
}

#[test]
fn fails_to_register_with_bad_numbers() {
	new_test_ext().execute_with(|| {
		let e = economics();
		let mut bad = version(1);
		bad.output_precision = 19;
		assert_noop!(try_register(b"n", b"D", b"u", bad, e), Error::<Test>::BadPrecision);
		let mut bad = version(1);
		bad.price_per_inference = 0;
		assert_noop!(try_register(b"n", b"D", b"u", bad, e), Error::<Test>::ZeroPrice);
		let royalty_too_high = ModelEconomics { creator_royalty: Perbill::from_percent(21), ..e };
		assert_noop!(
			try_register(b"n", b"D", b"u", version(1), royalty_too_high),
			Error::<Test>::BadEconomics
		);
		let sum_too_high = ModelEconomics { miners_share: Perbill::from_percent(86), ..e };
		assert_noop!(
			try_register(b"n", b"D", b"u", version(1), sum_too_high),
			Error::<Test>::BadEconomics
		);
		for redundancy in [0, 8] {
			let bad = ModelEconomics { redundancy, ..e };
			assert_noop!(
				try_register(b"n", b"D", b"u", version(1), bad),
				Error::<Test>::BadRedundancy
			);
		}
	});
}

#[test]
fn fails_to_register_without_the_deposit_or_a_signature() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			Registry::register_model(
				RuntimeOrigin::signed(99),
				b"n".to_vec(),
				b"D".to_vec(),
				b"u".to_vec(),
				version(1),
				economics()
			),
			Error::<Test>::InsufficientBalance
		);
		assert_noop!(
			Registry::register_model(
				RuntimeOrigin::none(),
				b"n".to_vec(),
				b"D".to_vec(),
				b"u".to_vec(),
				version(1),
				economics()
			),
			DispatchError::BadOrigin
		);
	});
}

#[test]
fn appends_versions_and_keeps_the_history() {
	new_test_ext().execute_with(|| {
		let id = register(ALICE);
		assert_ok!(Registry::add_version(RuntimeOrigin::signed(ALICE), id, version(2)));
		assert_eq!(
			last_event(),
			Event::VersionAdded { model: id, version: 1, weights_hash: [2; 32] }.into()
		);
		assert_eq!(Models::<Test>::get(id).unwrap().active_version, 0);
		assert_eq!(held(ALICE), MODEL_DEPOSIT + 2 * VERSION_DEPOSIT);
		assert_ok!(Registry::add_version(RuntimeOrigin::signed(ALICE), id, version(3)));
		assert_noop!(
			Registry::add_version(RuntimeOrigin::signed(ALICE), id, version(4)),
			Error::<Test>::TooManyVersions
		);
		for (index, seed) in [(0, 1u8), (1, 2), (2, 3)] {
			assert_eq!(Versions::<Test>::get(id, index).unwrap().weights_hash, [seed; 32]);
		}
	});
}

#[test]
fn add_version_fails_cleanly() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			Registry::add_version(RuntimeOrigin::signed(ALICE), 0, version(2)),
			Error::<Test>::UnknownModel
		);
		let id = register(ALICE);
		assert_noop!(
			Registry::add_version(RuntimeOrigin::signed(BOB), id, version(2)),
			Error::<Test>::NotAllowed
		);
		let mut bad = version(2);
		bad.price_per_inference = 0;
		assert_noop!(
			Registry::add_version(RuntimeOrigin::signed(ALICE), id, bad),
			Error::<Test>::ZeroPrice
		);
		let poor_model = register(POOR);
		assert_noop!(
			Registry::add_version(RuntimeOrigin::signed(POOR), poor_model, version(2)),
			Error::<Test>::InsufficientBalance
		);
		assert_ok!(Registry::retire_model(RuntimeOrigin::signed(ALICE), id));
		assert_noop!(
			Registry::add_version(RuntimeOrigin::signed(ALICE), id, version(2)),
			Error::<Test>::Retired
		);
	});
}

#[test]
fn the_owner_switches_versions_until_shares_are_issued_then_only_governance() {
	new_test_ext().execute_with(|| {
		let id = register(ALICE);
		assert_ok!(Registry::add_version(RuntimeOrigin::signed(ALICE), id, version(2)));
		assert_noop!(
			Registry::set_active_version(RuntimeOrigin::signed(BOB), id, 1),
			Error::<Test>::NotAllowed
		);
		assert_noop!(
			Registry::set_active_version(RuntimeOrigin::signed(ALICE), id, 5),
			Error::<Test>::UnknownVersion
		);
		assert_noop!(
			Registry::set_active_version(RuntimeOrigin::signed(ALICE), id, 0),
			Error::<Test>::AlreadyActive
		);
		assert_ok!(Registry::set_active_version(RuntimeOrigin::signed(ALICE), id, 1));
		assert_eq!(last_event(), Event::ActiveVersionChanged { model: id, from: 0, to: 1 }.into());

		assert_ok!(<Registry as ModelRegistryInterface<_, _>>::note_shares_issued(id));
		assert_eq!(last_event(), Event::SharesIssued { model: id }.into());
		assert!(<Registry as ModelRegistryInterface<_, _>>::shares_issued(id));
		assert_noop!(
			<Registry as ModelRegistryInterface<_, _>>::note_shares_issued(id),
			Error::<Test>::SharesAlreadyIssued
		);
		for call in [
			Registry::set_active_version(RuntimeOrigin::signed(ALICE), id, 0),
			Registry::set_status(RuntimeOrigin::signed(ALICE), id, ModelStatus::Paused),
			Registry::set_metadata_uri(RuntimeOrigin::signed(ALICE), id, b"x".to_vec()),
			Registry::retire_model(RuntimeOrigin::signed(ALICE), id),
		] {
			assert_eq!(call, Err(Error::<Test>::GovernanceRequired.into()));
		}
		// Governance: a share-holder vote through the trait, or root.
		let v0 = ModelVersionRef { model: id, version: 0 };
		assert!(<Registry as ModelRegistryInterface<_, _>>::is_inactive_version(&v0));
		assert_ok!(<Registry as ModelRegistryInterface<_, _>>::activate_version(&v0));
		assert_eq!(Models::<Test>::get(id).unwrap().active_version, 0);
		assert_ok!(Registry::set_active_version(RuntimeOrigin::root(), id, 1));
	});
}

#[test]
fn pauses_resumes_and_updates_metadata() {
	new_test_ext().execute_with(|| {
		let id = register(ALICE);
		assert_noop!(
			Registry::set_status(RuntimeOrigin::signed(ALICE), id, ModelStatus::Active),
			Error::<Test>::SameStatus
		);
		assert_noop!(
			Registry::set_status(RuntimeOrigin::signed(ALICE), id, ModelStatus::Retired),
			Error::<Test>::UseRetire
		);
		assert_ok!(Registry::set_status(RuntimeOrigin::signed(ALICE), id, ModelStatus::Paused));
		assert_eq!(
			last_event(),
			Event::StatusChanged { model: id, status: ModelStatus::Paused }.into()
		);
		assert!(!<Registry as ModelRegistryInterface<_, _>>::is_active(id));
		assert!(<Registry as ModelRegistryInterface<_, _>>::serving_info(id).is_none());
		assert_ok!(Registry::set_status(RuntimeOrigin::signed(ALICE), id, ModelStatus::Active));
		assert_ok!(Registry::set_metadata_uri(
			RuntimeOrigin::signed(ALICE),
			id,
			b"https://v2".to_vec()
		));
		assert_eq!(Models::<Test>::get(id).unwrap().metadata_uri.to_vec(), b"https://v2".to_vec());
		assert_eq!(last_event(), Event::MetadataUriChanged { model: id }.into());
		assert_noop!(
			Registry::set_metadata_uri(RuntimeOrigin::signed(ALICE), id, vec![]),
			Error::<Test>::BadUri
		);
		assert_noop!(
			Registry::set_status(RuntimeOrigin::signed(ALICE), 42, ModelStatus::Paused),
			Error::<Test>::UnknownModel
		);
	});
}

#[test]
fn retiring_releases_the_deposit_and_keeps_provenance() {
	new_test_ext().execute_with(|| {
		let id = register(ALICE);
		assert_ok!(Registry::add_version(RuntimeOrigin::signed(ALICE), id, version(2)));
		assert_noop!(
			Registry::retire_model(RuntimeOrigin::signed(BOB), id),
			Error::<Test>::NotAllowed
		);
		assert_ok!(Registry::retire_model(RuntimeOrigin::signed(ALICE), id));
		assert_eq!(
			last_event(),
			Event::ModelRetired {
				model: id,
				deposit_released: MODEL_DEPOSIT + 2 * VERSION_DEPOSIT
			}
			.into()
		);
		assert_eq!(held(ALICE), 0);
		let info = Models::<Test>::get(id).unwrap();
		assert_eq!(info.status, ModelStatus::Retired);
		assert!(Versions::<Test>::get(id, 1).is_some());
		let v0 = ModelVersionRef { model: id, version: 0 };
		assert!(!<Registry as ModelVersionInspect>::version_exists(&v0));
		assert_noop!(Registry::retire_model(RuntimeOrigin::root(), id), Error::<Test>::Retired);
		assert_noop!(
			Registry::set_status(RuntimeOrigin::root(), id, ModelStatus::Active),
			Error::<Test>::Retired
		);
		assert_noop!(
			<Registry as ModelRegistryInterface<_, _>>::activate_version(&v0),
			Error::<Test>::Retired
		);
	});
}

#[test]
fn serves_its_active_version_to_other_pallets() {
	new_test_ext().execute_with(|| {
		let id = register(ALICE);
		let serving = <Registry as ModelRegistryInterface<_, _>>::serving_info(id).unwrap();
		assert_eq!(serving.creator, ALICE);
		assert_eq!(serving.version, ModelVersionRef { model: id, version: 0 });
		assert_eq!(serving.price, 50);
		assert_eq!(serving.output_precision, 4);
		assert_eq!(serving.redundancy, 3);
		assert_eq!(serving.creator_royalty, Perbill::from_percent(5));
		assert_eq!(
			<Registry as ModelRegistryInterface<_, _>>::name_and_symbol(id),
			Some((b"Digits".to_vec(), b"DGT".to_vec()))
		);
		assert_eq!(<Registry as ModelRegistryInterface<_, _>>::owner(id), Some(ALICE));
		assert!(<Registry as ModelVersionInspect>::version_exists(&ModelVersionRef {
			model: id,
			version: 0
		}));
		assert!(!<Registry as ModelVersionInspect>::version_exists(&ModelVersionRef {
			model: id,
			version: 1
		}));
		assert!(!<Registry as ModelRegistryInterface<_, _>>::is_inactive_version(
			&ModelVersionRef { model: id, version: 0 }
		));
		assert!(<Registry as ModelRegistryInterface<_, _>>::serving_info(99).is_none());
	});
}

/// The invariants checked after every test catch a broken book (so that check can fail).
#[test]
fn try_state_catches_a_version_count_the_versions_do_not_match() {
	new_test_ext().execute_with(|| {
		let model = register(ALICE);
		assert_ok!(Registry::do_try_state());
		Models::<Test>::mutate(model, |info| info.as_mut().unwrap().version_count += 1);
		assert!(Registry::do_try_state().is_err());
		Models::<Test>::mutate(model, |info| info.as_mut().unwrap().version_count -= 1);
	});
}
