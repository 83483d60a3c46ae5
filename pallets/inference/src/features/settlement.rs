//! Settlement: paying out or refunding the held fee, slashing and finishing a job.

use super::prelude::*;

impl<T: Config> Pallet<T> {
	/// Ends a challenge window or dispute that no strict majority of validators decided: a
	/// majority's job is settled unverified; a dispute ends with nobody slashed for a wrong
	/// output. (Nobody is slashed for an output without a verdict.)
	pub(crate) fn end_challenge(job: JobId, record: &mut JobOf<T>, now: BlockNumberFor<T>) {
		match record.phase {
			JobPhase::Challenge { winner } => {
				Self::settle(job, record, winner, Verified::No, &[], now);
				Self::end_check(job, modelchain_primitives::CheckOutcome::Undecided);
			}
			_ => Self::finish(job, record, JobOutcome::NoQuorum, now),
		}
	}

	/// Pays out the fee of a job whose majority stood and rewards the majority's
	/// reputation. Miners that revealed another output are not paid; they are slashed only
	/// if validators `verified` the majority's output and did not find theirs acceptable too
	/// (`accepted`).
	pub(crate) fn settle(
		job: JobId,
		record: &mut JobOf<T>,
		winner: H256,
		verified: Verified,
		accepted: &[H256],
		now: BlockNumberFor<T>,
	) {
		let winners: Vec<T::AccountId> = record
			.assignments
			.iter()
			.filter(|a| a.revealed == Some(winner))
			.map(|a| a.miner.clone())
			.collect();
		if verified == Verified::Yes {
			for assignment in record.assignments.iter() {
				if assignment
					.revealed
					.is_some_and(|hash| hash != winner && !accepted.contains(&hash))
				{
					Self::slash_miner(job, &assignment.miner, SlashReason::WrongResult);
				}
			}
		}
		for miner in &winners {
			T::Staking::reward_reputation(miner, 1);
		}
		Self::pay_out(job, record, &winners);
		Self::finish(job, record, JobOutcome::Settled, now);
	}

	/// Splits the held fee: protocol fee, creator royalty, the miners' part (equal shares
	/// among `winners`, any remainder to the holders) and the rest to the share holders.
	/// Exactly this job's fee leaves the hold: a part that cannot be paid (e.g. below the
	/// recipient's existential deposit) is released back to the requester.
	pub(crate) fn pay_out(job: JobId, record: &mut JobOf<T>, winners: &[T::AccountId]) {
		if !record.fee_held {
			return;
		}
		let terms = &record.terms;
		let model = record.version.model;
		let paid = pay_split_from_hold::<_, T::Currency, T::Revenue>(
			&HoldReason::JobFee.into(),
			&record.requester,
			&Self::split_fee(terms, winners.len() as u32),
			&Payees {
				treasury: &T::Treasury::get(),
				creator: &terms.creator,
				miners: winners,
				model,
				shares_issued: T::Registry::shares_issued(model),
			},
		);
		let refunded = if paid.unpaid.is_zero() {
			0
		} else {
			release_held::<_, T::Currency>(
				&HoldReason::JobFee.into(),
				&record.requester,
				paid.unpaid,
			)
		};
		let fee = terms.fee;
		record.fee_held = false;
		Self::deposit_event(Event::JobSettled {
			job,
			fee,
			treasury: paid.treasury,
			creator: paid.creator,
			miners: paid.miners,
			holders: paid.holders,
			refunded,
		});
	}

	/// How a fee with `terms` is split when `miners` miners agree.
	pub fn split_fee(terms: &JobTerms<T::AccountId>, miners: u32) -> FeeSplit {
		FeeSplit::new(
			terms.fee,
			terms.protocol_fee,
			terms.creator_royalty,
			terms.miners_share,
			miners,
		)
	}

	/// Gives the requester the whole held fee back.
	pub(crate) fn refund(job: JobId, record: &mut JobOf<T>) {
		if !record.fee_held {
			return;
		}
		let amount = release_held::<_, T::Currency>(
			&HoldReason::JobFee.into(),
			&record.requester,
			record.terms.fee,
		);
		record.fee_held = false;
		Self::deposit_event(Event::JobRefunded {
			job,
			requester: record.requester.clone(),
			amount,
		});
	}

	/// Marks a job finished and schedules the pruning of its record.
	pub(crate) fn finish(
		job: JobId,
		record: &mut JobOf<T>,
		outcome: JobOutcome,
		now: BlockNumberFor<T>,
	) {
		if matches!(record.phase, JobPhase::Challenge { .. } | JobPhase::Disputed) {
			Self::remove_deadline(DeadlineKind::Challenge, record.deadline_slot);
			VerificationDue::<T>::remove(job);
		}
		let (prune_at, slot) = Self::push_deadline(
			DeadlineKind::Prune,
			job,
			now.saturating_add(Parameters::<T>::get().retention_period),
		);
		// Kept for the verifiers until now (a tolerance-verified model's verifier judges
		// every revealed output).
		let _ = Reveals::<T>::clear_prefix(job, T::MaxRedundancy::get(), None);
		record.phase = JobPhase::Finished(outcome);
		record.phase_started = now;
		record.deadline = prune_at;
		record.deadline_slot = slot;
		Self::end_quorum_deposit(job, &record.requester, outcome);
		Self::count_out(job, &record.requester);
		Self::deposit_event(Event::JobFinished { job, outcome, prune_at });
	}

	/// Slashes a miner through compute staking (which jails it) and reports it.
	pub(crate) fn slash_miner(job: JobId, miner: &T::AccountId, reason: SlashReason) {
		let amount = T::Staking::slash(miner, T::Staking::slash_fraction(reason), reason);
		Self::deposit_event(Event::MinerSlashed { job, miner: miner.clone(), reason, amount });
	}

	/// Removes a finished job's record, result and verdicts, and releases its storage
	/// deposit to `requester`.
	pub(crate) fn prune(job: JobId, requester: &T::AccountId) {
		Jobs::<T>::remove(job);
		Results::<T>::remove(job);
		VerdictVotes::<T>::remove(job);
		let deposit_released = StorageDeposits::<T>::take(job)
			.map(|amount| {
				release_held::<_, T::Currency>(&HoldReason::JobStorage.into(), requester, amount)
			})
			.unwrap_or_default();
		Self::deposit_event(Event::JobPruned {
			job,
			requester: requester.clone(),
			deposit_released,
		});
	}

	/// Releases the requester's quorum deposit of a finished job, or forfeits it to the
	/// treasury when the job ended without a quorum.
	fn end_quorum_deposit(job: JobId, requester: &T::AccountId, outcome: JobOutcome) {
		let Some(amount) = QuorumDeposits::<T>::take(job) else { return };
		let reason = HoldReason::QuorumDeposit.into();
		if outcome == JobOutcome::NoQuorum {
			// `Force`: like the fee, the deposit was set aside when it was held.
			let forfeited = T::Currency::transfer_on_hold(
				&reason,
				requester,
				&T::Treasury::get(),
				amount,
				Precision::BestEffort,
				Restriction::Free,
				Fortitude::Force,
			);
			if let Ok(amount) = forfeited {
				Self::deposit_event(Event::QuorumDepositForfeited {
					job,
					requester: requester.clone(),
					amount,
				});
				return;
			}
		}
		// Released on every other outcome, and if the treasury could not take it.
		release_held::<_, T::Currency>(&reason, requester, amount);
	}
}
