//! Tests of model governance: proposals, votes with share locks, closing with each outcome,
//! cancelling, voting parameters, the reaping of closed votes, every error path, and property
//! tests (no share votes twice on one proposal; locks end with their proposal).

use crate::{
	mock::*, AccountVote, Error, Event, HoldReason, ModelVotingParams, OpenProposals, Outcome,
	ProposalAction, Proposals, VoteChoice, Votes, VotesToReap, VotingParams,
};
use frame_support::{
	assert_noop, assert_ok,
	traits::{
		fungible::{Inspect as _, InspectHold},
		Get, Hooks,
	},
	weights::Weight,
};
use modelchain_primitives::{AccessPolicy, ModelId};
use pallet_model_shares::{Error as SharesError, ShareLocks};
use sp_runtime::{DispatchError, Perbill};
use ProposalAction::Upgrade;
use VoteChoice::{Aye, Nay};

const SUPPLY: Balance = 1_000;

/// A model with `versions` versions whose 1,000 shares are split: Alice 500, Bob 300,
/// Charlie 200.
fn model_with_holders(versions: u32) -> ModelId {
	let model = add_model(ALICE, versions);
	assert_ok!(Shares::issue_shares(RuntimeOrigin::signed(ALICE), model, SUPPLY));
	assert_ok!(Shares::transfer_shares(RuntimeOrigin::signed(ALICE), model, BOB, 300));
	assert_ok!(Shares::transfer_shares(RuntimeOrigin::signed(ALICE), model, CHARLIE, 200));
	model
}

fn propose(who: AccountId, model: ModelId, version: u32) -> u32 {
	let id = crate::NextProposalId::<Test>::get();
	assert_ok!(Governance::propose_upgrade(RuntimeOrigin::signed(who), model, version));
	id
}

fn vote(who: AccountId, proposal: u32, choice: VoteChoice, shares: Balance) {
	assert_ok!(Governance::vote(RuntimeOrigin::signed(who), proposal, choice, shares));
}

fn run_to(block: u64) {
	while System::block_number() < block {
		System::set_block_number(System::block_number() + 1);
	}
}

fn held(who: AccountId) -> Balance {
	Balances::balance_on_hold(&HoldReason::ProposalDeposit.into(), &who)
}

fn last_event() -> RuntimeEvent {
	System::events().pop().expect("an event").event
}

fn locked(model: ModelId, who: AccountId) -> Balance {
	Shares::locked_shares(model, &who)
}

fn idle(weight: Weight) -> Weight {
	Governance::on_idle(System::block_number(), weight)
}

// ---- propose_upgrade ----

#[test]
fn a_holder_proposes_an_upgrade_with_a_deposit() {
	new_test_ext().execute_with(|| {
		let model = model_with_holders(3);
		let proposal = propose(BOB, model, 2);
		assert_eq!(held(BOB), PROPOSAL_DEPOSIT);
		let record = Proposals::<Test>::get(proposal).unwrap();
		assert_eq!((record.model, record.action, record.proposer), (model, Upgrade(2), BOB));
		assert_eq!(record.end, 1 + VOTING_PERIOD);
		assert_eq!(record.params, DefaultParams::get());
		assert_eq!(OpenProposals::<Test>::get(model).into_inner(), vec![proposal]);
		assert_eq!(
			last_event(),
			Event::Proposed {
				proposal,
				model,
				action: Upgrade(2),
				proposer: BOB,
				deposit: PROPOSAL_DEPOSIT,
				end: 1 + VOTING_PERIOD
			}
			.into()
		);
	});
}

#[test]
fn propose_fails_cleanly() {
	new_test_ext().execute_with(|| {
		let unissued = add_model(ALICE, 2);
		assert_noop!(
			Governance::propose_upgrade(RuntimeOrigin::signed(ALICE), unissued, 1),
			Error::<Test>::NoShares
		);
		let model = model_with_holders(3);
		assert_noop!(
			Governance::propose_upgrade(RuntimeOrigin::signed(DAVE), model, 1),
			Error::<Test>::NotHolder
		);
		// The active version, an unknown version.
		assert_noop!(
			Governance::propose_upgrade(RuntimeOrigin::signed(BOB), model, 0),
			Error::<Test>::NotCandidate
		);
		assert_noop!(
			Governance::propose_upgrade(RuntimeOrigin::signed(BOB), model, 3),
			Error::<Test>::NotCandidate
		);
		assert_noop!(
			Governance::propose_upgrade(RuntimeOrigin::none(), model, 1),
			DispatchError::BadOrigin
		);
		// A holder without the funds for the deposit.
		<Balances as frame_support::traits::fungible::Mutate<_>>::set_balance(
			&99,
			PROPOSAL_DEPOSIT,
		);
		assert_ok!(Shares::transfer_shares(RuntimeOrigin::signed(ALICE), model, 99, 1));
		assert_noop!(
			Governance::propose_upgrade(RuntimeOrigin::signed(99), model, 1),
			Error::<Test>::InsufficientBalance
		);
		// One open proposal per version.
		propose(BOB, model, 1);
		assert_noop!(
			Governance::propose_upgrade(RuntimeOrigin::signed(CHARLIE), model, 1),
			Error::<Test>::DuplicateProposal
		);
		// A retired model takes no proposals.
		retire(model);
		assert_noop!(
			Governance::propose_upgrade(RuntimeOrigin::signed(BOB), model, 2),
			Error::<Test>::NotCandidate
		);
	});
}

#[test]
fn open_proposals_per_model_are_bounded() {
	new_test_ext().execute_with(|| {
		let model = model_with_holders(MAX_OPEN + 2);
		for version in 1..=MAX_OPEN {
			propose(ALICE, model, version);
		}
		assert_noop!(
			Governance::propose_upgrade(RuntimeOrigin::signed(ALICE), model, MAX_OPEN + 1),
			Error::<Test>::TooManyProposals
		);
		// Another model is not affected.
		let other = model_with_holders(2);
		propose(ALICE, other, 1);
		// Cancelling one makes room again.
		assert_ok!(Governance::cancel(RuntimeOrigin::signed(ALICE), 0));
		propose(ALICE, model, MAX_OPEN + 1);
	});
}

// ---- vote ----

#[test]
fn votes_lock_the_shares_until_the_proposal_closes() {
	new_test_ext().execute_with(|| {
		let model = model_with_holders(2);
		let proposal = propose(BOB, model, 1);
		vote(BOB, proposal, Aye, 250);
		assert_eq!(
			last_event(),
			Event::Voted { proposal, who: BOB, choice: Aye, shares: 250, ayes: 250, nays: 0 }
				.into()
		);
		assert_eq!(locked(model, BOB), 250);
		// Locked shares can be neither transferred nor listed; the rest can.
		assert_noop!(
			Shares::transfer_shares(RuntimeOrigin::signed(BOB), model, DAVE, 51),
			SharesError::<Test>::SharesLocked
		);
		assert_noop!(
			Shares::create_order(RuntimeOrigin::signed(BOB), model, 51, 1),
			SharesError::<Test>::SharesLocked
		);
		assert_ok!(Shares::transfer_shares(RuntimeOrigin::signed(BOB), model, DAVE, 50));
		// Locked shares still earn revenue.
		assert_ok!(Shares::distribute_revenue(RuntimeOrigin::signed(EVE), model, 1_000));
		assert_eq!(Shares::pending_revenue(model, &BOB), 250);
		// Closing frees them at once, before the votes are reaped.
		run_to(1 + VOTING_PERIOD);
		assert_ok!(Governance::close(RuntimeOrigin::signed(EVE), proposal));
		assert_eq!(locked(model, BOB), 0);
		assert_ok!(Shares::transfer_shares(RuntimeOrigin::signed(BOB), model, DAVE, 250));
	});
}

#[test]
fn voting_again_replaces_the_vote() {
	new_test_ext().execute_with(|| {
		let model = model_with_holders(2);
		let proposal = propose(BOB, model, 1);
		vote(ALICE, proposal, Aye, 500);
		vote(ALICE, proposal, Nay, 200);
		let record = Proposals::<Test>::get(proposal).unwrap();
		assert_eq!((record.ayes, record.nays, record.voters), (0, 200, 1));
		assert_eq!(locked(model, ALICE), 200);
		assert_eq!(
			Votes::<Test>::get(proposal, ALICE),
			Some(AccountVote { choice: Nay, shares: 200 })
		);
		vote(ALICE, proposal, Aye, 500);
		let record = Proposals::<Test>::get(proposal).unwrap();
		assert_eq!((record.ayes, record.nays, record.voters), (500, 0, 1));
	});
}

#[test]
fn the_same_shares_vote_on_different_proposals() {
	new_test_ext().execute_with(|| {
		let model = model_with_holders(3);
		let first = propose(BOB, model, 1);
		let second = propose(BOB, model, 2);
		vote(CHARLIE, first, Aye, 200);
		vote(CHARLIE, second, Nay, 150);
		// The locks overlap: the largest counts.
		assert_eq!(locked(model, CHARLIE), 200);
		run_to(1 + VOTING_PERIOD);
		assert_ok!(Governance::close(RuntimeOrigin::signed(EVE), first));
		assert_eq!(locked(model, CHARLIE), 150, "the second proposal still binds its lock");
		assert_ok!(Governance::close(RuntimeOrigin::signed(EVE), second));
		assert_eq!(locked(model, CHARLIE), 0);
	});
}

#[test]
fn vote_fails_cleanly() {
	new_test_ext().execute_with(|| {
		let model = model_with_holders(2);
		let proposal = propose(BOB, model, 1);
		assert_noop!(
			Governance::vote(RuntimeOrigin::signed(BOB), 9, Aye, 1),
			Error::<Test>::UnknownProposal
		);
		assert_noop!(
			Governance::vote(RuntimeOrigin::signed(BOB), proposal, Aye, 0),
			Error::<Test>::ZeroShares
		);
		assert_noop!(
			Governance::vote(RuntimeOrigin::signed(BOB), proposal, Aye, 301),
			Error::<Test>::InsufficientShares
		);
		assert_noop!(
			Governance::vote(RuntimeOrigin::signed(DAVE), proposal, Aye, 1),
			Error::<Test>::InsufficientShares
		);
		// Escrowed shares (on sale) do not vote.
		assert_ok!(Shares::create_order(RuntimeOrigin::signed(CHARLIE), model, 150, 1));
		assert_noop!(
			Governance::vote(RuntimeOrigin::signed(CHARLIE), proposal, Aye, 51),
			Error::<Test>::InsufficientShares
		);
		assert_noop!(
			Governance::vote(RuntimeOrigin::root(), proposal, Aye, 1),
			DispatchError::BadOrigin
		);
		run_to(1 + VOTING_PERIOD);
		assert_noop!(
			Governance::vote(RuntimeOrigin::signed(BOB), proposal, Aye, 1),
			Error::<Test>::VotingClosed
		);
	});
}

// ---- close ----

#[test]
fn an_approved_upgrade_is_enacted() {
	new_test_ext().execute_with(|| {
		let model = model_with_holders(2);
		let proposal = propose(BOB, model, 1);
		vote(ALICE, proposal, Aye, 500);
		vote(BOB, proposal, Nay, 300);
		run_to(VOTING_PERIOD);
		assert_noop!(
			Governance::close(RuntimeOrigin::signed(EVE), proposal),
			Error::<Test>::VotingOngoing
		);
		run_to(1 + VOTING_PERIOD);
		assert_ok!(Governance::close(RuntimeOrigin::signed(EVE), proposal));
		assert_eq!(active_version(model), 1);
		assert_eq!(held(BOB), 0);
		assert!(!Proposals::<Test>::contains_key(proposal));
		assert!(!OpenProposals::<Test>::contains_key(model));
		assert_eq!(VotesToReap::<Test>::get(proposal), Some(model));
		assert_eq!(
			last_event(),
			Event::Closed {
				proposal,
				model,
				action: Upgrade(1),
				ayes: 500,
				nays: 300,
				supply: SUPPLY,
				outcome: Outcome::Enacted,
				forfeited: 0,
			}
			.into()
		);
		assert_noop!(
			Governance::close(RuntimeOrigin::signed(EVE), proposal),
			Error::<Test>::UnknownProposal
		);
	});
}

#[test]
fn low_turnout_and_rejection_change_nothing_but_release_everything() {
	new_test_ext().execute_with(|| {
		let model = model_with_holders(3);
		// 199 of 1,000 shares: below the 20% turnout.
		let low = propose(BOB, model, 1);
		vote(CHARLIE, low, Aye, 199);
		// A tie is not more than 50% aye.
		let tie = propose(BOB, model, 2);
		vote(ALICE, tie, Aye, 300);
		vote(BOB, tie, Nay, 300);
		run_to(1 + VOTING_PERIOD);
		assert_ok!(Governance::close(RuntimeOrigin::signed(DAVE), low));
		assert!(matches!(
			last_event(),
			RuntimeEvent::Governance(Event::Closed { outcome: Outcome::TurnoutNotMet, .. })
		));
		assert_ok!(Governance::close(RuntimeOrigin::signed(DAVE), tie));
		assert!(matches!(
			last_event(),
			RuntimeEvent::Governance(Event::Closed { outcome: Outcome::Rejected, .. })
		));
		assert_eq!(active_version(model), 0);
		assert_eq!(held(BOB), 0);
		for who in [ALICE, BOB, CHARLIE] {
			assert_eq!(locked(model, who), 0);
		}
	});
}

#[test]
fn a_proposal_overtaken_by_events_closes_as_enactment_failed() {
	new_test_ext().execute_with(|| {
		let model = model_with_holders(2);
		let proposal = propose(BOB, model, 1);
		vote(ALICE, proposal, Aye, 500);
		// Root activated the version meanwhile.
		force_activate(model, 1);
		run_to(1 + VOTING_PERIOD);
		assert_ok!(Governance::close(RuntimeOrigin::signed(BOB), proposal));
		assert!(matches!(
			last_event(),
			RuntimeEvent::Governance(Event::Closed { outcome: Outcome::EnactmentFailed, .. })
		));
		assert_eq!(held(BOB), 0);
		assert_eq!(locked(model, ALICE), 0);
	});
}

#[test]
fn close_needs_a_signed_origin() {
	new_test_ext().execute_with(|| {
		let model = model_with_holders(2);
		let proposal = propose(BOB, model, 1);
		run_to(1 + VOTING_PERIOD);
		assert_noop!(Governance::close(RuntimeOrigin::none(), proposal), DispatchError::BadOrigin);
	});
}

// ---- cancel ----

#[test]
fn the_proposer_cancels_before_any_vote() {
	new_test_ext().execute_with(|| {
		let model = model_with_holders(3);
		let proposal = propose(BOB, model, 1);
		assert_noop!(
			Governance::cancel(RuntimeOrigin::signed(ALICE), proposal),
			Error::<Test>::NotProposer
		);
		assert_noop!(
			Governance::cancel(RuntimeOrigin::signed(BOB), 7),
			Error::<Test>::UnknownProposal
		);
		assert_ok!(Governance::cancel(RuntimeOrigin::signed(BOB), proposal));
		assert_eq!(held(BOB), 0);
		assert!(!Proposals::<Test>::contains_key(proposal));
		assert!(!OpenProposals::<Test>::contains_key(model));
		assert_eq!(
			last_event(),
			Event::Cancelled { proposal, model, action: Upgrade(1), forfeited: PROPOSAL_DEPOSIT }
				.into()
		);

		let voted = propose(BOB, model, 2);
		vote(CHARLIE, voted, Nay, 10);
		assert_noop!(
			Governance::cancel(RuntimeOrigin::signed(BOB), voted),
			Error::<Test>::HasVotes
		);
	});
}

// ---- set_voting_params ----

fn params(voting_period: u64, turnout: u32, approval: u32) -> VotingParams<u64> {
	VotingParams {
		voting_period,
		min_turnout: Perbill::from_percent(turnout),
		approval_threshold: Perbill::from_percent(approval),
	}
}

#[test]
fn owner_sets_params_until_shares_are_issued_then_only_root() {
	new_test_ext().execute_with(|| {
		let model = add_model(ALICE, 2);
		assert_noop!(
			Governance::set_voting_params(RuntimeOrigin::signed(BOB), model, params(20, 30, 60)),
			Error::<Test>::NotAllowed
		);
		assert_ok!(Governance::set_voting_params(
			RuntimeOrigin::signed(ALICE),
			model,
			params(20, 30, 60)
		));
		assert_eq!(
			last_event(),
			Event::VotingParamsSet { model, params: params(20, 30, 60) }.into()
		);
		assert_ok!(Shares::issue_shares(RuntimeOrigin::signed(ALICE), model, SUPPLY));
		assert_noop!(
			Governance::set_voting_params(RuntimeOrigin::signed(ALICE), model, params(30, 30, 60)),
			Error::<Test>::NotAllowed
		);
		let proposal = propose(ALICE, model, 1);
		assert_eq!(Proposals::<Test>::get(proposal).unwrap().end, 21);
		// Root changes them; the open proposal keeps its own.
		assert_ok!(Governance::set_voting_params(RuntimeOrigin::root(), model, params(30, 90, 90)));
		assert_eq!(ModelVotingParams::<Test>::get(model), Some(params(30, 90, 90)));
		vote(ALICE, proposal, Aye, 650);
		run_to(21);
		assert_ok!(Governance::close(RuntimeOrigin::signed(ALICE), proposal));
		assert_eq!(active_version(model), 1, "judged by 30% turnout and 60% approval");
	});
}

#[test]
fn invalid_params_are_refused() {
	new_test_ext().execute_with(|| {
		let model = add_model(ALICE, 2);
		for bad in
			[params(4, 20, 50), params(1_001, 20, 50), params(10, 20, 49), params(10, 20, 100)]
		{
			assert_noop!(
				Governance::set_voting_params(RuntimeOrigin::root(), model, bad),
				Error::<Test>::InvalidParams
			);
		}
		assert_noop!(
			Governance::set_voting_params(RuntimeOrigin::root(), 42, params(10, 20, 50)),
			Error::<Test>::UnknownModel
		);
		// The bounds themselves are valid.
		assert_ok!(Governance::set_voting_params(RuntimeOrigin::root(), model, params(5, 10, 50)));
		assert_ok!(Governance::set_voting_params(
			RuntimeOrigin::root(),
			model,
			params(1_000, 100, 99)
		));
	});
}

// ---- tally ----

#[test]
fn tally_edges() {
	let p = params(10, 20, 50);
	assert_eq!(p.tally(0u128, 0, 1_000), Outcome::TurnoutNotMet);
	assert_eq!(p.tally(199u128, 0, 1_000), Outcome::TurnoutNotMet);
	assert_eq!(p.tally(200u128, 0, 1_000), Outcome::Enacted);
	assert_eq!(p.tally(100u128, 100, 1_000), Outcome::Rejected);
	assert_eq!(p.tally(101u128, 100, 1_000), Outcome::Enacted);
	// Turnout rounds up: 20% of 1,001 shares needs 201.
	assert_eq!(p.tally(200u128, 0, 1_001), Outcome::TurnoutNotMet);
	let two_thirds = params(10, 0, 66);
	assert_eq!(two_thirds.tally(66u128, 34, 100), Outcome::Rejected);
	assert_eq!(two_thirds.tally(67u128, 33, 100), Outcome::Enacted);
	assert_eq!(two_thirds.tally(2u128, 1, 3), Outcome::Enacted);
	assert_eq!(two_thirds.tally(0u128, 0, 4), Outcome::TurnoutNotMet);
}

// ---- reaping ----

#[test]
fn closed_votes_and_their_locks_are_reaped_in_bounded_steps() {
	new_test_ext().execute_with(|| {
		let model = model_with_holders(2);
		let voters: Vec<AccountId> = (100..110).collect();
		for who in &voters {
			<Balances as frame_support::traits::fungible::Mutate<_>>::set_balance(who, 100);
			assert_ok!(Shares::transfer_shares(RuntimeOrigin::signed(ALICE), model, *who, 10));
		}
		let proposal = propose(BOB, model, 1);
		for who in &voters {
			vote(*who, proposal, Aye, 10);
		}
		// Nothing to reap while the proposal is open.
		assert_eq!(Governance::reap_votes(100), None);
		run_to(1 + VOTING_PERIOD);
		assert_ok!(Governance::close(RuntimeOrigin::signed(BOB), proposal));
		// No spare weight: nothing happens.
		assert_eq!(idle(Weight::zero()), Weight::zero());
		assert_eq!(Votes::<Test>::iter_prefix(proposal).count(), 10);
		// At most MAX_REAPED votes per block.
		let used = idle(Weight::MAX);
		assert_eq!(used, <() as crate::WeightInfo>::reap_votes(MAX_REAPED));
		assert_eq!(Votes::<Test>::iter_prefix(proposal).count(), 6);
		idle(Weight::MAX);
		idle(Weight::MAX);
		assert_eq!(Votes::<Test>::iter_prefix(proposal).count(), 0);
		assert!(!VotesToReap::<Test>::contains_key(proposal));
		assert_eq!(last_event(), Event::VotesReaped { proposal, removed: 2, done: true }.into());
		for who in &voters {
			assert!(!ShareLocks::<Test>::contains_key(model, who));
		}
		// Nothing left: one read.
		assert_eq!(
			idle(Weight::MAX),
			<<Test as frame_system::Config>::DbWeight as Get<
				frame_support::weights::RuntimeDbWeight,
			>>::get()
			.reads(1)
		);
	});
}

#[test]
fn reaping_respects_the_weight_left() {
	new_test_ext().execute_with(|| {
		let model = model_with_holders(2);
		let proposal = propose(BOB, model, 1);
		vote(ALICE, proposal, Aye, 500);
		vote(BOB, proposal, Aye, 300);
		run_to(1 + VOTING_PERIOD);
		assert_ok!(Governance::close(RuntimeOrigin::signed(BOB), proposal));
		// Room for exactly one vote.
		let one = <() as crate::WeightInfo>::reap_votes(1);
		assert_eq!(idle(one), one);
		assert_eq!(Votes::<Test>::iter_prefix(proposal).count(), 1);
	});
}

// ---- property tests ----

mod properties {
	use super::*;
	use proptest::prelude::*;

	#[derive(Debug, Clone)]
	enum Op {
		Vote { who: usize, proposal: usize, aye: bool, shares: Balance },
		Transfer { from: usize, to: usize, amount: Balance },
		Sell { who: usize, amount: Balance },
		Advance(u64),
		Close(usize),
		Cancel(usize),
	}

	const HOLDERS: [AccountId; 4] = [ALICE, BOB, CHARLIE, DAVE];

	fn op() -> impl Strategy<Value = Op> {
		prop_oneof![
			4 => (0..4usize, 0..3usize, any::<bool>(), 0..400u128)
				.prop_map(|(who, proposal, aye, shares)| Op::Vote { who, proposal, aye, shares }),
			3 => (0..4usize, 0..4usize, 0..400u128)
				.prop_map(|(from, to, amount)| Op::Transfer { from, to, amount }),
			1 => (0..4usize, 0..200u128).prop_map(|(who, amount)| Op::Sell { who, amount }),
			2 => (1..6u64).prop_map(Op::Advance),
			1 => (0..3usize).prop_map(Op::Close),
			1 => (0..3usize).prop_map(Op::Cancel),
		]
	}

	proptest! {
		#![proptest_config(ProptestConfig::with_cases(200))]

		/// Whatever holders do: the shares counted on a proposal never exceed the supply, its
		/// tally is the sum of its recorded votes, no account's vote exceeds what it holds, and
		/// once every proposal is closed (or cancelled) no share is locked and, after reaping,
		/// no vote or lock is left in storage.
		#[test]
		fn shares_never_vote_twice_and_locks_end_with_their_proposal(
			ops in proptest::collection::vec(op(), 1..60)
		) {
			new_test_ext().execute_with(|| {
				let model = add_model(ALICE, 4);
				assert_ok!(Shares::issue_shares(RuntimeOrigin::signed(ALICE), model, SUPPLY));
				for (i, who) in HOLDERS.iter().enumerate().skip(1) {
					assert_ok!(Shares::transfer_shares(
						RuntimeOrigin::signed(ALICE), model, *who, 100 * i as Balance
					));
				}
				let proposals: Vec<u32> =
					(1..=3).map(|version| propose(HOLDERS[version as usize], model, version)).collect();
				for op in ops {
					let _ = match op {
						Op::Vote { who, proposal, aye, shares } => Governance::vote(
							RuntimeOrigin::signed(HOLDERS[who]),
							proposals[proposal],
							if aye { Aye } else { Nay },
							shares,
						),
						Op::Transfer { from, to, amount } => Shares::transfer_shares(
							RuntimeOrigin::signed(HOLDERS[from]), model, HOLDERS[to], amount
						),
						Op::Sell { who, amount } => Shares::create_order(
							RuntimeOrigin::signed(HOLDERS[who]), model, amount, 1
						),
						Op::Advance(blocks) => {
							run_to(System::block_number() + blocks);
							Ok(())
						}
						Op::Close(p) =>
							Governance::close(RuntimeOrigin::signed(EVE), proposals[p]),
						Op::Cancel(p) => Governance::cancel(
							RuntimeOrigin::signed(HOLDERS[p + 1]), proposals[p]
						),
					};
					for id in &proposals {
						let Some(record) = Proposals::<Test>::get(id) else { continue };
						let votes: Vec<_> = Votes::<Test>::iter_prefix(id).collect();
						let ayes: Balance = votes.iter()
							.filter(|(_, v)| v.choice == Aye).map(|(_, v)| v.shares).sum();
						let nays: Balance = votes.iter()
							.filter(|(_, v)| v.choice == Nay).map(|(_, v)| v.shares).sum();
						prop_assert_eq!((record.ayes, record.nays), (ayes, nays));
						prop_assert_eq!(record.voters as usize, votes.len());
						prop_assert!(ayes + nays <= SUPPLY, "a share voted twice");
						for (who, v) in votes {
							prop_assert!(
								v.shares <= Shares::share_balance(
									&pallet_model_shares::ShareClasses::<Test>::get(model).unwrap(),
									&who
								),
								"a vote's shares left the voter's account"
							);
						}
					}
				}
				// End every proposal.
				run_to(System::block_number() + VOTING_PERIOD);
				for id in &proposals {
					if Proposals::<Test>::contains_key(id) {
						assert_ok!(Governance::close(RuntimeOrigin::signed(EVE), *id));
					}
				}
				for who in HOLDERS {
					prop_assert_eq!(locked(model, who), 0);
				}
				prop_assert_eq!(held(ALICE) + held(BOB) + held(CHARLIE) + held(DAVE), 0);
				while idle(Weight::MAX) != <<Test as frame_system::Config>::DbWeight as Get<frame_support::weights::RuntimeDbWeight>>::get().reads(1) {}
				prop_assert_eq!(Votes::<Test>::iter().count(), 0);
				prop_assert_eq!(ShareLocks::<Test>::iter().count(), 0);
				prop_assert_eq!(VotesToReap::<Test>::iter().count(), 0);
				Ok(())
			})?;
		}
	}
}

// ---- M-4: governance floors and the cost of spam ----

/// Before issuing, an owner could set a 0% turnout and the shortest period, then pass any
/// upgrade alone with one share. The turnout has a floor for every origin, and an owner's
/// voting period one of its own (root, i.e. a referendum, may still choose a shorter one).
#[test]
fn an_owner_cannot_set_governance_below_the_floors() {
	new_test_ext().execute_with(|| {
		let model = add_model(ALICE, 2);
		for low in [params(OWNER_MIN_PERIOD, 0, 50), params(OWNER_MIN_PERIOD - 1, 20, 50)] {
			assert_noop!(
				Governance::set_voting_params(RuntimeOrigin::signed(ALICE), model, low),
				Error::<Test>::InvalidParams
			);
		}
		assert_noop!(
			Governance::set_voting_params(RuntimeOrigin::root(), model, params(5, 0, 50)),
			Error::<Test>::InvalidParams
		);
		assert_ok!(Governance::set_voting_params(
			RuntimeOrigin::signed(ALICE),
			model,
			params(OWNER_MIN_PERIOD, 10, 50)
		));
		assert_ok!(Governance::set_voting_params(RuntimeOrigin::root(), model, params(5, 10, 50)));
	});
}

/// Proposal spam costs the spammer: the deposit of a proposal that is rejected or misses the
/// turnout goes to the treasury, so the slots cannot be kept busy for free.
#[test]
fn a_failed_proposal_forfeits_its_deposit_to_the_treasury() {
	new_test_ext().execute_with(|| {
		let model = model_with_holders(3);
		let unvoted = propose(CHARLIE, model, 1);
		let rejected = propose(CHARLIE, model, 2);
		vote(ALICE, rejected, Nay, 500);
		let (charlie, treasury) =
			(Balances::total_balance(&CHARLIE), Balances::total_balance(&TREASURY));
		run_to(1 + VOTING_PERIOD);
		assert_ok!(Governance::close(RuntimeOrigin::signed(DAVE), unvoted));
		assert_ok!(Governance::close(RuntimeOrigin::signed(DAVE), rejected));
		assert_eq!(held(CHARLIE), 0);
		assert_eq!(Balances::total_balance(&CHARLIE), charlie - 2 * PROPOSAL_DEPOSIT);
		assert_eq!(Balances::total_balance(&TREASURY), treasury + 2 * PROPOSAL_DEPOSIT);
	});
}

/// M-4: an approved upgrade to a version that fewer miners serve than the model's redundancy
/// would stop the model's jobs; it is not enacted (`NotServed`), and the proposer, who did
/// nothing wrong, gets the deposit back.
#[test]
fn an_upgrade_too_few_miners_serve_is_not_enacted() {
	new_test_ext().execute_with(|| {
		let model = model_with_holders(3);
		set_serving(model, 1, u32::from(REDUNDANCY) - 1);
		let proposal = propose(BOB, model, 1);
		vote(ALICE, proposal, Aye, 500);
		run_to(1 + VOTING_PERIOD);
		assert_ok!(Governance::close(RuntimeOrigin::signed(DAVE), proposal));
		assert!(matches!(
			last_event(),
			RuntimeEvent::Governance(Event::Closed {
				outcome: Outcome::NotServed,
				forfeited: 0,
				..
			})
		));
		assert_eq!(active_version(model), 0);
		assert_eq!(held(BOB), 0);
		assert_eq!(Balances::total_balance(&TREASURY), 0);
		// Once enough miners serve it, the holders pass it.
		set_serving(model, 1, u32::from(REDUNDANCY));
		let again = propose(BOB, model, 1);
		vote(ALICE, again, Aye, 500);
		run_to(System::block_number() + VOTING_PERIOD);
		assert_ok!(Governance::close(RuntimeOrigin::signed(DAVE), again));
		assert_eq!(active_version(model), 1);
	});
}

// ---- M-3: the access policy by a holders' vote ----

#[test]
fn holders_vote_an_access_policy() {
	new_test_ext().execute_with(|| {
		let model = model_with_holders(1);
		let policy = AccessPolicy::HoldersOnly { min_shares: 100 };
		assert_noop!(
			Governance::propose_access_policy(RuntimeOrigin::signed(DAVE), model, policy),
			Error::<Test>::NotHolder
		);
		assert_noop!(
			Governance::propose_access_policy(
				RuntimeOrigin::signed(BOB),
				model,
				AccessPolicy::HoldersOnly { min_shares: 0 }
			),
			DispatchError::Other("invalid")
		);
		let unshared = add_model(ALICE, 1);
		assert_noop!(
			Governance::propose_access_policy(RuntimeOrigin::signed(ALICE), unshared, policy),
			Error::<Test>::NoShares
		);
		let proposal = crate::NextProposalId::<Test>::get();
		assert_ok!(Governance::propose_access_policy(RuntimeOrigin::signed(BOB), model, policy));
		assert_noop!(
			Governance::propose_access_policy(RuntimeOrigin::signed(CHARLIE), model, policy),
			Error::<Test>::DuplicateProposal
		);
		// A different policy may be proposed next to it.
		assert_ok!(Governance::propose_access_policy(
			RuntimeOrigin::signed(CHARLIE),
			model,
			AccessPolicy::Licensed
		));
		vote(ALICE, proposal, Aye, 500);
		vote(CHARLIE, proposal, Nay, 200);
		// The voted shares are locked like an upgrade's.
		assert_eq!(locked(model, ALICE), 500);
		run_to(1 + VOTING_PERIOD);
		assert_ok!(Governance::close(RuntimeOrigin::signed(DAVE), proposal));
		assert_eq!(POLICIES.with(|p| p.borrow().get(&model).copied()), Some(policy));
		assert!(matches!(
			last_event(),
			RuntimeEvent::Governance(Event::Closed {
				action: ProposalAction::SetAccessPolicy(p),
				outcome: Outcome::Enacted,
				..
			}) if p == policy
		));
	});
}

// ---- the v0 -> v1 migration ----

/// Proposals stored by v0 (a `version` where v1 has an `action`) become upgrades of that
/// version, with votes, deposit, end and parameters unchanged, and still close as before.
#[test]
fn migration_to_v1_turns_stored_versions_into_upgrade_actions() {
	use crate::migrations::v1::{MigrateToV1, ProposalV0};
	use frame_support::traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion};
	new_test_ext().execute_with(|| {
		let model = model_with_holders(3);
		let open = propose(BOB, model, 2);
		vote(ALICE, open, Aye, 500);
		// Rewrite it as v0 stored it.
		let record = Proposals::<Test>::get(open).unwrap();
		let old = ProposalV0 {
			model: record.model,
			version: 2,
			proposer: record.proposer,
			deposit: record.deposit,
			end: record.end,
			params: record.params,
			ayes: record.ayes,
			nays: record.nays,
			voters: record.voters,
		};
		frame_support::storage::unhashed::put(&Proposals::<Test>::hashed_key_for(open), &old);
		StorageVersion::new(0).put::<Governance>();

		MigrateToV1::<Test>::on_runtime_upgrade();

		assert_eq!(Governance::on_chain_storage_version(), 1);
		assert_eq!(Proposals::<Test>::get(open), Some(record));
		run_to(1 + VOTING_PERIOD);
		assert_ok!(Governance::close(RuntimeOrigin::signed(DAVE), open));
		assert_eq!(active_version(model), 2);
	});
}

/// The invariants checked after every test catch a tally its votes do not add up to (so that
/// check can fail).
#[test]
fn try_state_catches_a_tally_its_votes_do_not_add_up_to() {
	new_test_ext().execute_with(|| {
		let model = model_with_holders(2);
		let proposal = propose(BOB, model, 1);
		vote(ALICE, proposal, Aye, 100);
		assert_ok!(Governance::do_try_state());
		Proposals::<Test>::mutate(proposal, |p| p.as_mut().unwrap().ayes += 1);
		assert!(Governance::do_try_state().is_err());
		Proposals::<Test>::mutate(proposal, |p| p.as_mut().unwrap().ayes -= 1);
	});
}
