//! Chain-wide governance and its machinery: Sudo (dev/local chain specs only), Preimage,
//! Scheduler, Democracy and Treasury.
//!
//! Democracy's periods are `storage` parameters: they default to production values and can be
//! changed by root (`system.setStorage`, itself passed through a referendum or sudo) without a
//! runtime upgrade, e.g. shortened on a dev chain so that a referendum ends in minutes.

use frame_support::{
	parameter_types,
	traits::{
		fungible::HoldConsideration, tokens::UnityAssetBalanceConversion, ConstU32,
		EqualPrivilegeOnly, LinearStoragePrice,
	},
	weights::Weight,
	PalletId,
};
use frame_system::{EnsureRoot, EnsureRootWithSuccess, EnsureSigned};
use sp_runtime::{traits::IdentityLookup, Perbill, Permill};

use crate::{
	configs::RuntimeBlockWeights,
	units::{deposit, DAYS, UNIT},
	AccountId, Balance, Balances, BlockNumber, OriginCaller, Preimage, Runtime, RuntimeCall,
	RuntimeEvent, RuntimeHoldReason, RuntimeOrigin, Scheduler, System, Treasury,
};

impl pallet_sudo::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type WeightInfo = pallet_sudo::weights::SubstrateWeight<Runtime>;
}

parameter_types! {
	pub const PreimageBaseDeposit: Balance = deposit(2, 64);
	pub const PreimageByteDeposit: Balance = deposit(0, 1);
	pub const PreimageHoldReason: RuntimeHoldReason =
		RuntimeHoldReason::Preimage(pallet_preimage::HoldReason::Preimage);
}

impl pallet_preimage::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = pallet_preimage::weights::SubstrateWeight<Runtime>;
	type Currency = Balances;
	type ManagerOrigin = EnsureRoot<AccountId>;
	/// Noting a preimage holds a deposit proportional to its size.
	type Consideration = HoldConsideration<
		AccountId,
		Balances,
		PreimageHoldReason,
		LinearStoragePrice<PreimageBaseDeposit, PreimageByteDeposit, Balance>,
	>;
}

parameter_types! {
	pub MaximumSchedulerWeight: Weight =
		Perbill::from_percent(80) * RuntimeBlockWeights::get().max_block;
}

impl pallet_scheduler::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeOrigin = RuntimeOrigin;
	type PalletsOrigin = OriginCaller;
	type RuntimeCall = RuntimeCall;
	type MaximumWeight = MaximumSchedulerWeight;
	type ScheduleOrigin = EnsureRoot<AccountId>;
	type MaxScheduledPerBlock = ConstU32<50>;
	type WeightInfo = pallet_scheduler::weights::SubstrateWeight<Runtime>;
	type OriginPrivilegeCmp = EqualPrivilegeOnly;
	type Preimages = Preimage;
	type BlockNumberProvider = System;
}

parameter_types! {
	/// Blocks between a referendum passing and its enactment.
	pub storage DemocracyEnactmentPeriod: BlockNumber = 2 * DAYS;
	/// Blocks between new public referenda.
	pub storage DemocracyLaunchPeriod: BlockNumber = 7 * DAYS;
	/// Blocks a referendum is open for voting.
	pub storage DemocracyVotingPeriod: BlockNumber = 7 * DAYS;
	/// Blocks a winning vote stays locked per conviction step.
	pub storage DemocracyVoteLockingPeriod: BlockNumber = 7 * DAYS;
	/// Voting period of an emergency (fast-tracked) referendum.
	pub storage DemocracyFastTrackVotingPeriod: BlockNumber = 3 * 60 * 20;
	/// Blocks a vetoed proposal cannot be re-submitted.
	pub storage DemocracyCooloffPeriod: BlockNumber = 7 * DAYS;
	/// Smallest deposit that backs a public proposal.
	pub const DemocracyMinimumDeposit: Balance = 100 * UNIT;
}

impl pallet_democracy::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type EnactmentPeriod = DemocracyEnactmentPeriod;
	type LaunchPeriod = DemocracyLaunchPeriod;
	type VotingPeriod = DemocracyVotingPeriod;
	type VoteLockingPeriod = DemocracyVoteLockingPeriod;
	type FastTrackVotingPeriod = DemocracyFastTrackVotingPeriod;
	type MinimumDeposit = DemocracyMinimumDeposit;
	// ModelChain has no council: external proposals, fast-tracks and cancellations are root's
	// (sudo on dev/local chains, a passed referendum otherwise).
	type ExternalOrigin = EnsureRoot<AccountId>;
	type ExternalMajorityOrigin = EnsureRoot<AccountId>;
	type ExternalDefaultOrigin = EnsureRoot<AccountId>;
	type SubmitOrigin = EnsureSigned<AccountId>;
	type FastTrackOrigin = EnsureRoot<AccountId>;
	type InstantOrigin = EnsureRoot<AccountId>;
	type InstantAllowed = frame_support::traits::ConstBool<true>;
	type CancellationOrigin = EnsureRoot<AccountId>;
	type BlacklistOrigin = EnsureRoot<AccountId>;
	type CancelProposalOrigin = EnsureRoot<AccountId>;
	type VetoOrigin = frame_system::EnsureSignedBy<NoVetoers, AccountId>;
	type CooloffPeriod = DemocracyCooloffPeriod;
	type Slash = Treasury;
	type Scheduler = Scheduler;
	type PalletsOrigin = OriginCaller;
	type MaxVotes = ConstU32<100>;
	type MaxProposals = ConstU32<100>;
	type MaxDeposits = ConstU32<100>;
	type MaxBlacklisted = ConstU32<100>;
	type Preimages = Preimage;
	type WeightInfo = pallet_democracy::weights::SubstrateWeight<Runtime>;
}

/// Nobody may veto external proposals: ModelChain has no technical committee.
pub struct NoVetoers;
impl frame_support::traits::SortedMembers<AccountId> for NoVetoers {
	fn sorted_members() -> alloc::vec::Vec<AccountId> {
		alloc::vec::Vec::new()
	}
}

parameter_types! {
	pub const TreasuryPalletId: PalletId = PalletId(*b"mc/trsry");
	/// The treasury's account: receives transaction fees, protocol fees and slashes.
	pub TreasuryAccount: AccountId = Treasury::account_id();
	pub const SpendPeriod: BlockNumber = 7 * DAYS;
	pub const SpendPayoutPeriod: BlockNumber = 30 * DAYS;
	/// Nothing is burnt at the end of a spend period.
	pub const Burn: Permill = Permill::zero();
	pub const MaxTreasurySpend: Balance = Balance::MAX;
}

impl pallet_treasury::Config for Runtime {
	type Currency = Balances;
	type RejectOrigin = EnsureRoot<AccountId>;
	type RuntimeEvent = RuntimeEvent;
	type SpendPeriod = SpendPeriod;
	type Burn = Burn;
	type PalletId = TreasuryPalletId;
	type BurnDestination = ();
	type WeightInfo = pallet_treasury::weights::SubstrateWeight<Runtime>;
	type SpendFunds = ();
	type MaxApprovals = ConstU32<100>;
	type SpendOrigin = EnsureRootWithSuccess<AccountId, MaxTreasurySpend>;
	type AssetKind = ();
	type Beneficiary = AccountId;
	type BeneficiaryLookup = IdentityLookup<AccountId>;
	type Paymaster = frame_support::traits::tokens::PayFromAccount<Balances, TreasuryAccount>;
	type BalanceConverter = UnityAssetBalanceConversion;
	type PayoutPeriod = SpendPayoutPeriod;
	type BlockNumberProvider = System;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = ();
}
