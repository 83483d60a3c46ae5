//! Checks: an output computed off chain (a paid query's answer, audited or challenged in the
//! query-channels pallet) verified by the validators exactly like a job's: the check is a job
//! born in the challenge phase with the claimed output as its winner, fee-less and without
//! miners, and always due for verification. The verdicts' k-of-n rule decides it; the outcome
//! goes to `Config::CheckObserver`.

use super::prelude::*;
use modelchain_primitives::{CheckObserver, CheckOutcome, CheckReason};

impl<T: Config> Pallet<T> {
	/// Opens a check (see [`modelchain_primitives::OutputChecks::open_check`]): challenges'
	/// checks are refused while `MaxActiveChallenges` are unfinished, audits' never for room.
	pub(crate) fn do_open_check(
		opener: &T::AccountId,
		version: &ModelVersionRef,
		input: Vec<u8>,
		claimed: Vec<i64>,
		reason: CheckReason,
	) -> Result<JobId, DispatchError> {
		if reason == CheckReason::Challenge {
			ensure!(
				ActiveChallenges::<T>::get() < T::MaxActiveChallenges::get(),
				Error::<T>::TooManyActiveChallenges
			);
		}
		let input = Self::checked_input(InputArg::Inline(input))?;
		ensure!(!claimed.is_empty(), Error::<T>::InvalidOutput);
		let claimed: Output<T> = claimed.try_into().map_err(|_| Error::<T>::InvalidOutput)?;
		let winner = output_hash(&claimed);
		let job = NextJobId::<T>::get();
		NextJobId::<T>::put(job.checked_add(1).ok_or(Error::<T>::Overflow)?);
		let now = frame_system::Pallet::<T>::block_number();
		let (deadline, deadline_slot) = Self::push_deadline(
			DeadlineKind::Challenge,
			job,
			now.saturating_add(Parameters::<T>::get().challenge_period),
		);
		// The version's precision if it is still the active one; an older version's checks
		// are compared at precision 0 (exact integers).
		let output_precision = T::Registry::serving_info(version.model)
			.filter(|serving| serving.version == *version)
			.map_or(0, |serving| serving.output_precision);
		let record = Job {
			requester: opener.clone(),
			version: *version,
			output_precision,
			input,
			terms: JobTerms {
				fee: 0,
				creator: opener.clone(),
				creator_royalty: Perbill::zero(),
				miners_share: Perbill::zero(),
				protocol_fee: Perbill::zero(),
				redundancy: 0,
			},
			assignments: BoundedVec::new(),
			phase: JobPhase::Challenge { winner },
			phase_started: now,
			deadline,
			deadline_slot,
			requested_at: now,
			fee_held: false,
		};
		if reason == CheckReason::Challenge {
			ActiveChallenges::<T>::mutate(|active| *active = active.saturating_add(1));
		}
		Jobs::<T>::insert(job, record);
		Results::<T>::insert(job, claimed);
		Checks::<T>::insert(job, reason);
		Self::deposit_event(Event::CheckOpened {
			job,
			requester: opener.clone(),
			version: *version,
			output_hash: winner,
		});
		Self::require_verification(job, deadline);
		Ok(job)
	}

	/// Counts a finished job out of the unfinished ones it was counted in: the chain's and its
	/// requester's for a job, the open challenges for a challenge's check, none for an
	/// audit's.
	pub(crate) fn count_out(job: JobId, requester: &T::AccountId) {
		match Checks::<T>::get(job) {
			None => {
				ActiveJobs::<T>::mutate(|active| *active = active.saturating_sub(1));
				ActiveJobsOf::<T>::mutate_exists(requester, |count| {
					*count = count.and_then(|n| n.checked_sub(1)).filter(|n| *n > 0);
				});
			}
			Some(CheckReason::Challenge) => {
				ActiveChallenges::<T>::mutate(|active| *active = active.saturating_sub(1));
			}
			Some(CheckReason::Audit) => {}
		}
	}

	/// Reports how `job` ended if it is a check (once).
	pub(crate) fn end_check(job: JobId, outcome: CheckOutcome) {
		if Checks::<T>::take(job).is_some() {
			T::CheckObserver::check_decided(job, outcome);
		}
	}
}

impl<T: Config> modelchain_primitives::OutputChecks<T::AccountId> for Pallet<T> {
	fn open_check(
		opener: &T::AccountId,
		version: &ModelVersionRef,
		input: Vec<u8>,
		claimed: Vec<i64>,
		reason: CheckReason,
	) -> Result<JobId, DispatchError> {
		Self::do_open_check(opener, version, input, claimed, reason)
	}
}
