//! A test runtime with System, Balances, Assets, a stub model registry and this pallet.

use crate as pallet_model_shares;
use frame_support::{
	derive_impl, parameter_types,
	traits::{AsEnsureOriginWithArg, ConstU128, ConstU32},
	PalletId,
};
use modelchain_primitives::ModelId;
use sp_runtime::BuildStorage;
use std::cell::RefCell;

type Block = frame_system::mocking::MockBlock<Test>;
pub type AccountId = u64;
pub type Balance = u128;

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
	pub type Assets = pallet_assets;
	#[runtime::pallet_index(3)]
	pub type Shares = pallet_model_shares;
}

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountData = pallet_balances::AccountData<Balance>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type Balance = Balance;
	type AccountStore = System;
	type RuntimeHoldReason = RuntimeHoldReason;
	type ExistentialDeposit = ConstU128<1>;
}

#[derive_impl(pallet_assets::config_preludes::TestDefaultConfig)]
impl pallet_assets::Config for Test {
	type Balance = Balance;
	type Currency = Balances;
	type CreateOrigin = AsEnsureOriginWithArg<frame_system::EnsureSigned<AccountId>>;
	type ForceOrigin = frame_system::EnsureRoot<AccountId>;
	type AssetDeposit = ConstU128<1>;
	type AssetAccountDeposit = ConstU128<1>;
	type MetadataDepositBase = ConstU128<3>;
	type MetadataDepositPerByte = ConstU128<1>;
	type ApprovalDeposit = ConstU128<1>;
	type Freezer = ();
	type Holder = ();
	type CallbackHandle = ();
}

/// The registry stand-in the tests control.
pub type StubRegistry = modelchain_test_support::registry::StubRegistry<AccountId>;

/// Adds an active model of `owner` to the registry stand-in and returns its id.
pub fn add_model(owner: AccountId) -> ModelId {
	StubRegistry::register(owner, 1)
}

pub fn set_model_active(model: ModelId, active: bool) {
	StubRegistry::set_active(model, active);
}

/// Share assets of model `m` get id `SHARE_ASSET_BASE + m`.
pub const SHARE_ASSET_BASE: u32 = 1_000;
pub struct ShareAssetId;
impl sp_runtime::traits::Convert<ModelId, u32> for ShareAssetId {
	fn convert(model: ModelId) -> u32 {
		SHARE_ASSET_BASE + model
	}
}

pub const ALICE: AccountId = 1;
pub const BOB: AccountId = 2;
pub const CHARLIE: AccountId = 3;
pub const DAVE: AccountId = 4;
pub const ENDOWMENT: Balance = 1_000_000_000;
pub const MIN_SUPPLY: Balance = 100;
pub const ORDER_DEPOSIT: Balance = 5;
/// Deposit of a holding opened by a transfer or a purchase.
pub const HOLDING_DEPOSIT: Balance = 7;
/// The largest supply: one accumulator unit per share for a one-planck deposit.
pub const MAX_SUPPLY: Balance = crate::ACC_PRECISION;
pub const MAX_ORDERS: u32 = 2;
pub const MAX_LOCKS: u32 = 2;

thread_local! {
	/// Locks the tests declared no longer binding (their proposal closed).
	pub static RELEASED_LOCKS: RefCell<Vec<u32>> = const { RefCell::new(Vec::new()) };
}

/// Marks `lock` as no longer binding, as governance does when its proposal closes.
pub fn release_lock(lock: u32) {
	RELEASED_LOCKS.with(|r| r.borrow_mut().push(lock));
}

/// Lock status the tests control: every lock binds until [`release_lock`].
pub struct StubLockStatus;
impl modelchain_primitives::ShareLockStatus for StubLockStatus {
	fn is_binding(lock: u32) -> bool {
		!RELEASED_LOCKS.with(|r| r.borrow().contains(&lock))
	}
}

parameter_types! {
	pub const SharesPalletId: PalletId = PalletId(*b"mc/share");
	/// `MIN_SUPPLY` unless a test lowers it (the property tests issue supplies down to 1).
	pub static TestMinSupply: Balance = MIN_SUPPLY;
	/// `MAX_SUPPLY` unless a test raises it (to run the accumulator out of precision).
	pub static TestMaxSupply: Balance = MAX_SUPPLY;
}

#[cfg(feature = "runtime-benchmarks")]
pub struct BenchmarkHelper;
#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper<AccountId> for BenchmarkHelper {
	fn register_model(owner: &AccountId) -> ModelId {
		add_model(*owner)
	}
}

impl pallet_model_shares::Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Assets = Assets;
	type Registry = StubRegistry;
	type ShareAssetId = ShareAssetId;
	type PalletId = SharesPalletId;
	type MinSupply = TestMinSupply;
	type MaxSupply = TestMaxSupply;
	type OrderDeposit = ConstU128<ORDER_DEPOSIT>;
	type HoldingDeposit = ConstU128<HOLDING_DEPOSIT>;
	type MaxOrdersPerAccount = ConstU32<MAX_ORDERS>;
	type LockStatus = StubLockStatus;
	type MaxLocks = ConstU32<MAX_LOCKS>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = BenchmarkHelper;
}

/// Test externalities that check the pallet's invariants (`do_try_state`) after every
/// `execute_with`, so every test also checks them at its end.
pub type TestExt = modelchain_test_support::CheckedExt;

pub fn new_test_ext() -> TestExt {
	StubRegistry::clear();
	RELEASED_LOCKS.with(|r| r.borrow_mut().clear());
	TestMinSupply::set(MIN_SUPPLY);
	TestMaxSupply::set(MAX_SUPPLY);
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: vec![
			(ALICE, ENDOWMENT),
			(BOB, ENDOWMENT),
			(CHARLIE, ENDOWMENT),
			(DAVE, ENDOWMENT),
		],
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| System::set_block_number(1));
	TestExt::new(ext, Shares::do_try_state)
}
