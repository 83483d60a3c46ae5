//! Types of the model-governance pallet.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use modelchain_primitives::{AccessPolicy, ModelId, VersionIndex};
use scale_info::TypeInfo;
use sp_runtime::Perbill;

/// Identifier of an upgrade proposal. It is also the id of the vote locks its voters' shares
/// carry in the shares pallet.
pub type ProposalId = modelchain_primitives::ShareLockId;

/// A share holder's side in a vote.
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
pub enum VoteChoice {
	/// For the upgrade.
	Aye,
	/// Against the upgrade.
	Nay,
}

/// How a model's share holders decide: set per model, defaults from the runtime.
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
pub struct VotingParams<BlockNumber> {
	/// Blocks a proposal is open for votes.
	pub voting_period: BlockNumber,
	/// Shares voted (aye plus nay) must reach this part of the supply.
	pub min_turnout: Perbill,
	/// Ayes must be more than this part of the shares voted (at least 50%, below 100%).
	pub approval_threshold: Perbill,
}

/// What a proposal would do to its model if the holders approve it.
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
pub enum ProposalAction<Balance> {
	/// Make this registered, inactive version the active one (if enough miners serve it).
	Upgrade(VersionIndex),
	/// Set the model's access policy.
	SetAccessPolicy(AccessPolicy<Balance>),
}

/// An open proposal on `model`: an upgrade or an access policy.
#[derive(
	Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug,
)]
pub struct Proposal<AccountId, Balance, BlockNumber> {
	/// The model.
	pub model: ModelId,
	/// What the proposal does if it passes.
	pub action: ProposalAction<Balance>,
	/// Who proposed it and holds the deposit.
	pub proposer: AccountId,
	/// Held from the proposer until the proposal is closed or cancelled.
	pub deposit: Balance,
	/// Votes are accepted before this block; from it on the proposal can be closed.
	pub end: BlockNumber,
	/// The model's voting parameters when the proposal was made (later changes do not apply).
	pub params: VotingParams<BlockNumber>,
	/// Shares voted aye.
	pub ayes: Balance,
	/// Shares voted nay.
	pub nays: Balance,
	/// Accounts that voted.
	pub voters: u32,
}

/// The vote of one account on one proposal.
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
pub struct AccountVote<Balance> {
	/// Aye or nay.
	pub choice: VoteChoice,
	/// Shares voted (and locked until the proposal closes).
	pub shares: Balance,
}

/// How a closed proposal ended.
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
pub enum Outcome {
	/// Approved: the version is now the model's active version.
	Enacted,
	/// Too few shares voted.
	TurnoutNotMet,
	/// Enough shares voted, but not enough of them aye.
	Rejected,
	/// Approved, but it could not be enacted (the model was retired, the version became active
	/// another way meanwhile, or the policy is no longer valid).
	EnactmentFailed,
	/// Approved, but fewer miners serve the version than the model's redundancy: activating it
	/// would stop the model's jobs. Holders propose again once miners serve it.
	NotServed,
}

impl Outcome {
	/// Whether the proposer loses the deposit: the holders turned the proposal down, or too
	/// few of them cared to vote. Proposal spam costs the spammer.
	pub fn forfeits_deposit(&self) -> bool {
		matches!(self, Outcome::TurnoutNotMet | Outcome::Rejected)
	}
}

impl<BlockNumber> VotingParams<BlockNumber> {
	/// The outcome of `ayes` and `nays` out of `supply` shares, before enactment.
	pub fn tally<Balance>(&self, ayes: Balance, nays: Balance, supply: Balance) -> Outcome
	where
		Balance: sp_runtime::traits::AtLeast32BitUnsigned + Copy,
	{
		let voted = ayes.saturating_add(nays);
		if voted.is_zero() || voted < self.min_turnout.mul_ceil(supply) {
			return Outcome::TurnoutNotMet;
		}
		// `ayes > threshold * voted` exactly: for whole `ayes`, comparing with the rounded-down
		// product is the same test.
		if ayes > self.approval_threshold.mul_floor(voted) {
			Outcome::Enacted
		} else {
			Outcome::Rejected
		}
	}
}
