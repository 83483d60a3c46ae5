//! Commit, reveal and the quorum: the phases in which assigned miners answer, and the count
//! that decides a job's output.

use super::prelude::*;

/// A job's record and the block it was read at.
pub type RecordAt<T> = (JobOf<T>, BlockNumberFor<T>);

impl<T: Config> Pallet<T> {
	/// Records `miner`'s commitment on `job` (see [`Pallet::commit_result`]).
	pub(crate) fn do_commit_result(
		job: JobId,
		miner: T::AccountId,
		commitment: H256,
	) -> DispatchResult {
		let (mut record, now) = Self::check_commit(job, &miner)?;
		if let Some(assignment) = record.assignments.iter_mut().find(|a| a.miner == miner) {
			assignment.commitment = Some(commitment);
		}
		Self::deposit_event(Event::ResultCommitted { job, miner });
		if record.assignments.iter().all(|assignment| assignment.commitment.is_some()) {
			Self::end_commit_phase(job, &mut record, now);
		}
		Jobs::<T>::insert(job, record);
		Ok(())
	}

	/// Records `miner`'s commitments in order (see [`Pallet::commit_results`]); the call's
	/// storage layer undoes them all if one is refused.
	pub(crate) fn do_commit_results(
		miner: T::AccountId,
		commitments: CommitmentsOf<T>,
	) -> DispatchResult {
		ensure!(!commitments.is_empty(), Error::<T>::NoAnswers);
		for (job, commitment) in commitments {
			Self::do_commit_result(job, miner.clone(), commitment)?;
		}
		Ok(())
	}

	/// Records `miner`'s reveals in order (see [`Pallet::reveal_results`]); the call's
	/// storage layer undoes them all if one is refused.
	pub(crate) fn do_reveal_results(miner: T::AccountId, reveals: RevealsOf<T>) -> DispatchResult {
		ensure!(!reveals.is_empty(), Error::<T>::NoAnswers);
		for RevealArg { job, output, salt } in reveals {
			Self::do_reveal_result(job, miner.clone(), output, salt)?;
		}
		Ok(())
	}

	/// The record of `job` and the current block if `miner` may commit on it now: the job is
	/// in its commit phase, `miner` is assigned and has not committed. The pool checks the
	/// same (see [`crate::PrioritizeAnswers`]).
	pub fn check_commit(job: JobId, miner: &T::AccountId) -> Result<RecordAt<T>, Error<T>> {
		let (record, now) =
			Self::job_in_phase(job, JobPhase::Commit, Error::<T>::NotInCommitPhase)?;
		let assignment = record
			.assignments
			.iter()
			.find(|assignment| assignment.miner == *miner)
			.ok_or(Error::<T>::NotAssigned)?;
		ensure!(assignment.commitment.is_none(), Error::<T>::AlreadyCommitted);
		Ok((record, now))
	}

	/// Checks and records `miner`'s reveal on `job` (see [`Pallet::reveal_result`]).
	pub(crate) fn do_reveal_result(
		job: JobId,
		miner: T::AccountId,
		output: Vec<i64>,
		salt: [u8; 32],
	) -> DispatchResult {
		let ((mut record, now), output) = Self::check_reveal(job, &miner, output, &salt)?;
		let hash = output_hash(&output);
		if let Some(assignment) = record.assignments.iter_mut().find(|a| a.miner == miner) {
			assignment.revealed = Some(hash);
		}
		Reveals::<T>::insert(job, &miner, output);
		Self::deposit_event(Event::ResultRevealed { job, miner, output_hash: hash });
		let all_revealed = record
			.assignments
			.iter()
			.all(|assignment| assignment.commitment.is_none() || assignment.revealed.is_some());
		if all_revealed {
			Self::count_quorum(job, &mut record, now);
		}
		Jobs::<T>::insert(job, record);
		Ok(())
	}

	/// The record of `job`, the current block and the bounded output if `miner` may reveal
	/// `output` with `salt` now: the job is in its reveal phase, `miner` committed to exactly
	/// this output and salt and has not revealed. The pool checks the same (see
	/// [`crate::PrioritizeAnswers`]).
	pub fn check_reveal(
		job: JobId,
		miner: &T::AccountId,
		output: Vec<i64>,
		salt: &[u8; 32],
	) -> Result<(RecordAt<T>, Output<T>), Error<T>> {
		let (record, now) =
			Self::job_in_phase(job, JobPhase::Reveal, Error::<T>::NotInRevealPhase)?;
		ensure!(!output.is_empty(), Error::<T>::InvalidOutput);
		let output: Output<T> = output.try_into().map_err(|_| Error::<T>::InvalidOutput)?;
		let assignment = record
			.assignments
			.iter()
			.find(|assignment| assignment.miner == *miner)
			.ok_or(Error::<T>::NotAssigned)?;
		let commitment = assignment.commitment.ok_or(Error::<T>::NotCommitted)?;
		ensure!(assignment.revealed.is_none(), Error::<T>::AlreadyRevealed);
		ensure!(
			commitment_of(job, miner, &output, salt) == commitment,
			Error::<T>::CommitmentMismatch
		);
		Ok(((record, now), output))
	}

	/// The record of `job` and the current block, if the job is in `phase` and its deadline has
	/// not passed; otherwise `UnknownJob` or `not_in_phase`.
	fn job_in_phase(
		job: JobId,
		phase: JobPhase,
		not_in_phase: Error<T>,
	) -> Result<RecordAt<T>, Error<T>> {
		let record = Jobs::<T>::get(job).ok_or(Error::<T>::UnknownJob)?;
		let now = frame_system::Pallet::<T>::block_number();
		ensure!(record.phase == phase && now < record.deadline, not_in_phase);
		Ok((record, now))
	}

	/// Smallest number of identical outputs that is a strict majority of `assigned`.
	pub(crate) fn majority(assigned: u32) -> u32 {
		assigned.checked_div(2).unwrap_or_default().saturating_add(1)
	}

	/// Ends the commit phase: every assigned miner that did not commit is reported to compute
	/// staking as having missed the job (a reputation point; jailed after a run of misses);
	/// with enough commitments for a majority, opens the reveal phase, otherwise refunds the
	/// requester.
	pub(crate) fn end_commit_phase(job: JobId, record: &mut JobOf<T>, now: BlockNumberFor<T>) {
		Self::remove_deadline(DeadlineKind::Commit, record.deadline_slot);
		for assignment in record.assignments.iter().filter(|a| a.commitment.is_none()) {
			T::Staking::note_missed_job(&assignment.miner);
		}
		let committed =
			record.assignments.iter().filter(|assignment| assignment.commitment.is_some()).count()
				as u32;
		if committed < Self::majority(record.assignments.len() as u32) {
			Self::refund(job, record);
			Self::finish(job, record, JobOutcome::NoQuorum, now);
			return;
		}
		let (deadline, slot) = Self::push_deadline(
			DeadlineKind::Reveal,
			job,
			now.saturating_add(Parameters::<T>::get().reveal_period),
		);
		record.phase = JobPhase::Reveal;
		record.phase_started = now;
		record.deadline = deadline;
		record.deadline_slot = slot;
		Self::deposit_event(Event::RevealPhaseStarted { job, reveal_deadline: deadline });
	}

	/// Counts the reveals: slashes committed miners that did not reveal, then either
	/// records the majority's output and opens the challenge window (choosing whether
	/// validators verify it), or refunds the requester and marks the job disputed (always
	/// verified).
	pub(crate) fn count_quorum(job: JobId, record: &mut JobOf<T>, now: BlockNumberFor<T>) {
		Self::remove_deadline(DeadlineKind::Reveal, record.deadline_slot);
		for assignment in record.assignments.iter() {
			if assignment.commitment.is_some() && assignment.revealed.is_none() {
				Self::slash_miner(job, &assignment.miner, SlashReason::MissedReveal);
			}
		}
		let needed = Self::majority(record.assignments.len() as u32);
		let winner = record.assignments.iter().filter_map(|a| a.revealed).find(|hash| {
			record.assignments.iter().filter(|a| a.revealed == Some(*hash)).count() as u32 >= needed
		});
		let (deadline, slot) = Self::push_deadline(
			DeadlineKind::Challenge,
			job,
			now.saturating_add(Parameters::<T>::get().challenge_period),
		);
		match winner {
			Some(winner) => {
				let output = record
					.assignments
					.iter()
					.find(|a| a.revealed == Some(winner))
					.and_then(|a| Reveals::<T>::get(job, &a.miner));
				if let Some(output) = output {
					Results::<T>::insert(job, output);
				}
				record.phase = JobPhase::Challenge { winner };
				Self::deposit_event(Event::QuorumReached {
					job,
					output_hash: winner,
					challenge_deadline: deadline,
				});
				Self::choose_for_verification(job, record, winner, deadline, now);
			}
			None => {
				Self::refund(job, record);
				record.phase = JobPhase::Disputed;
				Self::deposit_event(Event::JobDisputed { job, verdict_deadline: deadline });
				Self::require_verification(job, deadline);
			}
		}
		record.phase_started = now;
		record.deadline = deadline;
		record.deadline_slot = slot;
	}
}
