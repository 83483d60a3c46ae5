//! # Inference
//!
//! Pay-per-query inference jobs on ModelChain, computed redundantly by staked miners, agreed by a
//! commit-reveal quorum, spot-checked by validators' off-chain workers and paid out on chain.
//!
//! ## Life of a job
//! 1. [`Pallet::request_inference`]: the requester names a model, gives the input (inline bytes,
//!    or a URI and hash for large inputs) and the most it will pay. The fee (the active version's
//!    price) is held from the requester with [`HoldReason::JobFee`], and `QuorumDeposit` with
//!    [`HoldReason::QuorumDeposit`] (forfeited to the treasury if the job ends without a
//!    quorum, released otherwise), and the storage deposit of the job's record
//!    (`JobDepositBase` + `JobDepositPerByte` per input byte) with [`HoldReason::JobStorage`]
//!    until the record is pruned. The job waits in [`JobPhase::Assigning`].
//! 2. In the next block (or the first later one with slot randomness and room), `redundancy`
//!    miners serving that version are drawn, stake-weighted over all of them, from that
//!    block's slot randomness ([`Config::Randomness`]: the block author's VRF output, set by
//!    an inherent before `on_poll` assigns): neither the requester nor the author of the
//!    request's block can know them when the request is made (`JobAssigned`; the commit
//!    period starts then).
//! 3. Validators' off-chain workers POST the job to each assigned miner's endpoint (idempotent by
//!    job id; miners also follow `JobRequested` events, so a lost POST is not a lost job).
//! 4. Each miner posts [`Pallet::commit_result`] (`blake2_256(job, miner, output, salt)`) within
//!    the commit period, then [`Pallet::reveal_result`] within the reveal period. Outputs are
//!    canonical: integers `round(x * 10^precision)` (see [`OutputOf`]).
//! 5. Quorum: a strict majority of the assigned miners revealing the same output wins. Committing
//!    without revealing is slashed at once ([`SlashReason::MissedReveal`]); not committing at all
//!    is reported to compute staking as a missed job (jail after a run of them). With a
//!    majority, the job enters a challenge window; without one, the requester is refunded and
//!    the job is disputed.
//! 6. The chain chooses which jobs validators verify ([`VerificationDue`],
//!    `VerificationRequired`): every disputed job and every job whose miners disagreed, at
//!    once; of the unanimous ones, a `verification_sample` drawn in `on_poll` of the block
//!    after the quorum from that block's slot randomness (the quorum block's author cannot
//!    know it). Validators' off-chain workers re-execute every due job through the verifier
//!    endpoint configured on their node and submit a signed [`Pallet::submit_verdict`] (an
//!    authorized transaction: no fee, validated in the pool by the signature of a current
//!    validator's inference key over the genesis hash and the verdict, one per job and key).
//!    A verdict decides nothing alone: once a strict majority of the validators
//!    ([`Pallet::verdicts_needed`]: 1 of 1, 2 of 3, 3 of 4) found the same output (with the
//!    same other revealed outputs accepted, see [`Verdict::finding`]), that output decides:
//!    against the miners' majority, the majority is slashed and the requester refunded;
//!    confirming it, the job settles at once. Miners whose output the verdict accepts too (a
//!    language model's honest answer on other hardware, checked by teacher forcing) are
//!    spared. Validators that voted otherwise are recorded ([`ContradictedVerdicts`],
//!    `VerdictContradicted`). Revealed outputs stay in [`Reveals`] until the job finishes, for
//!    the verifiers.
//! 7. At the end of the window the fee is settled: protocol fee to the treasury, the creator's
//!    royalty, the miners' part split among the agreeing miners, the rest to the model's share
//!    holders through the shares pallet's O(1) deposit (to the creator if no shares exist).
//!    Miners that revealed another output are not paid; they are slashed
//!    ([`SlashReason::WrongResult`]) only when the validators verified the majority's output:
//!    an unverified majority slashes nobody.
//!
//! Every path (settled, no quorum, overturned) releases the requester's hold. Finished jobs keep
//! their record and result for `retention_period` blocks, then are pruned; events stay.
//!
//! ## Bounded work
//! Deadlines live in four FIFO queues (commit, reveal, challenge, prune); every job of a queue
//! has the same period, so each queue is ordered by deadline. `on_initialize` handles at most
//! `MaxDeadlinesPerBlock` due entries per block, within `MaxDeadlineWeight` (each entry charged at
//! its queue's benchmarked worst case; the rest wait a block), the queues taking turns
//! so that none can starve another; at most `MaxActiveJobs` jobs are unfinished at a time, and
//! at most `MaxActiveJobsPerRequester` of one requester. Phases are also closed by their
//! deadline inside the calls, so a late hook never lengthens a window. Jobs waiting for their
//! miners are a fifth FIFO, worked off in `on_poll` (after the randomness inherent) within the
//! block's remaining weight and `MaxDeadlinesPerBlock` jobs per block; unanimous quorums
//! waiting for their sample draw are a sixth, worked off there first (a draw is a hash and
//! two writes; at most `MaxActiveJobs` per block).

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
mod extension;
mod features;
#[cfg(test)]
mod mock;
pub mod ocw;
#[cfg(test)]
mod tests;
pub mod types;
pub mod weights;

pub use extension::PrioritizeAnswers;
pub use features::deadlines::DeadlinesHandled;
pub use features::parameters::{MAX_PHASE_PERIOD, MAX_RETENTION_PERIOD, MIN_CHALLENGE_PERIOD};
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

	/// How many missed jobs in a row jail a miner (compute staking's `MissedJobsBeforeJail`).
	fn misses_before_jail() -> u32;

	/// Makes `model` licensed and `requester` the holder of a licence with one query left,
	/// and the model's access log full: a request then takes the access pallet's most
	/// expensive path (the licence ends, the oldest access is pushed out).
	fn licence_last_query(model: modelchain_primitives::ModelId, requester: &AccountId);
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
		traits::{
			fungible::{Inspect, Mutate, MutateHold},
			OneSessionHandler,
		},
	};
	use frame_system::pallet_prelude::*;
	use modelchain_primitives::{
		AccessControl, Balance, CheckObserver, CheckReason, ComputeStakingInterface,
		FreshRandomness, ModelId, ModelRegistryInterface, ModelVersionRef, RevenueSink,
		SlashReason,
	};
	use sp_core::H256;
	use sp_runtime::{BoundToRuntimeAppPublic, Perbill, RuntimeAppPublic};

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
	pub type VerdictOf<T> = Verdict<<T as Config>::AuthorityId, <T as Config>::MaxRedundancy>;
	/// The validators' verdicts on a job: `(authority, finding)` ([`Verdict::finding`]), in the
	/// order they came.
	pub type VotesOf<T> =
		BoundedVec<(<T as Config>::AuthorityId, H256), <T as Config>::MaxAuthorities>;
	/// A signature by an inference key.
	pub type AuthoritySignatureOf<T> = <<T as Config>::AuthorityId as RuntimeAppPublic>::Signature;

	/// The storage version (0: no migration yet). Bumped with every change of a stored type,
	/// with a migration in `migrations.rs`.
	pub const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// A requester's fee, held until its job is settled or refunded.
		JobFee,
		/// A requester's quorum deposit, held with each request until its job ends: released
		/// when a quorum is reached, forfeited to the treasury when none is.
		QuorumDeposit,
		/// A requester's storage deposit for a job's record (its input, result and verdicts),
		/// held from the request until the record is pruned, then released.
		JobStorage,
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

	/// One reveal of a [`Pallet::reveal_results`] batch.
	#[derive(Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo, Debug)]
	pub struct RevealArg {
		/// The job answered.
		pub job: JobId,
		/// The output committed to (checked against `MaxOutputValues` before it is stored).
		pub output: Vec<i64>,
		/// The salt of the commitment.
		pub salt: [u8; 32],
	}

	/// A miner's commitments on several jobs: `(job, commitment)` pairs.
	pub type CommitmentsOf<T> = BoundedVec<(JobId, H256), <T as Config>::MaxAnswersPerCall>;
	/// A miner's reveals on several jobs.
	pub type RevealsOf<T> = BoundedVec<RevealArg, <T as Config>::MaxAnswersPerCall>;

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
		/// Jobs waiting for their miners, due from the block after their request (worked off
		/// by `on_poll` once the block's randomness is set, not by `on_initialize`'s turns).
		Assign,
		/// Unanimous quorums waiting for the draw that decides whether validators verify
		/// them, due from the block after the quorum (worked off by `on_poll` like `Assign`).
		Sample,
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
		/// Randomness fresh in the current block, which nobody could choose (the slot author's
		/// VRF output): draws a job's miners in a later block than its request's.
		type Randomness: FreshRandomness;
		/// Told how each check (an off-chain output verified like a job, see
		/// `OutputChecks`) ended: the query-channels pallet, which opened it.
		type CheckObserver: CheckObserver;
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
		/// Most unfinished checks opened by challenges (checks count against neither
		/// `MaxActiveJobs` nor this when an audit opens them: see `CheckReason`).
		#[pallet::constant]
		type MaxActiveChallenges: Get<u32>;
		/// Most due deadlines handled in one block.
		#[pallet::constant]
		type MaxDeadlinesPerBlock: Get<u32>;
		/// Most weight `on_initialize` spends on due deadlines in one block, each charged at
		/// its queue's benchmarked worst case; the rest wait for the next block, in order.
		#[pallet::constant]
		type MaxDeadlineWeight: Get<Weight>;
		/// Most validators whose inference keys are kept.
		#[pallet::constant]
		type MaxAuthorities: Get<u32>;
		/// Most answers (commitments or reveals) of one `commit_results` or `reveal_results`.
		#[pallet::constant]
		type MaxAnswersPerCall: Get<u32>;
		/// Held from the requester with each request besides the fee, and forfeited to the
		/// treasury if the job ends without a quorum (too few commitments or no majority), so
		/// that requests designed to fail (e.g. inputs no miner can use) are not free.
		#[pallet::constant]
		type QuorumDeposit: Get<Balance>;
		/// Storage deposit of a job's record, whatever its input: held from the request until
		/// the record is pruned (`retention_period` blocks after the job ends), then released.
		#[pallet::constant]
		type JobDepositBase: Get<Balance>;
		/// Storage deposit per byte of a job's input (inline bytes, or the URI), held with
		/// `JobDepositBase`.
		#[pallet::constant]
		type JobDepositPerByte: Get<Balance>;
		/// Priority of verdict transactions in the pool.
		#[pallet::constant]
		type VerdictPriority: Get<TransactionPriority>;
		/// Priority added in the pool to a commit or reveal the chain would accept (see
		/// [`PrioritizeAnswers`]): above what any tip buys, so spam cannot crowd it out.
		#[pallet::constant]
		type AnswerPriority: Get<TransactionPriority>;
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

	/// Outputs revealed by each miner of a job, until the job finishes (the verifier of a
	/// tolerance-verified model judges each distinct one).
	#[pallet::storage]
	pub type Reveals<T: Config> =
		StorageDoubleMap<_, Twox64Concat, JobId, Blake2_128Concat, T::AccountId, Output<T>>;

	/// The winning output of each job with a majority, kept with the job.
	#[pallet::storage]
	pub type Results<T: Config> = StorageMap<_, Twox64Concat, JobId, Output<T>>;

	/// The validators' verdicts on a job, one per inference key: `(authority, output_hash)`
	/// in the order they came; kept with the job.
	#[pallet::storage]
	pub type VerdictVotes<T: Config> = StorageMap<_, Twox64Concat, JobId, VotesOf<T>, ValueQuery>;

	/// The jobs that are checks of an output computed off chain (see `OutputChecks`): their
	/// outcome goes to `CheckObserver`, and why each was opened. Removed when the check is
	/// decided.
	#[pallet::storage]
	pub type Checks<T: Config> = StorageMap<_, Twox64Concat, JobId, CheckReason>;

	/// The jobs validators must verify now, chosen on chain: every disputed job, every job
	/// whose miners disagreed, and the sampled part of the unanimous ones (drawn from the
	/// slot randomness of the block after the quorum). At most one entry per unfinished job;
	/// removed when the job finishes.
	#[pallet::storage]
	pub type VerificationDue<T: Config> = StorageMap<_, Twox64Concat, JobId, ()>;

	/// How many of each validator key's verdicts the final outcome contradicted (it voted
	/// for another output than the one `VerdictsNeeded` validators agreed on). No entry for
	/// none.
	#[pallet::storage]
	pub type ContradictedVerdicts<T: Config> =
		StorageMap<_, Twox64Concat, T::AuthorityId, u32, ValueQuery>;

	/// The quorum deposit held for each unfinished job (no entry when it was zero).
	#[pallet::storage]
	pub type QuorumDeposits<T: Config> = StorageMap<_, Twox64Concat, JobId, Balance>;

	/// The storage deposit held for each job's record until it is pruned (no entry when it
	/// was zero).
	#[pallet::storage]
	pub type StorageDeposits<T: Config> = StorageMap<_, Twox64Concat, JobId, Balance>;

	/// Number of unfinished jobs (at most `MaxActiveJobs`; checks are not counted).
	#[pallet::storage]
	pub type ActiveJobs<T: Config> = StorageValue<_, u32, ValueQuery>;

	/// Number of unfinished checks opened by challenges (at most `MaxActiveChallenges`).
	#[pallet::storage]
	pub type ActiveChallenges<T: Config> = StorageValue<_, u32, ValueQuery>;

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
		/// A job was requested; `fee` is held from the requester. Its miners are drawn in a
		/// later block (`JobAssigned`).
		JobRequested { job: JobId, requester: T::AccountId, version: ModelVersionRef, fee: Balance },
		/// A job's `miners` were drawn from this block's randomness; they must commit before
		/// block `commit_deadline`.
		JobAssigned { job: JobId, miners: Vec<T::AccountId>, commit_deadline: BlockNumberFor<T> },
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
		/// Validators must verify `job` before block `verdict_deadline`: it is disputed, its
		/// miners disagreed, or it was drawn for the sample.
		VerificationRequired { job: JobId, verdict_deadline: BlockNumberFor<T> },
		/// A validator's verifier re-executed the job and found `output_hash`; nothing is
		/// decided until a strict majority of the validators found the same output.
		VerdictSubmitted {
			job: JobId,
			authority: T::AuthorityId,
			output_hash: H256,
			/// How many other revealed outputs it accepts too.
			accepted: u32,
		},
		/// `votes` validators (a strict majority of them) agreed with the miners' majority:
		/// the job is settled and any miner that revealed another output is slashed.
		VerdictConfirmed { job: JobId, votes: u32 },
		/// `votes` validators (a strict majority of them) found `output_hash`, which the
		/// miners' majority did not reveal (or which decides a dispute): every miner that
		/// revealed another output is slashed.
		VerdictAgainst { job: JobId, output_hash: H256, votes: u32 },
		/// A validator's verdict on `job` was contradicted by the outcome the other validators
		/// decided; counted in `ContradictedVerdicts`. `output_hash` is its
		/// [`Verdict::finding`]: the output's hash, or with other accepted outputs their digest.
		VerdictContradicted { job: JobId, authority: T::AuthorityId, output_hash: H256 },
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
		/// The job ended without a quorum: the requester's quorum deposit `amount` went to
		/// the treasury.
		QuorumDepositForfeited { job: JobId, requester: T::AccountId, amount: Balance },
		/// The requester got the whole fee back.
		JobRefunded { job: JobId, requester: T::AccountId, amount: Balance },
		/// A job finished with `outcome`; its record stays until block `prune_at`.
		JobFinished { job: JobId, outcome: JobOutcome, prune_at: BlockNumberFor<T> },
		/// A finished job's record and result were removed from state; its storage deposit
		/// `deposit_released` went back to the requester.
		JobPruned { job: JobId, requester: T::AccountId, deposit_released: Balance },
		/// Governance changed the parameters.
		ParametersSet { parameters: ParametersOf<T> },
		/// `requester` asked the validators to check that `version` computes the output with
		/// `output_hash` on an input (a paid query's answer, audited or challenged): `job` is
		/// due for verification at once and decided by the verdicts like any job.
		CheckOpened {
			job: JobId,
			requester: T::AccountId,
			version: ModelVersionRef,
			output_hash: H256,
		},
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
		/// The job is not to be verified now: not disputed, not disagreed on and not drawn for
		/// the sample, or its window has passed.
		NotVerifiable,
		/// A verdict's `accepted` list is not in ascending order, repeats its `output_hash`, or
		/// names an output none of the job's miners revealed.
		InvalidAcceptedOutputs,
		/// This validator already gave its verdict on this job.
		AlreadyVerified,
		/// Periods must be at least one block (phases at most `MAX_PHASE_PERIOD`, retention at
		/// most `MAX_RETENTION_PERIOD`) and the protocol fee at most 50%.
		InvalidParameters,
		/// An arithmetic overflow.
		Overflow,
		/// The commit, reveal and challenge periods together are not shorter than compute
		/// staking's unbonding period: a faulty miner could withdraw before being slashed.
		JobOutlivesUnbonding,
		/// A `commit_results` or `reveal_results` with no answer in it.
		NoAnswers,
		/// `MaxActiveChallenges` challenges are being checked; try again later.
		TooManyActiveChallenges,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_initialize(now: BlockNumberFor<T>) -> Weight {
			let handled = Self::process_deadlines(now);
			Self::deadlines_weight(&handled)
		}

		/// Once this block's randomness is set (after the inherents), within the remaining
		/// weight: draws which unanimous quorums of earlier blocks are verified, then the
		/// miners of jobs requested in earlier blocks.
		fn on_poll(now: BlockNumberFor<T>, meter: &mut frame_support::weights::WeightMeter) {
			Self::draw_samples(now, meter);
			Self::assign_pending(now, meter);
		}

		fn offchain_worker(now: BlockNumberFor<T>) {
			Self::run_offchain_worker(now);
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
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
		/// Holds the version's price from the signer (never more than `max_fee`), the quorum
		/// deposit and the storage deposit of the job's record (`JobDepositBase` +
		/// `JobDepositPerByte` per byte of input, released when the record is pruned,
		/// `retention_period` blocks after the job ends); the model's redundancy of eligible
		/// miners is drawn, stake-weighted, in a later block from that block's slot randomness
		/// (`JobAssigned`), so the signer cannot know them now. Fails with nothing held if the model is not serving, the
		/// price exceeds `max_fee`, the input is empty or too long, the model's access policy
		/// refuses the signer (e.g. a licensed model and no usable licence: the access
		/// pallet's error), or too few miners serve the version. On a licensed model one query
		/// of the signer's licence is used. Emits `JobRequested` (and the access pallet's
		/// `Accessed`). Charged at the worst case (every candidate, a licence's last query)
		/// and refunded to what the request took.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::request_inference(T::MaxCandidates::get(), 1))]
		pub fn request_inference(
			origin: OriginFor<T>,
			model: ModelId,
			input: InputArg,
			max_fee: Balance,
		) -> DispatchResultWithPostInfo {
			let requester = ensure_signed(origin)?;
			let work = Self::do_request_inference(requester, model, input, max_fee)?;
			Ok(Some(work.weight::<T>()).into())
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
			Self::do_commit_result(job, miner, commitment)
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
			Self::do_reveal_result(job, miner, output, salt)
		}

		/// A validator's verdict on `job`, computed by re-executing it through the node's
		/// verifier endpoint. Submitted by off-chain workers as an authorized transaction (no
		/// signer, no fee): the pool accepts it only with a valid `signature` (over the
		/// genesis hash and the verdict) by a current validator's inference key, while the
		/// job is in `VerificationDue`, and once per job and key. Emits `VerdictSubmitted`.
		///
		/// Nothing is decided until a strict majority of the current validators
		/// ([`Pallet::verdicts_needed`]) found the same output and accepted the same other
		/// revealed outputs (`verdict.accepted`, ascending, revealed ones only:
		/// `InvalidAcceptedOutputs` otherwise). Then: agreeing with the miners' majority
		/// settles the job now and slashes the miners that revealed another output
		/// (`VerdictConfirmed`); disagreeing slashes the miners' majority and refunds the
		/// requester (`VerdictAgainst`); on a disputed job, the miners that revealed another
		/// output than the decided one are slashed. Miners whose output is accepted are never
		/// slashed (nor paid). Every validator whose finding differs is recorded
		/// (`VerdictContradicted`, `ContradictedVerdicts`).
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::submit_verdict(T::MaxRedundancy::get())
			.saturating_add(T::CheckObserver::check_decided_weight()))]
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
			Self::do_submit_verdict(verdict)
		}

		/// Commits the signer's results for several jobs in one transaction: each
		/// `(job, commitment)` is checked and recorded exactly as [`Pallet::commit_result`]
		/// does it (events and phase ends included), in order.
		///
		/// All or nothing: if any commitment is refused, the call fails with that
		/// commitment's error (e.g. `NotInCommitPhase`, `AlreadyCommitted` for a job listed
		/// twice) and none is recorded. At most `MaxAnswersPerCall` commitments; `NoAnswers`
		/// if there is none. A batch the chain would refuse is refused in the pool, without a
		/// fee (see [`PrioritizeAnswers`]).
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::commit_results(commitments.len() as u32))]
		pub fn commit_results(
			origin: OriginFor<T>,
			commitments: CommitmentsOf<T>,
		) -> DispatchResult {
			let miner = ensure_signed(origin)?;
			Self::do_commit_results(miner, commitments)
		}

		/// Reveals the signer's outputs on several jobs in one transaction: each
		/// `{job, output, salt}` is checked and recorded exactly as [`Pallet::reveal_result`]
		/// does it (events and quorum counts included), in order.
		///
		/// All or nothing: if any reveal is refused, the call fails with that reveal's error
		/// (e.g. `CommitmentMismatch`, `AlreadyRevealed` for a job listed twice) and none is
		/// recorded. At most `MaxAnswersPerCall` reveals; `NoAnswers` if there is none. A
		/// batch the chain would refuse is refused in the pool, without a fee.
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::reveal_results(reveals.len() as u32))]
		pub fn reveal_results(origin: OriginFor<T>, reveals: RevealsOf<T>) -> DispatchResult {
			let miner = ensure_signed(origin)?;
			Self::do_reveal_results(miner, reveals)
		}

		/// Sets the governance parameters (root or a passed referendum). They apply to jobs
		/// requested from now on; running jobs keep their terms and deadlines.
		/// Emits `ParametersSet`.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::set_parameters())]
		pub fn set_parameters(origin: OriginFor<T>, parameters: ParametersOf<T>) -> DispatchResult {
			T::ParametersOrigin::ensure_origin(origin)?;
			Self::do_set_parameters(parameters)
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
