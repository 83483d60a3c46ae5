//! Types of the inference pallet: jobs, their inputs and outputs, assignments and verdicts.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{
	traits::Get, BoundedVec, CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound,
};
use modelchain_primitives::ModelVersionRef;
use scale_info::TypeInfo;
use sp_core::H256;
use sp_runtime::Perbill;

pub use modelchain_primitives::JobId;

/// What a job runs on: small inputs live on chain, large ones are referenced by URI and hash.
#[derive(
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	DebugNoBound,
)]
#[scale_info(skip_type_params(MaxInputLen, MaxUriLen))]
pub enum JobInput<MaxInputLen: Get<u32>, MaxUriLen: Get<u32>> {
	/// The input bytes themselves (e.g. a JSON array of features).
	Inline(BoundedVec<u8, MaxInputLen>),
	/// An input too large for the chain: where to fetch it and its blake2-256 hash, which
	/// workers check before running it.
	Remote {
		/// Where the input can be fetched (URL or content id).
		uri: BoundedVec<u8, MaxUriLen>,
		/// blake2-256 of the input bytes.
		hash: [u8; 32],
	},
}

/// A canonical model output: every value of the output rounded to the version's output
/// precision and scaled to an integer, `round(x * 10^precision)` (half away from zero). A
/// classifier's probabilities, an embedding or token ids (precision 0) all fit. Miners compare
/// these integers exactly, so a CPU and a GPU run that agree to the precision agree here.
pub type OutputOf<MaxOutputValues> = BoundedVec<i64, MaxOutputValues>;

/// The commitment a miner posts before revealing: `blake2_256(SCALE(job, miner, output, salt))`.
/// Binding the miner's account stops a lazy miner from copying someone else's commitment.
pub fn commitment_of<AccountId: Encode>(
	job: JobId,
	miner: &AccountId,
	output: &[i64],
	salt: &[u8; 32],
) -> H256 {
	H256(sp_io::hashing::blake2_256(&(job, miner, output, salt).encode()))
}

/// The identity of an output for the quorum: `blake2_256(SCALE(output))`.
pub fn output_hash(output: &[i64]) -> H256 {
	H256(sp_io::hashing::blake2_256(&output.encode()))
}

/// One miner assigned to a job and how far it got.
#[derive(
	Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug,
)]
pub struct Assignment<AccountId> {
	/// The miner.
	pub miner: AccountId,
	/// Its stake when it was picked (the selection weight).
	pub stake: u128,
	/// Its commitment, once posted.
	pub commitment: Option<H256>,
	/// The hash of the output it revealed, once revealed (the output is in `Reveals`).
	pub revealed: Option<H256>,
}

/// Where a job is in its life.
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
pub enum JobPhase {
	/// Assigned miners post commitments until `deadline`.
	Commit,
	/// Miners that committed reveal until `deadline`.
	Reveal,
	/// A strict majority agreed on `winner`; verifiers may challenge it until `deadline`, then
	/// the fee is settled.
	Challenge {
		/// Hash of the winning output.
		winner: H256,
	},
	/// No strict majority: the requester was refunded; a verifier's verdict until `deadline`
	/// decides who is slashed.
	Disputed,
	/// Finished; the record is pruned at `deadline`.
	Finished(JobOutcome),
	/// Requested, waiting for its miners: they are drawn in a later block than the request's,
	/// from that block's slot randomness, so that neither the requester nor the author of the
	/// request's block knows them in advance (`JobAssigned`; then `Commit`). The first phase
	/// of every job (listed last only to keep the other phases' encoding).
	Assigning,
}

/// How a job ended.
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
pub enum JobOutcome {
	/// The majority's result stood: the fee was split and paid.
	Settled,
	/// Too few miners committed or no strict majority agreed: the requester was refunded.
	NoQuorum,
	/// A verifier's verdict contradicted the majority: the majority was slashed and the
	/// requester refunded.
	Overturned,
	/// Fewer eligible miners were left than the job needs when its miners were drawn (e.g.
	/// some were jailed or chilled since the request): the requester got its fee and quorum
	/// deposit back, nobody was slashed.
	Unassigned,
}

/// The economics of a job, fixed when it is requested.
#[derive(
	Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug,
)]
pub struct JobTerms<AccountId> {
	/// The fee (the version's price), held from the requester until the job ends.
	pub fee: u128,
	/// The model's creator, who receives `creator_royalty`.
	pub creator: AccountId,
	/// Part of the fee to the creator.
	pub creator_royalty: Perbill,
	/// Part of the fee split among the miners in the winning majority.
	pub miners_share: Perbill,
	/// Part of the fee to the treasury.
	pub protocol_fee: Perbill,
	/// How many miners the job gets (the model's redundancy when it was requested, within
	/// `1..=MaxRedundancy`).
	pub redundancy: u32,
}

/// An inference job.
#[derive(
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	DebugNoBound,
)]
#[scale_info(skip_type_params(MaxInputLen, MaxUriLen, MaxRedundancy))]
#[codec(mel_bound(AccountId: MaxEncodedLen, BlockNumber: MaxEncodedLen))]
// The derives repeat the inline bounds in their where clauses.
#[allow(clippy::multiple_bound_locations)]
pub struct Job<
	AccountId: Clone + PartialEq + Eq + core::fmt::Debug,
	BlockNumber: Clone + PartialEq + Eq + core::fmt::Debug,
	MaxInputLen: Get<u32>,
	MaxUriLen: Get<u32>,
	MaxRedundancy: Get<u32>,
> {
	/// Who asked and pays.
	pub requester: AccountId,
	/// The model version that runs it (the model's active version at request time).
	pub version: ModelVersionRef,
	/// Decimals to which output values are rounded (the version's output precision).
	pub output_precision: u8,
	/// The input.
	pub input: JobInput<MaxInputLen, MaxUriLen>,
	/// The fee and how it is split.
	pub terms: JobTerms<AccountId>,
	/// The miners picked for the job.
	pub assignments: BoundedVec<Assignment<AccountId>, MaxRedundancy>,
	/// Current phase.
	pub phase: JobPhase,
	/// Block at which the job entered its current phase.
	pub phase_started: BlockNumber,
	/// End of the current phase (or, when finished, the block at which the record is pruned).
	pub deadline: BlockNumber,
	/// Index of the current deadline's entry in its deadline queue (removed when a phase
	/// ends early).
	pub deadline_slot: u64,
	/// Block of the request.
	pub requested_at: BlockNumber,
	/// Whether the requester's fee is still held.
	pub fee_held: bool,
}

/// A verifier's verdict on a job, signed by a validator's inference key.
#[derive(
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	DebugNoBound,
)]
#[scale_info(skip_type_params(MaxAccepted))]
#[codec(mel_bound(AuthorityId: MaxEncodedLen))]
// The derives repeat the inline bounds in their where clauses.
#[allow(clippy::multiple_bound_locations)]
pub struct Verdict<AuthorityId: Clone + PartialEq + Eq + core::fmt::Debug, MaxAccepted: Get<u32>> {
	/// The job re-executed.
	pub job: JobId,
	/// `output_hash` of the output the verifier stands for: the one it computed (exact
	/// models), or the first revealed output it accepted (tolerance-verified models), the
	/// miners' majority's first.
	pub output_hash: H256,
	/// Other revealed outputs the verifier accepts too, in ascending order (empty for exact
	/// models): a language model's honest answer on other hardware may differ in a near tie.
	/// Their miners are not slashed (and not paid: the fee goes to the majority).
	pub accepted: BoundedVec<H256, MaxAccepted>,
	/// The validator's inference key that signs the verdict.
	pub authority: AuthorityId,
}

impl<AuthorityId: Clone + PartialEq + Eq + core::fmt::Debug, MaxAccepted: Get<u32>>
	Verdict<AuthorityId, MaxAccepted>
{
	/// What validators must agree on, as one hash: `output_hash` alone when nothing else is
	/// accepted, else `blake2_256(SCALE(output_hash, accepted))`. Verdicts that accept other
	/// outputs do not add up with those that do not.
	pub fn finding(&self) -> H256 {
		if self.accepted.is_empty() {
			self.output_hash
		} else {
			H256(sp_io::hashing::blake2_256(&(self.output_hash, &self.accepted).encode()))
		}
	}
}

/// The governance parameters of inference.
#[derive(
	Clone,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
	serde::Serialize,
	serde::Deserialize,
)]
pub struct InferenceParameters<BlockNumber> {
	/// Part of each fee that goes to the treasury.
	pub protocol_fee: Perbill,
	/// Blocks the assigned miners have to commit.
	pub commit_period: BlockNumber,
	/// Blocks the committed miners have to reveal.
	pub reveal_period: BlockNumber,
	/// Blocks after quorum during which a verifier may overturn the result.
	pub challenge_period: BlockNumber,
	/// Part of the jobs with a majority that validators re-execute (every job without a
	/// majority is re-executed).
	pub verification_sample: Perbill,
	/// Blocks a finished job's record (and result) stays in state before it is pruned; its
	/// events stay in the chain's history.
	pub retention_period: BlockNumber,
}
