//! Verification: validators' signed verdicts, checked in the pool and applied on chain.

use super::prelude::*;

impl<T: Config> Pallet<T> {
	/// Applies an authorized verdict (see [`Pallet::submit_verdict`]).
	pub(crate) fn do_submit_verdict(verdict: VerdictOf<T>) -> DispatchResult {
		// The pool checked these; a block author could still include a stale copy.
		Self::check_verdict(&verdict)?;
		let mut record = Jobs::<T>::get(verdict.job).ok_or(Error::<T>::UnknownJob)?;
		let now = frame_system::Pallet::<T>::block_number();
		Self::apply_verdict(&verdict, &mut record, now);
		Verdicts::<T>::insert(verdict.job, &verdict);
		Jobs::<T>::insert(verdict.job, record);
		Ok(())
	}

	/// Applies an accepted verdict.
	pub(crate) fn apply_verdict(
		verdict: &VerdictOf<T>,
		record: &mut JobOf<T>,
		now: BlockNumberFor<T>,
	) {
		let job = verdict.job;
		match record.phase {
			JobPhase::Challenge { winner } if winner == verdict.output_hash => {
				Self::deposit_event(Event::VerdictConfirmed {
					job,
					authority: verdict.authority.clone(),
				});
				Self::settle(job, record, winner, now);
			}
			JobPhase::Challenge { .. } => {
				Self::deposit_event(Event::VerdictAgainst {
					job,
					authority: verdict.authority.clone(),
					output_hash: verdict.output_hash,
				});
				Self::slash_against(job, record, verdict.output_hash);
				Results::<T>::remove(job);
				Self::refund(job, record);
				Self::finish(job, record, JobOutcome::Overturned, now);
			}
			JobPhase::Disputed => {
				Self::deposit_event(Event::VerdictAgainst {
					job,
					authority: verdict.authority.clone(),
					output_hash: verdict.output_hash,
				});
				Self::slash_against(job, record, verdict.output_hash);
				Self::finish(job, record, JobOutcome::NoQuorum, now);
			}
			// `check_verdict` admits only the two phases above.
			_ => {}
		}
	}

	/// Slashes every miner that revealed an output other than `truth`, and rewards those
	/// that revealed it.
	pub(crate) fn slash_against(job: JobId, record: &JobOf<T>, truth: H256) {
		for assignment in record.assignments.iter() {
			match assignment.revealed {
				Some(hash) if hash == truth => T::Staking::reward_reputation(&assignment.miner, 1),
				Some(_) => Self::slash_miner(job, &assignment.miner, SlashReason::WrongResult),
				None => {}
			}
		}
	}

	/// What a verdict signature covers.
	pub fn verdict_message(verdict: &VerdictOf<T>) -> Vec<u8> {
		(VERDICT_CONTEXT, verdict).encode()
	}

	/// Checks that a verdict's job can be verified now and has no verdict yet (the
	/// signature and signer are checked by `authorize_verdict`).
	pub fn check_verdict(verdict: &VerdictOf<T>) -> Result<(), Error<T>> {
		let record = Jobs::<T>::get(verdict.job).ok_or(Error::<T>::UnknownJob)?;
		let now = frame_system::Pallet::<T>::block_number();
		ensure!(
			matches!(record.phase, JobPhase::Challenge { .. } | JobPhase::Disputed)
				&& now < record.deadline,
			Error::<T>::NotVerifiable
		);
		ensure!(!Verdicts::<T>::contains_key(verdict.job), Error::<T>::AlreadyVerified);
		Ok(())
	}

	/// Pool validation of `submit_verdict`: a valid signature by a current validator's
	/// inference key, on a job that can be verified now; one verdict per job in the pool.
	pub(crate) fn authorize_verdict(
		verdict: &VerdictOf<T>,
		signature: &AuthoritySignatureOf<T>,
	) -> TransactionValidityWithRefund {
		if !Authorities::<T>::get().contains(&verdict.authority) {
			return Err(InvalidTransaction::BadSigner.into());
		}
		if !verdict.authority.verify(&Self::verdict_message(verdict), signature) {
			return Err(InvalidTransaction::BadProof.into());
		}
		if Self::check_verdict(verdict).is_err() {
			return Err(InvalidTransaction::Stale.into());
		}
		let validity = ValidTransaction::with_tag_prefix("ModelChainVerdict")
			.priority(T::VerdictPriority::get())
			.and_provides(verdict.job)
			.longevity(5)
			.propagate(true)
			.build()?;
		Ok((validity, Weight::zero()))
	}
}
