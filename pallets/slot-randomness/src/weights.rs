//! Weights of `pallet-slot-randomness`.
//!
//! NOT YET GENERATED: `scripts/benchmarks.sh` has not been run for this pallet. The values
//! below are deliberate over-estimates until the benchmark replaces them: for the call, an
//! sr25519 VRF verification and output (~2 ms in wasm), one read and one write; for the
//! `on_finalize` refresh of the parent's authorities, two reads and a write.

#![allow(unused_parens, unused_imports, missing_docs)]

use core::marker::PhantomData;
use frame_support::{
	traits::Get,
	weights::{constants::RocksDbWeight, Weight},
};

/// Weight functions of `pallet-slot-randomness`.
pub trait WeightInfo {
	/// `set_randomness`: one VRF verification.
	fn set_randomness() -> Weight;
	/// `on_finalize`: the authorities and the pallet's copy read, the
	/// copy written when they changed.
	fn on_finalize() -> Weight;
}

/// Weights for `pallet-slot-randomness` on the reference machine.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn set_randomness() -> Weight {
		Weight::from_parts(2_000_000_000, 1_600)
			.saturating_add(T::DbWeight::get().reads(3_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	fn on_finalize() -> Weight {
		Weight::from_parts(20_000_000, 1_600)
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
}

impl WeightInfo for () {
	fn set_randomness() -> Weight {
		Weight::from_parts(2_000_000_000, 1_600)
			.saturating_add(RocksDbWeight::get().reads(3_u64))
			.saturating_add(RocksDbWeight::get().writes(1_u64))
	}
	fn on_finalize() -> Weight {
		Weight::from_parts(20_000_000, 1_600)
			.saturating_add(RocksDbWeight::get().reads(2_u64))
			.saturating_add(RocksDbWeight::get().writes(1_u64))
	}
}
