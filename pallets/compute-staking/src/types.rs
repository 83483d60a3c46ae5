//! Types of the compute-staking pallet.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{traits::Get, BoundedVec, CloneNoBound, EqNoBound, PartialEqNoBound};
use modelchain_primitives::{ModelVersionRef, WorkerRole};
use scale_info::TypeInfo;
use sp_runtime::Perbill;

/// Parameters that governance (root) may change without a runtime upgrade; their genesis values
/// come from the chain spec.
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
#[serde(rename_all = "camelCase")]
pub struct StakingParameters<Balance, BlockNumber> {
	/// Smallest active bond with which a miner gets jobs.
	pub min_miner_bond: Balance,
	/// Blocks between `unbond` and the moment the funds can be withdrawn.
	pub unbonding_period: BlockNumber,
	/// Blocks a slashed or jailed worker gets no jobs.
	pub jail_period: BlockNumber,
	/// Part of the stake slashed for a wrong result.
	pub slash_wrong_result: Perbill,
	/// Part of the stake slashed for committing without revealing; never less than
	/// `slash_wrong_result` (else a miner that sees it lost would rather not reveal).
	pub slash_missed_reveal: Perbill,
}

/// Funds on their way out: released to the worker at `unlock_at`, slashable until then.
#[derive(
	Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug,
)]
pub struct UnlockChunk<Balance, BlockNumber> {
	/// Amount still held.
	pub value: Balance,
	/// First block at which `withdraw_unbonded` releases it.
	pub unlock_at: BlockNumber,
}

/// Whether a worker wants jobs.
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
pub enum WorkerStatus {
	/// Gets jobs while bonded at least the minimum and not jailed.
	Active,
	/// Asked not to get jobs (`chill`); `resume` makes it active again.
	Chilled,
}

/// A registered worker.
#[derive(
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	frame_support::DebugNoBound,
)]
#[scale_info(skip_type_params(MaxEndpointLen, MaxHardwareLen, MaxVersions, MaxChunks))]
#[codec(mel_bound(Balance: MaxEncodedLen, BlockNumber: MaxEncodedLen))]
// The derives repeat the inline bounds in their where clauses.
#[allow(clippy::multiple_bound_locations)]
pub struct WorkerInfo<
	Balance: Clone + PartialEq + Eq + core::fmt::Debug,
	BlockNumber: Clone + PartialEq + Eq + core::fmt::Debug,
	MaxEndpointLen: Get<u32>,
	MaxHardwareLen: Get<u32>,
	MaxVersions: Get<u32>,
	MaxChunks: Get<u32>,
> {
	/// What it registered as (miners are the only role).
	pub role: WorkerRole,
	/// HTTP endpoint the node's off-chain workers dispatch jobs to.
	pub endpoint: BoundedVec<u8, MaxEndpointLen>,
	/// Free-text hardware description (e.g. `1x H100 80GB`).
	pub hardware: BoundedVec<u8, MaxHardwareLen>,
	/// Model versions this worker serves.
	pub versions: BoundedVec<ModelVersionRef, MaxVersions>,
	/// Held and active: counts for eligibility and stake weight.
	pub active_bond: Balance,
	/// Held and unbonding: slashable, withdrawable after `unlock_at`.
	pub unlocking: BoundedVec<UnlockChunk<Balance, BlockNumber>, MaxChunks>,
	/// Registration deposit held while the worker is registered.
	pub deposit: Balance,
	/// Whether it wants jobs.
	pub status: WorkerStatus,
	/// Jailed (no jobs) until this block, exclusive.
	pub jailed_until: Option<BlockNumber>,
	/// Reputation points earned by serving jobs well.
	pub reputation: u32,
}

/// A miner that may get jobs of a model version, as the version's index keeps it: the stake it
/// is drawn with and the jail that keeps it out until a block.
#[derive(
	Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug,
)]
pub struct Candidate<AccountId, Balance, BlockNumber> {
	/// The miner's account.
	pub miner: AccountId,
	/// Its active bond.
	pub stake: Balance,
	/// Jailed (no jobs) until this block, exclusive.
	pub jailed_until: Option<BlockNumber>,
}
