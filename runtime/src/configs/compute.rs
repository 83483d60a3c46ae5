//! Compute: miners and verifiers stake here (`pallet-compute-staking`). The governance
//! parameters (minimum bonds, unbonding and jail periods, slash fractions) are in storage, set at
//! genesis by the chain spec and changed by root (`computeStaking.setParameters`).

use frame_support::{parameter_types, traits::tokens::imbalance::ResolveTo};

use crate::{
	configs::governance::TreasuryAccount, units::UNIT, Balance, Balances, Runtime,
	RuntimeHoldReason,
};

parameter_types! {
	/// Held while a worker is registered (its endpoint, hardware and versions are stored).
	pub const WorkerRegistrationDeposit: Balance = UNIT;
}

impl pallet_compute_staking::Config for Runtime {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	/// Slashed stake goes to the treasury.
	type Slashed = ResolveTo<TreasuryAccount, Balances>;
	/// Workers may only announce versions registered in the model registry.
	type ModelVersions = crate::ModelRegistry;
	type ParametersOrigin = frame_system::EnsureRoot<crate::AccountId>;
	type RegistrationDeposit = WorkerRegistrationDeposit;
	type MaxEndpointLen = frame_support::traits::ConstU32<256>;
	type MaxHardwareLen = frame_support::traits::ConstU32<128>;
	type MaxVersionsPerWorker = frame_support::traits::ConstU32<16>;
	type MaxWorkersPerVersion = frame_support::traits::ConstU32<256>;
	type MaxUnlockingChunks = frame_support::traits::ConstU32<16>;
	type WeightInfo = pallet_compute_staking::weights::SubstrateWeight<Runtime>;
}
