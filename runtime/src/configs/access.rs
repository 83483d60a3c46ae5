//! Access to models (`pallet-model-access`): access policies, licences sold by model owners and
//! the audit trail of every inference request.

use frame_support::{parameter_types, traits::ConstU32};

use crate::{
	configs::{governance::TreasuryAccount, inference::InferenceProtocolFee},
	units::deposit,
	Balance, Balances, ModelRegistry, ModelShares, Runtime, RuntimeHoldReason,
};

parameter_types! {
	/// Held for each licence offer (terms, depositor, count: ~90 bytes).
	pub const LicenceOfferDeposit: Balance = deposit(2, 96);
	/// Held for each licence (record and holder index: ~170 bytes).
	pub const LicenceDeposit: Balance = deposit(2, 176);
	/// The last 24 accesses of each model stay on chain; older ones are in the events. The
	/// model's deposit pays for the full window (24 records of ~120 bytes: 7.7 MDL of its 10;
	/// `runtime/tests/storage_deposits.rs`), so a request stores nothing unpaid (L-14).
	pub const AccessLogLength: u32 = 24;
}

impl pallet_model_access::Config for Runtime {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Registry = ModelRegistry;
	type Shares = ModelShares;
	type Revenue = ModelShares;
	type Treasury = TreasuryAccount;
	type ProtocolFee = InferenceProtocolFee;
	type OfferDeposit = LicenceOfferDeposit;
	type LicenceDeposit = LicenceDeposit;
	type MaxOffersPerModel = ConstU32<16>;
	/// Up to 64 licences expire per block (a purchase looks 16 blocks on for room).
	type MaxExpiriesPerBlock = ConstU32<64>;
	type AccessLogLength = AccessLogLength;
	type WeightInfo = pallet_model_access::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = AccessBenchmarkHelper;
}

/// Registers a model with issued shares for the access benchmarks.
#[cfg(feature = "runtime-benchmarks")]
pub struct AccessBenchmarkHelper;
#[cfg(feature = "runtime-benchmarks")]
impl pallet_model_access::BenchmarkHelper<crate::AccountId> for AccessBenchmarkHelper {
	fn model_with_shares(owner: &crate::AccountId) -> modelchain_primitives::ModelId {
		use pallet_model_shares::BenchmarkHelper;
		let model = crate::configs::models::SharesBenchmarkHelper::register_model(owner);
		let _ = ModelShares::issue_shares(
			crate::RuntimeOrigin::signed(owner.clone()),
			model,
			1_000_000,
		);
		model
	}

	fn model_without_shares(owner: &crate::AccountId) -> modelchain_primitives::ModelId {
		use pallet_model_shares::BenchmarkHelper;
		crate::configs::models::SharesBenchmarkHelper::register_model(owner)
	}
}
