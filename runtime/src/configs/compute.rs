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
	/// Most miners holding a slot of one model version (bonded, not chilled); job assignment
	/// draws from all of them (the inference pallet's `MaxCandidates`).
	pub const MaxMinersPerVersion: u32 = 256;
}

/// The longest an inference job keeps a miner's stake at risk under the inference parameters in
/// force (commit, reveal and challenge periods).
pub struct InferenceJobLifetime;
impl frame_support::traits::Get<crate::BlockNumber> for InferenceJobLifetime {
	fn get() -> crate::BlockNumber {
		pallet_inference::Pallet::<Runtime>::job_lifetime()
	}
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
	type MaxWorkersPerVersion = MaxMinersPerVersion;
	type MaxUnlockingChunks = frame_support::traits::ConstU32<16>;
	/// Three silent jobs in a row jail a miner (a served job resets the count).
	type MissedJobsBeforeJail = frame_support::traits::ConstU32<3>;
	/// The inference parameters in force bound how short unbonding may be.
	type JobLifetime = InferenceJobLifetime;
	type WeightInfo = pallet_compute_staking::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = StakingBenchmarkHelper;
}

/// Registers models and versions in the registry for the compute-staking benchmarks.
#[cfg(feature = "runtime-benchmarks")]
pub struct StakingBenchmarkHelper;
#[cfg(feature = "runtime-benchmarks")]
impl pallet_compute_staking::BenchmarkHelper for StakingBenchmarkHelper {
	fn register_versions(versions: &[modelchain_primitives::ModelVersionRef]) {
		use crate::{
			configs::models::{benchmark_version, register_benchmark_model},
			AccountId, ModelRegistry, RuntimeOrigin,
		};
		use frame_support::traits::fungible::Mutate;
		let owner: AccountId = frame_benchmarking::account("versions-owner", 0, 0);
		let _ = Balances::mint_into(&owner, 1_000_000 * UNIT);
		for wanted in versions {
			while pallet_model_registry::NextModelId::<crate::Runtime>::get() <= wanted.model {
				if register_benchmark_model(&owner, 3).is_err() {
					break;
				}
			}
			while !<ModelRegistry as modelchain_primitives::ModelVersionInspect>::version_exists(
				wanted,
			) {
				if ModelRegistry::add_version(
					RuntimeOrigin::signed(owner.clone()),
					wanted.model,
					benchmark_version(),
				)
				.is_err()
				{
					break;
				}
			}
		}
	}
}
