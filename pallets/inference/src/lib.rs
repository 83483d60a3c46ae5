//! # Inference
//!
//! Pay-per-query inference jobs on ModelChain, computed redundantly by staked miners, agreed by a
//! commit-reveal quorum, spot-checked by validators' off-chain workers and paid out on chain.
//!
//! ## Life of a job
//! 1. [`Pallet::request_inference`]: the requester names a model, gives the input (inline bytes,
//!    or a URI and hash for large inputs) and the most it will pay. The fee (the active version's
//!    price) is held from the requester with [`HoldReason::JobFee`]. `redundancy` miners serving
//!    that version are picked, stake-weighted, from on-chain randomness.
//! 2. Validators' off-chain workers POST the job to each assigned miner's endpoint (idempotent by
//!    job id; miners also follow `JobRequested` events, so a lost POST is not a lost job).
//! 3. Each miner posts [`Pallet::commit_result`] (`blake2_256(job, miner, output, salt)`) within
//!    the commit period, then [`Pallet::reveal_result`] within the reveal period. Outputs are
//!    canonical: integers `round(x * 10^precision)` (see [`OutputOf`]).
//! 4. Quorum: a strict majority of the assigned miners revealing the same output wins. Committing
//!    without revealing is slashed at once ([`SlashReason::MissedReveal`]). With a majority, the
//!    job enters a challenge window; without one, the requester is refunded and the job is
//!    disputed.
//! 5. During the window, validators' off-chain workers re-execute a sample of the jobs (every
//!    disputed job) through the verifier endpoint configured on their node and submit a signed
//!    [`Pallet::submit_verdict`] (an authorized transaction: no fee, validated in the pool by the
//!    signature of a current validator's inference key, one per job). A verdict against the
//!    majority slashes the majority and refunds the requester.
//! 6. At the end of the window the fee is settled: protocol fee to the treasury, the creator's
//!    royalty, the miners' part split among the agreeing miners, the rest to the model's share
//!    holders through the shares pallet's O(1) deposit (to the creator if no shares exist).
//!    Miners that revealed another output are slashed ([`SlashReason::WrongResult`]).
//!
//! Every path (settled, no quorum, overturned) releases the requester's hold. Finished jobs keep
//! their record and result for `retention_period` blocks, then are pruned; events stay.
//!
//! ## Bounded work
//! Deadlines live in four FIFO queues (commit, reveal, challenge, prune); every job of a queue
//! has the same period, so each queue is ordered by deadline. `on_initialize` handles at most
//! `MaxDeadlinesPerBlock` due entries per block (the rest wait a block), the queues taking turns
//! so that none can starve another; at most `MaxActiveJobs` jobs are unfinished at a time, and
//! at most `MaxActiveJobsPerRequester` of one requester. Phases are also closed by their
//! deadline inside the calls, so a late hook never lengthens a window.

#![cfg_attr(not(feature = "std"), no_std)]
#![cfg_attr(
	not(test),
	// `expect_used` is left out: FRAME's macro expansions use it.
	deny(
		clippy::unwrap_used,
		clippy::indexing_slicing,
		clippy::arithmetic_side_effects,
		clippy::panic
	)
)]

extern crate alloc;

pub use pallet::*;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
pub mod ocw;
#[cfg(test)]
mod tests;
pub mod types;
pub mod weights;

pub use types::*;
pub use weights::WeightInfo;

/// Key type of the validators' inference keys, which sign verdicts.
pub const KEY_TYPE: sp_core::crypto::KeyTypeId = sp_core::crypto::KeyTypeId(*b"mdl!");

/// The validators' inference keys: sr25519, in the session keys next to Aura and GRANDPA.
pub mod sr25519 {
	mod app {
		use sp_runtime::app_crypto::{app_crypto, sr25519};
		app_crypto!(sr25519, crate::KEY_TYPE);
	}
	/// A validator's inference public key.
	pub type AuthorityId = app::Public;
	/// A signature by an inference key.
	pub type AuthoritySignature = app::Signature;
	/// An inference key pair (node side).
	#[cfg(feature = "std")]
	pub type AuthorityPair = app::Pair;
}

/// Sets up what the benchmarks need from the other pallets.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId> {
	/// Registers an active model whose jobs need `redundancy` miners, issues its shares, and
	/// registers and bonds `miners` eligible miners serving its active version. Returns the
	/// model and the miners.
	fn setup_model(
		redundancy: u8,
		miners: u32,
	) -> (modelchain_primitives::ModelId, alloc::vec::Vec<AccountId>);
}

/// How many removed queue entries `on_initialize` may skip per deadline it may handle.
pub const HOLES_PER_DEADLINE: u32 = 4;

/// Prefix of what a verdict signature covers, so it cannot be replayed as another message.
pub const VERDICT_CONTEXT: &[u8] = b"modelchain/verdict";

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use alloc::vec::Vec;
	use frame_support::{
		pallet_prelude::*,
		storage::with_storage_layer,
		traits::{
			fungible::{Inspect, Mutate, MutateHold},
			tokens::{Fortitude, Precision, Restriction},
			OneSessionHandler,
		},
	};
	use frame_system::pallet_prelude::*;
	use modelchain_primitives::{
		AccessControl, Balance, ComputeStakingInterface, FeeSplit, ModelId, ModelRegistryInterface,
		ModelVersionRef, RevenueSink, ServingInfo, SlashReason, WorkerRole,
	};
	use sp_core::H256;
	use sp_runtime::{
		traits::{Saturating, Zero},
		BoundToRuntimeAppPublic, Perbill, RuntimeAppPublic,
	};

	/// A job with this runtime's types and bounds.
	pub type JobOf<T> = Job<
		<T as frame_system::Config>::AccountId,
		BlockNumberFor<T>,
		<T as Config>::MaxInputLen,
		<T as Config>::MaxUriLen,
		<T as Config>::MaxRedundancy,
	>;
	/// A job input with this runtime's bounds.
	pub type JobInputOf<T> = JobInput<<T as Config>::MaxInputLen, <T as Config>::MaxUriLen>;
	/// A canonical output with this runtime's bound.
	pub type Output<T> = OutputOf<<T as Config>::MaxOutputValues>;
	/// The governance parameters with this runtime's block number.
	pub type ParametersOf<T> = InferenceParameters<BlockNumberFor<T>>;
	/// A verdict with this runtime's authority key.
	pub type VerdictOf<T> = Verdict<<T as Config>::AuthorityId>;
	/// A signature by an inference key.
	pub type AuthoritySignatureOf<T> = <<T as Config>::AuthorityId as RuntimeAppPublic>::Signature;

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// A requester's fee, held until its job is settled or refunded.
		JobFee,
	}

	/// The input of a request as a user submits it (checked against the bounds, with a named
	/// error, before it is stored).
	#[derive(Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo, Debug)]
	pub enum InputArg {
		/// The input bytes themselves (at most `MaxInputLen`).
		Inline(Vec<u8>),
		/// Where a large input is (at most `MaxUriLen` bytes) and its blake2-256 hash.
		Remote {
			/// Where the input can be fetched.
			uri: Vec<u8>,
			/// blake2-256 of the input bytes.
			hash: [u8; 32],
		},
	}

	/// The deadline queues.
	#[derive(
		Clone,
		Copy,
		PartialEq,
		Eq,
		Encode,
		Decode,
		DecodeWithMemTracking,
		MaxEncodedLen,
		TypeInfo,
		Debug,
	)]
	pub enum DeadlineKind {
		/// End of commit phases.
		Commit,
		/// End of reveal phases.
		Reveal,
		/// End of challenge windows (and of disputes).
		Challenge,
		/// End of the retention of finished jobs.
		Prune,
	}

	impl DeadlineKind {
		/// Every queue, in the order of `on_initialize`'s turns (see `process_deadlines`).
		pub const ALL: [DeadlineKind; 4] =
			[Self::Commit, Self::Reveal, Self::Challenge, Self::Prune];
	}

	#[pallet::config]
	pub trait Config:
		frame_system::Config<RuntimeEvent: From<Event<Self>>>
		+ frame_system::offchain::CreateAuthorizedTransaction<Call<Self>>
	{
		/// The native currency; fees are held in it.
		type Currency: Inspect<Self::AccountId, Balance = Balance>
			+ Mutate<Self::AccountId>
			+ MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;
		/// The overarching hold reason.
		type RuntimeHoldReason: From<HoldReason>;
		/// Models: the active version, its price, precision and economics.
		type Registry: ModelRegistryInterface<Self::AccountId, Balance>;
		/// Miners: who may serve a version, and slashing.
		type Staking: ComputeStakingInterface<Self::AccountId, Balance>;
		/// Where the share holders' part of a fee goes.
		type Revenue: RevenueSink<Self::AccountId, Balance>;
		/// Who may request a model (its access policy and licences); records every request in
		/// the model's audit trail.
		type Access: AccessControl<Self::AccountId>;
		/// Receives the protocol fee.
		type Treasury: Get<Self::AccountId>;
		/// Origin that may change the parameters (root or a passed referendum).
		type ParametersOrigin: EnsureOrigin<Self::RuntimeOrigin>;
		/// The validators' inference keys, which sign verdicts.
		type AuthorityId: Member + Parameter + RuntimeAppPublic + Ord + MaxEncodedLen;
		/// Longest inline input, in bytes.
		#[pallet::constant]
		type MaxInputLen: Get<u32>;
		/// Longest input URI, in bytes.
		#[pallet::constant]
		type MaxUriLen: Get<u32>;
		/// Most values in a canonical output.
		#[pallet::constant]
		type MaxOutputValues: Get<u32>;
		/// Most miners per job (the largest redundancy a model may ask for).
		#[pallet::constant]
		type MaxRedundancy: Get<u32>;
		/// Most eligible miners considered when picking a job's miners.
		#[pallet::constant]
		type MaxCandidates: Get<u32>;
		/// Most unfinished jobs at a time.
		#[pallet::constant]
		type MaxActiveJobs: Get<u32>;
		/// Most unfinished jobs of one requester at a time (so that no single account can
		/// take all of `MaxActiveJobs`).
		#[pallet::constant]
		type MaxActiveJobsPerRequester: Get<u32>;
		/// Most due deadlines handled in one block.
		#[pallet::constant]
		type MaxDeadlinesPerBlock: Get<u32>;
		/// Most validators whose inference keys are kept.
		#[pallet::constant]
		type MaxAuthorities: Get<u32>;
		/// Priority of verdict transactions in the pool.
		#[pallet::constant]
		type VerdictPriority: Get<TransactionPriority>;
		/// Weights of this pallet's calls and hooks.
		type WeightInfo: WeightInfo;
		/// Sets up served models and miners for the benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper<Self::AccountId>;
	}

	#[pallet::type_value]
	pub fn DefaultParameters<T: Config>() -> ParametersOf<T> {
		InferenceParameters {
			protocol_fee: Perbill::from_percent(5),
			commit_period: 10u32.into(),
			reveal_period: 10u32.into(),
			challenge_period: 10u32.into(),
			verification_sample: Perbill::from_percent(10),
			retention_period: 14_400u32.into(),
		}
	}

	/// The governance parameters in force.
	#[pallet::storage]
	pub type Parameters<T: Config> =
		StorageValue<_, ParametersOf<T>, ValueQuery, DefaultParameters<T>>;

	/// The id the next job gets.
	#[pallet::storage]
	pub type NextJobId<T: Config> = StorageValue<_, JobId, ValueQuery>;

	/// Jobs, from request until they are pruned.
	#[pallet::storage]
	pub type Jobs<T: Config> = StorageMap<_, Twox64Concat, JobId, JobOf<T>>;

	/// Outputs revealed by each miner of a job, until the quorum is counted.
	#[pallet::storage]
	pub type Reveals<T: Config> =
		StorageDoubleMap<_, Twox64Concat, JobId, Blake2_128Concat, T::AccountId, Output<T>>;

	/// The winning output of each job with a majority, kept with the job.
	#[pallet::storage]
	pub type Results<T: Config> = StorageMap<_, Twox64Concat, JobId, Output<T>>;

	/// The verdict accepted for a job (at most one), kept with the job.
	#[pallet::storage]
	pub type Verdicts<T: Config> = StorageMap<_, Twox64Concat, JobId, VerdictOf<T>>;

	/// Number of unfinished jobs (at most `MaxActiveJobs`).
	#[pallet::storage]
	pub type ActiveJobs<T: Config> = StorageValue<_, u32, ValueQuery>;

	/// Number of unfinished jobs per requester (at most `MaxActiveJobsPerRequester`; no entry
	/// for none).
	#[pallet::storage]
	pub type ActiveJobsOf<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, u32, ValueQuery>;

	/// Each deadline queue's first index, one past its last index, and the latest deadline
	/// pushed (new deadlines are never earlier, so every queue stays ordered even when
	/// governance shortens a period).
	#[pallet::storage]
	pub type QueueBounds<T: Config> =
		StorageMap<_, Twox64Concat, DeadlineKind, (u64, u64, BlockNumberFor<T>), ValueQuery>;

	/// The deadline queues' entries: `(job, deadline)`.
	#[pallet::storage]
	pub type Queue<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		DeadlineKind,
		Twox64Concat,
		u64,
		(JobId, BlockNumberFor<T>),
	>;

	/// The current validators' inference keys: they may sign verdicts.
	#[pallet::storage]
	pub type Authorities<T: Config> =
		StorageValue<_, BoundedVec<T::AuthorityId, T::MaxAuthorities>, ValueQuery>;

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// The parameters at genesis (the defaults when `None`).
		pub parameters: Option<ParametersOf<T>>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			if let Some(parameters) = &self.parameters {
				Parameters::<T>::put(parameters.clone());
			}
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A job was requested; `fee` is held from the requester and `miners` must commit
		/// before block `commit_deadline`.
		JobRequested {
			job: JobId,
			requester: T::AccountId,
			version: ModelVersionRef,
			fee: Balance,
			miners: Vec<T::AccountId>,
			commit_deadline: BlockNumberFor<T>,
		},
		/// A miner committed to a result.
		ResultCommitted { job: JobId, miner: T::AccountId },
		/// The commit phase ended; committed miners reveal before block `reveal_deadline`.
		RevealPhaseStarted { job: JobId, reveal_deadline: BlockNumberFor<T> },
		/// A miner revealed its output.
		ResultRevealed { job: JobId, miner: T::AccountId, output_hash: H256 },
		/// A strict majority agreed on `output_hash` (the output is in `Results`); it may be
		/// challenged until block `challenge_deadline`.
		QuorumReached { job: JobId, output_hash: H256, challenge_deadline: BlockNumberFor<T> },
		/// No strict majority: the requester was refunded and a verifier decides until block
		/// `verdict_deadline` who is slashed.
		JobDisputed { job: JobId, verdict_deadline: BlockNumberFor<T> },
		/// A validator's verifier re-executed the job and agreed with the majority.
		VerdictConfirmed { job: JobId, authority: T::AuthorityId },
		/// A validator's verifier re-executed the job and disagreed with the majority (or
		/// settled a dispute with `output_hash`).
		VerdictAgainst { job: JobId, authority: T::AuthorityId, output_hash: H256 },
		/// A miner was slashed `amount` (to the treasury) for a fault in `job`.
		MinerSlashed { job: JobId, miner: T::AccountId, reason: SlashReason, amount: Balance },
		/// The fee of a job was paid out. `refunded` is what could not be paid (e.g. below an
		/// existential deposit) and went back to the requester.
		JobSettled {
			job: JobId,
			fee: Balance,
			treasury: Balance,
			creator: Balance,
			miners: Balance,
			holders: Balance,
			refunded: Balance,
		},
		/// The requester got the whole fee back.
		JobRefunded { job: JobId, requester: T::AccountId, amount: Balance },
		/// A job finished with `outcome`; its record stays until block `prune_at`.
		JobFinished { job: JobId, outcome: JobOutcome, prune_at: BlockNumberFor<T> },
		/// A finished job's record and result were removed from state.
		JobPruned { job: JobId },
		/// Governance changed the parameters.
		ParametersSet { parameters: ParametersOf<T> },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The model does not exist or is not active.
		ModelNotServing,
		/// The version's price is above the `max_fee` the requester accepts.
		FeeAboveMax,
		/// The input is empty.
		EmptyInput,
		/// The inline input is longer than `MaxInputLen`.
		InputTooLong,
		/// The input URI is longer than `MaxUriLen`.
		UriTooLong,
		/// Fewer eligible miners serve the model's active version than its redundancy.
		NotEnoughWorkers,
		/// The requester cannot hold the fee.
		InsufficientBalance,
		/// `MaxActiveJobs` jobs are unfinished; try again later.
		TooManyActiveJobs,
		/// The requester already has `MaxActiveJobsPerRequester` unfinished jobs; try again
		/// when one of them ends.
		TooManyJobsOfRequester,
		/// No such job (it may have been pruned).
		UnknownJob,
		/// The signer is not one of the job's miners.
		NotAssigned,
		/// The job is not in its commit phase (or the commit deadline has passed).
		NotInCommitPhase,
		/// The job is not in its reveal phase (or the reveal deadline has passed).
		NotInRevealPhase,
		/// This miner already committed.
		AlreadyCommitted,
		/// This miner did not commit, so it cannot reveal.
		NotCommitted,
		/// This miner already revealed.
		AlreadyRevealed,
		/// The output is empty or has more than `MaxOutputValues` values.
		InvalidOutput,
		/// The output and salt do not match the commitment.
		CommitmentMismatch,
		/// The job is neither in its challenge window nor disputed.
		NotVerifiable,
		/// A verdict on this job was already accepted.
		AlreadyVerified,
		/// Periods must be at least one block and the protocol fee at most 50%.
		InvalidParameters,
		/// An arithmetic overflow.
		Overflow,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_initialize(now: BlockNumberFor<T>) -> Weight {
			let (handled, skipped) = Self::process_deadlines(now);
			T::WeightInfo::on_initialize(handled)
				.saturating_add(T::DbWeight::get().reads(u64::from(skipped)))
				// A finished job's requester count (not yet in the generated weights).
				.saturating_add(T::DbWeight::get().reads_writes(handled.into(), handled.into()))
		}

		fn offchain_worker(now: BlockNumberFor<T>) {
			Self::run_offchain_worker(now);
		}

		fn integrity_test() {
			assert!(T::MaxRedundancy::get() >= 1, "MaxRedundancy must be at least 1");
			assert!(
				T::MaxCandidates::get() >= T::MaxRedundancy::get(),
				"MaxCandidates must cover MaxRedundancy"
			);
			assert!(T::MaxDeadlinesPerBlock::get() >= 1, "MaxDeadlinesPerBlock must be >= 1");
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Requests one inference of `model`'s active version on `input`, paying at most
		/// `max_fee`.
		///
		/// Holds the version's price from the signer (never more than `max_fee`) and assigns
		/// the model's redundancy of eligible miners, picked stake-weighted from on-chain
		/// randomness. Fails with nothing held if the model is not serving, the price exceeds
		/// `max_fee`, the input is empty or too long, the model's access policy refuses the
		/// signer (e.g. a licensed model and no usable licence: the access pallet's error), or
		/// too few miners serve the version. On a licensed model one query of the signer's
		/// licence is used. Emits `JobRequested` (and the access pallet's `Accessed`).
		#[pallet::call_index(0)]
		#[pallet::weight(
			T::WeightInfo::request_inference(T::MaxCandidates::get())
				.saturating_add(T::Access::use_access_weight())
				// The requester's job count (not yet in the generated weights).
				.saturating_add(T::DbWeight::get().reads_writes(1, 1))
		)]
		pub fn request_inference(
			origin: OriginFor<T>,
			model: ModelId,
			input: InputArg,
			max_fee: Balance,
		) -> DispatchResultWithPostInfo {
			let requester = ensure_signed(origin)?;
			let serving = T::Registry::serving_info(model).ok_or(Error::<T>::ModelNotServing)?;
			ensure!(serving.price <= max_fee, Error::<T>::FeeAboveMax);
			let input = Self::checked_input(input)?;
			ensure!(
				ActiveJobs::<T>::get() < T::MaxActiveJobs::get(),
				Error::<T>::TooManyActiveJobs
			);
			let requester_jobs = ActiveJobsOf::<T>::get(&requester);
			ensure!(
				requester_jobs < T::MaxActiveJobsPerRequester::get(),
				Error::<T>::TooManyJobsOfRequester
			);
			let job_id = NextJobId::<T>::get();
			// Checked before anything is held; undone with the call if a later check fails.
			T::Access::use_access(&requester, &serving.version, job_id)?;
			let redundancy = Self::redundancy_of(&serving);
			let candidates = T::Staking::eligible_workers(
				&serving.version,
				WorkerRole::Miner,
				T::MaxCandidates::get(),
			);
			let considered = candidates.len() as u32;
			let miners = Self::select_miners(candidates, redundancy, job_id)
				.ok_or(Error::<T>::NotEnoughWorkers)?;
			T::Currency::hold(&HoldReason::JobFee.into(), &requester, serving.price)
				.map_err(|_| Error::<T>::InsufficientBalance)?;

			let params = Parameters::<T>::get();
			let now = frame_system::Pallet::<T>::block_number();
			let (deadline, deadline_slot) = Self::push_deadline(
				DeadlineKind::Commit,
				job_id,
				now.saturating_add(params.commit_period),
			);
			let assignments: BoundedVec<_, T::MaxRedundancy> = miners
				.iter()
				.map(|(miner, stake)| Assignment {
					miner: miner.clone(),
					stake: *stake,
					commitment: None,
					revealed: None,
				})
				.collect::<Vec<_>>()
				.try_into()
				.map_err(|_| Error::<T>::NotEnoughWorkers)?;
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
				},
				assignments,
				phase: JobPhase::Commit,
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
				miners: miners.into_iter().map(|(miner, _)| miner).collect(),
				commit_deadline: deadline,
			});
			Ok(Some(
				T::WeightInfo::request_inference(considered)
					.saturating_add(T::Access::use_access_weight()),
			)
			.into())
		}

		/// Commits the signer's result for `job`: `commitment` is
		/// `blake2_256(SCALE(job, miner, output, salt))` (see `types::commitment_of`).
		///
		/// Only an assigned miner, once, during the commit phase. When every assigned miner
		/// has committed, the reveal phase starts at once. Emits `ResultCommitted`.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::commit_result())]
		pub fn commit_result(origin: OriginFor<T>, job: JobId, commitment: H256) -> DispatchResult {
			let miner = ensure_signed(origin)?;
			let mut record = Jobs::<T>::get(job).ok_or(Error::<T>::UnknownJob)?;
			let now = frame_system::Pallet::<T>::block_number();
			ensure!(
				record.phase == JobPhase::Commit && now < record.deadline,
				Error::<T>::NotInCommitPhase
			);
			let assignment = record
				.assignments
				.iter_mut()
				.find(|assignment| assignment.miner == miner)
				.ok_or(Error::<T>::NotAssigned)?;
			ensure!(assignment.commitment.is_none(), Error::<T>::AlreadyCommitted);
			assignment.commitment = Some(commitment);
			Self::deposit_event(Event::ResultCommitted { job, miner });
			if record.assignments.iter().all(|assignment| assignment.commitment.is_some()) {
				Self::end_commit_phase(job, &mut record, now);
			}
			Jobs::<T>::insert(job, record);
			Ok(())
		}

		/// Reveals the output the signer committed to for `job`, with the commitment's salt.
		///
		/// Only a miner that committed, once, during the reveal phase; `output` must hash with
		/// `salt` to the commitment. When every committed miner has revealed, the quorum is
		/// counted at once. Emits `ResultRevealed`.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::reveal_result(T::MaxRedundancy::get()))]
		pub fn reveal_result(
			origin: OriginFor<T>,
			job: JobId,
			output: Vec<i64>,
			salt: [u8; 32],
		) -> DispatchResult {
			let miner = ensure_signed(origin)?;
			let mut record = Jobs::<T>::get(job).ok_or(Error::<T>::UnknownJob)?;
			let now = frame_system::Pallet::<T>::block_number();
			ensure!(
				record.phase == JobPhase::Reveal && now < record.deadline,
				Error::<T>::NotInRevealPhase
			);
			ensure!(!output.is_empty(), Error::<T>::InvalidOutput);
			let output: Output<T> = output.try_into().map_err(|_| Error::<T>::InvalidOutput)?;
			let assignment = record
				.assignments
				.iter_mut()
				.find(|assignment| assignment.miner == miner)
				.ok_or(Error::<T>::NotAssigned)?;
			let commitment = assignment.commitment.ok_or(Error::<T>::NotCommitted)?;
			ensure!(assignment.revealed.is_none(), Error::<T>::AlreadyRevealed);
			ensure!(
				commitment_of(job, &miner, &output, &salt) == commitment,
				Error::<T>::CommitmentMismatch
			);
			let hash = output_hash(&output);
			assignment.revealed = Some(hash);
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

		/// A validator's verdict on `job`, computed by re-executing it through the node's
		/// verifier endpoint. Submitted by off-chain workers as an authorized transaction (no
		/// signer, no fee): the pool accepts it only with a valid `signature` by a current
		/// validator's inference key, while the job can be verified, and once per job.
		///
		/// Agreeing with the majority settles the job now. Disagreeing slashes the majority
		/// and refunds the requester. On a disputed job, miners that revealed another output
		/// than the verdict's are slashed. Emits `VerdictConfirmed` or `VerdictAgainst`.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::submit_verdict(T::MaxRedundancy::get()))]
		#[pallet::authorize(|_source, verdict, signature| {
			Pallet::<T>::authorize_verdict(verdict, signature)
		})]
		#[pallet::weight_of_authorize(T::WeightInfo::authorize_submit_verdict())]
		pub fn submit_verdict(
			origin: OriginFor<T>,
			verdict: VerdictOf<T>,
			_signature: AuthoritySignatureOf<T>,
		) -> DispatchResult {
			frame_system::ensure_authorized(origin)?;
			// The pool checked these; a block author could still include a stale copy.
			Self::check_verdict(&verdict)?;
			let mut record = Jobs::<T>::get(verdict.job).ok_or(Error::<T>::UnknownJob)?;
			let now = frame_system::Pallet::<T>::block_number();
			Self::apply_verdict(&verdict, &mut record, now);
			Verdicts::<T>::insert(verdict.job, &verdict);
			Jobs::<T>::insert(verdict.job, record);
			Ok(())
		}

		/// Sets the governance parameters (root or a passed referendum). They apply to jobs
		/// requested from now on; running jobs keep their terms and deadlines.
		/// Emits `ParametersSet`.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::set_parameters())]
		pub fn set_parameters(origin: OriginFor<T>, parameters: ParametersOf<T>) -> DispatchResult {
			T::ParametersOrigin::ensure_origin(origin)?;
			let one: BlockNumberFor<T> = 1u32.into();
			ensure!(
				parameters.commit_period >= one
					&& parameters.reveal_period >= one
					&& parameters.challenge_period >= one
					&& parameters.retention_period >= one
					&& parameters.protocol_fee <= Perbill::from_percent(50),
				Error::<T>::InvalidParameters
			);
			Parameters::<T>::put(&parameters);
			Self::deposit_event(Event::ParametersSet { parameters });
			Ok(())
		}
	}

	impl<T: Config> Pallet<T> {
		/// Checks a submitted input against the bounds.
		fn checked_input(input: InputArg) -> Result<JobInputOf<T>, Error<T>> {
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

		/// Picks `count` distinct miners, each with probability proportional to its stake
		/// among those not yet picked, from randomness derived from the parent block hash and
		/// the job id. `None` if there are fewer than `count` candidates.
		///
		/// The parent hash is known to the block author, who could steer the pick of a job it
		/// includes; with Aura's round-robin authors this is a bounded bias, not a takeover.
		pub fn select_miners(
			mut candidates: Vec<(T::AccountId, Balance)>,
			count: u32,
			job: JobId,
		) -> Option<Vec<(T::AccountId, Balance)>> {
			if (candidates.len() as u64) < u64::from(count) {
				return None;
			}
			let parent = frame_system::Pallet::<T>::parent_hash();
			let seed = sp_io::hashing::blake2_256(&(b"modelchain/select", parent, job).encode());
			let mut picked = Vec::with_capacity(count as usize);
			for round in 0..count {
				let draw = sp_io::hashing::blake2_256(&(seed, round).encode());
				let mut word = [0u8; 16];
				word.copy_from_slice(draw.get(..16)?);
				let random = u128::from_le_bytes(word);
				let total: u128 =
					candidates.iter().fold(0u128, |sum, (_, stake)| sum.saturating_add(*stake));
				let index = if total == 0 {
					random.checked_rem(candidates.len() as u128)? as usize
				} else {
					let mut target = random.checked_rem(total)?;
					let mut chosen = candidates.len().saturating_sub(1);
					for (index, (_, stake)) in candidates.iter().enumerate() {
						if target < *stake {
							chosen = index;
							break;
						}
						target = target.saturating_sub(*stake);
					}
					chosen
				};
				if index >= candidates.len() {
					return None;
				}
				picked.push(candidates.swap_remove(index));
			}
			Some(picked)
		}

		/// Smallest number of identical outputs that is a strict majority of `assigned`.
		fn majority(assigned: u32) -> u32 {
			assigned.checked_div(2).unwrap_or_default().saturating_add(1)
		}

		/// Ends the commit phase: with enough commitments for a majority, opens the reveal
		/// phase; otherwise refunds the requester (miners that stayed silent only lose the
		/// job).
		fn end_commit_phase(job: JobId, record: &mut JobOf<T>, now: BlockNumberFor<T>) {
			Self::remove_deadline(DeadlineKind::Commit, record.deadline_slot);
			let committed = record
				.assignments
				.iter()
				.filter(|assignment| assignment.commitment.is_some())
				.count() as u32;
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
		/// records the majority's output and opens the challenge window, or refunds the
		/// requester and marks the job disputed.
		fn count_quorum(job: JobId, record: &mut JobOf<T>, now: BlockNumberFor<T>) {
			Self::remove_deadline(DeadlineKind::Reveal, record.deadline_slot);
			for assignment in record.assignments.iter() {
				if assignment.commitment.is_some() && assignment.revealed.is_none() {
					Self::slash_miner(job, &assignment.miner, SlashReason::MissedReveal);
				}
			}
			let needed = Self::majority(record.assignments.len() as u32);
			let winner = record.assignments.iter().filter_map(|a| a.revealed).find(|hash| {
				record.assignments.iter().filter(|a| a.revealed == Some(*hash)).count() as u32
					>= needed
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
				}
				None => {
					Self::refund(job, record);
					record.phase = JobPhase::Disputed;
					Self::deposit_event(Event::JobDisputed { job, verdict_deadline: deadline });
				}
			}
			let _ = Reveals::<T>::clear_prefix(job, T::MaxRedundancy::get(), None);
			record.phase_started = now;
			record.deadline = deadline;
			record.deadline_slot = slot;
		}

		/// Ends a challenge window or dispute that got no verdict: a majority's job is
		/// settled; a dispute ends with nobody slashed for a wrong output.
		fn end_challenge(job: JobId, record: &mut JobOf<T>, now: BlockNumberFor<T>) {
			match record.phase {
				JobPhase::Challenge { winner } => Self::settle(job, record, winner, now),
				_ => Self::finish(job, record, JobOutcome::NoQuorum, now),
			}
		}

		/// Pays out the fee of a job whose majority stood, slashes the miners that revealed
		/// another output and rewards the majority's reputation.
		fn settle(job: JobId, record: &mut JobOf<T>, winner: H256, now: BlockNumberFor<T>) {
			let winners: Vec<T::AccountId> = record
				.assignments
				.iter()
				.filter(|a| a.revealed == Some(winner))
				.map(|a| a.miner.clone())
				.collect();
			for assignment in record.assignments.iter() {
				if assignment.revealed.is_some_and(|hash| hash != winner) {
					Self::slash_miner(job, &assignment.miner, SlashReason::WrongResult);
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
		fn pay_out(job: JobId, record: &mut JobOf<T>, winners: &[T::AccountId]) {
			if !record.fee_held {
				return;
			}
			let terms = record.terms.clone();
			let requester = record.requester.clone();
			let fee = terms.fee;
			let split = Self::split_fee(&terms, winners.len() as u32);
			let (treasury_part, creator_part, per_miner, holders_part) =
				(split.treasury, split.creator, split.per_miner, split.holders);
			let treasury = Self::pay_from_hold(&requester, &T::Treasury::get(), treasury_part);
			let creator = Self::pay_from_hold(&requester, &terms.creator, creator_part);
			let mut miners: Balance = 0;
			for miner in winners {
				miners = miners.saturating_add(Self::pay_from_hold(&requester, miner, per_miner));
			}
			let model = record.version.model;
			let holders = if holders_part.is_zero() {
				0
			} else if T::Registry::shares_issued(model) {
				// Into the shares pallet's account and onto its books, both or neither.
				let credited = with_storage_layer(|| -> DispatchResult {
					T::Currency::transfer_on_hold(
						&HoldReason::JobFee.into(),
						&requester,
						&T::Revenue::revenue_account(),
						holders_part,
						Precision::Exact,
						Restriction::Free,
						Fortitude::Force,
					)?;
					T::Revenue::note_revenue(model, holders_part)
				});
				if credited.is_ok() {
					holders_part
				} else {
					0
				}
			} else {
				// No shares were issued: the creator owns the whole model.
				Self::pay_from_hold(&requester, &terms.creator, holders_part)
			};
			let paid =
				treasury.saturating_add(creator).saturating_add(miners).saturating_add(holders);
			let unpaid = fee.saturating_sub(paid);
			let refunded = if unpaid.is_zero() {
				0
			} else {
				T::Currency::release(
					&HoldReason::JobFee.into(),
					&requester,
					unpaid,
					Precision::BestEffort,
				)
				.unwrap_or_default()
			};
			record.fee_held = false;
			Self::deposit_event(Event::JobSettled {
				job,
				fee,
				treasury,
				creator,
				miners,
				holders,
				refunded,
			});
		}

		/// How many miners a job of a model with `serving` gets: its redundancy, within
		/// `1..=MaxRedundancy`.
		fn redundancy_of(serving: &ServingInfo<T::AccountId, Balance>) -> u32 {
			u32::from(serving.redundancy).clamp(1, T::MaxRedundancy::get())
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

		/// The fee of one request of `model` now and its split when the model's redundancy of
		/// miners agree (the inference runtime API's quote); `None` if the model is not serving.
		pub fn quote_fee(model: ModelId) -> Option<FeeSplit> {
			let serving = T::Registry::serving_info(model)?;
			let redundancy = Self::redundancy_of(&serving);
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
				.map(|serving| {
					T::Staking::eligible_workers(
						&serving.version,
						WorkerRole::Miner,
						T::MaxCandidates::get(),
					)
				})
				.unwrap_or_default()
		}

		/// A job's record and agreed output, until the job is pruned.
		pub fn job_status(
			job: JobId,
		) -> Option<modelchain_primitives::JobStatus<JobOf<T>, Output<T>>> {
			Jobs::<T>::get(job).map(|record| modelchain_primitives::JobStatus {
				job: record,
				result: Results::<T>::get(job),
			})
		}

		/// Moves `amount` of the requester's held fee to `to`; returns what was paid (zero if
		/// the transfer failed, e.g. below `to`'s existential deposit: it stays held and is
		/// released to the requester).
		fn pay_from_hold(requester: &T::AccountId, to: &T::AccountId, amount: Balance) -> Balance {
			if amount.is_zero() {
				return 0;
			}
			// `Force`: the fee was set aside when it was held; a freeze placed on the
			// requester's balance since (e.g. a vote lock) must not block paying it.
			T::Currency::transfer_on_hold(
				&HoldReason::JobFee.into(),
				requester,
				to,
				amount,
				Precision::Exact,
				Restriction::Free,
				Fortitude::Force,
			)
			.map(|_| amount)
			.unwrap_or_default()
		}

		/// Gives the requester the whole held fee back.
		fn refund(job: JobId, record: &mut JobOf<T>) {
			if !record.fee_held {
				return;
			}
			let amount = T::Currency::release(
				&HoldReason::JobFee.into(),
				&record.requester,
				record.terms.fee,
				Precision::BestEffort,
			)
			.unwrap_or_default();
			record.fee_held = false;
			Self::deposit_event(Event::JobRefunded {
				job,
				requester: record.requester.clone(),
				amount,
			});
		}

		/// Marks a job finished and schedules the pruning of its record.
		fn finish(job: JobId, record: &mut JobOf<T>, outcome: JobOutcome, now: BlockNumberFor<T>) {
			if matches!(record.phase, JobPhase::Challenge { .. } | JobPhase::Disputed) {
				Self::remove_deadline(DeadlineKind::Challenge, record.deadline_slot);
			}
			let (prune_at, slot) = Self::push_deadline(
				DeadlineKind::Prune,
				job,
				now.saturating_add(Parameters::<T>::get().retention_period),
			);
			record.phase = JobPhase::Finished(outcome);
			record.phase_started = now;
			record.deadline = prune_at;
			record.deadline_slot = slot;
			ActiveJobs::<T>::mutate(|active| *active = active.saturating_sub(1));
			ActiveJobsOf::<T>::mutate_exists(&record.requester, |count| {
				*count = count.and_then(|n| n.checked_sub(1)).filter(|n| *n > 0);
			});
			Self::deposit_event(Event::JobFinished { job, outcome, prune_at });
		}

		/// Slashes a miner through compute staking (which jails it) and reports it.
		fn slash_miner(job: JobId, miner: &T::AccountId, reason: SlashReason) {
			let amount = T::Staking::slash(miner, T::Staking::slash_fraction(reason), reason);
			Self::deposit_event(Event::MinerSlashed { job, miner: miner.clone(), reason, amount });
		}

		/// Applies an accepted verdict.
		fn apply_verdict(verdict: &VerdictOf<T>, record: &mut JobOf<T>, now: BlockNumberFor<T>) {
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
		fn slash_against(job: JobId, record: &JobOf<T>, truth: H256) {
			for assignment in record.assignments.iter() {
				match assignment.revealed {
					Some(hash) if hash == truth => {
						T::Staking::reward_reputation(&assignment.miner, 1)
					}
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
		fn authorize_verdict(
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

		/// Appends `job` to a deadline queue with `deadline`, or the queue's latest deadline if
		/// that is later (so the queue stays ordered). Returns the deadline used and the slot.
		fn push_deadline(
			kind: DeadlineKind,
			job: JobId,
			deadline: BlockNumberFor<T>,
		) -> (BlockNumberFor<T>, u64) {
			QueueBounds::<T>::mutate(kind, |(_, tail, latest)| {
				let deadline = deadline.max(*latest);
				let slot = *tail;
				Queue::<T>::insert(kind, slot, (job, deadline));
				*tail = tail.saturating_add(1);
				*latest = deadline;
				(deadline, slot)
			})
		}

		/// Removes the entry of a phase that ended before its deadline (a no-op when the hook
		/// already took it).
		fn remove_deadline(kind: DeadlineKind, slot: u64) {
			Queue::<T>::remove(kind, slot);
		}

		/// Handles up to `MaxDeadlinesPerBlock` due queue entries, skipping at most
		/// `HOLES_PER_DEADLINE` times as many removed ones; returns how many were handled and
		/// how many removed entries were skipped.
		///
		/// The queues take turns: each turn takes one due entry of every queue that has one
		/// (skipping at most `HOLES_PER_DEADLINE` removed entries of that queue), so a queue
		/// with more due entries than the budget (e.g. the commit deadlines of a flood of
		/// requests) cannot hold back the others: each queue with due entries gets at least a
		/// quarter of the budget, and whatever a queue leaves goes to the rest.
		pub fn process_deadlines(now: BlockNumberFor<T>) -> (u32, u32) {
			let budget = T::MaxDeadlinesPerBlock::get();
			let hole_budget = budget.saturating_mul(HOLES_PER_DEADLINE);
			let mut handled = 0u32;
			let mut skipped = 0u32;
			// (queue, head, head at the start, tail, whether it may still have a due entry)
			let mut queues = DeadlineKind::ALL.map(|kind| {
				let (head, tail, _) = QueueBounds::<T>::get(kind);
				(kind, head, head, tail, true)
			});
			while handled < budget && skipped < hole_budget && queues.iter().any(|(.., open)| *open)
			{
				for (kind, head, _, tail, open) in queues.iter_mut().filter(|q| q.4) {
					let mut holes_this_turn = 0u32;
					while handled < budget
						&& skipped < hole_budget
						&& holes_this_turn < HOLES_PER_DEADLINE
					{
						if *head >= *tail {
							*open = false;
							break;
						}
						let Some((job, deadline)) = Queue::<T>::get(*kind, *head) else {
							*head = head.saturating_add(1);
							skipped = skipped.saturating_add(1);
							holes_this_turn = holes_this_turn.saturating_add(1);
							continue;
						};
						if deadline > now {
							*open = false;
							break;
						}
						Queue::<T>::remove(*kind, *head);
						*head = head.saturating_add(1);
						handled = handled.saturating_add(1);
						Self::on_deadline(*kind, job, deadline, now);
						break;
					}
				}
			}
			for (kind, head, start, ..) in queues {
				if head != start {
					// Only the head: handling a deadline may have pushed entries onto the queues
					// (their tails moved since they were read).
					QueueBounds::<T>::mutate(kind, |bounds| bounds.0 = head);
				}
			}
			(handled, skipped)
		}

		/// A deadline of `job` passed. (A phase that ends early removes its entry; the checks
		/// below only guard against an entry that no longer matches the job.)
		fn on_deadline(
			kind: DeadlineKind,
			job: JobId,
			deadline: BlockNumberFor<T>,
			now: BlockNumberFor<T>,
		) {
			let Some(mut record) = Jobs::<T>::get(job) else { return };
			if record.deadline != deadline {
				return;
			}
			match (kind, record.phase) {
				(DeadlineKind::Commit, JobPhase::Commit) => {
					Self::end_commit_phase(job, &mut record, now);
				}
				(DeadlineKind::Reveal, JobPhase::Reveal) => {
					Self::count_quorum(job, &mut record, now);
				}
				(DeadlineKind::Challenge, JobPhase::Challenge { .. } | JobPhase::Disputed) => {
					Self::end_challenge(job, &mut record, now);
				}
				(DeadlineKind::Prune, JobPhase::Finished(_)) => {
					Jobs::<T>::remove(job);
					Results::<T>::remove(job);
					Verdicts::<T>::remove(job);
					Self::deposit_event(Event::JobPruned { job });
					return;
				}
				_ => return,
			}
			Jobs::<T>::insert(job, record);
		}
	}

	impl<T: Config> BoundToRuntimeAppPublic for Pallet<T> {
		type Public = T::AuthorityId;
	}

	impl<T: Config> OneSessionHandler<T::AccountId> for Pallet<T> {
		type Key = T::AuthorityId;

		fn on_genesis_session<'a, I>(validators: I)
		where
			I: 'a + Iterator<Item = (&'a T::AccountId, T::AuthorityId)>,
		{
			Self::set_authorities(validators.map(|(_, key)| key).collect());
		}

		fn on_new_session<'a, I>(_changed: bool, validators: I, _queued: I)
		where
			I: 'a + Iterator<Item = (&'a T::AccountId, T::AuthorityId)>,
		{
			Self::set_authorities(validators.map(|(_, key)| key).collect());
		}

		fn on_disabled(_validator_index: u32) {}
	}

	impl<T: Config> Pallet<T> {
		/// Replaces the validators' inference keys (at most `MaxAuthorities` are kept).
		pub fn set_authorities(keys: Vec<T::AuthorityId>) {
			let bounded = BoundedVec::<_, T::MaxAuthorities>::truncate_from(keys);
			Authorities::<T>::put(bounded);
		}
	}
}
