//! # ModelChain primitives
//!
//! The ids, basic types and cross-pallet traits shared by the runtime, the node and the pallets.
//! Pallets never reach into each other's storage: they talk through the traits defined here, and
//! the runtime wires the implementations together.

#![cfg_attr(not(feature = "std"), no_std)]

pub mod payout;

use sp_runtime::{
	traits::{IdentifyAccount, Verify},
	MultiSignature,
};

/// An index to a block.
pub type BlockNumber = u32;

/// Signature type used by accounts: sr25519, ed25519 or ecdsa.
pub type Signature = MultiSignature;

/// An account on the chain: the public key of its signing scheme.
pub type AccountId = <<Signature as Verify>::Signer as IdentifyAccount>::AccountId;

/// Balance of an account, in the smallest unit of the native token (12 decimals).
pub type Balance = u128;

/// Index of a transaction of an account.
pub type Nonce = u32;

/// A hash of some data used by the chain.
pub type Hash = sp_core::H256;

/// Identifier of a registered model.
pub type ModelId = u32;

/// Index of a version in a model's append-only version history.
pub type VersionIndex = u32;

/// One version of one model: what a worker serves and what a job runs.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	PartialOrd,
	Ord,
	codec::Encode,
	codec::Decode,
	codec::DecodeWithMemTracking,
	codec::MaxEncodedLen,
	scale_info::TypeInfo,
	Debug,
)]
pub struct ModelVersionRef {
	/// The model.
	pub model: ModelId,
	/// The version of that model.
	pub version: VersionIndex,
}

/// What the model registry tells other pallets about model versions.
pub trait ModelVersionInspect {
	/// Whether `version` is a registered version of a model that is not retired.
	fn version_exists(version: &ModelVersionRef) -> bool;
}

/// Accepts every version: for runtimes and tests without a model registry.
impl ModelVersionInspect for () {
	fn version_exists(_version: &ModelVersionRef) -> bool {
		true
	}
}

/// The role a compute worker registers for.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	codec::Encode,
	codec::Decode,
	codec::DecodeWithMemTracking,
	codec::MaxEncodedLen,
	scale_info::TypeInfo,
	Debug,
)]
pub enum WorkerRole {
	/// Runs inference jobs, commits and reveals results.
	Miner,
	// Checking miners is the validators' work (their off-chain workers re-execute jobs through
	// verifier endpoints and submit verdicts): the staked `Verifier` role, whose bond secured
	// nothing, was removed (L-10; compute staking's v2 migration released its workers).
}

/// Why a worker is slashed.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	codec::Encode,
	codec::Decode,
	codec::DecodeWithMemTracking,
	codec::MaxEncodedLen,
	scale_info::TypeInfo,
	Debug,
)]
pub enum SlashReason {
	/// Revealed an output against the winning one (or against a verifier's verdict).
	WrongResult,
	/// Committed a result and did not reveal it in time.
	MissedReveal,
	/// Any other fault proven on chain (e.g. by governance).
	Other,
}

/// What the inference pallet needs from compute staking: who may serve a version, and
/// punishment and reward of workers.
pub trait ComputeStakingInterface<AccountId, Balance> {
	/// Up to `max` workers of `role` that may get jobs for `version` now (registered, bonded at
	/// least the minimum, not chilled, not jailed), with their active stake.
	fn eligible_workers(
		version: &ModelVersionRef,
		role: WorkerRole,
		max: u32,
	) -> sp_runtime::Vec<(AccountId, Balance)>;

	/// The active stake of `miner` if it may take work for `version` now (a registered miner
	/// serving it, bonded at least the minimum, not chilled, not jailed).
	fn serving_stake(miner: &AccountId, version: &ModelVersionRef) -> Option<Balance>;

	/// Slashes `fraction` of the worker's whole stake (active and unbonding) to the treasury,
	/// jails it, and returns the amount slashed (zero for an unknown worker).
	fn slash(worker: &AccountId, fraction: sp_runtime::Perbill, reason: SlashReason) -> Balance;

	/// The part of a stake that governance set to be slashed for `reason`.
	fn slash_fraction(reason: SlashReason) -> sp_runtime::Perbill;

	/// The HTTP endpoint a registered worker announced (e.g. `http://10.0.0.5:7070`).
	fn endpoint(worker: &AccountId) -> Option<sp_runtime::Vec<u8>>;

	/// Jails the worker for the jail period: it gets no jobs meanwhile.
	fn jail(worker: &AccountId);

	/// Adds reputation points to a worker that served a job well (which also ends a run of
	/// missed jobs).
	fn reward_reputation(worker: &AccountId, points: u32);

	/// Notes that an assigned worker let a job's commit phase pass without committing: it
	/// loses a reputation point, and after the configured number of missed jobs in a row it
	/// is jailed (no jobs for the jail period).
	fn note_missed_job(worker: &AccountId);

	/// Blocks between an unbonding request and the stake's release: the longest a job may
	/// last, so that a faulty miner cannot withdraw before its job is settled.
	fn unbonding_period() -> u32;
}

/// Lifecycle of a model.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	codec::Encode,
	codec::Decode,
	codec::DecodeWithMemTracking,
	codec::MaxEncodedLen,
	scale_info::TypeInfo,
	Debug,
)]
pub enum ModelStatus {
	/// Serves inference requests.
	Active,
	/// Temporarily serves no requests.
	Paused,
	/// Permanently retired: serves nothing, its provenance stays queryable.
	Retired,
}

/// What the inference and shares pallets need to know about a model's active version and its
/// economics.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ServingInfo<AccountId, Balance> {
	/// The model's creator (its owner), who receives the royalty.
	pub creator: AccountId,
	/// The version that serves requests.
	pub version: ModelVersionRef,
	/// Price of one inference.
	pub price: Balance,
	/// Decimals to which outputs are rounded before comparison.
	pub output_precision: u8,
	/// Part of each fee paid to the creator.
	pub creator_royalty: sp_runtime::Perbill,
	/// Part of each fee split among the agreeing miners.
	pub miners_share: sp_runtime::Perbill,
	/// Number of miners assigned to each job.
	pub redundancy: u8,
}

/// What the model registry offers other pallets (shares, governance, inference).
pub trait ModelRegistryInterface<AccountId, Balance> {
	/// The owner of `model`, if it exists.
	fn owner(model: ModelId) -> Option<AccountId>;
	/// The name and symbol of `model`, used as its share asset's metadata.
	fn name_and_symbol(model: ModelId) -> Option<(sp_runtime::Vec<u8>, sp_runtime::Vec<u8>)>;
	/// Whether `model` is active (not paused or retired).
	fn is_active(model: ModelId) -> bool;
	/// Serving information of an active model.
	fn serving_info(model: ModelId) -> Option<ServingInfo<AccountId, Balance>>;
	/// Whether `version` exists and is not the active version (a candidate for an upgrade).
	fn is_inactive_version(version: &ModelVersionRef) -> bool;
	/// Records that `model`'s shares were issued: from then on only governance changes it.
	fn note_shares_issued(model: ModelId) -> sp_runtime::DispatchResult;
	/// Whether `model`'s shares have been issued.
	fn shares_issued(model: ModelId) -> bool;
	/// Makes `version` the active version (called by a passed share-holder vote).
	fn activate_version(version: &ModelVersionRef) -> sp_runtime::DispatchResult;

	/// Who controls a model, the one rule every pallet applies: its owner alone, until its
	/// shares are issued; from then on its share holders, by a vote (`modelGovernance`).
	/// Whether `who` may still decide for `model` alone.
	fn owner_decides(model: ModelId, who: &AccountId) -> bool
	where
		AccountId: PartialEq,
	{
		Self::owner(model).as_ref() == Some(who) && !Self::shares_issued(model)
	}
}

/// Where inference fees for a model's share holders go (implemented by the shares pallet).
pub trait RevenueSink<AccountId, Balance> {
	/// Moves `amount` from `from` to the holders of `model`'s shares, pro rata, in O(1).
	/// Fails if the model has no shares (nothing moves then).
	fn deposit_revenue(
		model: ModelId,
		from: &AccountId,
		amount: Balance,
	) -> sp_runtime::DispatchResult;

	/// The account that keeps undistributed revenue. Funds a caller moves here itself (e.g.
	/// straight out of a hold) must be recorded with [`Self::note_revenue`] in the same
	/// transaction.
	fn revenue_account() -> AccountId;

	/// Records `amount`, already moved into [`Self::revenue_account`], as revenue of `model`'s
	/// holders, pro rata, in O(1). Fails if the model has no shares; the caller must then undo
	/// the move (run both in one storage layer).
	fn note_revenue(model: ModelId, amount: Balance) -> sp_runtime::DispatchResult;
}

/// Who may request inference of a model.
#[derive(
	codec::Encode,
	codec::Decode,
	codec::DecodeWithMemTracking,
	codec::MaxEncodedLen,
	scale_info::TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Default,
	Debug,
)]
pub enum AccessPolicy<Balance> {
	/// Anyone (the default).
	#[default]
	Open,
	/// Accounts holding at least `min_shares` of the model's shares in their own account.
	HoldersOnly {
		/// Fewest shares a requester must hold.
		min_shares: Balance,
	},
	/// Accounts holding a usable licence of the model; each request uses one of its queries
	/// (if it counts them).
	Licensed,
}

/// What share-holder governance needs from the access pallet: to check and to enact the
/// holders' decision on a model's access policy (after its shares are issued, the only way the
/// policy changes).
pub trait AccessPolicyAdmin<Balance> {
	/// Whether `policy` may be proposed for `model` now (the model exists and has shares; a
	/// `HoldersOnly` minimum is between one share and the supply).
	fn check_policy(model: ModelId, policy: &AccessPolicy<Balance>) -> sp_runtime::DispatchResult;
	/// Sets `model`'s policy, as its holders decided.
	fn enact_policy(model: ModelId, policy: AccessPolicy<Balance>) -> sp_runtime::DispatchResult;
}

/// Whether a version has miners to serve it (implemented by compute staking): governance does
/// not enact a version that too few miners serve.
pub trait ServingMiners {
	/// How many miners may be assigned jobs of `version` now, counting up to `at_least`.
	fn serving_miners(version: &ModelVersionRef, at_least: u32) -> u32;
}

/// Identifier of a lock on shares: the id of the governance proposal the shares voted on.
pub type ShareLockId = u32;

/// What share-holder governance needs from the shares pallet: voting power and vote locks.
///
/// A lock keeps `amount` of an account's shares of one model from leaving its account
/// (transfers, sell orders) while it binds; the shares still earn revenue. Locks of one account
/// overlap: the binding amount is the largest binding lock, as with democracy's vote locks.
pub trait ShareVoting<AccountId, Balance> {
	/// The number of shares of `model`, if they were issued.
	fn supply(model: ModelId) -> Option<Balance>;
	/// Shares of `model` in `who`'s own account, locked or not (escrowed shares are not).
	fn balance(model: ModelId, who: &AccountId) -> Balance;
	/// Locks `amount` of `who`'s shares of `model` under `lock`, replacing what that lock held.
	/// Fails if `amount` exceeds [`Self::balance`] or `who` has too many binding locks.
	fn set_lock(
		model: ModelId,
		who: &AccountId,
		lock: ShareLockId,
		amount: Balance,
	) -> sp_runtime::DispatchResult;
	/// Removes `lock` from `who`'s shares of `model` (nothing happens if there is none).
	fn remove_lock(model: ModelId, who: &AccountId, lock: ShareLockId);
}

/// Tells the shares pallet whether a lock still binds (implemented by governance: while its
/// proposal is open). A lock that no longer binds frees its shares at once, even before it is
/// removed from storage.
pub trait ShareLockStatus {
	/// Whether `lock` still keeps shares in place.
	fn is_binding(lock: ShareLockId) -> bool;
}

/// Every lock binds until it is removed: for runtimes and tests without governance.
impl ShareLockStatus for () {
	fn is_binding(_lock: ShareLockId) -> bool {
		true
	}
}

/// Randomness that neither a transaction's sender nor a block's author could choose, set in
/// the current block (implemented by the slot-randomness pallet: the slot author's VRF output).
/// Draws for something fixed in an earlier block (e.g. a request's miners) use it, so that
/// whoever fixed that thing could not yet know the randomness.
pub trait FreshRandomness {
	/// This block's randomness, once its inherent is applied; `None` before that and in a
	/// block without one.
	fn fresh_randomness() -> Option<[u8; 32]>;
}

/// Identifier of an inference job.
pub type JobId = u64;

/// Identifier of a licence bought to use a model.
pub type LicenceId = u64;

/// How the validators' verification of a claimed output ended (see [`OutputChecks`]).
#[derive(Clone, Copy, PartialEq, Eq, codec::Encode, codec::Decode, scale_info::TypeInfo, Debug)]
pub enum CheckOutcome {
	/// A strict majority of the validators computed the claimed output.
	Confirmed,
	/// A strict majority of the validators computed another output: the claim was false.
	Overturned,
	/// No strict majority agreed before the window ended: nobody is punished.
	Undecided,
}

/// Why a check is opened, which decides what bounds it (see [`OutputChecks::open_check`]).
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	codec::Encode,
	codec::Decode,
	codec::MaxEncodedLen,
	scale_info::TypeInfo,
	Debug,
)]
pub enum CheckReason {
	/// Anyone holding a receipt challenged it (with a deposit): challenges' checks are bounded
	/// by the checking pallet, and refused while that many are open.
	Challenge,
	/// The chain drew the receipt for an audit and its miner revealed it: never refused for
	/// lack of room (a miner must always be able to answer an audit), bounded by the audits
	/// themselves (one check per audit).
	Audit,
}

/// Verification of outputs computed off chain (a paid query's answer that is audited or
/// challenged) by the validators, with the same verifiers, verdicts and k-of-n rule as jobs
/// (implemented by the inference pallet).
pub trait OutputChecks<AccountId> {
	/// Asks the validators whether `version` maps `input` to `claimed`, opened by `opener`
	/// for `reason`. Checks do not count against the chain's or the opener's unfinished
	/// jobs: a chain full of jobs still verifies paid queries. Returns the check's job id; its
	/// outcome is reported to the runtime's [`CheckObserver`] once decided. (Its weight is
	/// part of the benchmarked weight of the call that opens it.)
	fn open_check(
		opener: &AccountId,
		version: &ModelVersionRef,
		input: sp_runtime::Vec<u8>,
		claimed: sp_runtime::Vec<i64>,
		reason: CheckReason,
	) -> Result<JobId, sp_runtime::DispatchError>;
}

/// Told how each check ended (implemented by the query-channels pallet).
pub trait CheckObserver {
	/// `check` ended with `outcome`.
	fn check_decided(check: JobId, outcome: CheckOutcome);

	/// The most `check_decided` may weigh.
	fn check_decided_weight() -> frame_support::weights::Weight;
}

impl CheckObserver for () {
	fn check_decided(_: JobId, _: CheckOutcome) {}

	fn check_decided_weight() -> frame_support::weights::Weight {
		frame_support::weights::Weight::zero()
	}
}

/// Who may request inference of a model: checked and recorded for every request (implemented by
/// the access pallet).
pub trait AccessControl<AccountId> {
	/// Checks that `who` may request job `job` of `version` now and records the access: consumes
	/// one query of `who`'s licence if the model is licensed, appends the access to the model's
	/// audit trail and emits its event. Returns the licence used, if any. Fails, changing
	/// nothing, if `who` may not; the caller must run it in the request's transaction so that a
	/// later failure of the request undoes it.
	fn use_access(
		who: &AccountId,
		version: &ModelVersionRef,
		job: JobId,
	) -> Result<Option<LicenceId>, sp_runtime::DispatchError>;

	/// Checks, changing nothing, that `who` may use `model` now: the error `use_access` would
	/// fail with, if any.
	fn may_use(who: &AccountId, model: ModelId) -> sp_runtime::DispatchResult;

	/// Counts `queries` queries that `who` made of `model` off chain, already served and paid
	/// (a query channel's claim), against `who`'s licence: if the model is licensed and `who`
	/// (not its owner) holds a licence that counts queries, up to what is left is taken (the
	/// licence ends when none is left). Never fails. Returns the licence and how many
	/// queries it took, `None` when no licence applies.
	fn use_queries(who: &AccountId, model: ModelId, queries: u64) -> Option<(LicenceId, u32)>;

	/// The most `use_queries` may weigh.
	fn use_queries_weight() -> frame_support::weights::Weight;
}

/// Everybody may use every model, and nothing is recorded: for runtimes and tests without
/// access control.
impl<AccountId> AccessControl<AccountId> for () {
	fn use_access(
		_who: &AccountId,
		_version: &ModelVersionRef,
		_job: JobId,
	) -> Result<Option<LicenceId>, sp_runtime::DispatchError> {
		Ok(None)
	}

	fn may_use(_who: &AccountId, _model: ModelId) -> sp_runtime::DispatchResult {
		Ok(())
	}

	fn use_queries(_who: &AccountId, _model: ModelId, _queries: u64) -> Option<(LicenceId, u32)> {
		None
	}

	fn use_queries_weight() -> frame_support::weights::Weight {
		frame_support::weights::Weight::zero()
	}
}

/// How a fee is split: the protocol fee, the creator's royalty, the miners' part and what is left
/// for the share holders. The parts add up to the fee exactly.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Default,
	codec::Encode,
	codec::Decode,
	codec::DecodeWithMemTracking,
	codec::MaxEncodedLen,
	scale_info::TypeInfo,
	Debug,
)]
pub struct FeeSplit {
	/// The whole fee.
	pub fee: Balance,
	/// To the treasury (the protocol fee).
	pub treasury: Balance,
	/// To the model's creator (its royalty).
	pub creator: Balance,
	/// To each agreeing miner.
	pub per_miner: Balance,
	/// To all the miners together (`per_miner` times their number).
	pub miners: Balance,
	/// To the share holders (to the creator when no shares were issued): the rest, including
	/// the remainder of the miners' part that does not divide evenly.
	pub holders: Balance,
}

impl FeeSplit {
	/// Splits `fee` among the treasury (`protocol_fee`), the creator (`creator_royalty`, never
	/// more than what the treasury left), `miners` miners (`miners_share`, in equal parts) and
	/// the holders (the rest). With no miners (e.g. a licence sale) the miners' part goes to the
	/// holders.
	pub fn new(
		fee: Balance,
		protocol_fee: sp_runtime::Perbill,
		creator_royalty: sp_runtime::Perbill,
		miners_share: sp_runtime::Perbill,
		miners: u32,
	) -> Self {
		let treasury = protocol_fee.mul_floor(fee);
		let after_treasury = fee.saturating_sub(treasury);
		let creator = creator_royalty.mul_floor(fee).min(after_treasury);
		let after_creator = after_treasury.saturating_sub(creator);
		let miners_pot = miners_share.mul_floor(fee).min(after_creator);
		let per_miner = miners_pot.checked_div(Balance::from(miners)).unwrap_or_default();
		let miners_total = per_miner.saturating_mul(Balance::from(miners));
		let holders = after_creator.saturating_sub(miners_total);
		Self { fee, treasury, creator, per_miner, miners: miners_total, holders }
	}
}

/// A job and its result, as the inference runtime API returns them.
#[derive(Clone, PartialEq, Eq, codec::Encode, codec::Decode, scale_info::TypeInfo, Debug)]
pub struct JobStatus<Job, Output> {
	/// The job's record: requester, version, phase and deadline, fee terms, miners and how far
	/// each got.
	pub job: Job,
	/// The agreed output, once a strict majority revealed it.
	pub result: Option<Output>,
}

/// A page of a model's access history, as the access runtime API returns it.
#[derive(Clone, PartialEq, Eq, codec::Encode, codec::Decode, scale_info::TypeInfo, Debug)]
pub struct AccessPage<Record> {
	/// Accesses by sequence number, oldest first.
	pub accesses: sp_runtime::Vec<(u64, Record)>,
	/// The oldest sequence number still kept on chain (older accesses are only in events).
	pub first_kept: u64,
	/// The sequence number the next access will get (the number of accesses ever recorded).
	pub next: u64,
	/// Where the following page starts, if there is one.
	pub next_page: Option<u64>,
}

sp_api::decl_runtime_apis! {
	/// Revenue of model share holders.
	pub trait ModelSharesApi<AccountId> where AccountId: codec::Codec {
		/// Revenue `who` can claim from `model` now (`modelShares.claim`).
		fn pending_revenue(model: ModelId, who: AccountId) -> Balance;
	}

	/// Inference for clients: what a request costs and how its fee is split, a job's status and
	/// result, and the miners a request could be assigned to.
	pub trait InferenceApi<AccountId, Job, Output> where
		AccountId: codec::Codec,
		Job: codec::Codec,
		Output: codec::Codec,
	{
		/// The fee of one request of `model` now (its active version's price) and how it would be
		/// split when the model's redundancy of miners agree. `None` when a request of `model`
		/// would be refused now whoever sends it: the model is not serving, fewer miners are
		/// eligible than its redundancy, or the chain holds its maximum of active jobs. A quoted
		/// request can still be refused for the requester's own reasons (access policy, its cap
		/// of active jobs, its balance).
		fn quote_fee(model: ModelId) -> Option<FeeSplit>;
		/// A job's record and result, until the job is pruned.
		fn job_status(job: JobId) -> Option<JobStatus<Job, Output>>;
		/// The miners that could be assigned a request of `model` now, with their stake (at most
		/// the number a request considers).
		fn eligible_workers(model: ModelId) -> sp_runtime::Vec<(AccountId, Balance)>;
	}

	/// Query channels for requesters and miners: a channel's state and the exact bytes a
	/// requester signs for a voucher.
	pub trait QueryChannelsApi<Channel, Voucher> where
		Channel: codec::Codec,
		Voucher: codec::Codec,
	{
		/// An open channel's record (parties, version, terms, escrow, what was claimed, expiry).
		fn channel(channel: u64) -> Option<Channel>;
		/// What the requester signs for `voucher` on this chain:
		/// `SCALE(b"modelchain/voucher", genesis_hash, voucher)`.
		fn voucher_message(voucher: Voucher) -> sp_runtime::Vec<u8>;
	}

	/// The chain's slot randomness, for the block author's node: what its VRF signs next.
	pub trait SlotRandomnessApi {
		/// The latest randomness (the input of the next block's VRF signature, with its slot).
		fn randomness() -> [u8; 32];
	}

	/// Access to models: policies, licences and the audit trail.
	pub trait ModelAccessApi<AccountId, Policy, Licence, Record> where
		AccountId: codec::Codec,
		Policy: codec::Codec,
		Licence: codec::Codec,
		Record: codec::Codec,
	{
		/// `model`'s access policy.
		fn access_policy(model: ModelId) -> Policy;
		/// `who`'s licence for `model`, if it holds one, and whether it can be used now.
		fn licence_status(model: ModelId, who: AccountId) -> Option<(Licence, bool)>;
		/// Whether `who` may request inference of `model` now, and with which licence; the error
		/// a request would fail with otherwise. Changes nothing.
		fn check_access(model: ModelId, who: AccountId) -> Result<Option<LicenceId>, sp_runtime::DispatchError>;
		/// Up to `max` (at most 100) of `model`'s recorded accesses from sequence number
		/// `start` on.
		fn access_history(model: ModelId, start: u64, max: u32) -> AccessPage<Record>;
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use proptest::prelude::*;
	use sp_runtime::Perbill;

	fn perbill() -> impl Strategy<Value = Perbill> {
		prop_oneof![
			Just(Perbill::zero()),
			Just(Perbill::one()),
			(0u32..=1_000_000_000).prop_map(Perbill::from_parts),
		]
	}

	proptest! {
		#![proptest_config(ProptestConfig::with_cases(2_000))]

		/// Whatever the fee, the percentages and the number of miners: the parts add up to the
		/// fee exactly (nothing counted twice, nothing lost), the miners get equal parts, and
		/// no part exceeds its percentage of the fee.
		#[test]
		fn fee_split_parts_add_up_to_the_fee_exactly(
			fee in prop_oneof![0u128..10_000, any::<u128>()],
			protocol_fee in perbill(),
			royalty in perbill(),
			miners_share in perbill(),
			miners in 0u32..=16,
		) {
			let split = FeeSplit::new(fee, protocol_fee, royalty, miners_share, miners);
			prop_assert_eq!(split.fee, fee);
			prop_assert_eq!(
				split.treasury.checked_add(split.creator)
					.and_then(|sum| sum.checked_add(split.miners))
					.and_then(|sum| sum.checked_add(split.holders)),
				Some(fee)
			);
			prop_assert_eq!(split.miners, split.per_miner * Balance::from(miners));
			prop_assert!(split.treasury <= protocol_fee.mul_floor(fee));
			prop_assert!(split.creator <= royalty.mul_floor(fee));
			prop_assert!(split.miners <= miners_share.mul_floor(fee));
			if miners == 0 {
				prop_assert_eq!(split.miners, 0);
			}
		}
	}
}
