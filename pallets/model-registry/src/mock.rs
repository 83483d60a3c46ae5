//! A test runtime with System, Balances and the registry.

use crate as pallet_model_registry;
use frame_support::{
	derive_impl, parameter_types,
	traits::{ConstU32, ConstU64},
};
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
	pub type Registry = pallet_model_registry;
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

pub const ALICE: AccountId = 1;
pub const BOB: AccountId = 2;
/// Can pay the model deposit but not a version deposit on top.
pub const POOR: AccountId = 3;
pub const MODEL_DEPOSIT: Balance = 100;
pub const VERSION_DEPOSIT: Balance = 10;

parameter_types! {
	pub const MaxCreatorRoyalty: Perbill = Perbill::from_percent(20);
	pub const MaxRoyaltyPlusMiners: Perbill = Perbill::from_percent(90);
}

impl pallet_model_registry::Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type ForceOrigin = frame_system::EnsureRoot<AccountId>;
	type ModelDeposit = ConstU64<MODEL_DEPOSIT>;
	type VersionDeposit = ConstU64<VERSION_DEPOSIT>;
	type MaxCreatorRoyalty = MaxCreatorRoyalty;
	type MaxRoyaltyPlusMiners = MaxRoyaltyPlusMiners;
	type MaxNameLen = ConstU32<16>;
	type MaxSymbolLen = ConstU32<6>;
	type MaxUriLen = ConstU32<32>;
	type MaxTagLen = ConstU32<12>;
	type MaxVersions = ConstU32<3>;
	type WeightInfo = ();
}

/// Test externalities that check the pallet's invariants (`do_try_state`) after every
/// `execute_with`, so every test also checks them at its end.
pub type TestExt = modelchain_test_support::CheckedExt;

pub fn new_test_ext() -> TestExt {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: vec![
			(ALICE, 1_000_000),
			(BOB, 1_000_000),
			(POOR, MODEL_DEPOSIT + VERSION_DEPOSIT + 1),
		],
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| System::set_block_number(1));
	TestExt::new(ext, Registry::do_try_state)
}
