//! Models: the registry of models and their versions (`pallet-model-registry`), their
//! fractional shares with revenue distribution (`pallet-model-shares`) and the share holders'
//! votes on their upgrades (`pallet-model-governance`).

use frame_support::{parameter_types, traits::ConstU32, PalletId};
use sp_runtime::Perbill;

use crate::{
	configs::assets::ShareAssetId,
	units::{deposit, HOURS, MINUTES, UNIT},
	AccountId, Balance, Balances, BlockNumber, Runtime, RuntimeHoldReason,
};

parameter_types! {
	/// Held for a model's record (name, symbol, URI, economics).
	pub const ModelDeposit: Balance = 10 * UNIT;
	/// Held for each version (hashes, URI, tags).
	pub const VersionDeposit: Balance = deposit(1, 512);
	/// A creator takes at most 20% of each fee.
	pub const MaxCreatorRoyalty: Perbill = Perbill::from_percent(20);
	/// Royalty plus miners' share leave at least 10% for the protocol fee and the holders.
	pub const MaxRoyaltyPlusMiners: Perbill = Perbill::from_percent(90);
}

impl pallet_model_registry::Config for Runtime {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type ForceOrigin = frame_system::EnsureRoot<AccountId>;
	type ModelDeposit = ModelDeposit;
	type VersionDeposit = VersionDeposit;
	type MaxCreatorRoyalty = MaxCreatorRoyalty;
	type MaxRoyaltyPlusMiners = MaxRoyaltyPlusMiners;
	type MaxNameLen = ConstU32<64>;
	type MaxSymbolLen = ConstU32<12>;
	type MaxUriLen = ConstU32<256>;
	type MaxTagLen = ConstU32<64>;
	type MaxVersions = ConstU32<64>;
	type WeightInfo = pallet_model_registry::weights::SubstrateWeight<Runtime>;
}

parameter_types! {
	pub const SharesPalletId: PalletId = PalletId(*b"mc/share");
	/// At least 1,000 shares: keeps the revenue accumulator precise.
	pub const MinShareSupply: Balance = 1_000;
	/// A trillion shares: a one-planck deposit still credits every share (L-6).
	pub const MaxShareSupply: Balance = pallet_model_shares::ACC_PRECISION;
	/// Held for each open sell order.
	pub const OrderDeposit: Balance = deposit(1, 96);
	/// Held from whoever opens a holding (a transfer or purchase to an account without the
	/// model's shares): the share account, the revenue record and the deposit's record, three
	/// items of 448 bytes with their keys (`runtime/tests/storage_deposits.rs`).
	pub const HoldingDeposit: Balance = deposit(3, 448);
}

impl pallet_model_shares::Config for Runtime {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Assets = crate::ShareAssets;
	type Registry = crate::ModelRegistry;
	type ShareAssetId = ShareAssetId;
	type PalletId = SharesPalletId;
	type MinSupply = MinShareSupply;
	type MaxSupply = MaxShareSupply;
	type OrderDeposit = OrderDeposit;
	type HoldingDeposit = HoldingDeposit;
	type MaxOrdersPerAccount = ConstU32<32>;
	type LockStatus = crate::ModelGovernance;
	type MaxLocks = MaxOpenModelProposals;
	type WeightInfo = pallet_model_shares::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = SharesBenchmarkHelper;
}

parameter_types! {
	/// Held from the proposer of a model upgrade until the proposal closes.
	pub const ProposalDeposit: Balance = 10 * UNIT;
	/// Open upgrade proposals per model; also the vote locks a holder can have per model.
	pub const MaxOpenModelProposals: u32 = 8;
	/// Voting parameters of models that set none: votes for 3 days, at least 20% of the shares
	/// vote, more than half of them aye.
	pub const DefaultModelVotingParams: pallet_model_governance::VotingParams<BlockNumber> =
		pallet_model_governance::VotingParams {
			voting_period: 72 * HOURS,
			min_turnout: Perbill::from_percent(20),
			approval_threshold: Perbill::from_percent(50),
		};
	/// A model may vote for as little as 1 minute (e.g. on a dev chain) and at most 30 days.
	pub const MinModelVotingPeriod: BlockNumber = MINUTES;
	/// An owner setting its model's rules before issuing shares gives holders at least a day
	/// to vote (a referendum may choose down to `MinModelVotingPeriod`).
	pub const MinOwnerModelVotingPeriod: BlockNumber = 24 * HOURS;
	/// No model's proposal passes with fewer than 10% of its shares voting.
	pub const MinModelTurnout: Perbill = Perbill::from_percent(10);
	pub const MaxModelVotingPeriod: BlockNumber = 720 * HOURS;
}

impl pallet_model_governance::Config for Runtime {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Registry = crate::ModelRegistry;
	type Shares = crate::ModelShares;
	type Access = crate::ModelAccess;
	type Serving = crate::ComputeStaking;
	type Treasury = crate::configs::governance::TreasuryAccount;
	type MinTurnout = MinModelTurnout;
	type MinOwnerVotingPeriod = MinOwnerModelVotingPeriod;
	type ParamsOrigin = frame_system::EnsureRoot<AccountId>;
	type ProposalDeposit = ProposalDeposit;
	type MaxOpenProposals = MaxOpenModelProposals;
	type DefaultVotingParams = DefaultModelVotingParams;
	type MinVotingPeriod = MinModelVotingPeriod;
	type MaxVotingPeriod = MaxModelVotingPeriod;
	type MaxVotesReapedPerBlock = ConstU32<500>;
	type WeightInfo = pallet_model_governance::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = GovernanceBenchmarkHelper;
}

/// Registers a model with candidate versions and issues its shares for the governance
/// benchmarks.
#[cfg(feature = "runtime-benchmarks")]
pub struct GovernanceBenchmarkHelper;
#[cfg(feature = "runtime-benchmarks")]
impl pallet_model_governance::BenchmarkHelper<AccountId> for GovernanceBenchmarkHelper {
	fn model_with_candidates(owner: &AccountId, candidates: u32) -> modelchain_primitives::ModelId {
		use pallet_model_shares::BenchmarkHelper;
		let model = SharesBenchmarkHelper::register_model(owner);
		for index in 0..candidates {
			let mut version = benchmark_version();
			version.weights_hash = [index.saturating_add(10) as u8; 32];
			let _ = crate::ModelRegistry::add_version(
				crate::RuntimeOrigin::signed(owner.clone()),
				model,
				version,
			);
		}
		let _ = crate::ModelShares::issue_shares(
			crate::RuntimeOrigin::signed(owner.clone()),
			model,
			1_000_000,
		);
		model
	}

	fn serve(version: modelchain_primitives::ModelVersionRef, miners: u32) {
		use crate::{units::UNIT, Balances, ComputeStaking, RuntimeOrigin};
		use frame_support::traits::fungible::Mutate;
		for index in 0..miners {
			let miner: AccountId =
				frame_benchmarking::account("serving-miner", index, version.model);
			let _ = Balances::mint_into(&miner, 100_000 * UNIT);
			let _ = ComputeStaking::register_worker(
				RuntimeOrigin::signed(miner.clone()),
				modelchain_primitives::WorkerRole::Miner,
				b"http://127.0.0.1:7070".to_vec(),
				b"cpu".to_vec(),
				alloc::vec![version],
			);
			let _ = ComputeStaking::bond(RuntimeOrigin::signed(miner), 10_000 * UNIT);
		}
	}

	fn give_shares(
		model: modelchain_primitives::ModelId,
		from: &AccountId,
		to: &AccountId,
		amount: Balance,
	) {
		let _ = crate::ModelShares::transfer_shares(
			crate::RuntimeOrigin::signed(from.clone()),
			model,
			to.clone(),
			amount,
		);
	}
}

/// The version every runtime benchmark registers.
#[cfg(feature = "runtime-benchmarks")]
pub fn benchmark_version() -> pallet_model_registry::VersionInput<Balance> {
	pallet_model_registry::VersionInput {
		weights_hash: [1; 32],
		weights_uri: b"file://weights".to_vec(),
		format: pallet_model_registry::WeightsFormat::Safetensors,
		architecture: b"mlp".to_vec(),
		dataset_fingerprint: [2; 32],
		licence: b"Apache-2.0".to_vec(),
		output_precision: 4,
		price_per_inference: UNIT,
	}
}

/// Registers a benchmark model owned by `owner` (who must be able to pay the deposits) whose
/// jobs need `redundancy` miners.
#[cfg(feature = "runtime-benchmarks")]
pub fn register_benchmark_model(owner: &AccountId, redundancy: u8) -> sp_runtime::DispatchResult {
	crate::ModelRegistry::register_model(
		crate::RuntimeOrigin::signed(owner.clone()),
		b"Bench".to_vec(),
		b"BNCH".to_vec(),
		b"https://bench".to_vec(),
		benchmark_version(),
		pallet_model_registry::ModelEconomics {
			creator_royalty: Perbill::from_percent(5),
			miners_share: Perbill::from_percent(30),
			redundancy,
		},
	)
}

/// Registers a model through the registry for the shares benchmarks.
#[cfg(feature = "runtime-benchmarks")]
pub struct SharesBenchmarkHelper;
#[cfg(feature = "runtime-benchmarks")]
impl pallet_model_shares::BenchmarkHelper<AccountId> for SharesBenchmarkHelper {
	fn register_model(owner: &AccountId) -> modelchain_primitives::ModelId {
		use frame_support::traits::fungible::Mutate;
		let model = pallet_model_registry::NextModelId::<Runtime>::get();
		let _ = Balances::mint_into(owner, 1_000 * UNIT);
		let _ = register_benchmark_model(owner, 3);
		model
	}
}
