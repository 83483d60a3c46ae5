//! Requests: checking the input, holding the fee, assigning the miners; fee quotes and the
//! read-only views of the runtime API.

use super::prelude::*;

/// What a request did that its weight depends on.
pub(crate) struct RequestWork {
	/// The eligible miners the selection considered.
	pub considered: u32,
	/// Whether a licence's query was used (the access pallet's costlier path).
	pub licensed: bool,
}

impl RequestWork {
	/// The request's actual weight.
	pub fn weight<T: Config>(&self) -> Weight {
		T::WeightInfo::request_inference(self.considered, u32::from(self.licensed))
	}
}

impl<T: Config> Pallet<T> {
	/// Requests `model` for `requester` (see [`Pallet::request_inference`]); returns how many
	/// candidates the selection considered and whether a licence was used (the call's actual
	/// weight).
	pub(crate) fn do_request_inference(
		requester: T::AccountId,
		model: ModelId,
		input: InputArg,
		max_fee: Balance,
	) -> Result<RequestWork, DispatchError> {
		let serving = T::Registry::serving_info(model).ok_or(Error::<T>::ModelNotServing)?;
		ensure!(serving.price <= max_fee, Error::<T>::FeeAboveMax);
		let input = Self::checked_input(input)?;
		ensure!(Self::has_room_for_a_job(), Error::<T>::TooManyActiveJobs);
		let requester_jobs = ActiveJobsOf::<T>::get(&requester);
		ensure!(
			requester_jobs < T::MaxActiveJobsPerRequester::get(),
			Error::<T>::TooManyJobsOfRequester
		);
		let job_id = NextJobId::<T>::get();
		// Checked before anything is held; undone with the call if a later check fails.
		let licence = T::Access::use_access(&requester, &serving.version, job_id)?;
		let redundancy = Self::redundancy_of(&serving);
		// Refused now if too few miners serve the version: the miners themselves are drawn in
		// a later block (`assign_pending`), from randomness nobody knows yet.
		let considered = Self::candidates_of(&serving).len() as u32;
		ensure!(considered >= redundancy, Error::<T>::NotEnoughWorkers);
		Self::hold_for_job(HoldReason::JobFee, &requester, serving.price)?;
		let quorum_deposit = T::QuorumDeposit::get();
		if Self::hold_for_job(HoldReason::QuorumDeposit, &requester, quorum_deposit)? {
			QuorumDeposits::<T>::insert(job_id, quorum_deposit);
		}
		let storage_deposit = Self::storage_deposit_of(&input);
		if Self::hold_for_job(HoldReason::JobStorage, &requester, storage_deposit)? {
			StorageDeposits::<T>::insert(job_id, storage_deposit);
		}

		let params = Parameters::<T>::get();
		let now = frame_system::Pallet::<T>::block_number();
		let (deadline, deadline_slot) =
			Self::push_deadline(DeadlineKind::Assign, job_id, now.saturating_add(One::one()));
		let job = Job {
			requester: requester.clone(),
			version: serving.version,
			output_precision: serving.output_precision,
			input,
			terms: JobTerms {
				fee: serving.price,
				creator: serving.creator,
				creator_royalty: serving.creator_royalty,
				miners_share: serving.miners_share,
				protocol_fee: params.protocol_fee,
				redundancy,
			},
			assignments: BoundedVec::new(),
			phase: JobPhase::Assigning,
			phase_started: now,
			deadline,
			deadline_slot,
			requested_at: now,
			fee_held: true,
		};
		NextJobId::<T>::put(job_id.checked_add(1).ok_or(Error::<T>::Overflow)?);
		ActiveJobs::<T>::mutate(|active| *active = active.saturating_add(1));
		ActiveJobsOf::<T>::insert(&requester, requester_jobs.saturating_add(1));
		Jobs::<T>::insert(job_id, job);
		Self::deposit_event(Event::JobRequested {
			job: job_id,
			requester,
			version: serving.version,
			fee: serving.price,
		});
		Ok(RequestWork { considered, licensed: licence.is_some() })
	}

	/// Holds `amount` of `requester` for a job with `reason`; whether anything was held
	/// (nothing is for a zero amount). Refused with `InsufficientBalance`.
	fn hold_for_job(
		reason: HoldReason,
		requester: &T::AccountId,
		amount: Balance,
	) -> Result<bool, Error<T>> {
		if amount.is_zero() {
			return Ok(false);
		}
		T::Currency::hold(&reason.into(), requester, amount)
			.map_err(|_| Error::<T>::InsufficientBalance)?;
		Ok(true)
	}

	/// Checks a submitted input against the bounds.
	pub(crate) fn checked_input(input: InputArg) -> Result<JobInputOf<T>, Error<T>> {
		match input {
			InputArg::Inline(bytes) => {
				ensure!(!bytes.is_empty(), Error::<T>::EmptyInput);
				Ok(JobInput::Inline(bytes.try_into().map_err(|_| Error::<T>::InputTooLong)?))
			}
			InputArg::Remote { uri, hash } => {
				ensure!(!uri.is_empty(), Error::<T>::EmptyInput);
				Ok(JobInput::Remote {
					uri: uri.try_into().map_err(|_| Error::<T>::UriTooLong)?,
					hash,
				})
			}
		}
	}

	/// The storage deposit of a job with `input`: `JobDepositBase` and `JobDepositPerByte`
	/// for each byte of the inline input or of the URI.
	pub fn storage_deposit_of(input: &JobInputOf<T>) -> Balance {
		let bytes = match input {
			JobInput::Inline(bytes) => bytes.len(),
			JobInput::Remote { uri, .. } => uri.len(),
		} as Balance;
		T::JobDepositBase::get().saturating_add(T::JobDepositPerByte::get().saturating_mul(bytes))
	}

	/// The miners a request of a model with `serving` considers, with their stake (at most
	/// `MaxCandidates`).
	fn candidates_of(serving: &ServingInfo<T::AccountId, Balance>) -> Vec<(T::AccountId, Balance)> {
		T::Staking::eligible_workers(&serving.version, WorkerRole::Miner, T::MaxCandidates::get())
	}

	/// Whether the chain takes another job (fewer than `MaxActiveJobs` are active).
	pub(crate) fn has_room_for_a_job() -> bool {
		ActiveJobs::<T>::get() < T::MaxActiveJobs::get()
	}

	/// How many miners a job of a model with `serving` gets: its redundancy, within
	/// `1..=MaxRedundancy`.
	pub(crate) fn redundancy_of(serving: &ServingInfo<T::AccountId, Balance>) -> u32 {
		u32::from(serving.redundancy).clamp(1, T::MaxRedundancy::get())
	}

	/// The fee of one request of `model` now and its split when the model's redundancy of
	/// miners agree (the inference runtime API's quote). `None` when a request of `model` would
	/// be refused now whoever sends it: the model is not serving (`ModelNotServing`), fewer
	/// miners are eligible than its redundancy (`NotEnoughWorkers`) or the chain holds its
	/// maximum of active jobs (`TooManyActiveJobs`). A quoted request can still be refused for
	/// its requester's own reasons: access policy, its cap of active jobs, its balance.
	pub fn quote_fee(model: ModelId) -> Option<FeeSplit> {
		let serving = T::Registry::serving_info(model)?;
		if !Self::has_room_for_a_job() {
			return None;
		}
		let redundancy = Self::redundancy_of(&serving);
		let eligible = Self::candidates_of(&serving);
		if (eligible.len() as u64) < u64::from(redundancy) {
			return None;
		}
		Some(FeeSplit::new(
			serving.price,
			Parameters::<T>::get().protocol_fee,
			serving.creator_royalty,
			serving.miners_share,
			redundancy,
		))
	}

	/// The miners a request of `model` could be assigned now, with their stake (at most
	/// `MaxCandidates`; none if the model is not serving).
	pub fn eligible_miners(model: ModelId) -> Vec<(T::AccountId, Balance)> {
		T::Registry::serving_info(model)
			.map(|serving| Self::candidates_of(&serving))
			.unwrap_or_default()
	}

	/// A job's record and agreed output, until the job is pruned.
	pub fn job_status(job: JobId) -> Option<modelchain_primitives::JobStatus<JobOf<T>, Output<T>>> {
		Jobs::<T>::get(job).map(|record| modelchain_primitives::JobStatus {
			job: record,
			result: Results::<T>::get(job),
		})
	}
}
