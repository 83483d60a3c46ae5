//! Verification: which jobs validators verify (chosen on chain), their signed verdicts
//! (checked in the pool), and the k-of-n rule that turns verdicts into an outcome.

use super::prelude::*;
use frame_support::weights::WeightMeter;
use modelchain_primitives::CheckOutcome;

impl<T: Config> Pallet<T> {
	/// Decides whether validators verify a job that just reached a quorum on `winner`: at
	/// once when its miners disagreed (some revealed another output) or when the sample is
	/// all or nothing; otherwise it waits in the sample queue for the randomness of a later
	/// block, which the author of the quorum's block cannot know. `deadline` ends the
	/// challenge window.
	pub(crate) fn choose_for_verification(
		job: JobId,
		record: &JobOf<T>,
		winner: H256,
		deadline: BlockNumberFor<T>,
		now: BlockNumberFor<T>,
	) {
		let dissent = record.assignments.iter().any(|a| a.revealed.is_some_and(|h| h != winner));
		let sample = Parameters::<T>::get().verification_sample;
		if dissent || sample == Perbill::one() {
			Self::require_verification(job, deadline);
		} else if !sample.is_zero() {
			Self::push_deadline(DeadlineKind::Sample, job, now.saturating_add(One::one()));
		}
	}

	/// Puts `job` in `VerificationDue` until `deadline`.
	pub(crate) fn require_verification(job: JobId, deadline: BlockNumberFor<T>) {
		VerificationDue::<T>::insert(job, ());
		Self::deposit_event(Event::VerificationRequired { job, verdict_deadline: deadline });
	}

	/// Whether `job` is in a sample of `sample` drawn from `randomness`.
	pub fn is_sampled(job: JobId, sample: Perbill, randomness: &[u8; 32]) -> bool {
		let draw = sp_io::hashing::blake2_256(&(b"modelchain/sample", randomness, job).encode());
		let word = draw
			.get(..4)
			.and_then(|bytes| <[u8; 4]>::try_from(bytes).ok())
			.map(u32::from_le_bytes)
			.unwrap_or_default();
		Perbill::from_rational(word, u32::MAX) < sample
	}

	/// Draws, from this block's randomness, which unanimous quorums of earlier blocks are
	/// verified: at most `MaxActiveJobs` per block (one per unfinished job) and only as many
	/// as `meter` allows. Nothing is drawn in a block without fresh randomness.
	pub fn draw_samples(now: BlockNumberFor<T>, meter: &mut WeightMeter) {
		let Some(randomness) = T::Randomness::fresh_randomness() else { return };
		let sample = Parameters::<T>::get().verification_sample;
		Self::work_off(
			DeadlineKind::Sample,
			now,
			meter,
			T::WeightInfo::draw_sample(),
			T::MaxActiveJobs::get(),
			|job| {
				Self::draw_sample(job, sample, &randomness, now);
				T::WeightInfo::draw_sample()
			},
		);
	}

	/// Draws whether `job`, if still in its challenge window, is in the `sample` of
	/// `randomness` (then due for verification until the window ends).
	pub(crate) fn draw_sample(
		job: JobId,
		sample: Perbill,
		randomness: &[u8; 32],
		now: BlockNumberFor<T>,
	) {
		if let Some(record) = Jobs::<T>::get(job) {
			if matches!(record.phase, JobPhase::Challenge { .. })
				&& now < record.deadline
				&& Self::is_sampled(job, sample, randomness)
			{
				Self::require_verification(job, record.deadline);
			}
		}
	}

	/// How many validators must find the same output to decide a job: a strict majority
	/// of the current validators (1 of 1, 2 of 2 or 3, 3 of 4 or 5, …).
	pub fn verdicts_needed() -> u32 {
		Self::majority(Authorities::<T>::decode_len().unwrap_or_default() as u32)
	}

	/// Records a validator's verdict (see [`Pallet::submit_verdict`]) and decides the job
	/// once `verdicts_needed` validators found the same output.
	pub(crate) fn do_submit_verdict(verdict: VerdictOf<T>) -> DispatchResult {
		// The pool checked these; a block author could still include a stale copy.
		let (mut record, mut votes) = Self::check_verdict(&verdict)?;
		let job = verdict.job;
		// Only the current validators' verdicts count (the set may have changed since the
		// first one); at most `MaxAuthorities` of them, and this one's is not among them yet.
		let authorities = Authorities::<T>::get();
		votes.retain(|(voter, _)| authorities.contains(voter));
		let finding = verdict.finding();
		if votes.try_push((verdict.authority.clone(), finding)).is_err() {
			frame_support::defensive!("more verdicts than validators on a job");
			return Err(Error::<T>::AlreadyVerified.into());
		}
		Self::deposit_event(Event::VerdictSubmitted {
			job,
			authority: verdict.authority,
			output_hash: verdict.output_hash,
			accepted: verdict.accepted.len() as u32,
		});
		let agreeing = votes.iter().filter(|(_, found)| *found == finding).count() as u32;
		if agreeing >= Self::verdicts_needed() {
			let now = frame_system::Pallet::<T>::block_number();
			Self::decide(job, &mut record, verdict.output_hash, &verdict.accepted, agreeing, now);
			for (authority, found) in votes.iter().filter(|(_, found)| *found != finding) {
				ContradictedVerdicts::<T>::mutate(authority, |count| {
					*count = count.saturating_add(1)
				});
				Self::deposit_event(Event::VerdictContradicted {
					job,
					authority: authority.clone(),
					output_hash: *found,
				});
			}
			Jobs::<T>::insert(job, record);
		}
		VerdictVotes::<T>::insert(job, votes);
		Ok(())
	}

	/// Ends a job whose validators decided that `truth` is its output, and that the revealed
	/// outputs `accepted` are acceptable too (their miners are spared).
	fn decide(
		job: JobId,
		record: &mut JobOf<T>,
		truth: H256,
		accepted: &[H256],
		votes: u32,
		now: BlockNumberFor<T>,
	) {
		match record.phase {
			JobPhase::Challenge { winner } if winner == truth => {
				Self::deposit_event(Event::VerdictConfirmed { job, votes });
				Self::settle(job, record, winner, Verified::Yes, accepted, now);
				Self::end_check(job, CheckOutcome::Confirmed);
			}
			JobPhase::Challenge { .. } => {
				Self::deposit_event(Event::VerdictAgainst { job, output_hash: truth, votes });
				Self::slash_against(job, record, truth, accepted);
				Results::<T>::remove(job);
				Self::refund(job, record);
				Self::finish(job, record, JobOutcome::Overturned, now);
				Self::end_check(job, CheckOutcome::Overturned);
			}
			JobPhase::Disputed => {
				Self::deposit_event(Event::VerdictAgainst { job, output_hash: truth, votes });
				Self::slash_against(job, record, truth, accepted);
				Self::finish(job, record, JobOutcome::NoQuorum, now);
			}
			// `check_verdict` admits only the two phases above.
			_ => {}
		}
	}

	/// Slashes every miner that revealed an output other than `truth` and the `accepted`
	/// ones, and rewards those that revealed `truth`.
	pub(crate) fn slash_against(job: JobId, record: &JobOf<T>, truth: H256, accepted: &[H256]) {
		for assignment in record.assignments.iter() {
			match assignment.revealed {
				Some(hash) if hash == truth => T::Staking::reward_reputation(&assignment.miner, 1),
				Some(hash) if accepted.contains(&hash) => {}
				Some(_) => Self::slash_miner(job, &assignment.miner, SlashReason::WrongResult),
				None => {}
			}
		}
	}

	/// What a verdict signature covers: the context, this chain's genesis hash (a verdict
	/// cannot be replayed on another chain that reuses the keys and job ids) and the verdict.
	pub fn verdict_message(verdict: &VerdictOf<T>) -> Vec<u8> {
		let genesis = frame_system::Pallet::<T>::block_hash(BlockNumberFor::<T>::zero());
		(VERDICT_CONTEXT, genesis, verdict).encode()
	}

	/// Checks that a verdict's job is to be verified now and that its validator has not
	/// given a verdict on it yet (the signature and signer are checked by
	/// `authorize_verdict`); returns the job's record and the verdicts given so far.
	pub fn check_verdict(verdict: &VerdictOf<T>) -> Result<(JobOf<T>, VotesOf<T>), Error<T>> {
		let record = Jobs::<T>::get(verdict.job).ok_or(Error::<T>::UnknownJob)?;
		let now = frame_system::Pallet::<T>::block_number();
		ensure!(
			matches!(record.phase, JobPhase::Challenge { .. } | JobPhase::Disputed)
				&& now < record.deadline
				&& VerificationDue::<T>::contains_key(verdict.job),
			Error::<T>::NotVerifiable
		);
		let votes = VerdictVotes::<T>::get(verdict.job);
		ensure!(!Self::is_among(&votes, &verdict.authority), Error::<T>::AlreadyVerified);
		let ascending = verdict.accepted.windows(2).all(|pair| matches!(pair, [a, b] if a < b));
		let revealed = |hash: &H256| record.assignments.iter().any(|a| a.revealed == Some(*hash));
		ensure!(
			ascending
				&& !verdict.accepted.contains(&verdict.output_hash)
				&& verdict.accepted.iter().all(revealed),
			Error::<T>::InvalidAcceptedOutputs
		);
		Ok((record, votes))
	}

	/// Whether `authority` gave a verdict on `job`.
	pub fn has_voted(job: JobId, authority: &T::AuthorityId) -> bool {
		Self::is_among(&VerdictVotes::<T>::get(job), authority)
	}

	/// Whether `authority` gave one of `votes`.
	fn is_among(votes: &VotesOf<T>, authority: &T::AuthorityId) -> bool {
		votes.iter().any(|(voter, _)| voter == authority)
	}

	/// Pool validation of `submit_verdict`: a valid signature by a current validator's
	/// inference key, on a job that is to be verified now; one verdict per job and key in
	/// the pool.
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
			.and_provides((verdict.job, verdict.authority.clone()))
			.longevity(5)
			.propagate(true)
			.build()?;
		Ok((validity, Weight::zero()))
	}
}

/// Whether validators verified the output a job is settled with.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Verified {
	/// A strict majority of the validators found the same output: miners that revealed
	/// another one are slashed.
	Yes,
	/// Nobody decided (not sampled, or no majority of verdicts in the window): miners that
	/// revealed another output are not paid, and not slashed either.
	No,
}
