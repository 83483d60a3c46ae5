//! The pallet's invariants (`try_state`), checked after every unit test and by try-runtime.

use super::prelude::*;
use alloc::collections::BTreeMap;
use frame_support::traits::fungible::InspectHold;
use modelchain_primitives::CheckReason;

/// What a requester's unfinished and retained jobs account for.
#[derive(Default)]
struct Owed {
	unfinished: u32,
	fees: Balance,
	quorum_deposits: Balance,
	storage_deposits: Balance,
}

impl<T: Config> Pallet<T> {
	/// Checks that:
	/// - `ActiveJobs` counts the unfinished jobs (checks aside) and `ActiveJobsOf` each
	///   requester's; `ActiveChallenges` the unfinished checks opened by challenges; every
	///   open check is an unfinished job;
	/// - each requester's holds are exactly what its jobs account for: the fees of the jobs
	///   whose fee is still held, the quorum deposits of its unfinished jobs, the storage
	///   deposits of its jobs not yet pruned;
	/// - every quorum deposit belongs to an unfinished job and every storage deposit to a
	///   stored job;
	/// - only jobs in a challenge window or dispute are due for verification, and only jobs
	///   in their reveal phase have reveals.
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		let overflow = "overflow in an invariant check";
		let mut owed: BTreeMap<T::AccountId, Owed> = BTreeMap::new();
		let mut unfinished_total = 0u32;
		let mut unfinished_challenges = 0u32;
		for (job, record) in Jobs::<T>::iter() {
			let entry = owed.entry(record.requester.clone()).or_default();
			let finished = matches!(record.phase, JobPhase::Finished(_));
			let check = Checks::<T>::get(job);
			ensure!(check.is_none() || !finished, "a finished check is still open");
			match check {
				_ if finished => {}
				None => {
					entry.unfinished = entry.unfinished.checked_add(1).ok_or(overflow)?;
					unfinished_total = unfinished_total.checked_add(1).ok_or(overflow)?;
				}
				Some(CheckReason::Challenge) => {
					unfinished_challenges = unfinished_challenges.checked_add(1).ok_or(overflow)?;
				}
				Some(CheckReason::Audit) => {}
			}
			if record.fee_held {
				entry.fees = entry.fees.checked_add(record.terms.fee).ok_or(overflow)?;
			}
			if let Some(deposit) = QuorumDeposits::<T>::get(job) {
				ensure!(!finished, "a finished job still has a quorum deposit");
				entry.quorum_deposits =
					entry.quorum_deposits.checked_add(deposit).ok_or(overflow)?;
			}
			if let Some(deposit) = StorageDeposits::<T>::get(job) {
				entry.storage_deposits =
					entry.storage_deposits.checked_add(deposit).ok_or(overflow)?;
			}
		}
		ensure!(
			ActiveJobs::<T>::get() == unfinished_total,
			"ActiveJobs is not the unfinished jobs"
		);
		ensure!(
			ActiveChallenges::<T>::get() == unfinished_challenges,
			"ActiveChallenges is not the unfinished challenges' checks"
		);
		for job in Checks::<T>::iter_keys() {
			ensure!(Jobs::<T>::contains_key(job), "a check without a job");
		}
		for (requester, count) in ActiveJobsOf::<T>::iter() {
			let unfinished = owed.get(&requester).map(|o| o.unfinished).unwrap_or_default();
			ensure!(count == unfinished, "ActiveJobsOf is not the requester's unfinished jobs");
		}
		for (requester, owed) in &owed {
			ensure!(
				ActiveJobsOf::<T>::contains_key(requester) == (owed.unfinished > 0),
				"ActiveJobsOf has no entry for a requester with unfinished jobs"
			);
			let held = |reason: HoldReason| T::Currency::balance_on_hold(&reason.into(), requester);
			ensure!(held(HoldReason::JobFee) == owed.fees, "a requester's held fees differ");
			ensure!(
				held(HoldReason::QuorumDeposit) == owed.quorum_deposits,
				"a requester's held quorum deposits differ"
			);
			ensure!(
				held(HoldReason::JobStorage) == owed.storage_deposits,
				"a requester's held storage deposits differ"
			);
		}
		for job in QuorumDeposits::<T>::iter_keys() {
			ensure!(Jobs::<T>::contains_key(job), "a quorum deposit without a job");
		}
		for job in StorageDeposits::<T>::iter_keys() {
			ensure!(Jobs::<T>::contains_key(job), "a storage deposit without a job");
		}
		for job in VerificationDue::<T>::iter_keys() {
			let phase = Jobs::<T>::get(job).map(|record| record.phase);
			ensure!(
				matches!(phase, Some(JobPhase::Challenge { .. } | JobPhase::Disputed)),
				"a job due for verification is not in a challenge window or dispute"
			);
		}
		for (job, _, _) in Reveals::<T>::iter() {
			let phase = Jobs::<T>::get(job).map(|record| record.phase);
			ensure!(
				matches!(
					phase,
					Some(JobPhase::Reveal | JobPhase::Challenge { .. } | JobPhase::Disputed)
				),
				"reveals of a finished job, or of one not yet revealing"
			);
		}
		Ok(())
	}
}
