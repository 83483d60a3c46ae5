//! Tests of the compute-staking pallet: every call's happy path and error paths, slashing
//! (including funds in the unbonding queue), jail expiry, and a property test that no funds are
//! created or lost.

use crate::{
	mock::*, Error, Event, HoldReason, MinersByVersion, MissedInARow, Parameters, WorkerStatus,
	Workers,
};
use frame_support::{
	assert_noop, assert_ok,
	traits::fungible::{Inspect, InspectHold, Mutate},
};
use modelchain_primitives::{ComputeStakingInterface, ModelVersionRef, SlashReason, WorkerRole};
use sp_runtime::{DispatchError, Perbill};

const V00: ModelVersionRef = ModelVersionRef { model: 0, version: 0 };
const V01: ModelVersionRef = ModelVersionRef { model: 0, version: 1 };
const V10: ModelVersionRef = ModelVersionRef { model: 1, version: 0 };
const UNKNOWN: ModelVersionRef = ModelVersionRef { model: 7, version: 0 };

fn endpoint() -> Vec<u8> {
	b"http://127.0.0.1:8080".to_vec()
}

fn register(who: AccountId, role: WorkerRole, versions: Vec<ModelVersionRef>) {
	assert_ok!(ComputeStaking::register_worker(
		RuntimeOrigin::signed(who),
		role,
		endpoint(),
		b"1x H100".to_vec(),
		versions
	));
}

fn register_bonded_miner(who: AccountId, bond: Balance) {
	register(who, WorkerRole::Miner, vec![V00]);
	assert_ok!(ComputeStaking::bond(RuntimeOrigin::signed(who), bond));
}

fn held_bond(who: AccountId) -> Balance {
	Balances::balance_on_hold(&HoldReason::WorkerBond.into(), &who)
}

fn held_deposit(who: AccountId) -> Balance {
	Balances::balance_on_hold(&HoldReason::WorkerRegistration.into(), &who)
}

fn last_event() -> RuntimeEvent {
	System::events().pop().expect("an event").event
}

fn eligible(version: ModelVersionRef, role: WorkerRole) -> Vec<(AccountId, Balance)> {
	<ComputeStaking as ComputeStakingInterface<_, _>>::eligible_workers(&version, role, 10)
}

/// The miners holding a slot of `version`, with the stake they are drawn with.
fn in_index(version: ModelVersionRef) -> Vec<(AccountId, Balance)> {
	MinersByVersion::<Test>::get(version).into_iter().map(|c| (c.miner, c.stake)).collect()
}

// ---- register_worker ----

#[test]
fn registers_a_worker_and_holds_the_deposit() {
	new_test_ext().execute_with(|| {
		register(ALICE, WorkerRole::Miner, vec![V00, V01]);
		let worker = Workers::<Test>::get(ALICE).unwrap();
		assert_eq!(worker.role, WorkerRole::Miner);
		assert_eq!(worker.endpoint.to_vec(), endpoint());
		assert_eq!(worker.versions.to_vec(), vec![V00, V01]);
		assert_eq!(worker.active_bond, 0);
		assert_eq!(worker.status, WorkerStatus::Active);
		assert_eq!(held_deposit(ALICE), DEPOSIT);
		assert_eq!(
			last_event(),
			Event::WorkerRegistered { worker: ALICE, role: WorkerRole::Miner, deposit: DEPOSIT }
				.into()
		);
		// Unbonded: no slot of either version yet; bonding takes one of each.
		assert!(MinersByVersion::<Test>::get(V00).is_empty());
		assert_ok!(ComputeStaking::bond(RuntimeOrigin::signed(ALICE), MIN_MINER_BOND));
		assert_eq!(in_index(V00), vec![(ALICE, MIN_MINER_BOND)]);
		assert_eq!(in_index(V01), vec![(ALICE, MIN_MINER_BOND)]);
	});
}

#[test]
fn fails_when_registering_twice() {
	new_test_ext().execute_with(|| {
		register(ALICE, WorkerRole::Miner, vec![V00]);
		assert_noop!(
			ComputeStaking::register_worker(
				RuntimeOrigin::signed(ALICE),
				WorkerRole::Miner,
				endpoint(),
				vec![],
				vec![V00]
			),
			Error::<Test>::AlreadyRegistered
		);
	});
}

#[test]
fn fails_when_the_endpoint_is_too_long_or_not_http() {
	new_test_ext().execute_with(|| {
		let long = [b"http://".to_vec(), vec![b'a'; 40]].concat();
		assert_noop!(
			ComputeStaking::register_worker(
				RuntimeOrigin::signed(ALICE),
				WorkerRole::Miner,
				long,
				vec![],
				vec![V00]
			),
			Error::<Test>::EndpointTooLong
		);
		for bad in [b"".to_vec(), b"ftp://host".to_vec(), b"127.0.0.1:80".to_vec()] {
			assert_noop!(
				ComputeStaking::register_worker(
					RuntimeOrigin::signed(ALICE),
					WorkerRole::Miner,
					bad,
					vec![],
					vec![V00]
				),
				Error::<Test>::InvalidEndpoint
			);
		}
	});
}

#[test]
fn fails_when_the_hardware_description_is_too_long() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			ComputeStaking::register_worker(
				RuntimeOrigin::signed(ALICE),
				WorkerRole::Miner,
				endpoint(),
				vec![b'x'; 17],
				vec![V00]
			),
			Error::<Test>::HardwareTooLong
		);
	});
}

#[test]
fn fails_when_versions_are_unknown_duplicated_or_too_many() {
	new_test_ext().execute_with(|| {
		let try_versions = |versions: Vec<ModelVersionRef>| {
			ComputeStaking::register_worker(
				RuntimeOrigin::signed(ALICE),
				WorkerRole::Miner,
				endpoint(),
				vec![],
				versions,
			)
		};
		assert_noop!(try_versions(vec![UNKNOWN]), Error::<Test>::UnknownVersion);
		assert_noop!(try_versions(vec![V00, V00]), Error::<Test>::DuplicateVersion);
		assert_noop!(try_versions(vec![V00, V01, V10]), Error::<Test>::TooManyVersions);
	});
}

#[test]
fn fails_when_a_version_has_no_room_for_another_worker() {
	new_test_ext().execute_with(|| {
		for who in 10..10 + MAX_WORKERS_PER_VERSION as u64 {
			Balances::set_balance(&who, ENDOWMENT);
			register_bonded_miner(who, MIN_MINER_BOND);
		}
		// Registering takes no slot; bonding would, and the version is full.
		register(ALICE, WorkerRole::Miner, vec![V00]);
		assert_noop!(
			ComputeStaking::bond(RuntimeOrigin::signed(ALICE), MIN_MINER_BOND),
			Error::<Test>::VersionFull
		);
		// A miner that chills gives its slot up.
		assert_ok!(ComputeStaking::chill(RuntimeOrigin::signed(10)));
		assert_ok!(ComputeStaking::bond(RuntimeOrigin::signed(ALICE), MIN_MINER_BOND));
		assert_noop!(ComputeStaking::resume(RuntimeOrigin::signed(10)), Error::<Test>::VersionFull);
	});
}

/// H-6: registrations that cannot serve (no bond, a verifier, a chilled miner) used to count
/// against a version's `MaxWorkersPerVersion` slots, so ~1 MDL deposits could lock honest
/// miners out of a version for good. They hold no slot: an honest miner still joins and is
/// eligible however many of them there are.
#[test]
fn unbonded_verifier_or_chilled_registrations_hold_no_version_slot() {
	new_test_ext().execute_with(|| {
		let squatters = 10..10 + 3 * MAX_WORKERS_PER_VERSION as u64;
		for (i, who) in squatters.clone().enumerate() {
			Balances::set_balance(&who, ENDOWMENT);
			match i % 3 {
				0 => register(who, WorkerRole::Miner, vec![V00]),
				1 => {
					register(who, WorkerRole::Miner, vec![V00]);
					assert_ok!(ComputeStaking::chill(RuntimeOrigin::signed(who)));
					assert_ok!(ComputeStaking::bond(RuntimeOrigin::signed(who), MIN_MINER_BOND));
				}
				_ => {
					register(who, WorkerRole::Miner, vec![V01]);
					assert_ok!(ComputeStaking::chill(RuntimeOrigin::signed(who)));
					assert_ok!(ComputeStaking::bond(RuntimeOrigin::signed(who), MIN_MINER_BOND));
					assert_ok!(ComputeStaking::update_worker(
						RuntimeOrigin::signed(who),
						None,
						None,
						Some(vec![V00])
					));
				}
			}
		}
		register_bonded_miner(ALICE, MIN_MINER_BOND);
		assert_eq!(eligible(V00, WorkerRole::Miner), vec![(ALICE, MIN_MINER_BOND)]);
		assert_eq!(in_index(V00), vec![(ALICE, MIN_MINER_BOND)]);
	});
}

#[test]
fn fails_when_the_deposit_cannot_be_held() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			ComputeStaking::register_worker(
				RuntimeOrigin::signed(POOR),
				WorkerRole::Miner,
				endpoint(),
				vec![],
				vec![V00]
			),
			Error::<Test>::InsufficientBalance
		);
	});
}

#[test]
fn fails_when_unsigned() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			ComputeStaking::register_worker(
				RuntimeOrigin::none(),
				WorkerRole::Miner,
				endpoint(),
				vec![],
				vec![V00]
			),
			DispatchError::BadOrigin
		);
	});
}

// ---- update_worker ----

#[test]
fn updates_endpoint_hardware_and_versions_and_the_index() {
	new_test_ext().execute_with(|| {
		register(ALICE, WorkerRole::Miner, vec![V00, V01]);
		assert_ok!(ComputeStaking::bond(RuntimeOrigin::signed(ALICE), MIN_MINER_BOND));
		assert_ok!(ComputeStaking::update_worker(
			RuntimeOrigin::signed(ALICE),
			Some(b"https://miner.example:443".to_vec()),
			Some(b"CPU".to_vec()),
			Some(vec![V01, V10]),
		));
		let worker = Workers::<Test>::get(ALICE).unwrap();
		assert_eq!(worker.endpoint.to_vec(), b"https://miner.example:443".to_vec());
		assert_eq!(worker.hardware.to_vec(), b"CPU".to_vec());
		assert_eq!(worker.versions.to_vec(), vec![V01, V10]);
		assert!(in_index(V00).is_empty());
		assert_eq!(in_index(V01), vec![(ALICE, MIN_MINER_BOND)]);
		assert_eq!(in_index(V10), vec![(ALICE, MIN_MINER_BOND)]);
		assert_eq!(last_event(), Event::WorkerUpdated { worker: ALICE }.into());
	});
}

#[test]
fn update_keeps_what_is_not_given() {
	new_test_ext().execute_with(|| {
		register(ALICE, WorkerRole::Miner, vec![V00]);
		let before = Workers::<Test>::get(ALICE).unwrap();
		assert_ok!(ComputeStaking::update_worker(RuntimeOrigin::signed(ALICE), None, None, None));
		assert_eq!(Workers::<Test>::get(ALICE).unwrap(), before);
	});
}

#[test]
fn update_fails_cleanly_on_bad_input() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			ComputeStaking::update_worker(RuntimeOrigin::signed(ALICE), None, None, None),
			Error::<Test>::NotRegistered
		);
		register(ALICE, WorkerRole::Miner, vec![V00]);
		assert_noop!(
			ComputeStaking::update_worker(
				RuntimeOrigin::signed(ALICE),
				Some(b"http://ok".to_vec()),
				None,
				Some(vec![UNKNOWN])
			),
			Error::<Test>::UnknownVersion
		);
		assert_noop!(
			ComputeStaking::update_worker(
				RuntimeOrigin::signed(ALICE),
				Some(b"gopher://x".to_vec()),
				None,
				None
			),
			Error::<Test>::InvalidEndpoint
		);
		assert_noop!(
			ComputeStaking::update_worker(
				RuntimeOrigin::signed(ALICE),
				None,
				Some(vec![b'x'; 17]),
				None
			),
			Error::<Test>::HardwareTooLong
		);
	});
}

// ---- bond ----

#[test]
fn bonds_and_holds_the_stake() {
	new_test_ext().execute_with(|| {
		register(ALICE, WorkerRole::Miner, vec![V00]);
		assert_ok!(ComputeStaking::bond(RuntimeOrigin::signed(ALICE), MIN_MINER_BOND));
		assert_ok!(ComputeStaking::bond(RuntimeOrigin::signed(ALICE), 5));
		assert_eq!(Workers::<Test>::get(ALICE).unwrap().active_bond, MIN_MINER_BOND + 5);
		assert_eq!(held_bond(ALICE), MIN_MINER_BOND + 5);
		assert_eq!(
			last_event(),
			Event::Bonded { worker: ALICE, amount: 5, active_bond: MIN_MINER_BOND + 5 }.into()
		);
	});
}

#[test]
fn fails_when_the_bond_is_below_the_minimum_zero_or_unaffordable() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			ComputeStaking::bond(RuntimeOrigin::signed(ALICE), MIN_MINER_BOND),
			Error::<Test>::NotRegistered
		);
		register(ALICE, WorkerRole::Miner, vec![V00]);
		assert_noop!(
			ComputeStaking::bond(RuntimeOrigin::signed(ALICE), MIN_MINER_BOND - 1),
			Error::<Test>::BondBelowMinimum
		);
		assert_noop!(
			ComputeStaking::bond(RuntimeOrigin::signed(ALICE), 0),
			Error::<Test>::ZeroAmount
		);
		assert_noop!(
			ComputeStaking::bond(RuntimeOrigin::signed(ALICE), ENDOWMENT * 2),
			Error::<Test>::InsufficientBalance
		);
	});
}

#[test]
fn fails_when_parameters_are_not_set() {
	new_test_ext().execute_with(|| {
		register(ALICE, WorkerRole::Miner, vec![V00]);
		Parameters::<Test>::kill();
		assert_noop!(
			ComputeStaking::bond(RuntimeOrigin::signed(ALICE), MIN_MINER_BOND),
			Error::<Test>::ParametersNotSet
		);
		assert!(eligible(V00, WorkerRole::Miner).is_empty());
	});
}

// ---- unbond / withdraw ----

#[test]
fn unbonds_into_a_chunk_and_withdraws_after_the_period() {
	new_test_ext().execute_with(|| {
		register_bonded_miner(ALICE, 3_000);
		assert_ok!(ComputeStaking::unbond(RuntimeOrigin::signed(ALICE), 1_000));
		assert_eq!(
			last_event(),
			Event::Unbonded { worker: ALICE, amount: 1_000, unlock_at: 1 + UNBONDING_PERIOD }
				.into()
		);
		// Unbonding in the same block merges into one chunk.
		assert_ok!(ComputeStaking::unbond(RuntimeOrigin::signed(ALICE), 1_000));
		let worker = Workers::<Test>::get(ALICE).unwrap();
		assert_eq!(worker.active_bond, 1_000);
		assert_eq!(worker.unlocking.len(), 1);
		assert_eq!(held_bond(ALICE), 3_000);

		// Before the period: nothing to withdraw.
		System::set_block_number(UNBONDING_PERIOD);
		assert_noop!(
			ComputeStaking::withdraw_unbonded(RuntimeOrigin::signed(ALICE)),
			Error::<Test>::NothingToWithdraw
		);
		// At the period's end: released.
		System::set_block_number(1 + UNBONDING_PERIOD);
		let free_before = Balances::balance(&ALICE);
		assert_ok!(ComputeStaking::withdraw_unbonded(RuntimeOrigin::signed(ALICE)));
		assert_eq!(Balances::balance(&ALICE), free_before + 2_000);
		assert_eq!(held_bond(ALICE), 1_000);
		assert!(Workers::<Test>::get(ALICE).unwrap().unlocking.is_empty());
		assert_eq!(last_event(), Event::Withdrawn { worker: ALICE, amount: 2_000 }.into());
	});
}

#[test]
fn unbond_fails_cleanly() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			ComputeStaking::unbond(RuntimeOrigin::signed(ALICE), 1),
			Error::<Test>::NotRegistered
		);
		register_bonded_miner(ALICE, 1_500);
		assert_noop!(
			ComputeStaking::unbond(RuntimeOrigin::signed(ALICE), 0),
			Error::<Test>::ZeroAmount
		);
		assert_noop!(
			ComputeStaking::unbond(RuntimeOrigin::signed(ALICE), 1_501),
			Error::<Test>::UnbondExceedsBond
		);
		// Leaving 500 active is below the miner minimum; leaving 0 is fine.
		assert_noop!(
			ComputeStaking::unbond(RuntimeOrigin::signed(ALICE), 1_000),
			Error::<Test>::BondBelowMinimum
		);
		assert_ok!(ComputeStaking::unbond(RuntimeOrigin::signed(ALICE), 1_500));
	});
}

#[test]
fn fails_when_the_unbonding_queue_is_full() {
	new_test_ext().execute_with(|| {
		register_bonded_miner(ALICE, 10_000);
		for block in 1..=MAX_CHUNKS as u64 {
			System::set_block_number(block);
			assert_ok!(ComputeStaking::unbond(RuntimeOrigin::signed(ALICE), 100));
		}
		System::set_block_number(MAX_CHUNKS as u64 + 1);
		assert_noop!(
			ComputeStaking::unbond(RuntimeOrigin::signed(ALICE), 100),
			Error::<Test>::NoMoreChunks
		);
	});
}

#[test]
fn withdraw_fails_when_not_registered() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			ComputeStaking::withdraw_unbonded(RuntimeOrigin::signed(ALICE)),
			Error::<Test>::NotRegistered
		);
	});
}

// ---- chill / resume ----

#[test]
fn chill_and_resume_toggle_eligibility() {
	new_test_ext().execute_with(|| {
		register_bonded_miner(ALICE, MIN_MINER_BOND);
		assert_eq!(eligible(V00, WorkerRole::Miner), vec![(ALICE, MIN_MINER_BOND)]);
		assert_ok!(ComputeStaking::chill(RuntimeOrigin::signed(ALICE)));
		assert_eq!(last_event(), Event::Chilled { worker: ALICE }.into());
		assert!(eligible(V00, WorkerRole::Miner).is_empty());
		assert_noop!(
			ComputeStaking::chill(RuntimeOrigin::signed(ALICE)),
			Error::<Test>::AlreadyChilled
		);
		assert_ok!(ComputeStaking::resume(RuntimeOrigin::signed(ALICE)));
		assert_eq!(last_event(), Event::Resumed { worker: ALICE }.into());
		assert_noop!(
			ComputeStaking::resume(RuntimeOrigin::signed(ALICE)),
			Error::<Test>::NotChilled
		);
		assert_eq!(eligible(V00, WorkerRole::Miner).len(), 1);
		assert_noop!(
			ComputeStaking::chill(RuntimeOrigin::signed(BOB)),
			Error::<Test>::NotRegistered
		);
	});
}

// ---- deregister ----

#[test]
fn deregisters_only_when_nothing_is_bonded() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			ComputeStaking::deregister(RuntimeOrigin::signed(ALICE)),
			Error::<Test>::NotRegistered
		);
		register_bonded_miner(ALICE, MIN_MINER_BOND);
		assert_noop!(
			ComputeStaking::deregister(RuntimeOrigin::signed(ALICE)),
			Error::<Test>::StillBonded
		);
		assert_ok!(ComputeStaking::unbond(RuntimeOrigin::signed(ALICE), MIN_MINER_BOND));
		// Still unbonding.
		assert_noop!(
			ComputeStaking::deregister(RuntimeOrigin::signed(ALICE)),
			Error::<Test>::StillBonded
		);
		System::set_block_number(1 + UNBONDING_PERIOD);
		assert_ok!(ComputeStaking::withdraw_unbonded(RuntimeOrigin::signed(ALICE)));
		assert_ok!(ComputeStaking::deregister(RuntimeOrigin::signed(ALICE)));
		assert!(Workers::<Test>::get(ALICE).is_none());
		assert_eq!(held_deposit(ALICE), 0);
		assert_eq!(Balances::balance(&ALICE), ENDOWMENT);
		assert!(!MinersByVersion::<Test>::contains_key(V00));
		assert_eq!(last_event(), Event::WorkerDeregistered { worker: ALICE }.into());
	});
}

// ---- set_parameters ----

#[test]
fn only_root_sets_parameters_and_they_must_be_valid() {
	new_test_ext().execute_with(|| {
		let mut params = default_parameters();
		params.unbonding_period = 6;
		assert_noop!(
			ComputeStaking::set_parameters(RuntimeOrigin::signed(ALICE), params.clone()),
			DispatchError::BadOrigin
		);
		assert_ok!(ComputeStaking::set_parameters(RuntimeOrigin::root(), params.clone()));
		assert_eq!(Parameters::<Test>::get(), Some(params.clone()));
		assert_eq!(last_event(), Event::ParametersSet { parameters: params.clone() }.into());
		params.min_miner_bond = 0;
		assert_noop!(
			ComputeStaking::set_parameters(RuntimeOrigin::root(), params),
			Error::<Test>::InvalidParameters
		);
	});
}

/// L-13: a miner that committed a losing output sees the winning reveals first; if skipping its
/// reveal (`MissedReveal`) cost less than revealing (`WrongResult`) it would skip. The genesis
/// parameters never make skipping cheaper, and neither can governance.
#[test]
fn skipping_a_reveal_is_never_cheaper_than_revealing_a_wrong_output() {
	new_test_ext().execute_with(|| {
		type Staking = ComputeStaking;
		assert!(
			<Staking as ComputeStakingInterface<_, _>>::slash_fraction(SlashReason::MissedReveal)
				>= <Staking as ComputeStakingInterface<_, _>>::slash_fraction(
					SlashReason::WrongResult
				)
		);
		let mut params = default_parameters();
		params.slash_missed_reveal = Perbill::from_percent(5);
		params.slash_wrong_result = Perbill::from_percent(10);
		assert_noop!(
			ComputeStaking::set_parameters(RuntimeOrigin::root(), params.clone()),
			Error::<Test>::InvalidParameters
		);
		params.slash_missed_reveal = Perbill::from_percent(10);
		assert_ok!(ComputeStaking::set_parameters(RuntimeOrigin::root(), params));
	});
}

/// L-1: governance cannot make unbonding so short that a miner withdraws its stake before a
/// job it holds is settled (and slashed if it cheated).
#[test]
fn unbonding_never_ends_before_a_job_it_backs() {
	new_test_ext().execute_with(|| {
		TestJobLifetime::set(20);
		let mut params = default_parameters();
		params.unbonding_period = 20;
		assert_noop!(
			ComputeStaking::set_parameters(RuntimeOrigin::root(), params.clone()),
			Error::<Test>::UnbondingShorterThanJobs
		);
		params.unbonding_period = 21;
		assert_ok!(ComputeStaking::set_parameters(RuntimeOrigin::root(), params));
	});
}

// ---- the interface for the inference pallet ----

/// M-1: a miner that lets its jobs pass without committing loses reputation with each, and is
/// jailed (no jobs) after `MissedJobsBeforeJail` in a row; a job served well ends the run.
#[test]
fn silent_miners_lose_reputation_and_are_jailed_after_a_run_of_missed_jobs() {
	new_test_ext().execute_with(|| {
		type Staking = ComputeStaking;
		register_bonded_miner(ALICE, 2_000);
		<Staking as ComputeStakingInterface<_, _>>::reward_reputation(&ALICE, 5);
		for missed in 1..MISSED_JOBS_BEFORE_JAIL {
			<Staking as ComputeStakingInterface<_, _>>::note_missed_job(&ALICE);
			assert_eq!(MissedInARow::<Test>::get(ALICE), missed);
			assert_eq!(
				last_event(),
				Event::JobMissed { worker: ALICE, in_a_row: missed, reputation: 5 - missed }.into()
			);
		}
		assert_eq!(eligible(V00, WorkerRole::Miner), vec![(ALICE, 2_000)], "not jailed yet");
		// A served job ends the run.
		<Staking as ComputeStakingInterface<_, _>>::reward_reputation(&ALICE, 1);
		assert_eq!(MissedInARow::<Test>::get(ALICE), 0);
		for _ in 0..MISSED_JOBS_BEFORE_JAIL {
			<Staking as ComputeStakingInterface<_, _>>::note_missed_job(&ALICE);
		}
		assert_eq!(last_event(), Event::Jailed { worker: ALICE, until: 1 + JAIL_PERIOD }.into());
		assert!(eligible(V00, WorkerRole::Miner).is_empty(), "jailed");
		assert_eq!(in_index(V00), vec![(ALICE, 2_000)], "keeps its slot, marked jailed");
		assert_eq!(MissedInARow::<Test>::get(ALICE), 0, "the jail starts a new run");
		// 5, less the first run, plus the served job, less the second run.
		let reputation = 5 - (MISSED_JOBS_BEFORE_JAIL - 1) + 1 - MISSED_JOBS_BEFORE_JAIL;
		assert_eq!(Workers::<Test>::get(ALICE).unwrap().reputation, reputation);
		assert_eq!(held_bond(ALICE), 2_000, "a miss is not slashed");
		// Unknown workers are ignored.
		<Staking as ComputeStakingInterface<_, _>>::note_missed_job(&BOB);
		assert!(!MissedInARow::<Test>::contains_key(BOB));
	});
}

#[test]
fn lists_only_eligible_workers_of_the_role_and_version() {
	new_test_ext().execute_with(|| {
		register_bonded_miner(ALICE, 2_000);
		register(BOB, WorkerRole::Miner, vec![V00]); // not bonded
		register(CHARLIE, WorkerRole::Miner, vec![V00]);
		assert_ok!(ComputeStaking::bond(RuntimeOrigin::signed(CHARLIE), MIN_MINER_BOND));
		assert_ok!(ComputeStaking::chill(RuntimeOrigin::signed(CHARLIE)));
		assert_eq!(eligible(V00, WorkerRole::Miner), vec![(ALICE, 2_000)]);
		assert!(eligible(V01, WorkerRole::Miner).is_empty());
		assert_eq!(
			<ComputeStaking as ComputeStakingInterface<_, _>>::eligible_workers(
				&V00,
				WorkerRole::Miner,
				0
			),
			vec![]
		);
	});
}

#[test]
fn serving_stake_is_the_bond_of_a_miner_that_may_take_work_for_the_version_now() {
	new_test_ext().execute_with(|| {
		let stake = |who: AccountId, version: ModelVersionRef| {
			<ComputeStaking as ComputeStakingInterface<_, _>>::serving_stake(&who, &version)
		};
		register_bonded_miner(ALICE, 2_000);
		register(BOB, WorkerRole::Miner, vec![V00]); // not bonded
		register(CHARLIE, WorkerRole::Miner, vec![V00]);
		assert_ok!(ComputeStaking::bond(RuntimeOrigin::signed(CHARLIE), MIN_MINER_BOND));
		assert_ok!(ComputeStaking::chill(RuntimeOrigin::signed(CHARLIE)));
		assert_eq!(stake(ALICE, V00), Some(2_000));
		assert_eq!(stake(ALICE, V01), None, "a version it does not serve");
		assert_eq!(stake(BOB, V00), None, "bonded below the minimum");
		assert_eq!(stake(CHARLIE, V00), None, "chilled");
		assert_eq!(stake(POOR, V00), None, "not registered");
		assert_ok!(ComputeStaking::chill(RuntimeOrigin::signed(ALICE)));
		assert_eq!(stake(ALICE, V00), None, "chilled");
		assert_ok!(ComputeStaking::resume(RuntimeOrigin::signed(ALICE)));
		<ComputeStaking as ComputeStakingInterface<_, _>>::jail(&ALICE);
		assert_eq!(stake(ALICE, V00), None, "jailed");
	});
}

#[test]
fn slashes_the_active_bond_to_the_treasury_and_jails() {
	new_test_ext().execute_with(|| {
		register_bonded_miner(ALICE, 2_000);
		let treasury_before = Balances::balance(&TREASURY);
		let slashed = <ComputeStaking as ComputeStakingInterface<_, _>>::slash(
			&ALICE,
			Perbill::from_percent(10),
			SlashReason::WrongResult,
		);
		assert_eq!(slashed, 200);
		assert_eq!(Balances::balance(&TREASURY), treasury_before + 200);
		assert_eq!(held_bond(ALICE), 1_800);
		let worker = Workers::<Test>::get(ALICE).unwrap();
		assert_eq!(worker.active_bond, 1_800);
		assert_eq!(worker.jailed_until, Some(1 + JAIL_PERIOD));
		assert_eq!(crate::TotalSlashed::<Test>::get(), 200);
		assert!(System::events().iter().any(|r| r.event
			== Event::Slashed { worker: ALICE, amount: 200, reason: SlashReason::WrongResult }
				.into()));
		assert_eq!(last_event(), Event::Jailed { worker: ALICE, until: 1 + JAIL_PERIOD }.into());
	});
}

#[test]
fn a_slash_reaches_funds_in_the_unbonding_queue() {
	new_test_ext().execute_with(|| {
		register_bonded_miner(ALICE, 2_000);
		// Try to escape: unbond everything just before the slash.
		assert_ok!(ComputeStaking::unbond(RuntimeOrigin::signed(ALICE), 2_000));
		let slashed = <ComputeStaking as ComputeStakingInterface<_, _>>::slash(
			&ALICE,
			Perbill::from_percent(50),
			SlashReason::MissedReveal,
		);
		assert_eq!(slashed, 1_000);
		let worker = Workers::<Test>::get(ALICE).unwrap();
		assert_eq!(worker.active_bond, 0);
		assert_eq!(worker.unlocking[0].value, 1_000);
		System::set_block_number(1 + UNBONDING_PERIOD);
		let free_before = Balances::balance(&ALICE);
		assert_ok!(ComputeStaking::withdraw_unbonded(RuntimeOrigin::signed(ALICE)));
		assert_eq!(Balances::balance(&ALICE), free_before + 1_000);
		assert_eq!(held_bond(ALICE), 0);
	});
}

#[test]
fn a_full_slash_empties_active_bond_and_chunks() {
	new_test_ext().execute_with(|| {
		register_bonded_miner(ALICE, 3_000);
		assert_ok!(ComputeStaking::unbond(RuntimeOrigin::signed(ALICE), 1_000));
		let slashed = <ComputeStaking as ComputeStakingInterface<_, _>>::slash(
			&ALICE,
			Perbill::one(),
			SlashReason::Other,
		);
		assert_eq!(slashed, 3_000);
		let worker = Workers::<Test>::get(ALICE).unwrap();
		assert_eq!(worker.active_bond, 0);
		assert!(worker.unlocking.is_empty());
		assert_eq!(held_bond(ALICE), 0);
	});
}

#[test]
fn slashing_an_unknown_worker_does_nothing() {
	new_test_ext().execute_with(|| {
		let slashed = <ComputeStaking as ComputeStakingInterface<_, _>>::slash(
			&ALICE,
			Perbill::from_percent(10),
			SlashReason::WrongResult,
		);
		assert_eq!(slashed, 0);
		assert!(System::events().is_empty());
	});
}

#[test]
fn a_jailed_worker_gets_no_jobs_until_the_jail_expires() {
	new_test_ext().execute_with(|| {
		register_bonded_miner(ALICE, 2_000);
		<ComputeStaking as ComputeStakingInterface<_, _>>::jail(&ALICE);
		assert!(eligible(V00, WorkerRole::Miner).is_empty());
		System::set_block_number(JAIL_PERIOD); // still jailed until 1 + JAIL_PERIOD
		assert!(eligible(V00, WorkerRole::Miner).is_empty());
		System::set_block_number(1 + JAIL_PERIOD);
		assert_eq!(eligible(V00, WorkerRole::Miner), vec![(ALICE, 2_000)]);
	});
}

#[test]
fn a_slashed_worker_below_the_minimum_is_not_eligible() {
	new_test_ext().execute_with(|| {
		register_bonded_miner(ALICE, MIN_MINER_BOND);
		<ComputeStaking as ComputeStakingInterface<_, _>>::slash(
			&ALICE,
			Perbill::from_percent(10),
			SlashReason::WrongResult,
		);
		System::set_block_number(1 + JAIL_PERIOD);
		assert!(eligible(V00, WorkerRole::Miner).is_empty());
		// Topping up makes it eligible again.
		assert_ok!(ComputeStaking::bond(RuntimeOrigin::signed(ALICE), 100));
		assert_eq!(eligible(V00, WorkerRole::Miner).len(), 1);
	});
}

#[test]
fn rewards_reputation() {
	new_test_ext().execute_with(|| {
		register(ALICE, WorkerRole::Miner, vec![V00]);
		<ComputeStaking as ComputeStakingInterface<_, _>>::reward_reputation(&ALICE, 3);
		<ComputeStaking as ComputeStakingInterface<_, _>>::reward_reputation(&ALICE, 4);
		assert_eq!(Workers::<Test>::get(ALICE).unwrap().reputation, 7);
		assert_eq!(
			last_event(),
			Event::ReputationRewarded { worker: ALICE, points: 4, reputation: 7 }.into()
		);
		// Unknown workers are ignored.
		<ComputeStaking as ComputeStakingInterface<_, _>>::reward_reputation(&BOB, 1);
		assert!(Workers::<Test>::get(BOB).is_none());
	});
}

// ---- property: conservation of funds ----

mod properties {
	use super::*;
	use proptest::prelude::*;

	#[derive(Clone, Debug)]
	enum Op {
		Register(u8),
		Bond(u8, Balance),
		Unbond(u8, Balance),
		Withdraw(u8),
		Slash(u8, u32),
		Deregister(u8),
		Advance(u64),
		Chill(u8),
		Resume(u8),
	}

	fn op() -> impl Strategy<Value = Op> {
		prop_oneof![
			(0u8..3).prop_map(Op::Register),
			(0u8..3, 0u64..5_000).prop_map(|(w, a)| Op::Bond(w, a)),
			(0u8..3, 0u64..5_000).prop_map(|(w, a)| Op::Unbond(w, a)),
			(0u8..3).prop_map(Op::Withdraw),
			(0u8..3, 0u32..=1_000_000_000).prop_map(|(w, p)| Op::Slash(w, p)),
			(0u8..3).prop_map(Op::Deregister),
			(0u64..15).prop_map(Op::Advance),
			(0u8..3).prop_map(Op::Chill),
			(0u8..3).prop_map(Op::Resume),
		]
	}

	const WORKERS: [AccountId; 3] = [ALICE, BOB, CHARLIE];

	proptest! {
		#![proptest_config(ProptestConfig::with_cases(200))]

		/// Whatever the sequence of calls and slashes: free + held of every worker plus what the
		/// treasury received equals what they started with; the recorded stake always equals the
		/// held bond; and total issuance never changes.
		#[test]
		fn funds_are_conserved(ops in proptest::collection::vec(op(), 1..60)) {
			new_test_ext().execute_with(|| {
				let issuance = Balances::total_issuance();
				let start: Balance = WORKERS.iter().map(Balances::total_balance).sum::<Balance>()
					+ Balances::total_balance(&TREASURY);
				let mut slashed_total: Balance = 0;
				for op in ops {
					let who = |i: u8| WORKERS[i as usize];
					match op {
						Op::Register(i) => { let _ = ComputeStaking::register_worker(RuntimeOrigin::signed(who(i)), WorkerRole::Miner, endpoint(), vec![], vec![V00]); },
						Op::Bond(i, a) => { let _ = ComputeStaking::bond(RuntimeOrigin::signed(who(i)), a); },
						Op::Unbond(i, a) => { let _ = ComputeStaking::unbond(RuntimeOrigin::signed(who(i)), a); },
						Op::Withdraw(i) => { let _ = ComputeStaking::withdraw_unbonded(RuntimeOrigin::signed(who(i))); },
						Op::Slash(i, p) => {
							let stake = |w| Workers::<Test>::get(w).map(|info| crate::Pallet::<Test>::slashable_stake(&info)).unwrap_or(0);
							let (stake_before, treasury_before) = (stake(who(i)), Balances::total_balance(&TREASURY));
							let fraction = Perbill::from_parts(p);
							let amount = <ComputeStaking as ComputeStakingInterface<_, _>>::slash(&who(i), fraction, SlashReason::WrongResult);
							// The slash takes exactly its fraction of the stake, all of it reaches the
							// treasury, and the stake left is the rest: nothing counted twice or lost.
							prop_assert_eq!(amount, fraction.mul_floor(stake_before));
							prop_assert_eq!(stake(who(i)), stake_before - amount);
							prop_assert_eq!(Balances::total_balance(&TREASURY) - treasury_before, amount);
							slashed_total += amount;
						},
						Op::Deregister(i) => { let _ = ComputeStaking::deregister(RuntimeOrigin::signed(who(i))); },
						Op::Advance(n) => System::set_block_number(System::block_number() + n),
						Op::Chill(i) => { let _ = ComputeStaking::chill(RuntimeOrigin::signed(who(i))); },
						Op::Resume(i) => { let _ = ComputeStaking::resume(RuntimeOrigin::signed(who(i))); },
					}
					for w in WORKERS {
						let recorded = Workers::<Test>::get(w).map(|info| crate::Pallet::<Test>::slashable_stake(&info)).unwrap_or(0);
						prop_assert_eq!(recorded, held_bond(w));
						// The version index holds exactly the bonded, active miners, with their
						// current stake and jail.
						let info = Workers::<Test>::get(w);
						let holds_slot = info.as_ref().is_some_and(|i| i.role == WorkerRole::Miner && i.status == WorkerStatus::Active && i.active_bond >= MIN_MINER_BOND);
						let entry = MinersByVersion::<Test>::get(V00).into_iter().find(|c| c.miner == w);
						match (holds_slot, entry, info) {
							(true, Some(entry), Some(info)) => {
								prop_assert_eq!(entry.stake, info.active_bond);
								prop_assert_eq!(entry.jailed_until, info.jailed_until);
							},
							(false, None, _) => {},
							(holds, entry, _) => prop_assert!(false, "worker {}: slot {} but entry {:?}", w, holds, entry),
						}
					}
				}
				let end: Balance = WORKERS.iter().map(Balances::total_balance).sum::<Balance>()
					+ Balances::total_balance(&TREASURY);
				prop_assert_eq!(start, end);
				prop_assert_eq!(Balances::total_issuance(), issuance);
				prop_assert_eq!(crate::TotalSlashed::<Test>::get(), slashed_total);
				Ok(())
			})?;
		}
	}
}

#[test]
fn reports_the_governance_slash_fractions_and_endpoints() {
	new_test_ext().execute_with(|| {
		type Staking = ComputeStaking;
		assert_eq!(
			<Staking as ComputeStakingInterface<_, _>>::slash_fraction(SlashReason::WrongResult),
			Perbill::from_percent(10)
		);
		assert_eq!(
			<Staking as ComputeStakingInterface<_, _>>::slash_fraction(SlashReason::MissedReveal),
			Perbill::from_percent(10)
		);
		let mut params = default_parameters();
		params.slash_missed_reveal = Perbill::from_percent(12);
		assert_ok!(ComputeStaking::set_parameters(RuntimeOrigin::root(), params));
		assert_eq!(
			<Staking as ComputeStakingInterface<_, _>>::slash_fraction(SlashReason::MissedReveal),
			Perbill::from_percent(12)
		);

		register(ALICE, WorkerRole::Miner, vec![V00]);
		assert_eq!(<Staking as ComputeStakingInterface<_, _>>::endpoint(&ALICE), Some(endpoint()));
		assert_eq!(<Staking as ComputeStakingInterface<_, _>>::endpoint(&BOB), None);
	});
}

/// The v0 index listed every registration; the migration replaces it with the miners holding
/// slots, once.
#[test]
fn migration_to_v1_indexes_only_the_miners_that_may_get_jobs() {
	use crate::migrations::v1::{MigrateToV1, WorkerCountByVersion, WorkersByVersion};
	use frame_support::traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion};
	new_test_ext().execute_with(|| {
		register_bonded_miner(ALICE, 2_000);
		register(BOB, WorkerRole::Miner, vec![V00]); // not bonded
		register(CHARLIE, WorkerRole::Miner, vec![V00]);
		assert_ok!(ComputeStaking::bond(RuntimeOrigin::signed(CHARLIE), MIN_MINER_BOND));
		assert_ok!(ComputeStaking::chill(RuntimeOrigin::signed(CHARLIE)));
		// What v0 stored for them.
		MinersByVersion::<Test>::remove(V00);
		for who in [ALICE, BOB, CHARLIE] {
			WorkersByVersion::<Test>::insert(V00, who, ());
		}
		WorkerCountByVersion::<Test>::insert(V00, 3);
		StorageVersion::new(0).put::<ComputeStaking>();
		MigrateToV1::<Test>::on_runtime_upgrade();
		assert_eq!(in_index(V00), vec![(ALICE, 2_000)]);
		assert_eq!(WorkersByVersion::<Test>::iter().count(), 0);
		assert!(!WorkerCountByVersion::<Test>::contains_key(V00));
		assert_eq!(ComputeStaking::on_chain_storage_version(), StorageVersion::new(1));
		// Once.
		MinersByVersion::<Test>::remove(V00);
		MigrateToV1::<Test>::on_runtime_upgrade();
		assert!(in_index(V00).is_empty());
	});
}

/// The invariants checked after every test catch a bond the hold does not back (so that check
/// can fail).
#[test]
fn try_state_catches_a_bond_its_hold_does_not_back() {
	new_test_ext().execute_with(|| {
		register_bonded_miner(ALICE, 2_000);
		assert_ok!(ComputeStaking::do_try_state());
		crate::Workers::<Test>::mutate(ALICE, |w| w.as_mut().unwrap().active_bond += 1);
		assert!(ComputeStaking::do_try_state().is_err());
		crate::Workers::<Test>::mutate(ALICE, |w| w.as_mut().unwrap().active_bond -= 1);
	});
}

/// L-10: the v2 migration deregisters the workers v1 registered as verifiers (whose bonds
/// secured nothing), releasing their active and unbonding bond and their deposit; miners and
/// the parameters keep every value.
#[test]
fn migration_to_v2_releases_verifiers_and_keeps_miners() {
	use crate::migrations::v2::{MigrateToV2, OldStakingParameters, OldWorkerInfo, OldWorkerRole};
	use frame_support::traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion};

	/// v1's layout: the same storage items with the old types.
	mod v1 {
		use crate::migrations::v2::{OldStakingParameters, OldWorkerInfoOf};
		use crate::mock::Balance;
		#[frame_support::storage_alias]
		pub type Workers<T: crate::Config> = StorageMap<
			crate::Pallet<T>,
			frame_support::Blake2_128Concat,
			<T as frame_system::Config>::AccountId,
			OldWorkerInfoOf<T>,
		>;
		#[frame_support::storage_alias]
		pub type Parameters<T: crate::Config> =
			StorageValue<crate::Pallet<T>, OldStakingParameters<Balance, u64>>;
	}

	new_test_ext().execute_with(|| {
		register_bonded_miner(ALICE, 2_000);
		// Bob as v1 kept a verifier: registered, bonded, part of it unbonding, never indexed.
		register(BOB, WorkerRole::Miner, vec![V00]);
		assert_ok!(ComputeStaking::chill(RuntimeOrigin::signed(BOB)));
		assert_ok!(ComputeStaking::bond(RuntimeOrigin::signed(BOB), 1_500));
		assert_ok!(ComputeStaking::unbond(RuntimeOrigin::signed(BOB), 100));
		let bob = Workers::<Test>::get(BOB).unwrap();
		assert!(Balances::total_balance_on_hold(&BOB) > 1_500);
		v1::Workers::<Test>::insert(
			BOB,
			OldWorkerInfo {
				role: OldWorkerRole::Verifier,
				endpoint: bob.endpoint,
				hardware: bob.hardware,
				versions: bob.versions,
				active_bond: bob.active_bond,
				unlocking: bob.unlocking,
				deposit: bob.deposit,
				status: bob.status,
				jailed_until: bob.jailed_until,
				reputation: bob.reputation,
			},
		);
		let params = Parameters::<Test>::get().unwrap();
		v1::Parameters::<Test>::put(OldStakingParameters {
			min_miner_bond: params.min_miner_bond,
			min_verifier_bond: 500,
			unbonding_period: params.unbonding_period,
			jail_period: params.jail_period,
			slash_wrong_result: params.slash_wrong_result,
			slash_missed_reveal: params.slash_missed_reveal,
		});
		let alice = Workers::<Test>::get(ALICE);
		StorageVersion::new(1).put::<ComputeStaking>();

		MigrateToV2::<Test>::on_runtime_upgrade();

		assert!(Workers::<Test>::get(BOB).is_none());
		assert_eq!(Balances::total_balance_on_hold(&BOB), 0);
		assert_eq!(Balances::balance(&BOB), ENDOWMENT);
		System::assert_has_event(Event::WorkerDeregistered { worker: BOB }.into());
		assert_eq!(Workers::<Test>::get(ALICE), alice);
		assert_eq!(in_index(V00), vec![(ALICE, 2_000)]);
		assert_eq!(Parameters::<Test>::get(), Some(params));
		assert_eq!(ComputeStaking::on_chain_storage_version(), StorageVersion::new(2));
	});
}
