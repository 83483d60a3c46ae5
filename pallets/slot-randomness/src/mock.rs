//! A runtime with this pallet and a slot author the tests choose.

use crate as pallet_slot_randomness;
use frame_support::{derive_impl, parameter_types};
use sp_core::{sr25519, Pair};
use sp_runtime::BuildStorage;

type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		SlotRandomness: pallet_slot_randomness,
	}
);

parameter_types! {
	/// The current slot.
	pub static CurrentSlot: u64 = 0;
	/// The authorities now (Aura's `Authorities` in a runtime).
	pub static Authorities: Vec<sr25519::Public> = Vec::new();
}

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
}

/// The slot and authorities the tests set.
pub struct TestAuthorities;
impl crate::SlotAuthorities for TestAuthorities {
	fn current_slot() -> u64 {
		CurrentSlot::get()
	}
	fn authorities() -> Vec<sr25519::Public> {
		Authorities::get()
	}
}

impl pallet_slot_randomness::Config for Test {
	type SlotAuthorities = TestAuthorities;
	type MaxAuthorities = frame_support::traits::ConstU32<8>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = TestAuthorities;
}

#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper for TestAuthorities {
	fn set_slot_author(slot: u64, author: sr25519::Public) {
		CurrentSlot::set(slot);
		Authorities::set(vec![author]);
	}

	fn set_authorities(authorities: Vec<sr25519::Public>) {
		Authorities::set(authorities);
	}
}

/// The Aura-like key of validator `name` (e.g. `"//Alice"`).
pub fn key(name: &str) -> sr25519::Pair {
	sr25519::Pair::from_string(name, None).expect("a dev seed")
}

/// Starts block `n` in `slot`: the previous block ends (the pallet keeps the authorities as
/// they are then: those that chose this block's author), as in a runtime.
pub fn start_block(n: u64, slot: u64) {
	use frame_support::traits::Hooks;
	SlotRandomness::on_finalize(n - 1);
	System::set_block_number(n);
	CurrentSlot::set(slot);
	SlotRandomness::on_initialize(n);
}

/// Test externalities that check the pallet's invariants (`do_try_state`) after every
/// `execute_with`, so every test also checks them at its end.
pub type TestExt = modelchain_test_support::CheckedExt;

/// A chain at block 1 whose slot 1 belongs to Alice.
pub fn new_test_ext() -> TestExt {
	let storage = frame_system::GenesisConfig::<Test>::default().build_storage().expect("genesis");
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| {
		// One authority, Alice, so every slot is hers; block 1 is in slot 1.
		Authorities::set(vec![key("//Alice").public()]);
		start_block(1, 1);
	});
	TestExt::new(ext, SlotRandomness::do_try_state)
}
