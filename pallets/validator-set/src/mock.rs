//! A runtime with the real `pallet-session` (sessions of `SESSION_LENGTH` blocks, keys
//! `UintAuthorityId`) managed by this pallet.

use crate as pallet_validator_set;
use frame_support::{derive_impl, parameter_types, traits::ConstU32};
use frame_system::EnsureRoot;
use pallet_session::{SessionHandler, ShouldEndSession};
use sp_runtime::{
	testing::UintAuthorityId,
	traits::{ConvertInto, OpaqueKeys},
	BuildStorage, KeyTypeId, RuntimeAppPublic,
};

pub type AccountId = u64;
type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		ValidatorSet: pallet_validator_set,
		Session: pallet_session,
	}
);

/// Blocks per session.
pub const SESSION_LENGTH: u64 = 5;
/// Held by `pallet-session` for registered keys.
pub const KEY_DEPOSIT: u64 = 10;
/// Every account 1..=10 starts with this.
pub const ENDOWMENT: u64 = 1_000;

parameter_types! {
	pub const KeyDeposit: u64 = KEY_DEPOSIT;
	/// The authorities the consensus engines were last told about.
	pub static Authorities: Vec<AccountId> = Vec::new();
}

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountData = pallet_balances::AccountData<u64>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type AccountStore = System;
}

pub struct EverySessionLength;
impl ShouldEndSession<u64> for EverySessionLength {
	fn should_end_session(now: u64) -> bool {
		now.is_multiple_of(SESSION_LENGTH)
	}
}

/// Records the active validators as the consensus engines would see them.
pub struct RecordAuthorities;
impl SessionHandler<AccountId> for RecordAuthorities {
	const KEY_TYPE_IDS: &'static [KeyTypeId] = &[UintAuthorityId::ID];
	fn on_genesis_session<K: OpaqueKeys>(validators: &[(AccountId, K)]) {
		Authorities::set(validators.iter().map(|(who, _)| *who).collect());
	}
	fn on_new_session<K: OpaqueKeys>(
		_changed: bool,
		validators: &[(AccountId, K)],
		_queued: &[(AccountId, K)],
	) {
		Authorities::set(validators.iter().map(|(who, _)| *who).collect());
	}
	fn on_disabled(_validator_index: u32) {}
}

impl pallet_session::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type ValidatorId = AccountId;
	type ValidatorIdOf = ConvertInto;
	type ShouldEndSession = EverySessionLength;
	type NextSessionRotation = ();
	type SessionManager = ValidatorSet;
	type SessionHandler = RecordAuthorities;
	type Keys = UintAuthorityId;
	type DisablingStrategy = pallet_session::disabling::UpToLimitDisablingStrategy;
	type WeightInfo = ();
	type Currency = Balances;
	type KeyDeposit = KeyDeposit;
}

#[cfg(feature = "runtime-benchmarks")]
pub struct RegisterKeys;
#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper<AccountId> for RegisterKeys {
	fn register_session_keys(who: &AccountId) {
		use frame_support::traits::fungible::Mutate;
		Balances::set_balance(who, ENDOWMENT);
		set_keys(*who);
	}
}

impl pallet_validator_set::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type AddRemoveOrigin = EnsureRoot<AccountId>;
	type Session = Session;
	type MaxValidators = ConstU32<5>;
	type MinValidators = ConstU32<2>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = RegisterKeys;
}

/// `who` registers session keys (`UintAuthorityId(who)`).
pub fn set_keys(who: AccountId) {
	assert!(Session::set_keys(RuntimeOrigin::signed(who), UintAuthorityId(who), Vec::new()).is_ok());
}

/// Genesis: accounts 1..=10 funded; 1, 2 and 3 validate with session keys.
/// Test externalities that check the pallet's invariants (`do_try_state`) after every
/// `execute_with`, so every test also checks them at its end.
pub type TestExt = modelchain_test_support::CheckedExt;

pub fn new_test_ext() -> TestExt {
	new_test_ext_with(vec![1, 2, 3])
}

/// Genesis with `validators` (each with session keys) as the validator set.
pub fn new_test_ext_with(validators: Vec<AccountId>) -> TestExt {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: (1..=10).map(|who| (who, ENDOWMENT)).collect(),
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	pallet_validator_set::GenesisConfig::<Test> { initial_validators: validators.clone() }
		.assimilate_storage(&mut storage)
		.unwrap();
	pallet_session::GenesisConfig::<Test> {
		keys: validators.iter().map(|&who| (who, who, UintAuthorityId(who))).collect(),
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| System::set_block_number(1));
	TestExt::new(ext, ValidatorSet::do_try_state)
}

/// Runs blocks up to `n`, rotating sessions on the way.
pub fn run_to_block(n: u64) {
	use frame_support::traits::Hooks;
	while System::block_number() < n {
		let next = System::block_number() + 1;
		System::set_block_number(next);
		Session::on_initialize(next);
	}
}

/// Runs until `count` more sessions have started.
pub fn rotate_sessions(count: u32) {
	let target = Session::current_index() + count;
	while Session::current_index() < target {
		run_to_block(System::block_number() + 1);
	}
}
