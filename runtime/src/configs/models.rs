//! Models: the registry of models and their versions (`pallet-model-registry`).

use frame_support::{parameter_types, traits::ConstU32};
use sp_runtime::Perbill;

use crate::{
	units::{deposit, UNIT},
	AccountId, Balance, Balances, Runtime, RuntimeHoldReason,
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
