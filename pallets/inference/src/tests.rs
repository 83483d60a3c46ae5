//! Tests of the inference pallet: every call and error, every way a job ends, the fee split,
//! slashing, verdicts (pool validation included), bounded hooks, the off-chain worker with
//! mocked HTTP, and a property test over random job lifecycles.

use crate::{mock::*, *};
use codec::{Decode, Encode};
use frame_support::traits::Hooks;
use frame_support::{
	assert_noop, assert_ok,
	pallet_prelude::{InvalidTransaction, TransactionSource, TransactionValidityError},
	traits::{
		fungible::{Inspect, InspectHold},
		Authorize,
	},
};
use modelchain_primitives::{Balance, FreshRandomness, ModelVersionRef, SlashReason};
use sp_core::H256;
use sp_runtime::{testing::UintAuthorityId, DispatchError, Perbill, RuntimeAppPublic};

const GOOD: [i64; 3] = [9_000, 700, 300];
const BAD: [i64; 3] = [1, 2, 3];
const OTHER: [i64; 3] = [4, 5, 6];
/// The block in which a job requested in block 1 gets its miners (its commit period starts).
const ASSIGNED: u64 = 2;
/// A block's randomness, for direct draws.
const SEED: [u8; 32] = [42; 32];

fn held(who: AccountId) -> Balance {
	Balances::balance_on_hold(&HoldReason::JobFee.into(), &who)
}

/// A request of `who`, assigned its miners in the next block (which the test is then in).
fn request(who: AccountId) -> JobId {
	let job = request_unassigned(who);
	next_block();
	assert!(!miners_of(job).is_empty(), "assigned in the block after the request");
	job
}

/// A request of `who`, still waiting for its miners (in the request's block).
fn request_unassigned(who: AccountId) -> JobId {
	let job = NextJobId::<Test>::get();
	assert_ok!(Inference::request_inference(
		RuntimeOrigin::signed(who),
		MODEL,
		InputArg::Inline(b"[0.1,0.2]".to_vec()),
		PRICE
	));
	job
}

/// Runs `process_deadlines` at `now`: how many due entries it handled (of every queue) and
/// how many removed ones it skipped.
fn deadlines_at(now: u64) -> (u32, u32) {
	let handled = Inference::process_deadlines(now);
	(handled.total(), handled.skipped)
}

/// Runs the next block.
fn next_block() {
	run_to_block(System::block_number() + 1);
}

/// Jails (or releases) `miners` in the staking stand-in.
fn set_jailed(miners: &[AccountId], jailed: bool) {
	WORKERS.with(|w| {
		for miner in miners {
			w.borrow_mut().get_mut(miner).unwrap().jailed = jailed;
		}
	});
}

/// A request of `who` with a one-byte input, for tests of refusals.
fn request_small(who: AccountId) -> frame_support::dispatch::DispatchResultWithPostInfo {
	Inference::request_inference(
		RuntimeOrigin::signed(who),
		MODEL,
		InputArg::Inline(b"x".to_vec()),
		PRICE,
	)
}

fn miners_of(job: JobId) -> Vec<AccountId> {
	Jobs::<Test>::get(job).unwrap().assignments.iter().map(|a| a.miner).collect()
}

fn salt(miner: AccountId) -> [u8; 32] {
	[miner as u8; 32]
}

fn commit(job: JobId, miner: AccountId, output: &[i64]) {
	assert_ok!(Inference::commit_result(
		RuntimeOrigin::signed(miner),
		job,
		commitment_of(job, &miner, output, &salt(miner))
	));
}

fn reveal(job: JobId, miner: AccountId, output: &[i64]) {
	assert_ok!(Inference::reveal_result(
		RuntimeOrigin::signed(miner),
		job,
		output.to_vec(),
		salt(miner)
	));
}

fn phase(job: JobId) -> JobPhase {
	Jobs::<Test>::get(job).unwrap().phase
}

/// What `who` can still hold or transfer (keeping its account alive).
fn spendable(who: AccountId) -> Balance {
	Balances::reducible_balance(
		&who,
		frame_support::traits::tokens::Preservation::Preserve,
		frame_support::traits::tokens::Fortitude::Polite,
	)
}

fn deposit_held(who: AccountId) -> Balance {
	Balances::balance_on_hold(&HoldReason::QuorumDeposit.into(), &who)
}

/// The miners reported to compute staking as having missed a job, in order.
fn missed() -> Vec<AccountId> {
	MISSED.with(|m| m.borrow().clone())
}

fn slashes() -> Vec<(AccountId, SlashReason)> {
	SLASHES.with(|s| s.borrow().iter().map(|(who, reason, _)| (*who, *reason)).collect())
}

fn sign(authority: u64, verdict: &VerdictOf<Test>) -> AuthoritySignatureOf<Test> {
	UintAuthorityId(authority).sign(&Inference::verdict_message(verdict)).unwrap()
}

fn verdict(
	job: JobId,
	output: &[i64],
	authority: u64,
) -> (VerdictOf<Test>, AuthoritySignatureOf<Test>) {
	let verdict = Verdict {
		job,
		output_hash: output_hash(output),
		accepted: Default::default(),
		authority: UintAuthorityId(authority),
	};
	let signature = sign(authority, &verdict);
	(verdict, signature)
}

/// Validates a verdict call as the pool would, then dispatches it with the authorized origin.
fn submit(
	verdict: VerdictOf<Test>,
	signature: AuthoritySignatureOf<Test>,
) -> sp_runtime::DispatchResult {
	let call =
		Call::<Test>::submit_verdict { verdict: verdict.clone(), signature: signature.clone() };
	call.authorize(TransactionSource::External)
		.expect("submit_verdict has an authorize function")
		.map_err(|_| sp_runtime::DispatchError::Other("refused by the pool"))?;
	Inference::submit_verdict(frame_system::RawOrigin::Authorized.into(), verdict, signature)
}

/// Runs a job to its challenge window with the given outputs per assigned miner.
fn to_challenge(job: JobId, outputs: [&[i64]; 3]) {
	let miners = miners_of(job);
	for (miner, output) in miners.iter().zip(outputs) {
		commit(job, *miner, output);
	}
	for (miner, output) in miners.iter().zip(outputs) {
		reveal(job, *miner, output);
	}
}

// ---------------------------------------------------------------- request_inference

#[test]
fn a_request_pays_the_licence_path_weight_only_when_it_uses_a_licence() {
	new_test_ext().execute_with(|| {
		use crate::weights::WeightInfo;
		let candidates = MINERS.len() as u32;
		let open = request_small(ALICE).unwrap().actual_weight;
		assert_eq!(open, Some(<() as WeightInfo>::request_inference(candidates, 0)));
		LICENSED.with(|l| l.borrow_mut().insert(BOB));
		let licensed = request_small(BOB).unwrap().actual_weight;
		assert_eq!(licensed, Some(<() as WeightInfo>::request_inference(candidates, 1)));
		assert!(
			licensed.unwrap().ref_time() > open.unwrap().ref_time(),
			"a licence's query costs more than an open model's access"
		);
	});
}

#[test]
fn request_holds_the_fee_and_assigns_distinct_miners() {
	new_test_ext().execute_with(|| {
		let free_before = Balances::balance(&ALICE);
		let job = request_unassigned(ALICE);
		assert_eq!(held(ALICE), PRICE);
		assert_eq!(Balances::balance(&ALICE), free_before - PRICE);
		let record = Jobs::<Test>::get(job).unwrap();
		assert_eq!(record.phase, JobPhase::Assigning);
		assert!(record.assignments.is_empty(), "no miners in the request's block");
		assert_eq!(record.terms.fee, PRICE);
		assert_eq!(record.terms.redundancy, 3);
		assert_eq!(ActiveJobs::<Test>::get(), 1);
		System::assert_last_event(
			Event::JobRequested { job, requester: ALICE, version: VERSION, fee: PRICE }.into(),
		);

		next_block();
		let record = Jobs::<Test>::get(job).unwrap();
		assert_eq!(record.phase, JobPhase::Commit);
		assert_eq!(record.phase_started, 2);
		assert_eq!(
			record.deadline,
			ASSIGNED + COMMIT_PERIOD,
			"the commit period starts at assignment"
		);
		let mut miners = miners_of(job);
		assert_eq!(miners.len(), 3);
		miners.sort();
		miners.dedup();
		assert_eq!(miners.len(), 3, "miners are distinct");
		assert!(miners.iter().all(|m| MINERS.contains(m)));
		System::assert_last_event(
			Event::JobAssigned {
				job,
				miners: miners_of(job),
				commit_deadline: ASSIGNED + COMMIT_PERIOD,
			}
			.into(),
		);
	});
}

/// M-7: the requester cannot know its miners when it submits. In the request's block the
/// job has none; they are drawn in the next block from that block's randomness, so the same
/// request in the same state gets other miners when the assigning block's randomness differs
/// (before, the pick was fixed by the parent hash, known to the requester and the author of
/// the request's block).
#[test]
fn the_requester_cannot_know_its_miners_when_it_submits() {
	let mut picks = std::collections::BTreeSet::new();
	for salt in 0..8 {
		new_test_ext().execute_with(|| {
			RandomnessSalt::set(salt);
			let job = request_unassigned(ALICE);
			assert!(miners_of(job).is_empty(), "nobody is assigned in the request's block");
			assert_eq!(phase(job), JobPhase::Assigning);
			next_block();
			let mut miners = miners_of(job);
			miners.sort();
			picks.insert(miners);
		});
	}
	assert!(picks.len() > 1, "the miners depend on the assigning block's randomness: {picks:?}");
}

#[test]
fn jobs_wait_for_a_block_with_randomness_and_are_assigned_in_order() {
	new_test_ext().execute_with(|| {
		RandomnessInBlocks::set(false);
		let (first, second) = (request_unassigned(ALICE), request_unassigned(BOB));
		run_to_block(4);
		assert_eq!((phase(first), phase(second)), (JobPhase::Assigning, JobPhase::Assigning));
		assert!(Queue::<Test>::get(DeadlineKind::Assign, 0).is_some(), "still queued");
		RandomnessInBlocks::set(true);
		next_block();
		assert_eq!((phase(first), phase(second)), (JobPhase::Commit, JobPhase::Commit));
		assert_eq!(Jobs::<Test>::get(first).unwrap().deadline, 5 + COMMIT_PERIOD);
		assert_eq!(Queue::<Test>::iter_prefix(DeadlineKind::Assign).count(), 0);
		let (head, tail, _) = QueueBounds::<Test>::get(DeadlineKind::Assign);
		assert_eq!((head, tail), (2, 2));
	});
}

#[test]
fn a_request_is_not_assigned_in_its_own_block() {
	new_test_ext().execute_with(|| {
		let job = request_unassigned(ALICE);
		// Even with this block's randomness, a job of this block waits for the next one.
		Inference::assign_pending(1, &mut frame_support::weights::WeightMeter::new());
		assert_eq!(phase(job), JobPhase::Assigning);
	});
}

/// A job whose miners were jailed (or chilled) between request and assignment ends
/// `Unassigned`: the requester gets the fee and the quorum deposit back, nobody is slashed.
#[test]
fn a_job_left_without_enough_miners_at_assignment_is_refunded_in_full() {
	new_test_ext().execute_with(|| {
		TestQuorumDeposit::set(25);
		let total = total_of_known_accounts();
		let free = Balances::balance(&ALICE);
		let job = request_unassigned(ALICE);
		set_jailed(&MINERS[..MINERS.len() - 2], true);
		next_block();
		assert_eq!(phase(job), JobPhase::Finished(JobOutcome::Unassigned));
		assert_eq!((held(ALICE), deposit_held(ALICE)), (0, 0));
		assert_eq!(Balances::balance(&ALICE), free);
		assert_eq!(total_of_known_accounts(), total);
		assert_eq!((ActiveJobs::<Test>::get(), ActiveJobsOf::<Test>::get(ALICE)), (0, 0));
		assert!(slashes().is_empty() && missed().is_empty());
		System::assert_has_event(
			Event::JobRefunded { job, requester: ALICE, amount: PRICE }.into(),
		);
		System::assert_has_event(
			Event::JobFinished {
				job,
				outcome: JobOutcome::Unassigned,
				prune_at: ASSIGNED + RETENTION,
			}
			.into(),
		);
	});
}

#[test]
fn assignment_stops_at_the_weight_left_in_the_block() {
	new_test_ext().execute_with(|| {
		let jobs: Vec<_> = (0..3).map(|_| request_unassigned(ALICE)).collect();
		System::set_block_number(2);
		let bounds = <<Test as frame_system::Config>::DbWeight as frame_support::traits::Get<
			frame_support::weights::RuntimeDbWeight,
		>>::get()
		.reads_writes(1, 1);
		// Room for one assignment at its worst case (every candidate a miner could be).
		let max_candidates =
			<<Test as Config>::MaxCandidates as frame_support::traits::Get<u32>>::get();
		let one_job = bounds + Inference::assign_job_weight(max_candidates);
		let mut meter = frame_support::weights::WeightMeter::with_limit(one_job);
		Inference::assign_pending(2, &mut meter);
		let assigned: Vec<_> = jobs.iter().map(|j| !miners_of(*j).is_empty()).collect();
		assert_eq!(assigned, vec![true, false, false], "the first in line, within the weight");
		// It consumed what its scan of the 7 eligible miners took, not the worst case.
		assert_eq!(meter.consumed(), bounds + Inference::assign_job_weight(MINERS.len() as u32));
		assert!(!meter.can_consume(Inference::assign_job_weight(max_candidates)));
		// The rest go in the next block.
		run_to_block(3);
		assert!(jobs.iter().all(|j| !miners_of(*j).is_empty()));
	});
}

#[test]
fn request_errors_change_nothing() {
	new_test_ext().execute_with(|| {
		let inline = |bytes: Vec<u8>| InputArg::Inline(bytes);
		assert_noop!(
			Inference::request_inference(
				RuntimeOrigin::signed(ALICE),
				7,
				inline(b"x".to_vec()),
				PRICE
			),
			Error::<Test>::ModelNotServing
		);
		assert_noop!(
			Inference::request_inference(
				RuntimeOrigin::signed(ALICE),
				MODEL,
				inline(b"x".to_vec()),
				PRICE - 1
			),
			Error::<Test>::FeeAboveMax
		);
		assert_noop!(
			Inference::request_inference(
				RuntimeOrigin::signed(ALICE),
				MODEL,
				inline(vec![]),
				PRICE
			),
			Error::<Test>::EmptyInput
		);
		assert_noop!(
			Inference::request_inference(
				RuntimeOrigin::signed(ALICE),
				MODEL,
				inline(vec![1; 65]),
				PRICE
			),
			Error::<Test>::InputTooLong
		);
		assert_noop!(
			Inference::request_inference(
				RuntimeOrigin::signed(ALICE),
				MODEL,
				InputArg::Remote { uri: vec![b'u'; 33], hash: [0; 32] },
				PRICE
			),
			Error::<Test>::UriTooLong
		);
		assert_noop!(
			Inference::request_inference(
				RuntimeOrigin::signed(ALICE),
				MODEL,
				InputArg::Remote { uri: vec![], hash: [0; 32] },
				PRICE
			),
			Error::<Test>::EmptyInput
		);
		assert_noop!(
			Inference::request_inference(
				RuntimeOrigin::signed(POOR),
				MODEL,
				inline(b"x".to_vec()),
				PRICE
			),
			Error::<Test>::InsufficientBalance
		);
		// Only two unjailed miners left for a redundancy of 3.
		set_jailed(&MINERS[2..], true);
		assert_noop!(
			Inference::request_inference(
				RuntimeOrigin::signed(ALICE),
				MODEL,
				inline(b"x".to_vec()),
				PRICE
			),
			Error::<Test>::NotEnoughWorkers
		);
		assert_eq!(held(ALICE), 0);
	});
}

#[test]
fn a_refused_access_fails_the_request_with_nothing_held() {
	new_test_ext().execute_with(|| {
		DENIED.with(|d| d.borrow_mut().insert(BOB));
		let next = NextJobId::<Test>::get();
		assert_noop!(
			Inference::request_inference(
				RuntimeOrigin::signed(BOB),
				MODEL,
				InputArg::Inline(b"x".to_vec()),
				PRICE
			),
			DispatchError::Other("access denied")
		);
		assert_eq!(held(BOB), 0);
		assert_eq!(NextJobId::<Test>::get(), next);
		// An allowed request is recorded with its job id.
		let job = request(ALICE);
		assert_eq!(ACCESSES.with(|a| a.borrow().clone()), vec![(ALICE, VERSION, job)]);
	});
}

#[test]
fn client_views_match_what_the_chain_does() {
	new_test_ext().execute_with(|| {
		// The quote is the split a settled job pays.
		let quote = Inference::quote_fee(MODEL).unwrap();
		assert_eq!(quote.fee, PRICE);
		assert_eq!(
			quote.treasury + quote.creator + quote.miners + quote.holders,
			PRICE,
			"the parts add up to the fee"
		);
		assert_eq!(quote.miners, quote.per_miner * 3);
		assert_eq!(Inference::quote_fee(7), None);
		assert_eq!(Inference::eligible_miners(MODEL).len(), MINERS.len());
		assert!(Inference::eligible_miners(7).is_empty());

		let job = request(ALICE);
		let status = Inference::job_status(job).unwrap();
		assert_eq!(status.job.phase, JobPhase::Commit);
		assert_eq!(status.result, None);
		to_challenge(job, [&[1, 2], &[1, 2], &[1, 2]]);
		let treasury_before = Balances::balance(&TREASURY);
		let status = Inference::job_status(job).unwrap();
		assert_eq!(status.result.map(|r| r.into_inner()), Some(vec![1, 2]));
		run_to_block(System::block_number() + CHALLENGE_PERIOD + 1);
		System::assert_has_event(
			Event::JobSettled {
				job,
				fee: PRICE,
				treasury: quote.treasury,
				creator: quote.creator,
				miners: quote.miners,
				holders: quote.holders,
				refunded: 0,
			}
			.into(),
		);
		assert_eq!(Balances::balance(&TREASURY), treasury_before + quote.treasury);
		assert_eq!(Inference::job_status(u64::MAX), None);
	});
}

#[test]
fn remote_inputs_are_accepted() {
	new_test_ext().execute_with(|| {
		assert_ok!(Inference::request_inference(
			RuntimeOrigin::signed(ALICE),
			MODEL,
			InputArg::Remote { uri: b"ipfs://input".to_vec(), hash: [7; 32] },
			PRICE * 2
		));
		// Only the price is held, never more than it.
		assert_eq!(held(ALICE), PRICE);
		assert!(
			matches!(Jobs::<Test>::get(0).unwrap().input, JobInput::Remote { hash, .. } if hash == [7; 32])
		);
	});
}

#[test]
fn active_jobs_are_bounded() {
	new_test_ext().execute_with(|| {
		for job in 0..MAX_ACTIVE_JOBS {
			request_unassigned(if job % 2 == 0 { ALICE } else { BOB });
		}
		assert_noop!(request_small(CREATOR), Error::<Test>::TooManyActiveJobs);
	});
}

/// H-1: one requester cannot take every job slot: at `MaxActiveJobsPerRequester` unfinished
/// jobs its next request is refused (nothing held), others still get in, and a slot comes back
/// when one of its jobs ends.
#[test]
fn one_requester_cannot_take_every_job_slot() {
	new_test_ext().execute_with(|| {
		for _ in 0..MAX_JOBS_PER_REQUESTER {
			request_unassigned(ALICE);
		}
		assert_eq!(ActiveJobsOf::<Test>::get(ALICE), MAX_JOBS_PER_REQUESTER);
		let held_before = held(ALICE);
		assert_noop!(request_small(ALICE), Error::<Test>::TooManyJobsOfRequester);
		assert_eq!(held(ALICE), held_before);
		request_unassigned(BOB);
		// The jobs time out (nobody commits): the slots come back, the counter entry goes.
		run_to_block(ASSIGNED + COMMIT_PERIOD + 10);
		assert_eq!(ActiveJobsOf::<Test>::get(ALICE), 0);
		assert!(!ActiveJobsOf::<Test>::contains_key(ALICE));
		request(ALICE);
		assert_eq!(ActiveJobsOf::<Test>::get(ALICE), 1);
	});
}

#[test]
fn selection_is_stake_weighted() {
	new_test_ext().execute_with(|| {
		// Miner 10 has 20 times the stake of each other miner.
		WORKERS.with(|w| w.borrow_mut().get_mut(&10).unwrap().stake = 20 * STAKE);
		let mut picked_heavy = 0;
		let rounds = 200u64;
		for job in 0..rounds {
			let candidates = MockStaking_eligible();
			let picked = Inference::select_miners(candidates, 1, &SEED, job).unwrap();
			if picked[0].0 == 10 {
				picked_heavy += 1;
			}
		}
		// Expected share 20/26 ≈ 77%; uniform would be 1/7 ≈ 14%.
		assert!(picked_heavy > rounds / 2, "heavy miner picked {picked_heavy} of {rounds}");
		assert!(picked_heavy < rounds, "others are picked too");
		assert!(Inference::select_miners(MockStaking_eligible(), 8, &SEED, 0).is_none());
	});
}

#[allow(non_snake_case)]
fn MockStaking_eligible() -> Vec<(AccountId, Balance)> {
	use modelchain_primitives::ComputeStakingInterface;
	MockStaking::eligible_workers(&VERSION, modelchain_primitives::WorkerRole::Miner, 16)
}

// ---------------------------------------------------------------- commit / reveal

#[test]
fn commit_errors() {
	new_test_ext().execute_with(|| {
		let job = request(ALICE);
		let miner = miners_of(job)[0];
		let outsider = *MINERS.iter().find(|m| !miners_of(job).contains(m)).unwrap();
		assert_noop!(
			Inference::commit_result(RuntimeOrigin::signed(miner), 99, H256::zero()),
			Error::<Test>::UnknownJob
		);
		assert_noop!(
			Inference::commit_result(RuntimeOrigin::signed(outsider), job, H256::zero()),
			Error::<Test>::NotAssigned
		);
		commit(job, miner, &GOOD);
		assert_noop!(
			Inference::commit_result(RuntimeOrigin::signed(miner), job, H256::zero()),
			Error::<Test>::AlreadyCommitted
		);
		// At the deadline block the phase is over even before the hook ran.
		System::set_block_number(ASSIGNED + COMMIT_PERIOD);
		let late = miners_of(job)[1];
		assert_noop!(
			Inference::commit_result(RuntimeOrigin::signed(late), job, H256::zero()),
			Error::<Test>::NotInCommitPhase
		);
	});
}

#[test]
fn reveal_errors() {
	new_test_ext().execute_with(|| {
		let job = request(ALICE);
		let miners = miners_of(job);
		commit(job, miners[0], &GOOD);
		assert_noop!(
			Inference::reveal_result(
				RuntimeOrigin::signed(miners[0]),
				job,
				GOOD.to_vec(),
				salt(miners[0])
			),
			Error::<Test>::NotInRevealPhase
		);
		commit(job, miners[1], &GOOD);
		run_to_block(ASSIGNED + COMMIT_PERIOD); // two of three committed: reveal phase
		assert!(matches!(phase(job), JobPhase::Reveal));
		assert_noop!(
			Inference::reveal_result(
				RuntimeOrigin::signed(miners[2]),
				job,
				GOOD.to_vec(),
				salt(miners[2])
			),
			Error::<Test>::NotCommitted
		);
		assert_noop!(
			Inference::reveal_result(
				RuntimeOrigin::signed(miners[0]),
				job,
				BAD.to_vec(),
				salt(miners[0])
			),
			Error::<Test>::CommitmentMismatch
		);
		assert_noop!(
			Inference::reveal_result(RuntimeOrigin::signed(miners[0]), job, GOOD.to_vec(), [0; 32]),
			Error::<Test>::CommitmentMismatch
		);
		assert_noop!(
			Inference::reveal_result(
				RuntimeOrigin::signed(miners[0]),
				job,
				vec![],
				salt(miners[0])
			),
			Error::<Test>::InvalidOutput
		);
		assert_noop!(
			Inference::reveal_result(
				RuntimeOrigin::signed(miners[0]),
				job,
				vec![1; 11],
				salt(miners[0])
			),
			Error::<Test>::InvalidOutput
		);
		reveal(job, miners[0], &GOOD);
		assert_noop!(
			Inference::reveal_result(
				RuntimeOrigin::signed(miners[0]),
				job,
				GOOD.to_vec(),
				salt(miners[0])
			),
			Error::<Test>::AlreadyRevealed
		);
	});
}

/// The pool's view of `who` sending `call` through [`PrioritizeAnswers`]: the priority it
/// adds, or the refusal.
fn answer_priority(
	who: AccountId,
	call: crate::Call<Test>,
) -> Result<u64, TransactionValidityError> {
	use frame_support::dispatch::GetDispatchInfo;
	use sp_runtime::traits::DispatchTransaction;
	let call = RuntimeCall::Inference(call);
	PrioritizeAnswers::<Test>::new()
		.validate_only(
			RuntimeOrigin::signed(who),
			&call,
			&call.get_dispatch_info(),
			0,
			TransactionSource::External,
			0,
		)
		.map(|(validity, _, _)| validity.priority)
}

/// The refusal `PrioritizeAnswers` gives for an answer the call would fail with `error`.
fn refused_as(error: Error<Test>) -> Result<u64, TransactionValidityError> {
	use codec::Encode;
	Err(InvalidTransaction::Custom(error.encode()[0]).into())
}

/// H-7: an answer the chain would accept gets `AnswerPriority`, valid until its phase ends;
/// one it would refuse is refused in the pool with the call's own error; other calls pass.
#[test]
fn answers_are_prioritized_in_the_pool_exactly_when_the_chain_would_accept_them() {
	new_test_ext().execute_with(|| {
		let priority = <<Test as Config>::AnswerPriority as frame_support::traits::Get<u64>>::get();
		let job = request(ALICE);
		let miners = miners_of(job);
		let outsider = *MINERS.iter().find(|m| !miners.contains(m)).unwrap();
		let commit_call = |miner: AccountId| crate::Call::commit_result {
			job,
			commitment: commitment_of(job, &miner, &GOOD, &salt(miner)),
		};
		let reveal_call = |miner: AccountId, output: &[i64]| crate::Call::reveal_result {
			job,
			output: output.to_vec(),
			salt: salt(miner),
		};
		assert_eq!(answer_priority(miners[0], commit_call(miners[0])), Ok(priority));
		assert_eq!(
			answer_priority(outsider, commit_call(outsider)),
			refused_as(Error::NotAssigned)
		);
		assert_eq!(
			answer_priority(miners[0], reveal_call(miners[0], &GOOD)),
			refused_as(Error::NotInRevealPhase)
		);
		commit(job, miners[0], &GOOD);
		assert_eq!(
			answer_priority(miners[0], commit_call(miners[0])),
			refused_as(Error::AlreadyCommitted)
		);
		commit(job, miners[1], &GOOD);
		commit(job, miners[2], &GOOD);
		assert!(matches!(phase(job), JobPhase::Reveal));
		assert_eq!(answer_priority(miners[0], reveal_call(miners[0], &GOOD)), Ok(priority));
		assert_eq!(
			answer_priority(miners[0], reveal_call(miners[0], &BAD)),
			refused_as(Error::CommitmentMismatch)
		);
		let other = crate::Call::request_inference {
			model: MODEL,
			input: InputArg::Inline(b"x".to_vec()),
			max_fee: PRICE,
		};
		assert_eq!(answer_priority(ALICE, other), Ok(0), "other calls pass untouched");
	});
}

#[test]
fn a_copied_commitment_cannot_be_revealed() {
	new_test_ext().execute_with(|| {
		let job = request(ALICE);
		let miners = miners_of(job);
		commit(job, miners[0], &GOOD);
		// Miner 1 copies miner 0's commitment from the chain.
		let copied = commitment_of(job, &miners[0], &GOOD, &salt(miners[0]));
		assert_ok!(Inference::commit_result(RuntimeOrigin::signed(miners[1]), job, copied));
		commit(job, miners[2], &GOOD);
		reveal(job, miners[0], &GOOD);
		// Even with miner 0's output and salt, the commitment binds miner 0's account.
		assert_noop!(
			Inference::reveal_result(
				RuntimeOrigin::signed(miners[1]),
				job,
				GOOD.to_vec(),
				salt(miners[0])
			),
			Error::<Test>::CommitmentMismatch
		);
	});
}

// ---------------------------------------------------------------- batched answers

/// `count` jobs requested in one block (by Alice and Bob in turn) and assigned in the next,
/// and a miner assigned to at least two of them with the jobs it serves, in order.
fn jobs_sharing_a_miner(count: u32) -> (Vec<JobId>, AccountId, Vec<JobId>) {
	let jobs: Vec<JobId> =
		(0..count).map(|i| request_unassigned(if i % 2 == 0 { ALICE } else { BOB })).collect();
	next_block();
	let busiest = MINERS
		.iter()
		.max_by_key(|miner| jobs.iter().filter(|job| miners_of(**job).contains(miner)).count())
		.copied()
		.unwrap();
	let served: Vec<JobId> =
		jobs.iter().copied().filter(|job| miners_of(*job).contains(&busiest)).collect();
	assert!(served.len() >= 2, "some miner serves two of {count} jobs");
	(jobs, busiest, served)
}

fn commitments(miner: AccountId, jobs: &[JobId], output: &[i64]) -> CommitmentsOf<Test> {
	let pairs: Vec<_> =
		jobs.iter().map(|job| (*job, commitment_of(*job, &miner, output, &salt(miner)))).collect();
	pairs.try_into().unwrap()
}

fn reveals(miner: AccountId, jobs: &[JobId], output: &[i64]) -> RevealsOf<Test> {
	let reveals: Vec<_> = jobs
		.iter()
		.map(|job| RevealArg { job: *job, output: output.to_vec(), salt: salt(miner) })
		.collect();
	reveals.try_into().unwrap()
}

/// The other miners of each of `jobs` commit (or reveal) `GOOD` one call at a time.
fn others_answer(jobs: &[JobId], miner: AccountId, answer: fn(JobId, AccountId, &[i64])) {
	for job in jobs {
		for other in miners_of(*job).into_iter().filter(|other| *other != miner) {
			answer(*job, other, &GOOD);
		}
	}
}

#[test]
fn a_batch_of_answers_takes_each_job_through_its_phases_like_single_calls() {
	new_test_ext().execute_with(|| {
		let (_, miner, served) = jobs_sharing_a_miner(6);
		others_answer(&served, miner, commit);
		System::reset_events();
		assert_ok!(Inference::commit_results(
			RuntimeOrigin::signed(miner),
			commitments(miner, &served, &GOOD)
		));
		for job in &served {
			System::assert_has_event(Event::ResultCommitted { job: *job, miner }.into());
			assert!(matches!(phase(*job), JobPhase::Reveal), "the last commitment ends the phase");
		}
		others_answer(&served, miner, reveal);
		assert_ok!(Inference::reveal_results(
			RuntimeOrigin::signed(miner),
			reveals(miner, &served, &GOOD)
		));
		let winner = output_hash(&GOOD);
		for job in &served {
			System::assert_has_event(
				Event::ResultRevealed { job: *job, miner, output_hash: winner }.into(),
			);
			assert_eq!(phase(*job), JobPhase::Challenge { winner }, "the last reveal counts");
		}
	});
}

#[test]
fn a_batch_with_one_refused_answer_records_none_of_them() {
	new_test_ext().execute_with(|| {
		let (jobs, miner, served) = jobs_sharing_a_miner(6);
		let (first, second) = (served[0], served[1]);
		let no_answers: CommitmentsOf<Test> = Default::default();
		assert_noop!(
			Inference::commit_results(RuntimeOrigin::signed(miner), no_answers),
			Error::<Test>::NoAnswers
		);
		assert_noop!(
			Inference::commit_results(
				RuntimeOrigin::signed(miner),
				commitments(miner, &[first, 99], &GOOD)
			),
			Error::<Test>::UnknownJob
		);
		if let Some(other) = jobs.iter().copied().find(|job| !served.contains(job)) {
			assert_noop!(
				Inference::commit_results(
					RuntimeOrigin::signed(miner),
					commitments(miner, &[first, other], &GOOD)
				),
				Error::<Test>::NotAssigned
			);
		}
		assert_noop!(
			Inference::commit_results(
				RuntimeOrigin::signed(miner),
				commitments(miner, &[first, second, first], &GOOD)
			),
			Error::<Test>::AlreadyCommitted
		);
		assert!(Jobs::<Test>::get(first)
			.unwrap()
			.assignments
			.iter()
			.all(|a| a.commitment.is_none()));

		assert_ok!(Inference::commit_results(
			RuntimeOrigin::signed(miner),
			commitments(miner, &[first, second], &GOOD)
		));
		others_answer(&[first, second], miner, commit);
		let mut mismatched = reveals(miner, &[first, second], &GOOD);
		mismatched[1].output = BAD.to_vec();
		assert_noop!(
			Inference::reveal_results(RuntimeOrigin::signed(miner), mismatched),
			Error::<Test>::CommitmentMismatch
		);
		assert_noop!(
			Inference::reveal_results(
				RuntimeOrigin::signed(miner),
				reveals(miner, &[first, second, second], &GOOD)
			),
			Error::<Test>::AlreadyRevealed
		);
		let no_reveals: RevealsOf<Test> = Default::default();
		assert_noop!(
			Inference::reveal_results(RuntimeOrigin::signed(miner), no_reveals),
			Error::<Test>::NoAnswers
		);
		assert!(Jobs::<Test>::get(first).unwrap().assignments.iter().all(|a| a.revealed.is_none()));
		assert_ok!(Inference::reveal_results(
			RuntimeOrigin::signed(miner),
			reveals(miner, &[first, second], &GOOD)
		));
	});
}

#[test]
fn a_batch_longer_than_max_answers_per_call_does_not_decode() {
	let too_many: Vec<(JobId, H256)> =
		(0..=u64::from(MAX_ANSWERS_PER_CALL)).map(|job| (job, H256::zero())).collect();
	let mut encoded = crate::Call::<Test>::commit_results {
		commitments: too_many[..MAX_ANSWERS_PER_CALL as usize].to_vec().try_into().unwrap(),
	}
	.encode();
	assert!(crate::Call::<Test>::decode(&mut &encoded[..]).is_ok(), "at the bound it decodes");
	// The same call with one more commitment: the call index, then the longer list.
	encoded.truncate(1);
	encoded.extend(too_many.encode());
	assert!(crate::Call::<Test>::decode(&mut &encoded[..]).is_err());
}

/// A batch is prioritized in the pool exactly when the chain would accept every answer in
/// it, valid until the earliest of its phases ends; otherwise refused with the first
/// refused answer's error.
#[test]
fn batches_are_prioritized_in_the_pool_exactly_when_the_chain_would_accept_every_answer() {
	new_test_ext().execute_with(|| {
		let priority = <<Test as Config>::AnswerPriority as frame_support::traits::Get<u64>>::get();
		let (_, miner, served) = jobs_sharing_a_miner(6);
		let commit_call = |jobs: &[JobId]| crate::Call::commit_results {
			commitments: commitments(miner, jobs, &GOOD),
		};
		assert_eq!(answer_priority(miner, commit_call(&served)), Ok(priority));
		assert_eq!(
			answer_priority(miner, commit_call(&[served[0], served[0]])),
			refused_as(Error::AlreadyCommitted)
		);
		assert_eq!(
			answer_priority(miner, commit_call(&[served[0], 99])),
			refused_as(Error::UnknownJob)
		);
		assert_eq!(answer_priority(miner, commit_call(&[])), refused_as(Error::NoAnswers));

		assert_ok!(Inference::commit_results(
			RuntimeOrigin::signed(miner),
			commitments(miner, &served, &GOOD)
		));
		others_answer(&served, miner, commit);
		let reveal_call = |reveals: RevealsOf<Test>| crate::Call::reveal_results { reveals };
		assert_eq!(
			answer_priority(miner, reveal_call(reveals(miner, &served, &GOOD))),
			Ok(priority)
		);
		let mut mismatched = reveals(miner, &served, &GOOD);
		mismatched[0].salt = [0; 32];
		assert_eq!(
			answer_priority(miner, reveal_call(mismatched)),
			refused_as(Error::CommitmentMismatch)
		);
		assert_eq!(
			answer_priority(miner, reveal_call(reveals(miner, &[served[1], served[1]], &GOOD))),
			refused_as(Error::AlreadyRevealed)
		);
	});
}

// ---------------------------------------------------------------- outcomes

#[test]
fn unanimous_job_settles_with_the_exact_split() {
	new_test_ext().execute_with(|| {
		let total = total_of_known_accounts();
		let creator_before = Balances::balance(&CREATOR);
		let treasury_before = Balances::balance(&TREASURY);
		let alice_before = Balances::total_balance(&ALICE);
		let job = request(ALICE);
		let miners = miners_of(job);
		let miner_before: Vec<_> = miners.iter().map(Balances::balance).collect();
		for miner in &miners {
			commit(job, *miner, &GOOD);
		}
		// All committed: the reveal phase started at once.
		assert!(matches!(phase(job), JobPhase::Reveal));
		for miner in &miners {
			reveal(job, *miner, &GOOD);
		}
		let winner = output_hash(&GOOD);
		assert_eq!(phase(job), JobPhase::Challenge { winner });
		assert_eq!(Results::<Test>::get(job).unwrap().to_vec(), GOOD.to_vec());
		assert_eq!(held(ALICE), PRICE, "still held during the challenge window");

		run_to_block(ASSIGNED + CHALLENGE_PERIOD);
		assert_eq!(phase(job), JobPhase::Finished(JobOutcome::Settled));
		assert_eq!(held(ALICE), 0);
		// 1000: 5% treasury, 5% creator, 30% miners (100 each), 60% holders.
		System::assert_has_event(
			Event::JobSettled {
				job,
				fee: PRICE,
				treasury: 50,
				creator: 50,
				miners: 300,
				holders: 600,
				refunded: 0,
			}
			.into(),
		);
		assert_eq!(Balances::total_balance(&ALICE), alice_before - PRICE);
		assert_eq!(Balances::balance(&TREASURY), treasury_before + 50);
		assert_eq!(Balances::balance(&CREATOR), creator_before + 50);
		for (miner, before) in miners.iter().zip(miner_before) {
			assert_eq!(Balances::balance(miner), before + 100);
			assert_eq!(REPUTATION.with(|r| r.borrow().get(miner).copied()), Some(1));
		}
		assert_eq!(REVENUE.with(|r| r.borrow().get(&MODEL).copied()), Some(600));
		assert!(slashes().is_empty());
		assert_eq!(ActiveJobs::<Test>::get(), 0);
		assert_eq!(total_of_known_accounts(), total);
	});
}

#[test]
fn a_verified_minority_is_slashed_and_the_majority_shares_the_miners_part() {
	new_test_ext().execute_with(|| {
		let job = request(ALICE);
		let miners = miners_of(job);
		let before: Vec<_> = miners.iter().map(Balances::balance).collect();
		to_challenge(job, [&GOOD, &GOOD, &BAD]);
		assert!(slashes().is_empty(), "the minority is slashed only once verified");
		assert!(VerificationDue::<Test>::contains_key(job), "a disagreement is always verified");
		both_validators_find(job, &GOOD);
		assert_eq!(slashes(), vec![(miners[2], SlashReason::WrongResult)]);
		assert_eq!(Balances::balance(&miners[0]), before[0] + 150);
		assert_eq!(Balances::balance(&miners[1]), before[1] + 150);
		assert_eq!(Balances::balance(&miners[2]), before[2] - STAKE / 10);
		System::assert_has_event(
			Event::JobSettled {
				job,
				fee: PRICE,
				treasury: 50,
				creator: 50,
				miners: 300,
				holders: 600,
				refunded: 0,
			}
			.into(),
		);
	});
}

#[test]
fn missed_reveal_is_slashed_and_the_rest_settles() {
	new_test_ext().execute_with(|| {
		let job = request(ALICE);
		let miners = miners_of(job);
		for miner in &miners {
			commit(job, *miner, &GOOD);
		}
		reveal(job, miners[0], &GOOD);
		reveal(job, miners[1], &GOOD);
		run_to_block(ASSIGNED + REVEAL_PERIOD);
		assert_eq!(slashes(), vec![(miners[2], SlashReason::MissedReveal)]);
		assert!(matches!(phase(job), JobPhase::Challenge { .. }));
		run_to_block(ASSIGNED + REVEAL_PERIOD + CHALLENGE_PERIOD);
		assert_eq!(phase(job), JobPhase::Finished(JobOutcome::Settled));
		assert_eq!(held(ALICE), 0);
	});
}

#[test]
fn no_majority_refunds_and_disputes() {
	new_test_ext().execute_with(|| {
		let alice_before = Balances::total_balance(&ALICE);
		let job = request(ALICE);
		to_challenge(job, [&GOOD, &BAD, &OTHER]);
		assert_eq!(phase(job), JobPhase::Disputed);
		assert_eq!(held(ALICE), 0);
		assert_eq!(Balances::total_balance(&ALICE), alice_before);
		assert!(Results::<Test>::get(job).is_none());
		run_to_block(ASSIGNED + CHALLENGE_PERIOD);
		assert_eq!(phase(job), JobPhase::Finished(JobOutcome::NoQuorum));
		assert!(slashes().is_empty(), "without a verdict nobody is slashed for an output");
	});
}

#[test]
fn too_few_commits_refund_and_report_the_silent_miners() {
	new_test_ext().execute_with(|| {
		let job = request(ALICE);
		let miners = miners_of(job);
		commit(job, miners[0], &GOOD);
		run_to_block(ASSIGNED + COMMIT_PERIOD);
		assert_eq!(phase(job), JobPhase::Finished(JobOutcome::NoQuorum));
		assert_eq!(held(ALICE), 0);
		assert!(slashes().is_empty(), "silence is not slashed");
		assert_eq!(missed(), vec![miners[1], miners[2]], "only the silent miners are reported");
		System::assert_has_event(
			Event::JobRefunded { job, requester: ALICE, amount: PRICE }.into(),
		);
	});
}

/// M-1: miners that never commit are reported to compute staking (which takes reputation and
/// jails after a run of misses) instead of only losing the job.
#[test]
fn silent_miners_time_the_job_out_and_are_reported() {
	new_test_ext().execute_with(|| {
		let alice_before = Balances::total_balance(&ALICE);
		let job = request(ALICE);
		run_to_block(ASSIGNED + COMMIT_PERIOD);
		assert_eq!(phase(job), JobPhase::Finished(JobOutcome::NoQuorum));
		assert_eq!(Balances::total_balance(&ALICE), alice_before, "no quorum deposit here");
		let mut reported = missed();
		reported.sort();
		let mut assigned = miners_of(job);
		assigned.sort();
		assert_eq!(reported, assigned);
	});
}

#[test]
fn a_commit_phase_that_ends_early_reports_nobody() {
	new_test_ext().execute_with(|| {
		let job = request(ALICE);
		to_challenge(job, [&GOOD, &GOOD, &GOOD]);
		run_to_block(ASSIGNED + CHALLENGE_PERIOD);
		assert_eq!(phase(job), JobPhase::Finished(JobOutcome::Settled));
		assert!(missed().is_empty());
	});
}

/// H-1: a request that ends without a quorum (here: an input its miners cannot use, so none
/// of them answers) costs its requester the quorum deposit, which goes to the treasury; the fee
/// itself is refunded.
#[test]
fn a_request_that_fails_to_reach_a_quorum_costs_its_requester_the_deposit() {
	new_test_ext().execute_with(|| {
		TestQuorumDeposit::set(40);
		let alice_before = Balances::total_balance(&ALICE);
		let treasury_before = Balances::total_balance(&TREASURY);
		let job = request(ALICE);
		assert_eq!(deposit_held(ALICE), 40);
		assert_eq!(QuorumDeposits::<Test>::get(job), Some(40));
		run_to_block(ASSIGNED + COMMIT_PERIOD);
		assert_eq!(phase(job), JobPhase::Finished(JobOutcome::NoQuorum));
		assert_eq!(Balances::total_balance(&ALICE), alice_before - 40);
		assert_eq!(Balances::total_balance(&TREASURY), treasury_before + 40);
		assert_eq!((held(ALICE), deposit_held(ALICE)), (0, 0));
		assert_eq!(QuorumDeposits::<Test>::get(job), None);
		System::assert_has_event(
			Event::QuorumDepositForfeited { job, requester: ALICE, amount: 40 }.into(),
		);
	});
}

#[test]
fn a_dispute_also_forfeits_the_quorum_deposit() {
	new_test_ext().execute_with(|| {
		TestQuorumDeposit::set(40);
		let alice_before = Balances::total_balance(&ALICE);
		let job = request(ALICE);
		to_challenge(job, [&GOOD, &BAD, &OTHER]);
		assert_eq!(phase(job), JobPhase::Disputed);
		run_to_block(ASSIGNED + CHALLENGE_PERIOD);
		assert_eq!(phase(job), JobPhase::Finished(JobOutcome::NoQuorum));
		assert_eq!(Balances::total_balance(&ALICE), alice_before - 40);
		assert_eq!(deposit_held(ALICE), 0);
	});
}

#[test]
fn the_quorum_deposit_comes_back_when_a_quorum_is_reached() {
	new_test_ext().execute_with(|| {
		TestQuorumDeposit::set(40);
		let settled = request(ALICE);
		to_challenge(settled, [&GOOD, &GOOD, &GOOD]);
		let overturned = request(ALICE);
		to_challenge(overturned, [&BAD, &BAD, &GOOD]);
		both_validators_find(overturned, &GOOD);
		run_to_block(ASSIGNED + CHALLENGE_PERIOD);
		assert_eq!(phase(settled), JobPhase::Finished(JobOutcome::Settled));
		assert_eq!(phase(overturned), JobPhase::Finished(JobOutcome::Overturned));
		assert_eq!(deposit_held(ALICE), 0);
		assert_eq!(QuorumDeposits::<Test>::iter().count(), 0);
		assert!(!System::events().iter().any(|record| matches!(
			record.event,
			RuntimeEvent::Inference(Event::QuorumDepositForfeited { .. })
		)));
	});
}

#[test]
fn a_requester_who_cannot_hold_the_quorum_deposit_is_refused_with_nothing_held() {
	new_test_ext().execute_with(|| {
		let spendable = spendable(ALICE);
		TestQuorumDeposit::set(spendable - PRICE + 1);
		assert_noop!(request_small(ALICE), Error::<Test>::InsufficientBalance);
	});
}

#[test]
fn finished_jobs_are_pruned_after_retention() {
	new_test_ext().execute_with(|| {
		let job = request(ALICE);
		to_challenge(job, [&GOOD, &GOOD, &GOOD]);
		run_to_block(ASSIGNED + CHALLENGE_PERIOD);
		assert!(Jobs::<Test>::contains_key(job));
		run_to_block(ASSIGNED + CHALLENGE_PERIOD + RETENTION - 1);
		assert!(Results::<Test>::contains_key(job));
		run_to_block(ASSIGNED + CHALLENGE_PERIOD + RETENTION);
		assert!(!Jobs::<Test>::contains_key(job));
		assert!(!Results::<Test>::contains_key(job));
		assert_eq!(Reveals::<Test>::iter_prefix(job).count(), 0);
		System::assert_has_event(
			Event::JobPruned { job, requester: ALICE, deposit_released: 0 }.into(),
		);
	});
}

fn storage_held(who: AccountId) -> Balance {
	Balances::balance_on_hold(&HoldReason::JobStorage.into(), &who)
}

/// M-8: a job's record (its input, result and verdicts) is kept `retention_period` blocks
/// after the job ends; its requester pays for that storage with a deposit, held from the
/// request until the record is pruned and then returned in full.
#[test]
fn a_job_record_costs_its_requester_a_storage_deposit_until_it_is_pruned() {
	new_test_ext().execute_with(|| {
		TestJobDepositBase::set(100);
		TestJobDepositPerByte::set(2);
		let total = total_of_known_accounts();
		let free = Balances::balance(&ALICE);
		// The input `[0.1,0.2]` is 9 bytes.
		let deposit = 100 + 2 * 9;
		let job = request(ALICE);
		assert_eq!(storage_held(ALICE), deposit);
		assert_eq!(StorageDeposits::<Test>::get(job), Some(deposit));
		to_challenge(job, [&GOOD, &GOOD, &GOOD]);
		run_to_block(ASSIGNED + CHALLENGE_PERIOD);
		assert_eq!(phase(job), JobPhase::Finished(JobOutcome::Settled));
		// Settled and paid, but the record is still stored: so is the deposit.
		assert_eq!(storage_held(ALICE), deposit);
		run_to_block(ASSIGNED + CHALLENGE_PERIOD + RETENTION);
		assert!(!Jobs::<Test>::contains_key(job));
		assert_eq!(storage_held(ALICE), 0);
		assert_eq!(StorageDeposits::<Test>::get(job), None);
		assert_eq!(Balances::balance(&ALICE), free - PRICE);
		assert_eq!(total_of_known_accounts(), total);
		System::assert_has_event(
			Event::JobPruned { job, requester: ALICE, deposit_released: deposit }.into(),
		);
	});
}

/// M-8: a remote input's deposit counts the bytes of its URI (what the chain stores).
#[test]
fn a_remote_input_pays_the_storage_deposit_of_its_uri() {
	new_test_ext().execute_with(|| {
		TestJobDepositBase::set(100);
		TestJobDepositPerByte::set(2);
		let uri = b"https://inputs.test/a".to_vec();
		let job = NextJobId::<Test>::get();
		assert_ok!(Inference::request_inference(
			RuntimeOrigin::signed(ALICE),
			MODEL,
			InputArg::Remote { uri: uri.clone(), hash: [1; 32] },
			PRICE
		));
		let deposit = 100 + 2 * uri.len() as Balance;
		assert_eq!(storage_held(ALICE), deposit);
		assert_eq!(StorageDeposits::<Test>::get(job), Some(deposit));
	});
}

/// M-8: a requester that cannot hold the storage deposit is refused, and nothing is held.
#[test]
fn a_requester_who_cannot_hold_the_storage_deposit_is_refused_with_nothing_held() {
	new_test_ext().execute_with(|| {
		let spendable = spendable(ALICE);
		TestJobDepositBase::set(spendable - PRICE + 1);
		assert_noop!(request_small(ALICE), Error::<Test>::InsufficientBalance);
		assert_eq!((held(ALICE), storage_held(ALICE)), (0, 0));
	});
}

#[test]
fn holders_part_goes_to_the_creator_without_shares() {
	new_test_ext().execute_with(|| {
		MockRegistry::set_shares_issued(MODEL, false);
		let creator_before = Balances::balance(&CREATOR);
		let job = request(ALICE);
		to_challenge(job, [&GOOD, &GOOD, &GOOD]);
		run_to_block(ASSIGNED + CHALLENGE_PERIOD);
		assert_eq!(Balances::balance(&CREATOR), creator_before + 50 + 600);
		System::assert_has_event(
			Event::JobSettled {
				job,
				fee: PRICE,
				treasury: 50,
				creator: 50,
				miners: 300,
				holders: 600,
				refunded: 0,
			}
			.into(),
		);
	});
}

#[test]
fn a_part_that_cannot_be_paid_goes_back_to_the_requester() {
	new_test_ext().execute_with(|| {
		// A new creator account and a price whose 5% royalty (5) is below the ED (10).
		const NEW_CREATOR: AccountId = 77;
		let mut info = serving(3);
		info.creator = NEW_CREATOR;
		info.price = 100;
		MockRegistry::set_serving(MODEL, info);
		let total = total_of_known_accounts();
		let job = NextJobId::<Test>::get();
		assert_ok!(Inference::request_inference(
			RuntimeOrigin::signed(ALICE),
			MODEL,
			InputArg::Inline(b"x".to_vec()),
			100
		));
		next_block();
		to_challenge(job, [&GOOD, &GOOD, &GOOD]);
		run_to_block(ASSIGNED + CHALLENGE_PERIOD);
		System::assert_has_event(
			Event::JobSettled {
				job,
				fee: 100,
				treasury: 5,
				creator: 0,
				miners: 30,
				holders: 60,
				refunded: 5,
			}
			.into(),
		);
		assert_eq!(held(ALICE), 0);
		assert_eq!(Balances::total_balance(&NEW_CREATOR), 0);
		assert_eq!(total_of_known_accounts(), total);
	});
}

// ---------------------------------------------------------------- verdicts

/// Both mock validators (1 and 2: a strict majority of 2 is 2) find `output` for `job`.
fn both_validators_find(job: JobId, output: &[i64]) {
	for authority in [1, 2] {
		let (v, s) = verdict(job, output, authority);
		assert_ok!(submit(v, s));
	}
}

#[test]
fn confirming_verdicts_of_a_majority_of_validators_settle_at_once() {
	new_test_ext().execute_with(|| {
		verify_everything();
		let job = request(ALICE);
		to_challenge(job, [&GOOD, &GOOD, &GOOD]);
		System::assert_has_event(
			Event::VerificationRequired { job, verdict_deadline: ASSIGNED + CHALLENGE_PERIOD }
				.into(),
		);
		both_validators_find(job, &GOOD);
		assert_eq!(phase(job), JobPhase::Finished(JobOutcome::Settled));
		System::assert_has_event(Event::VerdictConfirmed { job, votes: 2 }.into());
		System::assert_has_event(
			Event::VerdictSubmitted {
				job,
				authority: UintAuthorityId(2),
				output_hash: output_hash(&GOOD),
				accepted: 0,
			}
			.into(),
		);
		assert_eq!(held(ALICE), 0);
		assert!(!VerificationDue::<Test>::contains_key(job), "no longer to be verified");
		assert_eq!(VerdictVotes::<Test>::get(job).len(), 2, "the verdicts stay with the job");
	});
}

#[test]
fn verdict_against_the_majority_slashes_it_and_refunds() {
	new_test_ext().execute_with(|| {
		let alice_before = Balances::total_balance(&ALICE);
		let job = request(ALICE);
		let miners = miners_of(job);
		to_challenge(job, [&BAD, &BAD, &GOOD]);
		both_validators_find(job, &GOOD);
		assert_eq!(phase(job), JobPhase::Finished(JobOutcome::Overturned));
		assert_eq!(
			slashes(),
			vec![(miners[0], SlashReason::WrongResult), (miners[1], SlashReason::WrongResult)]
		);
		assert_eq!(REPUTATION.with(|r| r.borrow().get(&miners[2]).copied()), Some(1));
		assert_eq!(Balances::total_balance(&ALICE), alice_before);
		assert!(Results::<Test>::get(job).is_none());
	});
}

#[test]
fn verdict_on_a_dispute_slashes_the_wrong_outputs() {
	new_test_ext().execute_with(|| {
		let job = request(ALICE);
		let miners = miners_of(job);
		to_challenge(job, [&GOOD, &BAD, &OTHER]);
		both_validators_find(job, &GOOD);
		assert_eq!(
			slashes(),
			vec![(miners[1], SlashReason::WrongResult), (miners[2], SlashReason::WrongResult)]
		);
		assert_eq!(phase(job), JobPhase::Finished(JobOutcome::NoQuorum));
	});
}

/// A verdict for `output` that also accepts the revealed outputs `accepted` (ascending, as the
/// pool requires).
fn verdict_accepting(
	job: JobId,
	output: &[i64],
	accepted: &[&[i64]],
	authority: u64,
) -> (VerdictOf<Test>, AuthoritySignatureOf<Test>) {
	let mut hashes: Vec<H256> = accepted.iter().map(|o| output_hash(o)).collect();
	hashes.sort();
	let verdict = Verdict {
		job,
		output_hash: output_hash(output),
		accepted: frame_support::BoundedVec::truncate_from(hashes),
		authority: UintAuthorityId(authority),
	};
	let signature = sign(authority, &verdict);
	(verdict, signature)
}

/// Tier B: a language model's honest miner on other hardware may break a near tie the other
/// way. Validators that accept its output too spare it: the majority is paid, it is not (the
/// fee goes to the agreed answer), and nobody is slashed.
#[test]
fn a_minority_output_the_validators_accept_too_is_not_slashed() {
	new_test_ext().execute_with(|| {
		let job = request(ALICE);
		let miners = miners_of(job);
		let before: Vec<_> = miners.iter().map(Balances::balance).collect();
		to_challenge(job, [&GOOD, &GOOD, &OTHER]);
		for authority in [1, 2] {
			let (v, s) = verdict_accepting(job, &GOOD, &[&OTHER], authority);
			assert_ok!(submit(v, s));
		}
		assert_eq!(phase(job), JobPhase::Finished(JobOutcome::Settled));
		assert!(slashes().is_empty(), "{:?}", slashes());
		assert_eq!(Balances::balance(&miners[0]), before[0] + 150);
		assert_eq!(Balances::balance(&miners[1]), before[1] + 150);
		assert_eq!(Balances::balance(&miners[2]), before[2]);
		System::assert_has_event(
			Event::VerdictSubmitted {
				job,
				authority: UintAuthorityId(2),
				output_hash: output_hash(&GOOD),
				accepted: 1,
			}
			.into(),
		);
	});
}

/// On a dispute, the accepted outputs' miners are spared and the rest slashed.
#[test]
fn on_a_dispute_only_the_outputs_nobody_accepts_are_slashed() {
	new_test_ext().execute_with(|| {
		let job = request(ALICE);
		let miners = miners_of(job);
		to_challenge(job, [&GOOD, &BAD, &OTHER]);
		assert_eq!(phase(job), JobPhase::Disputed);
		for authority in [1, 2] {
			let (v, s) = verdict_accepting(job, &GOOD, &[&OTHER], authority);
			assert_ok!(submit(v, s));
		}
		assert_eq!(slashes(), vec![(miners[1], SlashReason::WrongResult)]);
		assert_eq!(phase(job), JobPhase::Finished(JobOutcome::NoQuorum));
	});
}

/// Validators decide on the whole finding: one that accepts an output the others refuse
/// does not add up with them, and is contradicted once they decide.
#[test]
fn verdicts_accepting_different_outputs_do_not_add_up() {
	new_test_ext().execute_with(|| {
		Inference::set_authorities((1..=3).map(UintAuthorityId).collect());
		let job = request(ALICE);
		let miners = miners_of(job);
		to_challenge(job, [&GOOD, &GOOD, &OTHER]);
		let (v, s) = verdict_accepting(job, &GOOD, &[&OTHER], 1);
		assert_ok!(submit(v.clone(), s));
		let (plain, s) = verdict(job, &GOOD, 2);
		assert_ok!(submit(plain, s));
		assert!(matches!(phase(job), JobPhase::Challenge { .. }), "no two verdicts agree");
		let (plain, s) = verdict(job, &GOOD, 3);
		assert_ok!(submit(plain, s));
		assert_eq!(phase(job), JobPhase::Finished(JobOutcome::Settled));
		assert_eq!(slashes(), vec![(miners[2], SlashReason::WrongResult)]);
		System::assert_has_event(
			Event::VerdictContradicted {
				job,
				authority: UintAuthorityId(1),
				output_hash: v.finding(),
			}
			.into(),
		);
	});
}

/// A verdict may accept only outputs the job's miners revealed, each once, in ascending
/// order, and not its own output again: anything else is refused, in the pool and on chain.
#[test]
fn accepted_outputs_must_be_revealed_ones_listed_once_in_order() {
	new_test_ext().execute_with(|| {
		let job = request(ALICE);
		to_challenge(job, [&GOOD, &BAD, &OTHER]);
		let mut two = [output_hash(&BAD), output_hash(&OTHER)];
		two.sort();
		for accepted in [
			vec![output_hash(&[77])],
			vec![output_hash(&GOOD)],
			vec![two[1], two[0]],
			vec![two[0], two[0]],
		] {
			let verdict = Verdict {
				job,
				output_hash: output_hash(&GOOD),
				accepted: frame_support::BoundedVec::truncate_from(accepted),
				authority: UintAuthorityId(1),
			};
			assert!(matches!(
				Inference::check_verdict(&verdict),
				Err(Error::<Test>::InvalidAcceptedOutputs)
			));
			let signature = sign(1, &verdict);
			assert_noop!(
				Inference::submit_verdict(
					frame_system::RawOrigin::Authorized.into(),
					verdict.clone(),
					signature.clone()
				),
				Error::<Test>::InvalidAcceptedOutputs
			);
			assert!(submit(verdict, signature).is_err(), "the pool refuses it too");
		}
		let verdict = Verdict {
			job,
			output_hash: output_hash(&GOOD),
			accepted: frame_support::BoundedVec::truncate_from(two.to_vec()),
			authority: UintAuthorityId(1),
		};
		assert_ok!(submit(verdict.clone(), sign(1, &verdict)));
	});
}

/// The verifier of a tolerance-verified model judges every revealed output, so they stay on
/// chain until the job finishes, and the verifier's request lists each distinct one, the
/// majority's first.
#[test]
fn revealed_outputs_stay_until_the_job_finishes_and_reach_the_verifier() {
	new_test_ext().execute_with(|| {
		let job = request(ALICE);
		let miners = miners_of(job);
		to_challenge(job, [&OTHER, &GOOD, &GOOD]);
		assert_eq!(Reveals::<Test>::iter_prefix(job).count(), 3);
		let record = Jobs::<Test>::get(job).unwrap();
		let revealed = Inference::revealed_outputs(job, &record);
		assert_eq!(
			revealed.iter().map(|o| o.to_vec()).collect::<Vec<_>>(),
			vec![GOOD.to_vec(), OTHER.to_vec()]
		);
		let body = String::from_utf8(Inference::job_request_body(job, &record, &revealed)).unwrap();
		assert!(body.contains("\"revealed\":[[9000,700,300],[4,5,6]]"), "{body}");
		both_validators_find(job, &GOOD);
		assert_eq!(phase(job), JobPhase::Finished(JobOutcome::Settled));
		assert_eq!(Reveals::<Test>::iter_prefix(job).count(), 0);
		assert_eq!(slashes(), vec![(miners[0], SlashReason::WrongResult)]);
	});
}

#[test]
fn the_pool_refuses_bad_verdicts() {
	new_test_ext().execute_with(|| {
		verify_everything();
		// Three validators: a strict majority is 2.
		Inference::set_authorities((1..=3).map(UintAuthorityId).collect());
		let job = request(ALICE);
		let authorize = |verdict: VerdictOf<Test>, signature| {
			Call::<Test>::submit_verdict { verdict, signature }
				.authorize(TransactionSource::External)
				.unwrap()
				.map(|_| ())
		};
		// Not verifiable yet (commit phase).
		let (v, s) = verdict(job, &GOOD, 1);
		assert_eq!(
			authorize(v, s),
			Err(TransactionValidityError::Invalid(InvalidTransaction::Stale))
		);
		to_challenge(job, [&GOOD, &GOOD, &GOOD]);
		// Not a validator's key.
		let (v, s) = verdict(job, &GOOD, 4);
		assert_eq!(
			authorize(v, s),
			Err(TransactionValidityError::Invalid(InvalidTransaction::BadSigner))
		);
		// Signed by another key than the one it names.
		let (v, _) = verdict(job, &GOOD, 1);
		let forged = sign(2, &v);
		assert_eq!(
			authorize(v, forged),
			Err(TransactionValidityError::Invalid(InvalidTransaction::BadProof))
		);
		// Unknown job.
		let (v, s) = verdict(42, &GOOD, 1);
		assert_eq!(
			authorize(v, s),
			Err(TransactionValidityError::Invalid(InvalidTransaction::Stale))
		);
		// A valid verdict provides one tag per job and key: the pool keeps one of each
		// validator's verdicts on a job.
		let provides = |verdict: VerdictOf<Test>, signature| {
			Call::<Test>::submit_verdict { verdict, signature }
				.authorize(TransactionSource::External)
				.unwrap()
				.unwrap()
				.0
				.provides
		};
		let (v, s) = verdict(job, &GOOD, 1);
		let (v1, s1) = verdict(job, &BAD, 1);
		let (v2, s2) = verdict(job, &GOOD, 2);
		assert_eq!(provides(v.clone(), s.clone()), provides(v1.clone(), s1.clone()));
		assert_ne!(provides(v.clone(), s.clone()), provides(v2.clone(), s2.clone()));
		assert_ok!(submit(v, s));
		// One verdict per validator: its second is stale in the pool and refused on chain.
		assert_eq!(
			authorize(v1.clone(), s1.clone()),
			Err(TransactionValidityError::Invalid(InvalidTransaction::Stale))
		);
		assert_noop!(
			Inference::submit_verdict(frame_system::RawOrigin::Authorized.into(), v1, s1),
			Error::<Test>::AlreadyVerified
		);
		assert_ok!(submit(v2, s2));
		assert_eq!(phase(job), JobPhase::Finished(JobOutcome::Settled), "2 of 3 decided");
		// Once decided, later verdicts are stale, and a direct dispatch is refused too.
		let (v3, s3) = verdict(job, &BAD, 3);
		assert_eq!(
			authorize(v3.clone(), s3.clone()),
			Err(TransactionValidityError::Invalid(InvalidTransaction::Stale))
		);
		assert_noop!(
			Inference::submit_verdict(frame_system::RawOrigin::Authorized.into(), v3, s3),
			Error::<Test>::NotVerifiable
		);
		// Only the authorized origin dispatches it.
		let (v, s) = verdict(job, &GOOD, 1);
		assert_noop!(
			Inference::submit_verdict(RuntimeOrigin::signed(ALICE), v, s),
			sp_runtime::DispatchError::BadOrigin
		);
	});
}

// ---------------------------------------------------------------- verification under attack

/// Every job with a majority is to be verified (a sample of 100%).
fn verify_everything() {
	let mut params = test_parameters();
	params.verification_sample = Perbill::one();
	Parameters::<Test>::put(params);
}

#[test]
fn a_minority_is_not_slashed_without_a_verdict() {
	new_test_ext().execute_with(|| {
		let job = request(ALICE);
		let miners = miners_of(job);
		let before = Balances::balance(&miners[2]);
		to_challenge(job, [&GOOD, &GOOD, &BAD]);
		run_to_block(ASSIGNED + CHALLENGE_PERIOD);
		assert_eq!(phase(job), JobPhase::Finished(JobOutcome::Settled));
		assert!(slashes().is_empty(), "an unverified majority slashes nobody");
		assert_eq!(Balances::balance(&miners[2]), before, "the minority is unpaid, not slashed");
	});
}

#[test]
fn one_validator_cannot_overturn_a_majority_alone() {
	new_test_ext().execute_with(|| {
		verify_everything();
		let job = request(ALICE);
		to_challenge(job, [&GOOD, &GOOD, &GOOD]);
		let (v, s) = verdict(job, &BAD, 1);
		assert_ok!(submit(v, s));
		assert!(matches!(phase(job), JobPhase::Challenge { .. }), "1 verdict of 2 decides nothing");
		assert!(slashes().is_empty());
		let (v, s) = verdict(job, &BAD, 2);
		assert_ok!(submit(v, s));
		assert_eq!(phase(job), JobPhase::Finished(JobOutcome::Overturned));
		assert_eq!(slashes().len(), 3);
	});
}

#[test]
fn one_validator_confirming_a_lie_first_cannot_shut_out_the_others() {
	new_test_ext().execute_with(|| {
		verify_everything();
		Inference::set_authorities((1..=4).map(UintAuthorityId).collect());
		let job = request(ALICE);
		to_challenge(job, [&BAD, &BAD, &BAD]);
		// Authority 1 covers for the lying miners...
		let (v, s) = verdict(job, &BAD, 1);
		assert_ok!(submit(v, s));
		assert!(matches!(phase(job), JobPhase::Challenge { .. }), "1 verdict of 4 decides nothing");
		// ...and the other three still count: 3 of 4 decide.
		for authority in 2..=4 {
			let (v, s) = verdict(job, &GOOD, authority);
			assert_ok!(submit(v, s));
		}
		assert_eq!(phase(job), JobPhase::Finished(JobOutcome::Overturned));
		assert_eq!(slashes().len(), 3);
		// The validator that covered for them is on record.
		System::assert_has_event(
			Event::VerdictContradicted {
				job,
				authority: UintAuthorityId(1),
				output_hash: output_hash(&BAD),
			}
			.into(),
		);
		assert_eq!(ContradictedVerdicts::<Test>::get(UintAuthorityId(1)), 1);
		assert_eq!(ContradictedVerdicts::<Test>::get(UintAuthorityId(2)), 0);
	});
}

#[test]
fn the_sample_is_drawn_from_the_randomness_of_a_block_after_the_quorum() {
	new_test_ext().execute_with(|| {
		let mut params = test_parameters();
		params.verification_sample = Perbill::from_percent(50);
		Parameters::<Test>::put(params);
		let jobs: Vec<JobId> = (0..8).map(|_| request_unassigned(ALICE)).collect();
		next_block();
		for job in &jobs {
			to_challenge(*job, [&GOOD, &GOOD, &GOOD]);
		}
		// The quorum's block decides nothing: its author would know its own randomness.
		assert_eq!(VerificationDue::<Test>::iter().count(), 0);
		// Nor does a later block without randomness.
		RandomnessInBlocks::set(false);
		next_block();
		assert_eq!(VerificationDue::<Test>::iter().count(), 0);
		RandomnessInBlocks::set(true);
		next_block();
		let randomness = <MockRandomness as FreshRandomness>::fresh_randomness().unwrap();
		let sampled: Vec<JobId> =
			jobs.iter().copied().filter(|job| VerificationDue::<Test>::contains_key(job)).collect();
		let expected: Vec<JobId> = jobs
			.iter()
			.copied()
			.filter(|job| Inference::is_sampled(*job, Perbill::from_percent(50), &randomness))
			.collect();
		assert_eq!(sampled, expected, "exactly the draw of this block's randomness");
		assert!(!sampled.is_empty() && sampled.len() < jobs.len(), "{sampled:?}");
		for job in &sampled {
			let deadline = Jobs::<Test>::get(job).unwrap().deadline;
			System::assert_has_event(
				Event::VerificationRequired { job: *job, verdict_deadline: deadline }.into(),
			);
		}
		// Drawn once: the queue is empty and the next block draws nothing new.
		assert_eq!(QueueBounds::<Test>::get(DeadlineKind::Sample).0, 8);
		next_block();
		assert_eq!(VerificationDue::<Test>::iter().count(), sampled.len());
		// The unsampled jobs settle unverified; the sampled ones too when no verdict came.
		run_to_block(ASSIGNED + CHALLENGE_PERIOD);
		assert!(jobs.iter().all(|job| phase(*job) == JobPhase::Finished(JobOutcome::Settled)));
		assert_eq!(VerificationDue::<Test>::iter().count(), 0, "removed when a job finishes");
	});
}

#[test]
fn verdicts_on_jobs_not_chosen_for_verification_are_refused() {
	new_test_ext().execute_with(|| {
		let mut params = test_parameters();
		params.verification_sample = Perbill::zero();
		Parameters::<Test>::put(params);
		let job = request(ALICE);
		to_challenge(job, [&GOOD, &GOOD, &GOOD]);
		next_block();
		let (v, s) = verdict(job, &BAD, 1);
		assert!(submit(v.clone(), s.clone()).is_err(), "the pool refuses it");
		assert_noop!(
			Inference::submit_verdict(frame_system::RawOrigin::Authorized.into(), v, s),
			Error::<Test>::NotVerifiable
		);
		assert!(matches!(phase(job), JobPhase::Challenge { .. }));
	});
}

#[test]
fn a_verdict_signed_for_another_chain_or_without_the_genesis_hash_is_refused() {
	new_test_ext().execute_with(|| {
		verify_everything();
		frame_system::BlockHash::<Test>::insert(0, H256::repeat_byte(7));
		let job = request(ALICE);
		to_challenge(job, [&GOOD, &GOOD, &GOOD]);
		let (v, _) = verdict(job, &GOOD, 1);
		let authorize = |message: Vec<u8>| {
			let signature = UintAuthorityId(1).sign(&message).unwrap();
			Call::<Test>::submit_verdict { verdict: v.clone(), signature }
				.authorize(TransactionSource::External)
				.unwrap()
				.map(|_| ())
		};
		let bad_proof = Err(TransactionValidityError::Invalid(InvalidTransaction::BadProof));
		assert_eq!(authorize((VERDICT_CONTEXT, &v).encode()), bad_proof, "no genesis hash");
		assert_eq!(
			authorize((VERDICT_CONTEXT, H256::repeat_byte(8), &v).encode()),
			bad_proof,
			"another chain's"
		);
		assert_ok!(authorize((VERDICT_CONTEXT, H256::repeat_byte(7), &v).encode()));
	});
}

#[test]
fn verdict_after_the_window_is_refused() {
	new_test_ext().execute_with(|| {
		verify_everything();
		let job = request(ALICE);
		to_challenge(job, [&GOOD, &GOOD, &GOOD]);
		// At the deadline block, before the hook settles it.
		System::set_block_number(ASSIGNED + CHALLENGE_PERIOD);
		let (v, s) = verdict(job, &BAD, 1);
		assert!(submit(v, s).is_err());
		assert!(matches!(phase(job), JobPhase::Challenge { .. }));
	});
}

// ---------------------------------------------------------------- parameters and hooks

#[test]
fn parameters_are_set_by_root_only_and_checked() {
	new_test_ext().execute_with(|| {
		let mut params = test_parameters();
		params.protocol_fee = Perbill::from_percent(10);
		assert_noop!(
			Inference::set_parameters(RuntimeOrigin::signed(ALICE), params.clone()),
			sp_runtime::DispatchError::BadOrigin
		);
		let mut bad = params.clone();
		bad.commit_period = 0;
		assert_noop!(
			Inference::set_parameters(RuntimeOrigin::root(), bad),
			Error::<Test>::InvalidParameters
		);
		let mut bad = params.clone();
		bad.protocol_fee = Perbill::from_percent(51);
		assert_noop!(
			Inference::set_parameters(RuntimeOrigin::root(), bad),
			Error::<Test>::InvalidParameters
		);
		let mut bad = params.clone();
		// Too short for the sample drawn in the block after the quorum.
		bad.challenge_period = u64::from(MIN_CHALLENGE_PERIOD) - 1;
		assert_noop!(
			Inference::set_parameters(RuntimeOrigin::root(), bad),
			Error::<Test>::InvalidParameters
		);
		let mut bad = params.clone();
		bad.retention_period = 0;
		assert_noop!(
			Inference::set_parameters(RuntimeOrigin::root(), bad),
			Error::<Test>::InvalidParameters
		);
		assert_ok!(Inference::set_parameters(RuntimeOrigin::root(), params.clone()));
		assert_eq!(Parameters::<Test>::get(), params);
		System::assert_last_event(Event::ParametersSet { parameters: params }.into());
		// New jobs use the new protocol fee.
		let job = request(ALICE);
		to_challenge(job, [&GOOD, &GOOD, &GOOD]);
		run_to_block(ASSIGNED + CHALLENGE_PERIOD);
		System::assert_has_event(
			Event::JobSettled {
				job,
				fee: PRICE,
				treasury: 100,
				creator: 50,
				miners: 300,
				holders: 550,
				refunded: 0,
			}
			.into(),
		);
	});
}

/// L-1: governance cannot set periods so long that a job outlives the unbonding of the stake
/// that backs it (a cheating miner would withdraw before being slashed), nor phases or a
/// retention beyond their upper bounds.
#[test]
fn parameters_have_upper_bounds_and_a_job_ends_before_its_stake_can_leave() {
	new_test_ext().execute_with(|| {
		let base = test_parameters();
		let too_long = [
			InferenceParameters { commit_period: u64::from(MAX_PHASE_PERIOD) + 1, ..base.clone() },
			InferenceParameters { reveal_period: u64::from(MAX_PHASE_PERIOD) + 1, ..base.clone() },
			InferenceParameters {
				challenge_period: u64::from(MAX_PHASE_PERIOD) + 1,
				..base.clone()
			},
			InferenceParameters {
				retention_period: u64::from(MAX_RETENTION_PERIOD) + 1,
				..base.clone()
			},
		];
		for bad in too_long {
			assert_noop!(
				Inference::set_parameters(RuntimeOrigin::root(), bad),
				Error::<Test>::InvalidParameters
			);
		}
		let unbonding = u64::from(UNBONDING_PERIOD);
		let outlives = InferenceParameters {
			commit_period: unbonding / 2,
			reveal_period: unbonding / 2,
			challenge_period: MIN_CHALLENGE_PERIOD.into(),
			..base.clone()
		};
		assert_noop!(
			Inference::set_parameters(RuntimeOrigin::root(), outlives),
			Error::<Test>::JobOutlivesUnbonding
		);
		let just_fits = InferenceParameters {
			commit_period: unbonding / 2,
			reveal_period: unbonding / 2 - 3,
			challenge_period: MIN_CHALLENGE_PERIOD.into(),
			..base
		};
		assert_ok!(Inference::set_parameters(RuntimeOrigin::root(), just_fits));
		assert_eq!(Inference::job_lifetime(), unbonding - 1);
	});
}

#[test]
fn deadlines_per_block_are_bounded_and_the_rest_wait() {
	new_test_ext().execute_with(|| {
		let jobs: Vec<_> =
			(0..MAX_DEADLINES_PER_BLOCK + 3).map(|_| request_unassigned(ALICE)).collect();
		// The assignment queue is bounded per block too: all but three are assigned in
		// block 2, those three in block 3.
		next_block();
		let assigned = |jobs: &[JobId]| jobs.iter().filter(|j| !miners_of(**j).is_empty()).count();
		assert_eq!(assigned(&jobs), MAX_DEADLINES_PER_BLOCK as usize);
		next_block();
		assert_eq!(assigned(&jobs), jobs.len());
		System::set_block_number(ASSIGNED + COMMIT_PERIOD);
		assert_eq!(deadlines_at(ASSIGNED + COMMIT_PERIOD), (MAX_DEADLINES_PER_BLOCK, 0));
		let finished = |jobs: &[JobId]| {
			jobs.iter().filter(|j| matches!(phase(**j), JobPhase::Finished(_))).count()
		};
		assert_eq!(finished(&jobs), MAX_DEADLINES_PER_BLOCK as usize);
		assert_eq!(deadlines_at(ASSIGNED + 1 + COMMIT_PERIOD), (3, 0));
		assert_eq!(finished(&jobs), jobs.len());
		// Nothing is due now: the hook does no more than read the queue heads.
		assert_eq!(deadlines_at(ASSIGNED + 2 + COMMIT_PERIOD), (0, 0));
	});
}

/// The hook stops at `MaxDeadlineWeight` (each deadline charged at its queue's worst case)
/// even with count to spare, and a cheaper queue's entries may still fit after a dearer one's
/// did not.
#[test]
fn deadlines_per_block_are_bounded_by_weight_too() {
	new_test_ext().execute_with(|| {
		let commit_cost = Inference::deadline_cost(DeadlineKind::Commit);
		let prune_cost = Inference::deadline_cost(DeadlineKind::Prune);
		assert!(prune_cost.all_lt(commit_cost), "a prune is cheaper than a commit phase's end");
		// Room for two commit endings and a prune, not three commit endings.
		DeadlineWeightLimit::set(commit_cost.saturating_mul(2).saturating_add(prune_cost));
		let settled = request(BOB);
		to_challenge(settled, [&GOOD, &GOOD, &GOOD]);
		run_to_block(ASSIGNED + CHALLENGE_PERIOD);
		assert_eq!(phase(settled), JobPhase::Finished(JobOutcome::Settled));
		let silent: Vec<_> = (0..4).map(|_| request_unassigned(ALICE)).collect();
		next_block();
		let commit_due = Jobs::<Test>::get(silent[0]).unwrap().deadline;
		let prune_due =
			Queue::<Test>::iter_prefix(DeadlineKind::Prune).map(|(_, (_, due))| due).max().unwrap();
		assert!(commit_due <= prune_due);
		System::set_block_number(prune_due);
		let handled = Inference::process_deadlines(prune_due);
		assert_eq!((handled.commit, handled.prune), (2, 1), "two commit endings, then the prune");
		let handled = Inference::process_deadlines(prune_due);
		assert_eq!(handled.commit, 2, "the rest in the next block");
		assert!(!Jobs::<Test>::contains_key(settled));
	});
}

#[test]
fn phases_that_end_early_leave_no_queue_entry_behind() {
	new_test_ext().execute_with(|| {
		let mut params = test_parameters();
		params.challenge_period = 3 * COMMIT_PERIOD;
		Parameters::<Test>::put(params);
		let job = request(ALICE);
		to_challenge(job, [&GOOD, &GOOD, &GOOD]); // commit and reveal phases ended early
		assert_eq!(Queue::<Test>::iter_prefix(DeadlineKind::Commit).count(), 0);
		assert_eq!(Queue::<Test>::iter_prefix(DeadlineKind::Reveal).count(), 0);
		assert_eq!(Queue::<Test>::iter_prefix(DeadlineKind::Challenge).count(), 1);
		// At the old commit and reveal deadlines the hook skips the holes and handles nothing.
		System::reset_events();
		System::set_block_number(ASSIGNED + COMMIT_PERIOD);
		assert_eq!(deadlines_at(ASSIGNED + COMMIT_PERIOD), (0, 2));
		assert!(System::events().is_empty());
		assert!(matches!(phase(job), JobPhase::Challenge { .. }));
		run_to_block(ASSIGNED + 3 * COMMIT_PERIOD);
		assert_eq!(phase(job), JobPhase::Finished(JobOutcome::Settled));
	});
}

/// H-1: requests whose miners never commit (e.g. a flood of `Remote` inputs no worker serves)
/// fill the commit queue with more due deadlines than a block handles. Another job's challenge
/// window ending in the same block must still settle in that block, not after the flood.
#[test]
fn a_flood_of_commit_deadlines_does_not_delay_settlement() {
	new_test_ext().execute_with(|| {
		let honest = request(BOB);
		to_challenge(honest, [&GOOD, &GOOD, &GOOD]);
		let window_end = Jobs::<Test>::get(honest).unwrap().deadline;
		// More commit deadlines in one block than the hook handles. (Assignment takes at most
		// `MaxDeadlinesPerBlock` jobs a block, but a governance cut of the commit period
		// clamps later deadlines onto the latest one queued, piling blocks' worth together;
		// here the flood is assigned at once.)
		for _ in 0..3 * MAX_DEADLINES_PER_BLOCK {
			let job = request_unassigned(ALICE);
			Inference::assign_job(job, &SEED, System::block_number());
			assert_eq!(Jobs::<Test>::get(job).unwrap().deadline, window_end);
		}
		run_to_block(window_end);
		assert_eq!(phase(honest), JobPhase::Finished(JobOutcome::Settled));
		// The flood still drains at the block budget.
		let still_open = (0..=3 * u64::from(MAX_DEADLINES_PER_BLOCK))
			.filter(|job| matches!(phase(*job), JobPhase::Commit))
			.count() as u32;
		assert_eq!(still_open, 3 * MAX_DEADLINES_PER_BLOCK - (MAX_DEADLINES_PER_BLOCK - 1));
	});
}

#[test]
fn removed_entries_skipped_per_block_are_bounded() {
	new_test_ext().execute_with(|| {
		let mut params = test_parameters();
		params.challenge_period = 100;
		// Their reveals are not due in the block checked (the queues take turns).
		params.reveal_period = 100;
		Parameters::<Test>::put(params);
		// Many jobs whose commit phase ended early: holes in the commit queue.
		let jobs = MAX_DEADLINES_PER_BLOCK * crate::HOLES_PER_DEADLINE + 5;
		// All assigned in block 2 (as a cut of the commit period can pile them up).
		System::set_block_number(ASSIGNED);
		for n in 0..jobs.min(MAX_ACTIVE_JOBS) {
			let job = request_unassigned(if n % 2 == 0 { ALICE } else { BOB });
			Inference::assign_job(job, &SEED, ASSIGNED);
			for miner in miners_of(job) {
				commit(job, miner, &GOOD);
			}
		}
		let holes = jobs.min(MAX_ACTIVE_JOBS);
		System::set_block_number(ASSIGNED + COMMIT_PERIOD);
		let (handled, skipped) = deadlines_at(ASSIGNED + COMMIT_PERIOD);
		assert_eq!(handled, 0);
		assert_eq!(skipped, (MAX_DEADLINES_PER_BLOCK * crate::HOLES_PER_DEADLINE).min(holes));
	});
}

#[test]
fn shortening_a_period_keeps_every_queue_ordered() {
	new_test_ext().execute_with(|| {
		let first = request(ALICE); // commit deadline 6
		let mut params = test_parameters();
		params.commit_period = 1;
		Parameters::<Test>::put(params);
		let second = request(ALICE); // would be 2; clamped to 6 so the queue stays ordered
		assert_eq!(Jobs::<Test>::get(second).unwrap().deadline, ASSIGNED + COMMIT_PERIOD);
		run_to_block(ASSIGNED + COMMIT_PERIOD);
		assert!(matches!(phase(first), JobPhase::Finished(_)));
		assert!(matches!(phase(second), JobPhase::Finished(_)));
	});
}

#[test]
fn settling_one_job_leaves_the_requesters_other_holds_alone() {
	new_test_ext().execute_with(|| {
		verify_everything();
		let first = request(ALICE);
		let second = request(ALICE);
		assert_eq!(held(ALICE), 2 * PRICE);
		to_challenge(first, [&GOOD, &GOOD, &GOOD]);
		both_validators_find(first, &GOOD);
		assert_eq!(phase(first), JobPhase::Finished(JobOutcome::Settled));
		assert_eq!(held(ALICE), PRICE, "the second job's fee stays held");
		to_challenge(second, [&GOOD, &GOOD, &GOOD]);
		both_validators_find(second, &BAD);
		assert_eq!(held(ALICE), 0);
	});
}

#[test]
fn session_changes_replace_the_authorities() {
	new_test_ext().execute_with(|| {
		use frame_support::traits::OneSessionHandler;
		let accounts = [7u64, 8u64];
		let validators: Vec<_> = accounts.iter().map(|who| (who, UintAuthorityId(*who))).collect();
		Inference::on_new_session(true, validators.clone().into_iter(), validators.into_iter());
		assert_eq!(
			Authorities::<Test>::get().to_vec(),
			vec![UintAuthorityId(7), UintAuthorityId(8)]
		);
	});
}

// ---------------------------------------------------------------- off-chain worker

mod offchain {
	use super::*;
	use sp_core::offchain::{
		testing::{PendingRequest, TestOffchainExt, TestTransactionPoolExt},
		OffchainDbExt, OffchainWorkerExt, TransactionPoolExt,
	};
	use sp_runtime::offchain::storage::StorageValueRef;

	fn with_offchain(
		test: impl FnOnce(
			&std::sync::Arc<parking_lot::RwLock<sp_core::offchain::testing::OffchainState>>,
			&std::sync::Arc<parking_lot::RwLock<sp_core::offchain::testing::PoolState>>,
		),
	) {
		let mut ext = new_test_ext();
		let (offchain, offchain_state) = TestOffchainExt::new();
		let (pool, pool_state) = TestTransactionPoolExt::new();
		ext.register_extension(OffchainWorkerExt::new(offchain.clone()));
		ext.register_extension(OffchainDbExt::new(offchain));
		ext.register_extension(TransactionPoolExt::new(pool));
		ext.execute_with(|| {
			// As a node started with `--inference-dispatch`.
			StorageValueRef::persistent(crate::ocw::DISPATCH_KEY).set(&true);
			test(&offchain_state, &pool_state)
		});
	}

	/// Expects one POST of `job` to each of its miners, each accepted.
	fn expect_dispatch(offchain: &OffchainState, job: JobId) {
		let body = Inference::job_request_body(job, &Jobs::<Test>::get(job).unwrap(), &[]);
		for miner in miners_of(job) {
			offchain.write().expect_request(PendingRequest {
				method: "POST".into(),
				uri: format!("http://miner{miner}.test/v1/jobs"),
				headers: vec![("Content-Type".into(), "application/json".into())],
				body: body.clone(),
				response: Some(b"{}".to_vec()),
				sent: true,
				..Default::default()
			});
		}
	}

	/// L-2: the miners choose their endpoints, so a node POSTs to them only if its operator
	/// opted in (`--inference-dispatch`); otherwise it sends nothing (any request would fail
	/// the test: none is expected).
	#[test]
	fn a_node_that_has_not_opted_in_posts_nothing_to_miner_endpoints() {
		with_offchain(|_offchain, _pool| {
			StorageValueRef::persistent(crate::ocw::DISPATCH_KEY).clear();
			let job = request(ALICE);
			assert_eq!(phase(job), JobPhase::Commit);
			Inference::offchain_worker(System::block_number());
		});
	}

	#[test]
	fn dispatch_posts_new_jobs_to_their_miners_once() {
		with_offchain(|offchain, _pool| {
			let job = request(ALICE);
			let record = Jobs::<Test>::get(job).unwrap();
			let body = Inference::job_request_body(job, &record, &[]);
			let text = String::from_utf8(body.clone()).unwrap();
			assert!(text.contains("\"job\":0"), "{text}");
			assert!(text.contains("\"input\":\"0x5b302e312c302e325d\""), "{text}");
			expect_dispatch(offchain, job);
			Inference::offchain_worker(1);
			// All delivered: the next run sends nothing (no expectation left would panic on
			// an unexpected request).
			Inference::offchain_worker(1);
		});
	}

	#[test]
	fn off_chain_records_of_finished_jobs_are_removed() {
		with_offchain(|offchain, _pool| {
			let record_of = |job: JobId| {
				// A `DispatchRecord`: delivered miner indices and attempts.
				StorageValueRef::persistent(
					format!("modelchain::inference::dispatch::{job}").as_bytes(),
				)
				.get::<(Vec<u8>, u8)>()
				.unwrap()
			};
			let done = request(ALICE);
			expect_dispatch(offchain, done);
			Inference::offchain_worker(System::block_number());
			assert!(record_of(done).is_some(), "dispatch remembers what it delivered");
			to_challenge(done, [&GOOD, &GOOD, &GOOD]);
			run_to_block(System::block_number() + CHALLENGE_PERIOD);
			assert_eq!(phase(done), JobPhase::Finished(JobOutcome::Settled));
			let running = request(ALICE);
			expect_dispatch(offchain, running);
			Inference::offchain_worker(System::block_number());
			assert!(record_of(done).is_none(), "a finished job's record is removed");
			assert!(record_of(running).is_some(), "a running job's record stays");
		});
	}

	#[test]
	fn verification_submits_a_signed_verdict() {
		with_offchain(|offchain, pool| {
			UintAuthorityId::set_all_keys(vec![1u64]);
			let mut params = test_parameters();
			params.verification_sample = Perbill::one();
			Parameters::<Test>::put(params);
			set_verifier_url();
			// One validator: its verdict decides.
			Inference::set_authorities(vec![UintAuthorityId(1)]);
			let job = request(ALICE);
			to_challenge(job, [&BAD, &BAD, &BAD]);
			expect_verification(offchain, job, &GOOD);
			Inference::offchain_worker(2);
			let tx = pool.write().transactions.pop().expect("a verdict was submitted");
			// Claimed: the next run does not call the verifier again (no request is expected;
			// an unexpected one would panic) while the verdict is on its way.
			Inference::offchain_worker(3);
			assert!(pool.read().transactions.is_empty());
			let xt = Extrinsic::decode(&mut &*tx).unwrap();
			let RuntimeCall::Inference(Call::submit_verdict { verdict, signature }) = xt.function
			else {
				panic!("unexpected call {:?}", xt.function);
			};
			assert_eq!(verdict.job, job);
			assert_eq!(verdict.output_hash, output_hash(&GOOD));
			assert_eq!(verdict.authority, UintAuthorityId(1));
			// It passes pool validation and overturns the (wrong) unanimous majority.
			assert_ok!(submit(verdict, signature));
			assert_eq!(phase(job), JobPhase::Finished(JobOutcome::Overturned));
		});
	}

	type OffchainState =
		std::sync::Arc<parking_lot::RwLock<sp_core::offchain::testing::OffchainState>>;

	/// The secret the test node shares with its verifier.
	const SECRET: [u8; 32] = [7; 32];

	/// How the test verifier authenticates its answer.
	#[derive(Clone, Copy)]
	enum AnswerMac {
		/// The right MAC.
		Right,
		/// A MAC under another secret (a man in the middle's forgery).
		Forged,
		/// No MAC header.
		Missing,
	}

	/// Expects one authenticated POST of `job` to the test verifier, answered with `output`
	/// and a MAC as `mac` says.
	fn expect_answer(offchain: &OffchainState, job: JobId, output: &[i64], mac: AnswerMac) {
		expect_answer_from(offchain, "http://verifier.test", job, output, mac);
	}

	/// Like [`expect_answer`], from the verifier at `base`.
	fn expect_answer_from(
		offchain: &OffchainState,
		base: &str,
		job: JobId,
		output: &[i64],
		mac: AnswerMac,
	) {
		let record = Jobs::<Test>::get(job).unwrap();
		let body =
			Inference::job_request_body(job, &record, &Inference::revealed_outputs(job, &record));
		let request_mac = crate::ocw::request_mac(&SECRET, &body);
		let response = format!("{{\"output\":{output:?}}}").into_bytes();
		let response_headers = match mac {
			AnswerMac::Right => vec![(
				"x-modelchain-mac".into(),
				crate::ocw::hex(&crate::ocw::response_mac(&SECRET, &request_mac, &response)),
			)],
			AnswerMac::Forged => vec![(
				"x-modelchain-mac".into(),
				crate::ocw::hex(&crate::ocw::response_mac(&[8; 32], &request_mac, &response)),
			)],
			AnswerMac::Missing => vec![],
		};
		offchain.write().expect_request(PendingRequest {
			method: "POST".into(),
			uri: format!("{base}/v1/verify"),
			headers: vec![
				("Content-Type".into(), "application/json".into()),
				("x-modelchain-mac".into(), crate::ocw::hex(&request_mac)),
			],
			body,
			response: Some(response),
			response_headers,
			sent: true,
			..Default::default()
		});
	}

	fn expect_verification(offchain: &OffchainState, job: JobId, output: &[i64]) {
		expect_answer(offchain, job, output, AnswerMac::Right);
	}

	/// This test node: validator 1's key, its verifier configured, every quorum to verify.
	fn verifying_node() {
		UintAuthorityId::set_all_keys(vec![1u64]);
		verify_everything();
		set_verifier_url();
	}

	fn set_verifier_url() {
		StorageValueRef::persistent(crate::ocw::VERIFIER_URL_KEY)
			.set(&b"http://verifier.test".to_vec());
		StorageValueRef::persistent(crate::ocw::VERIFIER_SECRET_KEY).set(&SECRET.to_vec());
	}

	/// The vector the worker (`worker/src/auth.rs`) tests too.
	#[test]
	fn macs_match_the_workers_definition() {
		let request = crate::ocw::request_mac(&[7; 32], br#"{"job":1}"#);
		assert_eq!(
			crate::ocw::hex(&request),
			"0x3c443cb4708db64e84cb087d1cda93073c38b14c3f31f98058dcb32536306f14"
		);
		assert_eq!(
			crate::ocw::hex(&crate::ocw::response_mac(&[7; 32], &request, br#"{"output":[1]}"#)),
			"0x9226e85fb060367b3280a60bce821e6ceed4ce77fff89f7c5ddda4f4ef0ef3c8"
		);
	}

	#[test]
	fn a_forged_or_unauthenticated_verifier_answer_is_no_verdict() {
		with_offchain(|offchain, pool| {
			verifying_node();
			let forged = request(ALICE);
			let unsigned = request(BOB);
			to_challenge(forged, [&GOOD, &GOOD, &GOOD]);
			to_challenge(unsigned, [&GOOD, &GOOD, &GOOD]);
			// A man in the middle answers "BAD" to overturn the honest majorities.
			expect_answer(offchain, forged, &BAD, AnswerMac::Forged);
			expect_answer(offchain, unsigned, &BAD, AnswerMac::Missing);
			Inference::offchain_worker(System::block_number());
			assert!(
				pool.read().transactions.is_empty(),
				"no verdict from an unauthenticated answer"
			);
		});
	}

	#[test]
	fn each_version_is_verified_by_its_own_verifier() {
		with_offchain(|offchain, pool| {
			verifying_node();
			// Model 7's version 0 has its own verifier; the rest go to the default one.
			let routed = ModelVersionRef { model: 7, version: 0 };
			StorageValueRef::persistent(crate::ocw::VERIFIER_ROUTES_KEY)
				.set(&vec![(routed, b"http://seven.test".to_vec())]);
			let default_job = request(ALICE);
			let routed_job = request(BOB);
			to_challenge(default_job, [&GOOD, &GOOD, &GOOD]);
			to_challenge(routed_job, [&GOOD, &GOOD, &GOOD]);
			Jobs::<Test>::mutate(routed_job, |record| {
				if let Some(record) = record {
					record.version = routed;
				}
			});
			expect_verification(offchain, default_job, &GOOD);
			expect_answer_from(offchain, "http://seven.test", routed_job, &GOOD, AnswerMac::Right);
			Inference::offchain_worker(System::block_number());
			assert_eq!(pool.read().transactions.len(), 2, "each job verified at its verifier");
		});
	}

	#[test]
	fn a_version_without_a_verifier_is_left_to_the_other_validators() {
		with_offchain(|_offchain, pool| {
			UintAuthorityId::set_all_keys(vec![1u64]);
			verify_everything();
			// Only a route for another version, no default verifier.
			StorageValueRef::persistent(crate::ocw::VERIFIER_SECRET_KEY).set(&SECRET.to_vec());
			let other = ModelVersionRef { model: 7, version: 0 };
			StorageValueRef::persistent(crate::ocw::VERIFIER_ROUTES_KEY)
				.set(&vec![(other, b"http://seven.test".to_vec())]);
			let job = request(ALICE);
			to_challenge(job, [&GOOD, &GOOD, &GOOD]);
			// No request for this job's version (an unexpected one would panic).
			Inference::offchain_worker(System::block_number());
			assert!(pool.read().transactions.is_empty());
		});
	}

	#[test]
	fn nothing_is_verified_without_the_verifier_secret() {
		with_offchain(|_offchain, pool| {
			UintAuthorityId::set_all_keys(vec![1u64]);
			verify_everything();
			StorageValueRef::persistent(crate::ocw::VERIFIER_URL_KEY)
				.set(&b"http://verifier.test".to_vec());
			let job = request(ALICE);
			to_challenge(job, [&GOOD, &GOOD, &GOOD]);
			// No request is sent (an unexpected one would panic), no verdict submitted.
			Inference::offchain_worker(System::block_number());
			assert!(pool.read().transactions.is_empty());
		});
	}

	#[test]
	fn every_job_to_verify_is_verified_however_many_are_waiting() {
		with_offchain(|offchain, pool| {
			verifying_node();
			// 40 quorums in one block: more than the old 32-entry window.
			let jobs: Vec<JobId> =
				(0..40).map(|i| request_unassigned(if i < 20 { ALICE } else { BOB })).collect();
			// Assigned 8 a block.
			run_to_block(System::block_number() + 5);
			for job in &jobs {
				to_challenge(*job, [&GOOD, &GOOD, &GOOD]);
			}
			let now = System::block_number();
			// (What the old code seeded its sample with: the quorum block's hash.)
			frame_system::BlockHash::<Test>::insert(now, H256::repeat_byte(1));
			for job in &jobs {
				expect_verification(offchain, *job, &GOOD);
			}
			Inference::offchain_worker(now);
			assert_eq!(pool.read().transactions.len(), jobs.len());
		});
	}

	#[test]
	fn a_job_whose_miners_disagree_is_verified_whatever_the_sample() {
		with_offchain(|offchain, pool| {
			UintAuthorityId::set_all_keys(vec![1u64]);
			let mut params = test_parameters();
			params.verification_sample = Perbill::zero();
			Parameters::<Test>::put(params);
			set_verifier_url();
			let job = request(ALICE);
			to_challenge(job, [&GOOD, &GOOD, &BAD]);
			let now = System::block_number();
			frame_system::BlockHash::<Test>::insert(now, H256::repeat_byte(1));
			expect_verification(offchain, job, &GOOD);
			Inference::offchain_worker(now);
			assert_eq!(pool.read().transactions.len(), 1);
		});
	}

	#[test]
	fn nothing_is_verified_without_a_verifier_url_or_a_key() {
		with_offchain(|_offchain, pool| {
			let mut params = test_parameters();
			params.verification_sample = Perbill::one();
			Parameters::<Test>::put(params);
			let job = request(ALICE);
			to_challenge(job, [&GOOD, &GOOD, &GOOD]);
			UintAuthorityId::set_all_keys(vec![1u64]);
			Inference::offchain_worker(2); // no URL: no request (an unexpected one would panic)
			set_verifier_url();
			UintAuthorityId::set_all_keys(vec![5u64]); // not a validator key
			Inference::offchain_worker(2);
			assert!(pool.read().transactions.is_empty());
		});
	}
}

// ---------------------------------------------------------------- property test

mod properties {
	use super::*;
	use modelchain_primitives::ServingInfo;
	use proptest::prelude::*;

	#[derive(Clone, Copy, Debug)]
	enum Behaviour {
		Honest,
		Wrong,
		Silent,
		CommitOnly,
	}

	fn behaviour() -> impl Strategy<Value = Behaviour> {
		prop_oneof![
			4 => Just(Behaviour::Honest),
			1 => Just(Behaviour::Wrong),
			1 => Just(Behaviour::Silent),
			1 => Just(Behaviour::CommitOnly),
		]
	}

	proptest! {
		#![proptest_config(ProptestConfig::with_cases(64))]

		/// Random jobs with random miner behaviours and random verdicts: no balance is
		/// minted or lost, every hold is released when its job ends, payouts never exceed
		/// the fees, and every job ends.
		#[test]
		fn job_lifecycles_conserve_balances_and_release_holds(
			jobs in proptest::collection::vec(
				(
					proptest::collection::vec(behaviour(), 3),
					prop_oneof![Just(None), Just(Some(true)), Just(Some(false))],
					0u64..3,
				),
				1..8,
			),
		) {
			new_test_ext().execute_with(|| {
				verify_everything();
				TestQuorumDeposit::set(7);
				TestJobDepositBase::set(11);
				TestJobDepositPerByte::set(1);
				let total = total_of_known_accounts();
				let treasury_before = Balances::balance(&TREASURY);
				let mut ids = Vec::new();
				for (behaviours, verdict_kind, delay) in &jobs {
					let requester = if ids.len() % 2 == 0 { ALICE } else { BOB };
					let job = request(requester);
					ids.push(job);
					let miners = miners_of(job);
					for (miner, b) in miners.iter().zip(behaviours) {
						let output: &[i64] = if matches!(b, Behaviour::Wrong) { &BAD } else { &GOOD };
						if !matches!(b, Behaviour::Silent) {
							commit(job, *miner, output);
						}
					}
					run_to_block(System::block_number() + *delay);
					if matches!(phase(job), JobPhase::Commit) {
						run_to_block(Jobs::<Test>::get(job).unwrap().deadline);
					}
					if matches!(phase(job), JobPhase::Reveal) {
						for (miner, b) in miners.iter().zip(behaviours) {
							let output: &[i64] = if matches!(b, Behaviour::Wrong) { &BAD } else { &GOOD };
							if matches!(b, Behaviour::Honest | Behaviour::Wrong) {
								reveal(job, *miner, output);
							}
						}
					}
					if matches!(phase(job), JobPhase::Reveal) {
						run_to_block(Jobs::<Test>::get(job).unwrap().deadline);
					}
					if let (Some(agree), JobPhase::Challenge { .. } | JobPhase::Disputed) = (verdict_kind, phase(job)) {
						let truth: &[i64] = if *agree { &GOOD } else { &OTHER };
						both_validators_find(job, truth);
					}
					// Miners slashed in earlier jobs may be jailed: un-jail them so later jobs
					// still find three.
					WORKERS.with(|w| w.borrow_mut().values_mut().for_each(|w| w.jailed = false));
				}
				run_to_block(System::block_number() + CHALLENGE_PERIOD + 1);
				let mut paid_out = 0;
				for job in &ids {
					// Finished, or already pruned after its retention period.
					let ended = Jobs::<Test>::get(job)
						.is_none_or(|record| matches!(record.phase, JobPhase::Finished(_)));
					prop_assert!(ended, "job {} ended", job);
				}
				for event in System::events() {
					if let RuntimeEvent::Inference(Event::JobSettled { fee, treasury, creator, miners, holders, refunded, .. }) = event.event {
						prop_assert_eq!(treasury + creator + miners + holders + refunded, fee);
						paid_out += treasury + creator + miners + holders;
					}
				}
				let fees_settled: Balance = System::events().iter().filter(|e| matches!(e.event, RuntimeEvent::Inference(Event::JobSettled { .. }))).count() as Balance * PRICE;
				prop_assert!(paid_out <= fees_settled);
				prop_assert_eq!(held(ALICE), 0);
				prop_assert_eq!(held(BOB), 0);
				prop_assert_eq!(deposit_held(ALICE) + deposit_held(BOB), 0);
				prop_assert_eq!(ActiveJobs::<Test>::get(), 0);
				prop_assert_eq!(total_of_known_accounts(), total);
				// Every record is pruned after its retention, and its storage deposit returned.
				run_to_block(System::block_number() + RETENTION + 1);
				prop_assert_eq!(Jobs::<Test>::iter().count(), 0);
				prop_assert_eq!(storage_held(ALICE) + storage_held(BOB), 0);
				prop_assert_eq!(total_of_known_accounts(), total);
				let slashed: Balance = SLASHES.with(|s| s.borrow().iter().map(|(_, _, a)| *a).sum());
				let protocol: Balance = System::events().iter().filter_map(|e| match e.event {
					RuntimeEvent::Inference(Event::JobSettled { treasury, .. }) => Some(treasury),
					_ => None,
				}).sum();
				let forfeited: Balance = System::events().iter().filter_map(|e| match e.event {
					RuntimeEvent::Inference(Event::QuorumDepositForfeited { amount, .. }) => Some(amount),
					_ => None,
				}).sum();
				prop_assert_eq!(Balances::balance(&TREASURY), treasury_before + slashed + protocol + forfeited);
				Ok(())
			})?;
		}

		/// A settled fee with random price and percentages, to a creator that may not exist
		/// (parts below its existential deposit cannot be paid) and with or without shares:
		/// every part the event reports is what its recipient received, and the parts paid
		/// plus the refund are the fee, exactly; nothing stays held.
		#[test]
		fn settled_fee_parts_are_paid_or_refunded_exactly(
			price in prop_oneof![1u128..=40, 1u128..100_000],
			protocol_fee in 0u32..=100,
			royalty in 0u32..=100,
			miners_share in 0u32..=100,
			fresh_creator in any::<bool>(),
			shares in any::<bool>(),
		) {
			new_test_ext().execute_with(|| {
				let creator = if fresh_creator { 777 } else { CREATOR };
				MockRegistry::set_serving(MODEL, ServingInfo {
					creator,
					price,
					creator_royalty: Perbill::from_percent(royalty),
					miners_share: Perbill::from_percent(miners_share),
					..serving(3)
				});
				MockRegistry::set_shares_issued(MODEL, shares);
				Parameters::<Test>::mutate(|p| p.protocol_fee = Perbill::from_percent(protocol_fee));
				let balance = |who: AccountId| Balances::total_balance(&who);
				let job = NextJobId::<Test>::get();
				let (alice, treasury, creator_before, pot) =
					(balance(ALICE), balance(TREASURY), balance(creator), balance(HOLDERS_POT));
				assert_ok!(Inference::request_inference(
					RuntimeOrigin::signed(ALICE),
					MODEL,
					InputArg::Inline(b"[0.1,0.2]".to_vec()),
					price
				));
				next_block();
				let miners = miners_of(job);
				let miners_before: Balance = miners.iter().map(|m| balance(*m)).sum();
				to_challenge(job, [&GOOD, &GOOD, &GOOD]);
				run_to_block(System::block_number() + CHALLENGE_PERIOD + 1);
				let settled = System::events().into_iter().find_map(|e| match e.event {
					RuntimeEvent::Inference(Event::JobSettled { fee, treasury, creator, miners, holders, refunded, .. }) =>
						Some((fee, treasury, creator, miners, holders, refunded)),
					_ => None,
				});
				let (fee, to_treasury, to_creator, to_miners, to_holders, refunded) =
					settled.expect("the job settled");
				prop_assert_eq!(fee, price);
				prop_assert_eq!(to_treasury + to_creator + to_miners + to_holders + refunded, fee);
				prop_assert_eq!(balance(TREASURY) - treasury, to_treasury);
				prop_assert_eq!(balance(HOLDERS_POT) - pot, if shares { to_holders } else { 0 });
				let creator_got = balance(creator) - creator_before;
				prop_assert_eq!(creator_got, to_creator + if shares { 0 } else { to_holders });
				prop_assert_eq!(miners.iter().map(|m| balance(*m)).sum::<Balance>() - miners_before, to_miners);
				prop_assert_eq!(alice - balance(ALICE), fee - refunded);
				prop_assert_eq!(held(ALICE), 0);
				Ok(())
			})?;
		}
	}

	/// The pick counts a fair draw stays within for a miner expected to be picked `expected` times:
	/// the Chernoff bound `P(X >= k) <= e^-λ (eλ/k)^k` (and its mirror below λ) for a sum of
	/// independent draws, cut where the tail is below 1e-12. Unlike a multiple of the standard
	/// deviation, it holds for the tiny expectations of a 1-stake miner among 256 (λ ≈ 0.1).
	fn picks_within_chernoff_bound(expected: f64) -> (u64, u64) {
		let ln_tail = |k: f64| {
			if k == 0.0 {
				-expected
			} else {
				-expected + k * (1.0 + expected.ln() - k.ln())
			}
		};
		let cut = (1e-12f64).ln();
		let mut high = expected.ceil();
		while ln_tail(high) > cut {
			high += 1.0;
		}
		let mut low = expected.floor();
		while low > 0.0 && ln_tail(low) > cut {
			low -= 1.0;
		}
		(low as u64, high as u64)
	}

	proptest! {
		#![proptest_config(ProptestConfig::with_cases(4))]

		/// H-2: over the whole candidate set (256 miners with random stakes, some of them
		/// tiny), each miner's share of 100,000 single-miner draws is its share of the total
		/// stake, within six standard deviations of the binomial count (about 30% of a
		/// 1/256 share's expected 390 picks; a miner left out of the draw would be 100% off).
		#[test]
		fn every_miner_is_drawn_in_proportion_to_its_stake(
			stakes in proptest::collection::vec(prop_oneof![1u128..10, 1_000u128..100_000], 256),
		) {
			new_test_ext().execute_with(|| {
				let candidates: Vec<(AccountId, Balance)> =
					stakes.iter().enumerate().map(|(i, stake)| (10_000 + i as u64, *stake)).collect();
				let total: Balance = stakes.iter().sum();
				let draws = 100_000u64;
				let mut picks = vec![0u64; candidates.len()];
				for job in 0..draws {
					let picked = Inference::select_miners(candidates.clone(), 1, &SEED, job).unwrap();
					picks[(picked[0].0 - 10_000) as usize] += 1;
				}
				for (i, stake) in stakes.iter().enumerate() {
					let expected = draws as f64 * *stake as f64 / total as f64;
					let (low, high) = picks_within_chernoff_bound(expected);
					let got = picks[i];
					prop_assert!(
						(low..=high).contains(&got),
						"miner {} with stake {} of {}: {} picks, expected {:.1} (allowed {}..={})",
						i, stake, total, got, expected, low, high
					);
				}
				Ok(())
			})?;
		}
	}
}

#[test]
fn quote_fee_is_none_when_a_request_would_be_refused_for_lack_of_miners() {
	new_test_ext().execute_with(|| {
		assert!(Inference::quote_fee(MODEL).is_some(), "three miners for a redundancy of 3");
		// Two unjailed miners left for a redundancy of 3: a request fails with NotEnoughWorkers,
		// so the quote must not promise a price.
		set_jailed(&MINERS[2..], true);
		assert_noop!(request_small(ALICE), Error::<Test>::NotEnoughWorkers);
		assert_eq!(Inference::quote_fee(MODEL), None);
		// A third miner back: the quote is back.
		set_jailed(&MINERS[2..], false);
		assert!(Inference::quote_fee(MODEL).is_some());
	});
}

#[test]
fn quote_fee_is_none_while_the_chain_takes_no_more_jobs() {
	new_test_ext().execute_with(|| {
		for n in 0..MAX_ACTIVE_JOBS {
			request_unassigned(if n < MAX_JOBS_PER_REQUESTER { ALICE } else { BOB });
		}
		assert_noop!(request_small(POOR), Error::<Test>::TooManyActiveJobs);
		assert_eq!(Inference::quote_fee(MODEL), None);
	});
}

mod checks {
	use super::*;
	use modelchain_primitives::{CheckOutcome, CheckReason, OutputChecks};

	const VERSION: ModelVersionRef = ModelVersionRef { model: 0, version: 0 };

	fn decided() -> Vec<(JobId, CheckOutcome)> {
		CHECKS_DECIDED.with(|c| c.borrow().clone())
	}

	fn open(claimed: &[i64]) -> JobId {
		open_for(claimed, CheckReason::Challenge).expect("opens")
	}

	fn open_for(claimed: &[i64], reason: CheckReason) -> Result<JobId, DispatchError> {
		Inference::open_check(&ALICE, &VERSION, vec![1, 2, 3], claimed.to_vec(), reason)
	}

	#[test]
	fn a_check_is_a_fee_less_job_due_for_verification_at_once() {
		new_test_ext().execute_with(|| {
			let before = Balances::total_balance(&ALICE);
			let job = open(&GOOD);
			assert_eq!(phase(job), JobPhase::Challenge { winner: output_hash(&GOOD) });
			assert!(VerificationDue::<Test>::contains_key(job));
			assert!(Checks::<Test>::contains_key(job));
			System::assert_has_event(
				Event::CheckOpened {
					job,
					requester: ALICE,
					version: VERSION,
					output_hash: output_hash(&GOOD),
				}
				.into(),
			);
			assert_eq!(Balances::total_balance(&ALICE), before, "a check holds nothing");
		});
	}

	#[test]
	fn validators_finding_the_claimed_output_confirm_the_check() {
		new_test_ext().execute_with(|| {
			let job = open(&GOOD);
			both_validators_find(job, &GOOD);
			assert_eq!(decided(), vec![(job, CheckOutcome::Confirmed)]);
			assert!(!Checks::<Test>::contains_key(job));
			assert!(slashes().is_empty());
		});
	}

	#[test]
	fn validators_finding_another_output_overturn_the_check() {
		new_test_ext().execute_with(|| {
			let job = open(&BAD);
			both_validators_find(job, &GOOD);
			assert_eq!(decided(), vec![(job, CheckOutcome::Overturned)]);
			assert_eq!(phase(job), JobPhase::Finished(JobOutcome::Overturned));
		});
	}

	#[test]
	fn a_check_without_a_majority_by_its_deadline_is_undecided() {
		new_test_ext().execute_with(|| {
			let job = open(&GOOD);
			let deadline = Jobs::<Test>::get(job).expect("exists").deadline;
			run_to_block(deadline + 1);
			assert_eq!(decided(), vec![(job, CheckOutcome::Undecided)]);
			assert_eq!(ActiveChallenges::<Test>::get(), 0, "it no longer counts as open");
		});
	}

	#[test]
	fn bad_checks_are_refused_and_change_nothing() {
		new_test_ext().execute_with(|| {
			let next = NextJobId::<Test>::get();
			let refused = |input: Vec<u8>, claimed: Vec<i64>| {
				Inference::open_check(&ALICE, &VERSION, input, claimed, CheckReason::Challenge)
					.expect_err("refused")
			};
			assert_eq!(refused(vec![], GOOD.to_vec()), Error::<Test>::EmptyInput.into());
			assert_eq!(refused(vec![0; 65], GOOD.to_vec()), Error::<Test>::InputTooLong.into());
			assert_eq!(refused(vec![1], vec![]), Error::<Test>::InvalidOutput.into());
			assert_eq!(refused(vec![1], vec![0; 11]), Error::<Test>::InvalidOutput.into());
			assert_eq!(NextJobId::<Test>::get(), next);
		});
	}

	/// Checks count against neither the chain's nor the opener's unfinished jobs: a chain
	/// full of jobs still takes a miner's audit reveal (on the code before this test, the
	/// check was refused with `TooManyActiveJobs`, and the honest miner was then slashed for
	/// a missed audit) and a challenge.
	#[test]
	fn a_chain_full_of_jobs_still_checks_audits_and_challenges() {
		new_test_ext().execute_with(|| {
			for requester in [ALICE, BOB] {
				while ActiveJobsOf::<Test>::get(requester) < MAX_JOBS_PER_REQUESTER
					&& ActiveJobs::<Test>::get() < MAX_ACTIVE_JOBS
				{
					request_unassigned(requester);
				}
			}
			assert_eq!(ActiveJobs::<Test>::get(), MAX_ACTIVE_JOBS, "the chain is full of jobs");
			assert_noop!(request_small(BOB), Error::<Test>::TooManyActiveJobs);
			assert_ok!(open_for(&GOOD, CheckReason::Audit));
			assert_ok!(open_for(&GOOD, CheckReason::Challenge));
			assert_eq!(ActiveJobs::<Test>::get(), MAX_ACTIVE_JOBS);
			assert_eq!(ActiveChallenges::<Test>::get(), 1);
		});
	}

	/// Challenges are bounded (`MaxActiveChallenges`), and a spammer filling that bound
	/// cannot keep a miner from answering its audits.
	#[test]
	fn challenges_are_bounded_and_cannot_crowd_out_audits() {
		new_test_ext().execute_with(|| {
			for _ in 0..MAX_ACTIVE_CHALLENGES {
				assert_ok!(open_for(&GOOD, CheckReason::Challenge));
			}
			let next = NextJobId::<Test>::get();
			assert_noop!(
				open_for(&GOOD, CheckReason::Challenge),
				Error::<Test>::TooManyActiveChallenges
			);
			assert_eq!(NextJobId::<Test>::get(), next);
			let audit = open_for(&GOOD, CheckReason::Audit).expect("an audit is never crowded out");
			assert_eq!(Checks::<Test>::get(audit), Some(CheckReason::Audit));
			// A decided challenge makes room again.
			both_validators_find(next - 1, &GOOD);
			assert_ok!(open_for(&GOOD, CheckReason::Challenge));
		});
	}
}
