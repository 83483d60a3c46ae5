//! A test runtime with System, Balances and this pallet.

use crate as pallet_compute_staking;
use frame_support::{
	derive_impl, parameter_types,
	traits::{tokens::imbalance::ResolveTo, ConstU32, ConstU64},
};
use modelchain_primitives::{ModelVersionInspect, ModelVersionRef};
use sp_runtime::{BuildStorage, Perbill};

type Block = frame_system::mocking::MockBlock<Test>;
pub type AccountId = u64;
pub type Balance = u64;

#[frame_support::runtime]
mod runtime {
	#[runtime::runtime]
	#[runtime::derive(
		RuntimeCall,
		RuntimeEvent,
		RuntimeError,
		RuntimeOrigin,
		RuntimeFreezeReason,
		RuntimeHoldReason,
		RuntimeSlashReason,
		RuntimeLockId,
		RuntimeTask,
		RuntimeViewFunction
	)]
	pub struct Test;

	#[runtime::pallet_index(0)]
	pub type System = frame_system;
	#[runtime::pallet_index(1)]
	pub type Balances = pallet_balances;
	#[runtime::pallet_index(2)]
	pub type ComputeStaking = pallet_compute_staking;
}

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountData = pallet_balances::AccountData<Balance>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type AccountStore = System;
	type RuntimeHoldReason = RuntimeHoldReason;
}

/// The account that receives slashes (the treasury in the real runtime).
pub const TREASURY: AccountId = 999;
pub const ALICE: AccountId = 1;
pub const BOB: AccountId = 2;
pub const CHARLIE: AccountId = 3;
/// An account with less than the registration deposit.
pub const POOR: AccountId = 4;

pub const DEPOSIT: Balance = 10;
pub const MIN_MINER_BOND: Balance = 1_000;
pub const UNBONDING_PERIOD: u64 = 10;
pub const JAIL_PERIOD: u64 = 20;
pub const MAX_WORKERS_PER_VERSION: u32 = 3;
pub const MAX_CHUNKS: u32 = 3;
pub const ENDOWMENT: Balance = 1_000_000;

parameter_types! {
	pub const TreasuryAccount: AccountId = TREASURY;
}

/// Model 0 has versions 0 and 1; model 1 has version 0; nothing else exists.
pub struct TestModelVersions;
impl ModelVersionInspect for TestModelVersions {
	fn version_exists(version: &ModelVersionRef) -> bool {
		matches!((version.model, version.version), (0, 0) | (0, 1) | (1, 0))
			|| BENCHMARK_VERSIONS.with(|v| v.borrow().contains(version))
	}
}

thread_local! {
	/// Versions the benchmarks registered (through `BenchmarkHelper`).
	pub static BENCHMARK_VERSIONS: core::cell::RefCell<Vec<ModelVersionRef>> =
		const { core::cell::RefCell::new(Vec::new()) };
}

/// Registers the benchmarks' versions in the stand-in registry.
#[cfg(feature = "runtime-benchmarks")]
pub struct MockBenchmarkHelper;
#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper for MockBenchmarkHelper {
	fn register_versions(versions: &[ModelVersionRef]) {
		BENCHMARK_VERSIONS.with(|v| v.borrow_mut().extend_from_slice(versions));
	}
}

/// Jobs in a row a miner may miss before it is jailed.
pub const MISSED_JOBS_BEFORE_JAIL: u32 = 3;

parameter_types! {
	/// The inference pallet's job lifetime, as a test sets it.
	pub static TestJobLifetime: u64 = 5;
}

impl pallet_compute_staking::Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Slashed = ResolveTo<TreasuryAccount, Balances>;
	type ModelVersions = TestModelVersions;
	type ParametersOrigin = frame_system::EnsureRoot<AccountId>;
	type RegistrationDeposit = ConstU64<DEPOSIT>;
	type MaxEndpointLen = ConstU32<32>;
	type MaxHardwareLen = ConstU32<16>;
	type MaxVersionsPerWorker = ConstU32<2>;
	type MaxWorkersPerVersion = ConstU32<MAX_WORKERS_PER_VERSION>;
	type MaxUnlockingChunks = ConstU32<MAX_CHUNKS>;
	type MissedJobsBeforeJail = ConstU32<MISSED_JOBS_BEFORE_JAIL>;
	type JobLifetime = TestJobLifetime;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = MockBenchmarkHelper;
}

pub fn default_parameters() -> crate::ParametersOf<Test> {
	crate::StakingParameters {
		min_miner_bond: MIN_MINER_BOND,
		unbonding_period: UNBONDING_PERIOD,
		jail_period: JAIL_PERIOD,
		slash_wrong_result: Perbill::from_percent(10),
		slash_missed_reveal: Perbill::from_percent(10),
	}
}

/// Externalities with funded accounts, the treasury at its existential deposit and the
/// default parameters.
/// Test externalities that check the pallet's invariants (`do_try_state`) after every
/// `execute_with`, so every test also checks them at its end.
pub type TestExt = modelchain_test_support::CheckedExt;

pub fn new_test_ext() -> TestExt {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: vec![
			(ALICE, ENDOWMENT),
			(BOB, ENDOWMENT),
			(CHARLIE, ENDOWMENT),
			(POOR, 5),
			(TREASURY, 1),
		],
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	pallet_compute_staking::GenesisConfig::<Test> { parameters: Some(default_parameters()) }
		.assimilate_storage(&mut storage)
		.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| System::set_block_number(1));
	TestExt::new(ext, ComputeStaking::do_try_state)
}
