use crate::{mock::*, Error, Event, Validators};
use frame_support::{assert_noop, assert_ok, traits::fungible::InspectHold};
use proptest::prelude::*;
use sp_runtime::{BuildStorage, DispatchError};

fn validators() -> Vec<AccountId> {
	Validators::<Test>::get().into_inner()
}

fn active() -> Vec<AccountId> {
	pallet_session::Validators::<Test>::get()
}

/// The members of the set with session keys.
fn registered() -> Vec<AccountId> {
	validators()
		.into_iter()
		.filter(|who| pallet_session::NextKeys::<Test>::contains_key(who))
		.collect()
}

fn events() -> Vec<Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|record| match record.event {
			RuntimeEvent::ValidatorSet(event) => Some(event),
			_ => None,
		})
		.collect()
}

#[test]
fn the_mock_passes_the_integrity_test() {
	use frame_support::traits::Hooks;
	new_test_ext().execute_with(<ValidatorSet as Hooks<u64>>::integrity_test);
}

#[test]
fn genesis_sets_the_session_validators() {
	new_test_ext().execute_with(|| {
		assert_eq!(validators(), vec![1, 2, 3]);
		assert_eq!(active(), vec![1, 2, 3]);
		assert_eq!(Authorities::get(), vec![1, 2, 3]);
	});
}

#[test]
#[should_panic(expected = "listed twice")]
fn genesis_refuses_duplicates() {
	new_test_ext_with(vec![1, 2, 1]);
}

#[test]
#[should_panic(expected = "more than MaxValidators")]
fn genesis_refuses_too_many() {
	new_test_ext_with(vec![1, 2, 3, 4, 5, 6]);
}

#[test]
fn an_empty_genesis_set_starts_from_the_session_keys() {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: vec![(1, ENDOWMENT), (2, ENDOWMENT)],
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	pallet_session::GenesisConfig::<Test> {
		keys: vec![(1, 1, 1.into()), (2, 2, 2.into())],
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	sp_io::TestExternalities::new(storage).execute_with(|| {
		System::set_block_number(1);
		assert!(validators().is_empty());
		assert_eq!(active(), vec![1, 2]);
		assert_eq!(ValidatorSet::members().into_inner(), vec![1, 2]);
		// Unchanged: nothing is planned.
		rotate_sessions(2);
		assert_eq!(active(), vec![1, 2]);
		assert_eq!(events(), vec![]);
		// The first change starts from the active set.
		assert_ok!(pallet_balances::Pallet::<Test>::force_set_balance(
			RuntimeOrigin::root(),
			3,
			ENDOWMENT
		));
		set_keys(3);
		assert_ok!(ValidatorSet::add_validator(RuntimeOrigin::root(), 3));
		assert_eq!(validators(), vec![1, 2, 3]);
		rotate_sessions(2);
		assert_eq!(active(), vec![1, 2, 3]);
	});
}

#[test]
fn add_validator_takes_effect_two_sessions_later() {
	new_test_ext().execute_with(|| {
		set_keys(4);
		assert_ok!(ValidatorSet::add_validator(RuntimeOrigin::root(), 4));
		assert_eq!(validators(), vec![1, 2, 3, 4]);
		assert_eq!(events(), vec![Event::ValidatorAdded { who: 4 }]);
		// Nothing changes before the session ends.
		assert_eq!(active(), vec![1, 2, 3]);

		// Session 0 ends: the set is planned for session 2.
		rotate_sessions(1);
		assert_eq!(Session::current_index(), 1);
		assert!(events().contains(&Event::NewSetPlanned { session: 2, validators: 4 }));
		assert_eq!(active(), vec![1, 2, 3]);
		assert_eq!(Authorities::get(), vec![1, 2, 3]);

		// Session 2 starts with 4 in it; nothing more is planned after that.
		rotate_sessions(1);
		assert_eq!(active(), vec![1, 2, 3, 4]);
		assert_eq!(Authorities::get(), vec![1, 2, 3, 4]);
		rotate_sessions(2);
		let planned = events().iter().filter(|e| matches!(e, Event::NewSetPlanned { .. })).count();
		assert_eq!(planned, 1);
	});
}

#[test]
fn an_unchanged_set_is_not_handed_to_session() {
	new_test_ext().execute_with(|| {
		rotate_sessions(3);
		assert!(events().is_empty());
		let queued = System::events()
			.iter()
			.filter(|r| matches!(r.event, RuntimeEvent::Session(pallet_session::Event::NewQueued)))
			.count();
		assert_eq!(queued, 0);
		assert_eq!(active(), vec![1, 2, 3]);
	});
}

#[test]
fn add_validator_errors_change_nothing() {
	new_test_ext().execute_with(|| {
		set_keys(4);
		assert_noop!(
			ValidatorSet::add_validator(RuntimeOrigin::signed(1), 4),
			DispatchError::BadOrigin
		);
		assert_noop!(
			ValidatorSet::add_validator(RuntimeOrigin::root(), 5),
			Error::<Test>::NoSessionKeys
		);
		assert_noop!(
			ValidatorSet::add_validator(RuntimeOrigin::root(), 2),
			Error::<Test>::AlreadyValidator
		);
		set_keys(5);
		set_keys(6);
		assert_ok!(ValidatorSet::add_validator(RuntimeOrigin::root(), 4));
		assert_ok!(ValidatorSet::add_validator(RuntimeOrigin::root(), 5));
		assert_noop!(
			ValidatorSet::add_validator(RuntimeOrigin::root(), 6),
			Error::<Test>::TooManyValidators
		);
		assert_eq!(validators(), vec![1, 2, 3, 4, 5]);
	});
}

#[test]
fn remove_validator_takes_effect_two_sessions_later() {
	new_test_ext().execute_with(|| {
		assert_ok!(ValidatorSet::remove_validator(RuntimeOrigin::root(), 2));
		assert_eq!(validators(), vec![1, 3]);
		assert_eq!(events(), vec![Event::ValidatorRemoved { who: 2 }]);
		rotate_sessions(1);
		assert_eq!(active(), vec![1, 2, 3]);
		rotate_sessions(1);
		assert_eq!(active(), vec![1, 3]);
		assert_eq!(Authorities::get(), vec![1, 3]);
	});
}

#[test]
fn a_removed_validator_keeps_its_keys_and_deposit_until_it_purges_them() {
	new_test_ext().execute_with(|| {
		let held = |who| Balances::balance_on_hold(&pallet_session::HoldReason::Keys.into(), &who);
		set_keys(4);
		assert_eq!(held(4), KEY_DEPOSIT);
		assert_ok!(ValidatorSet::add_validator(RuntimeOrigin::root(), 4));
		rotate_sessions(2);
		assert_eq!(active(), vec![1, 2, 3, 4]);
		assert_ok!(ValidatorSet::remove_validator(RuntimeOrigin::root(), 4));
		rotate_sessions(2);
		assert_eq!(active(), vec![1, 2, 3]);
		assert_eq!(held(4), KEY_DEPOSIT);
		assert_ok!(Session::purge_keys(RuntimeOrigin::signed(4)));
		assert_eq!(held(4), 0);
		assert_eq!(Balances::free_balance(4), ENDOWMENT);
	});
}

#[test]
fn remove_validator_errors_change_nothing() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			ValidatorSet::remove_validator(RuntimeOrigin::signed(1), 2),
			DispatchError::BadOrigin
		);
		assert_noop!(
			ValidatorSet::remove_validator(RuntimeOrigin::root(), 7),
			Error::<Test>::NotValidator
		);
		assert_ok!(ValidatorSet::remove_validator(RuntimeOrigin::root(), 3));
		// MinValidators is 2.
		assert_noop!(
			ValidatorSet::remove_validator(RuntimeOrigin::root(), 1),
			Error::<Test>::TooFewValidators
		);
		assert_eq!(validators(), vec![1, 2]);
	});
}

#[test]
fn a_validator_without_keys_is_left_out_of_the_planned_set() {
	new_test_ext().execute_with(|| {
		set_keys(4);
		assert_ok!(ValidatorSet::add_validator(RuntimeOrigin::root(), 4));
		assert_ok!(Session::purge_keys(RuntimeOrigin::signed(3)));
		rotate_sessions(2);
		assert!(events().contains(&Event::NewSetPlanned { session: 2, validators: 3 }));
		assert_eq!(active(), vec![1, 2, 4]);
		// 3 stays in the set: with keys again it comes back two sessions later.
		assert_eq!(validators(), vec![1, 2, 3, 4]);
		set_keys(3);
		rotate_sessions(2);
		assert_eq!(active(), vec![1, 2, 3, 4]);
	});
}

#[test]
fn too_few_keys_defers_the_change_and_keeps_the_current_set() {
	new_test_ext().execute_with(|| {
		set_keys(4);
		assert_ok!(ValidatorSet::add_validator(RuntimeOrigin::root(), 4));
		for who in [2, 3, 4] {
			assert_ok!(Session::purge_keys(RuntimeOrigin::signed(who)));
		}
		rotate_sessions(1);
		assert!(events().contains(&Event::SetChangeDeferred { session: 2, registered: 1 }));
		rotate_sessions(1);
		// The active set stays, less the validators without keys: pallet-session drops them,
		// even below `MinValidators` (hence the validator guide: remove a validator, then purge its keys).
		assert_eq!(active(), vec![1]);

		// 4 registers again: the change goes through at the next session.
		set_keys(4);
		rotate_sessions(1);
		let planned_at = Session::current_index() + 1;
		assert!(events().contains(&Event::NewSetPlanned { session: planned_at, validators: 2 }));
		rotate_sessions(1);
		assert_eq!(active(), vec![1, 4]);
	});
}

#[test]
fn a_change_undone_before_the_session_ends_plans_nothing() {
	new_test_ext().execute_with(|| {
		set_keys(4);
		assert_ok!(ValidatorSet::add_validator(RuntimeOrigin::root(), 4));
		assert_ok!(ValidatorSet::remove_validator(RuntimeOrigin::root(), 4));
		rotate_sessions(2);
		assert!(!events().iter().any(|e| matches!(e, Event::NewSetPlanned { .. })));
		assert_eq!(active(), vec![1, 2, 3]);
	});
}

#[test]
fn remove_validator_keeps_min_validators_with_keys() {
	new_test_ext().execute_with(|| {
		// 3 purged its keys: removing 2 would leave only 1 with keys.
		assert_ok!(Session::purge_keys(RuntimeOrigin::signed(3)));
		assert_noop!(
			ValidatorSet::remove_validator(RuntimeOrigin::root(), 2),
			Error::<Test>::TooFewValidators
		);
		assert_ok!(ValidatorSet::remove_validator(RuntimeOrigin::root(), 3));
		assert_eq!(validators(), vec![1, 2]);
	});
}

#[derive(Clone, Debug)]
enum Step {
	Add(AccountId),
	Remove(AccountId),
	SetKeys(AccountId),
	PurgeKeys(AccountId),
	Blocks(u64),
}

fn step() -> impl Strategy<Value = Step> {
	prop_oneof![
		(1u64..=8).prop_map(Step::Add),
		(1u64..=8).prop_map(Step::Remove),
		(1u64..=8).prop_map(Step::SetKeys),
		(1u64..=8).prop_map(Step::PurgeKeys),
		(1u64..=12).prop_map(Step::Blocks),
	]
}

proptest! {
	#![proptest_config(ProptestConfig::with_cases(200))]

	/// Whatever root and the validators do, the set stays within bounds and without duplicates,
	/// failed calls change nothing, the chain always has validators, and two sessions after the
	/// last change the active set is exactly the set's members with keys.
	#[test]
	fn the_set_is_always_bounded_and_applied(steps in proptest::collection::vec(step(), 1..40)) {
		new_test_ext().execute_with(|| {
			for step in steps {
				match step {
					Step::Add(who) => {
						let before = validators();
						let result = ValidatorSet::add_validator(RuntimeOrigin::root(), who);
						if result.is_err() {
							prop_assert_eq!(validators(), before);
						}
					},
					Step::Remove(who) => {
						let before = validators();
						let result = ValidatorSet::remove_validator(RuntimeOrigin::root(), who);
						if result.is_err() {
							prop_assert_eq!(validators(), before);
						}
					},
					Step::SetKeys(who) => {
						let _ = Session::set_keys(RuntimeOrigin::signed(who), who.into(), Vec::new());
					},
					// Operators do not purge the keys of a validator still needed (the validator guide
					// says to remove it first): the set keeps `MinValidators` with keys.
					Step::PurgeKeys(who) => {
						let with_keys = registered();
						if !with_keys.contains(&who) || with_keys.len() > 2 {
							let _ = Session::purge_keys(RuntimeOrigin::signed(who));
						}
					},
					Step::Blocks(count) => run_to_block(System::block_number() + count),
				}
				let set = validators();
				let mut distinct = set.clone();
				distinct.sort();
				distinct.dedup();
				prop_assert_eq!(distinct.len(), set.len());
				prop_assert!(set.len() >= 2 && set.len() <= 5);
				prop_assert!(registered().len() >= 2);
				prop_assert!(!active().is_empty());
				prop_assert!(!Authorities::get().is_empty());
			}
			// Settle: two more sessions with no change; then the active set is the set's members
			// with keys, and it is not handed over again.
			rotate_sessions(2);
			prop_assert_eq!(active(), registered());
			System::reset_events();
			rotate_sessions(2);
			prop_assert!(events().is_empty());
			Ok(())
		})?;
	}
}

/// The invariants checked after every test catch a validator listed twice (so that check can
/// fail).
#[test]
fn try_state_catches_a_validator_listed_twice() {
	new_test_ext().execute_with(|| {
		assert_ok!(ValidatorSet::do_try_state());
		let set = Validators::<Test>::get();
		let mut twice = set.clone();
		twice.try_push(set[0]).unwrap();
		Validators::<Test>::put(twice);
		assert!(ValidatorSet::do_try_state().is_err());
		Validators::<Test>::put(set);
	});
}
