//! Benchmarks of every call and of the deadline hook. Jobs are driven through the real calls
//! on a model and miners the runtime's `BenchmarkHelper` sets up (registry, staking, shares).
//! Settlement (in `on_initialize` and `submit_verdict`) pays share holders through the shares
//! pallet's O(1) deposit: nothing here depends on the number of holders. The deadline hooks are
//! measured per queue at each queue's most expensive ending, with distinct requesters, models
//! and miners per job (no storage key shared between jobs).

use super::*;
use crate::Pallet as Inference;
use alloc::vec::Vec;
use frame_benchmarking::v2::*;
use frame_support::{
	pallet_prelude::{Authorize, TransactionSource},
	traits::{fungible::Mutate, Get, Hooks},
	BoundedVec,
};
use frame_system::{pallet_prelude::BlockNumberFor, RawOrigin};
use modelchain_primitives::{Balance, ComputeStakingInterface, ModelId};
use sp_runtime::{traits::Saturating, RuntimeAppPublic};

const FUNDS: Balance = 1_000_000_000_000_000_000;
const OUTPUT: [i64; 10] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
const OTHER: [i64; 10] = [0; 10];

fn funded<T: Config>(name: &'static str, index: u32) -> T::AccountId {
	let who: T::AccountId = account(name, index, 0);
	T::Currency::set_balance(&who, FUNDS);
	who
}

fn salt_of(index: usize) -> [u8; 32] {
	[index as u8; 32]
}

/// Requests a job on `model` (served with the given redundancy) and returns its id, still
/// waiting for its miners.
fn request_unassigned<T: Config>(model: ModelId, requester: &T::AccountId) -> JobId {
	let job = NextJobId::<T>::get();
	let input = InputArg::Inline(alloc::vec![7u8; T::MaxInputLen::get() as usize]);
	assert!(Inference::<T>::request_inference(
		RawOrigin::Signed(requester.clone()).into(),
		model,
		input,
		Balance::MAX
	)
	.is_ok());
	job
}

/// Requests a job on `model` and assigns its miners (as the next block's `on_poll` does, with
/// a fixed randomness: a benchmark has no inherent); returns its id.
fn request<T: Config>(model: ModelId, requester: &T::AccountId) -> JobId {
	let job = request_unassigned::<T>(model, requester);
	let now = frame_system::Pallet::<T>::block_number();
	Inference::<T>::assign_job(job, &[7; 32], now);
	job
}

fn miners_of<T: Config>(job: JobId) -> Vec<T::AccountId> {
	Jobs::<T>::get(job)
		.map(|record| record.assignments.iter().map(|a| a.miner.clone()).collect())
		.unwrap_or_default()
}

fn commit_all<T: Config>(job: JobId, miners: &[T::AccountId], output: &[i64]) {
	for (index, miner) in miners.iter().enumerate() {
		let commitment = commitment_of(job, miner, output, &salt_of(index));
		assert!(Inference::<T>::commit_result(
			RawOrigin::Signed(miner.clone()).into(),
			job,
			commitment
		)
		.is_ok());
	}
}

fn reveal_all<T: Config>(job: JobId, miners: &[T::AccountId], output: &[i64]) {
	for (index, miner) in miners.iter().enumerate() {
		assert!(Inference::<T>::reveal_result(
			RawOrigin::Signed(miner.clone()).into(),
			job,
			output.to_vec(),
			salt_of(index)
		)
		.is_ok());
	}
}

/// A job whose miners all agreed on `OUTPUT`: in its challenge window.
fn job_in_challenge<T: Config>(model: ModelId, requester: &T::AccountId) -> JobId {
	let job = request::<T>(model, requester);
	let miners = miners_of::<T>(job);
	commit_all::<T>(job, &miners, &OUTPUT);
	reveal_all::<T>(job, &miners, &OUTPUT);
	job
}

/// `count` jobs assigned in this block, each of its own requester and its own model served by
/// `miners` miners (`MaxRedundancy` of them assigned): no two jobs share an account.
fn jobs_of_distinct_accounts<T: Config>(count: u32, miners: u32) -> Vec<JobId> {
	let redundancy = T::MaxRedundancy::get();
	(0..count)
		.map(|index| {
			let (model, _) = T::BenchmarkHelper::setup_model(redundancy as u8, miners);
			request::<T>(model, &funded::<T>("requester", index))
		})
		.collect()
}

/// `count` jobs of distinct accounts (as `jobs_of_distinct_accounts`) whose miners all agreed:
/// in their challenge windows.
fn jobs_in_challenge<T: Config>(count: u32) -> Vec<JobId> {
	let jobs = jobs_of_distinct_accounts::<T>(count, T::MaxRedundancy::get());
	for job in &jobs {
		let miners = miners_of::<T>(*job);
		commit_all::<T>(*job, &miners, &OUTPUT);
		reveal_all::<T>(*job, &miners, &OUTPUT);
	}
	jobs
}

/// The salt of the benchmarked miner's answers (the others' come from `salt_of`, which
/// never gives it: fewer than 255 miners).
const MINER_SALT: [u8; 32] = [255; 32];

/// `count` jobs of one model whose `MaxRedundancy` miners are all assigned to each (each job
/// its own requester), and one of those miners.
fn jobs_of_one_miner<T: Config>(count: u32) -> Result<(Vec<JobId>, T::AccountId), BenchmarkError> {
	let redundancy = T::MaxRedundancy::get();
	let (model, miners) = T::BenchmarkHelper::setup_model(redundancy as u8, redundancy);
	let miner = miners.last().cloned().ok_or("no miners")?;
	let jobs =
		(0..count).map(|index| request::<T>(model, &funded::<T>("requester", index))).collect();
	Ok((jobs, miner))
}

/// The miners of `job` other than `miner`.
fn others_of<T: Config>(job: JobId, miner: &T::AccountId) -> Vec<T::AccountId> {
	miners_of::<T>(job).into_iter().filter(|other| other != miner).collect()
}

/// The most due deadlines a hook benchmark sets up: `MaxDeadlinesPerBlock`, at most 16. Each
/// deadline touches only its own job's keys (its own requester, model, full version index and
/// miners), so each costs the same at any count and the linear fit extends to a larger
/// `MaxDeadlinesPerBlock` (the runtime's 128 would take 32,768 bonded miners to set up).
fn deadlines_measured<T: Config>() -> u32 {
	T::MaxDeadlinesPerBlock::get().min(16)
}

/// Moves to `blocks` blocks after the current one; returns that block.
fn after<T: Config>(blocks: BlockNumberFor<T>) -> BlockNumberFor<T> {
	let now = frame_system::Pallet::<T>::block_number().saturating_add(blocks);
	frame_system::Pallet::<T>::set_block_number(now);
	now
}

fn assert_all_in<T: Config>(jobs: &[JobId], phase: JobPhase) {
	for job in jobs {
		assert_eq!(Jobs::<T>::get(job).map(|record| record.phase), Some(phase));
	}
}

/// Makes `MaxAuthorities` validator keys the current ones and `job` due for verification;
/// returns the keys and the last of them (the one whose verdict is benchmarked).
fn verifying_validators<T: Config>(
	job: JobId,
) -> Result<(Vec<T::AuthorityId>, T::AuthorityId), BenchmarkError> {
	let mut keys: Vec<T::AuthorityId> =
		(0..T::MaxAuthorities::get()).map(|_| T::AuthorityId::generate_pair(None)).collect();
	keys.sort();
	let authority = keys.last().cloned().ok_or("no keys")?;
	Inference::<T>::set_authorities(keys.clone());
	VerificationDue::<T>::insert(job, ());
	Ok((keys, authority))
}

#[benchmarks]
mod benchmarks {
	use super::*;

	/// `c` eligible miners are considered (the pick is weighted over all of them); with
	/// `l = 1` the request uses a licence's last query on a model whose access log is full
	/// (the access pallet's worst case), with `l = 0` the model is open.
	#[benchmark]
	fn request_inference(
		c: Linear<{ T::MaxRedundancy::get() }, { T::MaxCandidates::get() }>,
		l: Linear<0, 1>,
	) -> Result<(), BenchmarkError> {
		let (model, _) = T::BenchmarkHelper::setup_model(T::MaxRedundancy::get() as u8, c);
		let requester = funded::<T>("requester", 0);
		if l == 1 {
			T::BenchmarkHelper::licence_last_query(model, &requester);
		}
		let input = InputArg::Inline(alloc::vec![7u8; T::MaxInputLen::get() as usize]);
		let work;
		#[block]
		{
			work = Inference::<T>::do_request_inference(requester, model, input, Balance::MAX)?;
		}
		assert!(Jobs::<T>::contains_key(0));
		assert_eq!((work.considered, work.licensed), (c, l == 1));
		Ok(())
	}

	/// One job's miners drawn among `c` eligible ones (weighted over all of them) and its
	/// commit phase opened: the work `on_poll` does per job.
	#[benchmark]
	fn assign_job(
		c: Linear<{ T::MaxRedundancy::get() }, { T::MaxCandidates::get() }>,
	) -> Result<(), BenchmarkError> {
		let (model, _) = T::BenchmarkHelper::setup_model(T::MaxRedundancy::get() as u8, c);
		let requester = funded::<T>("requester", 0);
		let job = request_unassigned::<T>(model, &requester);
		let now = frame_system::Pallet::<T>::block_number();
		#[block]
		{
			Inference::<T>::assign_job(job, &[7; 32], now);
		}
		assert!(matches!(Jobs::<T>::get(job).map(|j| j.phase), Some(JobPhase::Commit)));
		Ok(())
	}

	/// The last commitment, which opens the reveal phase.
	#[benchmark]
	fn commit_result() -> Result<(), BenchmarkError> {
		let redundancy = T::MaxRedundancy::get();
		let (model, _) = T::BenchmarkHelper::setup_model(redundancy as u8, redundancy);
		let requester = funded::<T>("requester", 0);
		let job = request::<T>(model, &requester);
		let miners = miners_of::<T>(job);
		let (last, others) = miners.split_last().ok_or("no miners")?;
		commit_all::<T>(job, others, &OUTPUT);
		let commitment = commitment_of(job, last, &OUTPUT, &salt_of(others.len()));
		#[extrinsic_call]
		_(RawOrigin::Signed(last.clone()), job, commitment);
		assert!(matches!(Jobs::<T>::get(job).map(|j| j.phase), Some(JobPhase::Reveal)));
		Ok(())
	}

	/// The last reveal of `k` miners, which counts the quorum.
	#[benchmark]
	fn reveal_result(k: Linear<1, { T::MaxRedundancy::get() }>) -> Result<(), BenchmarkError> {
		let (model, _) = T::BenchmarkHelper::setup_model(k as u8, k);
		let requester = funded::<T>("requester", 0);
		let job = request::<T>(model, &requester);
		let miners = miners_of::<T>(job);
		commit_all::<T>(job, &miners, &OUTPUT);
		let (last, others) = miners.split_last().ok_or("no miners")?;
		reveal_all::<T>(job, others, &OUTPUT);
		#[extrinsic_call]
		_(RawOrigin::Signed(last.clone()), job, OUTPUT.to_vec(), salt_of(others.len()));
		assert!(matches!(Jobs::<T>::get(job).map(|j| j.phase), Some(JobPhase::Challenge { .. })));
		Ok(())
	}

	/// `n` commitments of one miner, each the last of its job's `MaxRedundancy` (each opens
	/// its job's reveal phase); one model, `n` requesters.
	#[benchmark]
	fn commit_results(n: Linear<1, { T::MaxAnswersPerCall::get() }>) -> Result<(), BenchmarkError> {
		let (jobs, miner) = jobs_of_one_miner::<T>(n)?;
		for job in &jobs {
			commit_all::<T>(*job, &others_of::<T>(*job, &miner), &OUTPUT);
		}
		let commitments: Vec<_> = jobs
			.iter()
			.map(|job| (*job, commitment_of(*job, &miner, &OUTPUT, &MINER_SALT)))
			.collect();
		let commitments = BoundedVec::try_from(commitments).map_err(|_| "too many")?;
		#[extrinsic_call]
		_(RawOrigin::Signed(miner), commitments);
		assert_all_in::<T>(&jobs, JobPhase::Reveal);
		Ok(())
	}

	/// `n` reveals of one miner, each the last of its job's `MaxRedundancy` (each counts its
	/// job's quorum); one model, `n` requesters.
	#[benchmark]
	fn reveal_results(n: Linear<1, { T::MaxAnswersPerCall::get() }>) -> Result<(), BenchmarkError> {
		let (jobs, miner) = jobs_of_one_miner::<T>(n)?;
		for job in &jobs {
			let others = others_of::<T>(*job, &miner);
			commit_all::<T>(*job, &others, &OUTPUT);
			let commitment = commitment_of(*job, &miner, &OUTPUT, &MINER_SALT);
			Inference::<T>::commit_result(
				RawOrigin::Signed(miner.clone()).into(),
				*job,
				commitment,
			)?;
			reveal_all::<T>(*job, &others, &OUTPUT);
		}
		let reveals: Vec<_> = jobs
			.iter()
			.map(|job| RevealArg { job: *job, output: OUTPUT.to_vec(), salt: MINER_SALT })
			.collect();
		let reveals = BoundedVec::try_from(reveals).map_err(|_| "too many")?;
		#[extrinsic_call]
		_(RawOrigin::Signed(miner), reveals);
		let winner = output_hash(&OUTPUT);
		assert_all_in::<T>(&jobs, JobPhase::Challenge { winner });
		Ok(())
	}

	/// A verdict against a unanimous majority of `k`: every miner is slashed and the
	/// requester refunded.
	#[benchmark]
	fn submit_verdict(k: Linear<1, { T::MaxRedundancy::get() }>) -> Result<(), BenchmarkError> {
		let (model, _) = T::BenchmarkHelper::setup_model(k as u8, k);
		let requester = funded::<T>("requester", 0);
		let job = job_in_challenge::<T>(model, &requester);
		// The worst case: every validator's key, all but one already voted, and this verdict
		// is the one that decides against the majority (every miner slashed) and contradicts
		// the most validators (those that voted for another output).
		let (keys, authority) = verifying_validators::<T>(job)?;
		let needed = Inference::<T>::verdicts_needed() as usize;
		let agreeing = needed.saturating_sub(1);
		let votes: Vec<_> = keys
			.iter()
			.filter(|key| **key != authority)
			.enumerate()
			.map(|(i, key)| {
				let hash = if i < agreeing { output_hash(&OTHER) } else { output_hash(&OUTPUT) };
				(key.clone(), hash)
			})
			.collect();
		VerdictVotes::<T>::insert(job, BoundedVec::try_from(votes).map_err(|_| "too many")?);
		let verdict = Verdict {
			job,
			output_hash: output_hash(&OTHER),
			accepted: Default::default(),
			authority: authority.clone(),
		};
		let signature =
			authority.sign(&Inference::<T>::verdict_message(&verdict)).ok_or("cannot sign")?;
		#[extrinsic_call]
		_(RawOrigin::Authorized, verdict, signature);
		assert!(matches!(
			Jobs::<T>::get(job).map(|j| j.phase),
			Some(JobPhase::Finished(JobOutcome::Overturned))
		));
		Ok(())
	}

	/// Pool validation of a verdict: signature check and storage reads, with every other
	/// validator's verdict already recorded (the longest scan for this one's).
	#[benchmark]
	fn authorize_submit_verdict() -> Result<(), BenchmarkError> {
		let redundancy = T::MaxRedundancy::get();
		let (model, _) = T::BenchmarkHelper::setup_model(redundancy as u8, redundancy);
		let requester = funded::<T>("requester", 0);
		let job = job_in_challenge::<T>(model, &requester);
		let (keys, authority) = verifying_validators::<T>(job)?;
		let votes: Vec<_> = keys
			.iter()
			.filter(|key| **key != authority)
			.map(|key| (key.clone(), output_hash(&OTHER)))
			.collect();
		VerdictVotes::<T>::insert(job, BoundedVec::try_from(votes).map_err(|_| "too many")?);
		let verdict = Verdict {
			job,
			output_hash: output_hash(&OUTPUT),
			accepted: Default::default(),
			authority: authority.clone(),
		};
		let signature =
			authority.sign(&Inference::<T>::verdict_message(&verdict)).ok_or("cannot sign")?;
		let call = Call::<T>::submit_verdict { verdict, signature };
		#[block]
		{
			call.authorize(TransactionSource::External)
				.ok_or("submit_verdict has an authorize function")?
				.map_err(|_| "the verdict must be valid")?;
		}
		Ok(())
	}

	#[benchmark]
	fn set_parameters() {
		let mut parameters = Parameters::<T>::get();
		parameters.protocol_fee = sp_runtime::Perbill::from_percent(7);
		#[extrinsic_call]
		_(RawOrigin::Root, parameters.clone());
		assert_eq!(Parameters::<T>::get(), parameters);
	}

	/// One unanimous quorum drawn for the sample (due for verification): the work `on_poll`
	/// does per entry of the sample queue.
	#[benchmark]
	fn draw_sample() -> Result<(), BenchmarkError> {
		let redundancy = T::MaxRedundancy::get();
		let (model, _) = T::BenchmarkHelper::setup_model(redundancy as u8, redundancy);
		let requester = funded::<T>("requester", 0);
		let job = job_in_challenge::<T>(model, &requester);
		let now = frame_system::Pallet::<T>::block_number();
		#[block]
		{
			Inference::<T>::draw_sample(job, sp_runtime::Perbill::one(), &[7; 32], now);
		}
		assert!(VerificationDue::<T>::contains_key(job));
		Ok(())
	}

	/// `d` commit phases end in one block with every assigned miner silent, each of them at
	/// its last miss before jail (jailed, its version index rewritten); every job ends
	/// without a quorum (fee refunded, quorum deposit forfeited). Each job has its own
	/// requester and its own model served by `MaxCandidates` miners (a full version index).
	#[benchmark]
	fn on_commit_deadlines(
		d: Linear<0, { deadlines_measured::<T>() }>,
	) -> Result<(), BenchmarkError> {
		let jobs = jobs_of_distinct_accounts::<T>(d, T::MaxCandidates::get());
		for job in &jobs {
			for miner in miners_of::<T>(*job) {
				for _ in 1..T::BenchmarkHelper::misses_before_jail() {
					T::Staking::note_missed_job(&miner);
				}
			}
		}
		let now = after::<T>(Parameters::<T>::get().commit_period);
		#[block]
		{
			Inference::<T>::on_initialize(now);
		}
		assert_all_in::<T>(&jobs, JobPhase::Finished(JobOutcome::NoQuorum));
		Ok(())
	}

	/// `d` reveal phases end in one block with every assigned miner committed and none
	/// revealed: each is slashed (`MissedReveal`: jailed, its version index rewritten), the
	/// requester refunded and the job disputed. Distinct requesters, models (full version
	/// indexes) and miners, as above.
	#[benchmark]
	fn on_reveal_deadlines(
		d: Linear<0, { deadlines_measured::<T>() }>,
	) -> Result<(), BenchmarkError> {
		let jobs = jobs_of_distinct_accounts::<T>(d, T::MaxCandidates::get());
		for job in &jobs {
			commit_all::<T>(*job, &miners_of::<T>(*job), &OUTPUT);
		}
		let now = after::<T>(Parameters::<T>::get().reveal_period);
		#[block]
		{
			Inference::<T>::on_initialize(now);
		}
		assert_all_in::<T>(&jobs, JobPhase::Disputed);
		Ok(())
	}

	/// `d` challenge windows end in one block: each job is settled (treasury, its creator,
	/// its `MaxRedundancy` miners, its share holders' O(1) deposit). Distinct requesters,
	/// models, creators and miners.
	#[benchmark]
	fn on_challenge_deadlines(
		d: Linear<0, { deadlines_measured::<T>() }>,
	) -> Result<(), BenchmarkError> {
		let jobs = jobs_in_challenge::<T>(d);
		let now = after::<T>(Parameters::<T>::get().challenge_period);
		#[block]
		{
			Inference::<T>::on_initialize(now);
		}
		assert_all_in::<T>(&jobs, JobPhase::Finished(JobOutcome::Settled));
		Ok(())
	}

	/// `d` finished jobs are pruned in one block: record, result and verdicts removed, each
	/// requester's storage deposit released.
	#[benchmark]
	fn on_prune_deadlines(
		d: Linear<0, { deadlines_measured::<T>() }>,
	) -> Result<(), BenchmarkError> {
		let jobs = jobs_in_challenge::<T>(d);
		let settled = after::<T>(Parameters::<T>::get().challenge_period);
		Inference::<T>::on_initialize(settled);
		assert_all_in::<T>(&jobs, JobPhase::Finished(JobOutcome::Settled));
		let now = after::<T>(Parameters::<T>::get().retention_period);
		#[block]
		{
			Inference::<T>::on_initialize(now);
		}
		for job in jobs {
			assert!(!Jobs::<T>::contains_key(job) && !StorageDeposits::<T>::contains_key(job));
		}
		Ok(())
	}

	impl_benchmark_test_suite!(Inference, crate::mock::new_test_ext(), crate::mock::Test);
}
