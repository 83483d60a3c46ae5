//! A test runtime with System, Balances and this pallet; the model registry and the shares
//! pallet are stand-ins backed by thread-local state, and the holders' revenue moves real
//! balances into a pot, so money is accounted end to end.

use crate as pallet_model_access;
use core::cell::RefCell;
use frame_support::{
	derive_impl, parameter_types,
	traits::{fungible::Mutate, tokens::Preservation, ConstU128, ConstU32, Hooks},
};
use modelchain_primitives::{Balance, ModelId, RevenueSink, ShareLockId, ShareVoting};
use modelchain_test_support::registry::StubModel;
use sp_runtime::{BuildStorage, DispatchError, Perbill};
use std::collections::BTreeMap;

type Block = frame_system::mocking::MockBlock<Test>;
pub type AccountId = u64;

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
	pub type Access = pallet_model_access;
}

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountData = pallet_balances::AccountData<Balance>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type Balance = Balance;
	type ExistentialDeposit = ConstU128<ED>;
	type AccountStore = System;
	type RuntimeHoldReason = RuntimeHoldReason;
}

pub const ED: Balance = 10;
/// Owns every model.
pub const OWNER: AccountId = 1;
pub const ALICE: AccountId = 2;
pub const BOB: AccountId = 3;
pub const CHARLIE: AccountId = 4;
/// Can pay a deposit but not a licence.
pub const POOR: AccountId = 5;
pub const TREASURY: AccountId = 99;
/// Where the stand-in shares pallet keeps the holders' revenue.
pub const HOLDERS_POT: AccountId = 98;
pub const ENDOWMENT: Balance = 1_000_000;
pub const POOR_BALANCE: Balance = 60;
/// Active, no shares issued.
pub const MODEL: ModelId = 0;
/// Active, 1,000 shares: OWNER 600, ALICE 300, BOB 100.
pub const SHARED: ModelId = 1;
/// Registered but paused.
pub const PAUSED: ModelId = 2;
pub const SUPPLY: Balance = 1_000;
pub const OFFER_DEPOSIT: Balance = 50;
pub const LICENCE_DEPOSIT: Balance = 20;
pub const MAX_OFFERS: u32 = 3;
pub const MAX_EXPIRIES: u32 = 2;
pub const LOG_LENGTH: u32 = 5;
pub const ROYALTY: Perbill = Perbill::from_percent(10);
pub const PROTOCOL_FEE: Perbill = Perbill::from_percent(5);

parameter_types! {
	pub const TreasuryAccount: AccountId = TREASURY;
	pub const ProtocolFee: Perbill = PROTOCOL_FEE;
}

thread_local! {
	pub static SHARE_SUPPLY: RefCell<BTreeMap<ModelId, Balance>> = const { RefCell::new(BTreeMap::new()) };
	pub static SHARE_BALANCES: RefCell<BTreeMap<(ModelId, AccountId), Balance>> = const { RefCell::new(BTreeMap::new()) };
	pub static REVENUE: RefCell<BTreeMap<ModelId, Balance>> = const { RefCell::new(BTreeMap::new()) };
}

/// The model registry stand-in: models 0..=2 exist, owned by `OWNER`.
pub type MockRegistry = modelchain_test_support::registry::StubRegistry<AccountId>;

/// `owner`'s model `model` as the tests use it: a price of 100, the creator's royalty, 30 % to
/// the miners; `shares` when its shares were issued.
fn stub_model(
	model: ModelId,
	owner: AccountId,
	active: bool,
	shares: bool,
) -> StubModel<AccountId> {
	let mut stub = StubModel::new(model, owner);
	stub.serving.price = 100;
	stub.serving.output_precision = 4;
	stub.serving.creator_royalty = ROYALTY;
	stub.serving.miners_share = Perbill::from_percent(30);
	stub.active = active;
	stub.shares_issued = shares;
	stub
}

/// The shares stand-in: supplies and balances in thread-local maps.
pub struct MockShares;
impl ShareVoting<AccountId, Balance> for MockShares {
	fn supply(model: ModelId) -> Option<Balance> {
		SHARE_SUPPLY.with(|s| s.borrow().get(&model).copied())
	}
	fn balance(model: ModelId, who: &AccountId) -> Balance {
		SHARE_BALANCES.with(|b| b.borrow().get(&(model, *who)).copied().unwrap_or_default())
	}
	fn set_lock(
		_model: ModelId,
		_who: &AccountId,
		_lock: ShareLockId,
		_amount: Balance,
	) -> sp_runtime::DispatchResult {
		Ok(())
	}
	fn remove_lock(_model: ModelId, _who: &AccountId, _lock: ShareLockId) {}
}

/// Sets `who`'s shares of `model`.
pub fn set_shares(model: ModelId, who: AccountId, amount: Balance) {
	SHARE_BALANCES.with(|b| b.borrow_mut().insert((model, who), amount));
}

/// The revenue stand-in: moves the holders' part into `HOLDERS_POT`.
pub struct MockRevenue;
impl RevenueSink<AccountId, Balance> for MockRevenue {
	fn deposit_revenue(
		model: ModelId,
		from: &AccountId,
		amount: Balance,
	) -> sp_runtime::DispatchResult {
		if MockShares::supply(model).is_none() {
			return Err(DispatchError::Other("no shares"));
		}
		Balances::transfer(from, &HOLDERS_POT, amount, Preservation::Preserve)?;
		REVENUE.with(|r| *r.borrow_mut().entry(model).or_default() += amount);
		Ok(())
	}
	fn revenue_account() -> AccountId {
		HOLDERS_POT
	}
	fn note_revenue(model: ModelId, amount: Balance) -> sp_runtime::DispatchResult {
		if MockShares::supply(model).is_none() {
			return Err(DispatchError::Other("no shares"));
		}
		REVENUE.with(|r| *r.borrow_mut().entry(model).or_default() += amount);
		Ok(())
	}
}

impl pallet_model_access::Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Registry = MockRegistry;
	type Shares = MockShares;
	type Revenue = MockRevenue;
	type Treasury = TreasuryAccount;
	type ProtocolFee = ProtocolFee;
	type OfferDeposit = ConstU128<OFFER_DEPOSIT>;
	type LicenceDeposit = ConstU128<LICENCE_DEPOSIT>;
	type MaxOffersPerModel = ConstU32<MAX_OFFERS>;
	type MaxExpiriesPerBlock = ConstU32<MAX_EXPIRIES>;
	type AccessLogLength = ConstU32<LOG_LENGTH>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = MockBenchmarkHelper;
}

/// Gives model 1 to `owner` with all its shares, for the benchmark tests.
#[cfg(feature = "runtime-benchmarks")]
pub struct MockBenchmarkHelper;
#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper<AccountId> for MockBenchmarkHelper {
	fn model_with_shares(owner: &AccountId) -> ModelId {
		MockRegistry::insert(SHARED, stub_model(SHARED, *owner, true, true));
		SHARE_SUPPLY.with(|s| s.borrow_mut().insert(SHARED, SUPPLY));
		set_shares(SHARED, *owner, SUPPLY);
		SHARED
	}
	fn model_without_shares(owner: &AccountId) -> ModelId {
		MockRegistry::insert(MODEL, stub_model(MODEL, *owner, true, false));
		MODEL
	}
}

/// Every account endowed, models 0 and 1 active, model 1's shares issued.
/// Test externalities that check the pallet's invariants (`do_try_state`) after every
/// `execute_with`, so every test also checks them at its end.
pub type TestExt = modelchain_test_support::CheckedExt;

pub fn new_test_ext() -> TestExt {
	MockRegistry::clear();
	MockRegistry::insert(MODEL, stub_model(MODEL, OWNER, true, false));
	MockRegistry::insert(SHARED, stub_model(SHARED, OWNER, true, true));
	MockRegistry::insert(PAUSED, stub_model(PAUSED, OWNER, false, false));
	SHARE_SUPPLY.with(|s| *s.borrow_mut() = [(SHARED, SUPPLY)].into_iter().collect());
	SHARE_BALANCES.with(|b| {
		*b.borrow_mut() = [((SHARED, OWNER), 600), ((SHARED, ALICE), 300), ((SHARED, BOB), 100)]
			.into_iter()
			.collect()
	});
	REVENUE.with(|r| r.borrow_mut().clear());
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: vec![
			(OWNER, ENDOWMENT),
			(ALICE, ENDOWMENT),
			(BOB, ENDOWMENT),
			(CHARLIE, ENDOWMENT),
			(POOR, POOR_BALANCE),
			(TREASURY, ED),
			(HOLDERS_POT, ED),
		],
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| System::set_block_number(1));
	TestExt::new(ext, Access::do_try_state)
}

/// Runs blocks up to `n`, with this pallet's hook.
pub fn run_to_block(n: u64) {
	while System::block_number() < n {
		let next = System::block_number() + 1;
		System::set_block_number(next);
		Access::on_initialize(next);
	}
}

/// The total balance of every account the tests use.
pub fn total_of_known_accounts() -> Balance {
	use frame_support::traits::fungible::Inspect;
	[OWNER, ALICE, BOB, CHARLIE, POOR, TREASURY, HOLDERS_POT]
		.iter()
		.map(Balances::total_balance)
		.sum()
}
