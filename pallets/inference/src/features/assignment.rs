//! Assignment: drawing a requested job's miners in a later block, from that block's slot
//! randomness, so that nobody who could see the request could know its miners.

use super::prelude::*;
use frame_support::weights::WeightMeter;

impl<T: Config> Pallet<T> {
	/// The weight of an assignment that considered `candidates` miners (benchmarked by
	/// `assign_job`). The block must have room for `MaxCandidates` before an assignment
	/// starts; what it used is what it consumes.
	pub fn assign_job_weight(candidates: u32) -> Weight {
		T::WeightInfo::assign_job(candidates)
	}

	/// Draws the miners of the jobs waiting in the assignment queue whose request was in an
	/// earlier block, from this block's randomness: at most `MaxDeadlinesPerBlock` jobs and
	/// only as many as `meter`'s weight allows; the rest wait for the next block, in order.
	/// Nothing is assigned in a block without fresh randomness.
	pub fn assign_pending(now: BlockNumberFor<T>, meter: &mut WeightMeter) {
		let Some(randomness) = T::Randomness::fresh_randomness() else { return };
		Self::work_off(
			DeadlineKind::Assign,
			now,
			meter,
			Self::assign_job_weight(T::MaxCandidates::get()),
			T::MaxDeadlinesPerBlock::get(),
			|job| Self::assign_job_weight(Self::assign_job(job, &randomness, now)),
		);
	}

	/// Draws `job`'s miners from `randomness` among the miners eligible now and opens its
	/// commit phase (`JobAssigned`); with too few eligible miners left, refunds the fee and
	/// the quorum deposit and ends the job `Unassigned`. Returns how many miners it
	/// considered.
	pub(crate) fn assign_job(job: JobId, randomness: &[u8; 32], now: BlockNumberFor<T>) -> u32 {
		let Some(mut record) = Jobs::<T>::get(job) else { return 0 };
		if record.phase != JobPhase::Assigning {
			return 0;
		}
		let candidates = T::Staking::eligible_workers(
			&record.version,
			WorkerRole::Miner,
			T::MaxCandidates::get(),
		);
		let considered = candidates.len() as u32;
		let miners = Self::select_miners(candidates, record.terms.redundancy, randomness, job)
			.and_then(|miners| {
				let assignments: Vec<_> = miners
					.iter()
					.map(|(miner, stake)| Assignment {
						miner: miner.clone(),
						stake: *stake,
						commitment: None,
						revealed: None,
					})
					.collect();
				BoundedVec::<_, T::MaxRedundancy>::try_from(assignments).ok()
			});
		match miners {
			Some(assignments) => {
				let (deadline, slot) = Self::push_deadline(
					DeadlineKind::Commit,
					job,
					now.saturating_add(Parameters::<T>::get().commit_period),
				);
				let miners = assignments.iter().map(|a| a.miner.clone()).collect();
				record.assignments = assignments;
				record.phase = JobPhase::Commit;
				record.phase_started = now;
				record.deadline = deadline;
				record.deadline_slot = slot;
				Self::deposit_event(Event::JobAssigned { job, miners, commit_deadline: deadline });
			}
			None => {
				Self::refund(job, &mut record);
				Self::finish(job, &mut record, JobOutcome::Unassigned, now);
			}
		}
		Jobs::<T>::insert(job, record);
		considered
	}
}
