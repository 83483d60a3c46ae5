//! Weights of pallet-inference.
//!
//! PLACEHOLDER until `scripts/benchmarks.sh` generates this file from the benchmarks: each call's
//! storage reads and writes priced with the database weights plus 60 µs of execution (and the
//! per-miner work for the quorum). None depends on the number of share holders.

#![allow(unused_parens, unused_imports, missing_docs)]
#![allow(clippy::arithmetic_side_effects)] // placeholder weights; generated files use saturating math

use core::marker::PhantomData;
use frame_support::{
	traits::Get,
	weights::{constants::RocksDbWeight, Weight},
};

/// Weight functions of pallet-inference.
pub trait WeightInfo {
	fn request_inference(c: u32) -> Weight;
	fn commit_result() -> Weight;
	fn reveal_result(k: u32) -> Weight;
	fn submit_verdict(k: u32) -> Weight;
	fn authorize_submit_verdict() -> Weight;
	fn set_parameters() -> Weight;
	fn on_initialize(d: u32) -> Weight;
}

/// Weights for pallet-inference using the runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn request_inference(c: u32) -> Weight {
		Weight::from_parts(80_000_000, 8_000)
			.saturating_add(Weight::from_parts(2_000_000, 600).saturating_mul(c.into()))
			.saturating_add(T::DbWeight::get().reads(6_u64 + 2 * c as u64))
			.saturating_add(T::DbWeight::get().writes(6_u64))
	}
	fn commit_result() -> Weight {
		Weight::from_parts(40_000_000, 4_000)
			.saturating_add(T::DbWeight::get().reads(3_u64))
			.saturating_add(T::DbWeight::get().writes(3_u64))
	}
	fn reveal_result(k: u32) -> Weight {
		Weight::from_parts(60_000_000, 6_000)
			.saturating_add(Weight::from_parts(30_000_000, 3_000).saturating_mul(k.into()))
			.saturating_add(T::DbWeight::get().reads(4_u64 + 4 * k as u64))
			.saturating_add(T::DbWeight::get().writes(5_u64 + 3 * k as u64))
	}
	fn submit_verdict(k: u32) -> Weight {
		Weight::from_parts(80_000_000, 8_000)
			.saturating_add(Weight::from_parts(40_000_000, 3_000).saturating_mul(k.into()))
			.saturating_add(T::DbWeight::get().reads(8_u64 + 4 * k as u64))
			.saturating_add(T::DbWeight::get().writes(8_u64 + 3 * k as u64))
	}
	fn authorize_submit_verdict() -> Weight {
		Weight::from_parts(60_000_000, 4_000).saturating_add(T::DbWeight::get().reads(3_u64))
	}
	fn set_parameters() -> Weight {
		Weight::from_parts(10_000_000, 0).saturating_add(T::DbWeight::get().writes(1_u64))
	}
	fn on_initialize(d: u32) -> Weight {
		Weight::from_parts(5_000_000, 0)
			.saturating_add(Weight::from_parts(250_000_000, 30_000).saturating_mul(d.into()))
			.saturating_add(T::DbWeight::get().reads(4_u64 + 30 * d as u64))
			.saturating_add(T::DbWeight::get().writes(4_u64 + 25 * d as u64))
	}
}

/// For tests: the same formulas on RocksDB weights.
impl WeightInfo for () {
	fn request_inference(c: u32) -> Weight {
		Weight::from_parts(80_000_000, 8_000)
			.saturating_add(RocksDbWeight::get().reads(6_u64 + 2 * c as u64))
	}
	fn commit_result() -> Weight {
		Weight::from_parts(40_000_000, 4_000)
	}
	fn reveal_result(k: u32) -> Weight {
		Weight::from_parts(60_000_000, 6_000).saturating_mul(k.max(1).into())
	}
	fn submit_verdict(k: u32) -> Weight {
		Weight::from_parts(80_000_000, 8_000).saturating_mul(k.max(1).into())
	}
	fn authorize_submit_verdict() -> Weight {
		Weight::from_parts(60_000_000, 4_000)
	}
	fn set_parameters() -> Weight {
		Weight::from_parts(10_000_000, 0)
	}
	fn on_initialize(d: u32) -> Weight {
		Weight::from_parts(250_000_000, 30_000).saturating_mul(d.into())
	}
}
