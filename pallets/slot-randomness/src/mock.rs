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
	/// The slot and the key of the current block's author (`None`: no authorities).
	pub static Author: Option<(u64, sr25519::Public)> = None;
}

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
}

/// The slot author the tests set.
pub struct TestSlotAuthor;
impl crate::SlotAuthor for TestSlotAuthor {
	fn slot_author() -> Option<(u64, sr25519::Public)> {
		Author::get()
	}
}

impl pallet_slot_randomness::Config for Test {
	type SlotAuthor = TestSlotAuthor;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = TestSlotAuthor;
}

#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper for TestSlotAuthor {
	fn set_slot_author(slot: u64, author: sr25519::Public) {
		Author::set(Some((slot, author)));
	}
}

/// The Aura-like key of validator `name` (e.g. `"//Alice"`).
pub fn key(name: &str) -> sr25519::Pair {
	sr25519::Pair::from_string(name, None).expect("a dev seed")
}

/// A chain at block 1 whose slot 1 belongs to Alice.
pub fn new_test_ext() -> sp_io::TestExternalities {
	let storage = frame_system::GenesisConfig::<Test>::default().build_storage().expect("genesis");
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| {
		System::set_block_number(1);
		Author::set(Some((1, key("//Alice").public())));
	});
	ext
}
