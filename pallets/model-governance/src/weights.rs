
//! Weights of `pallet_model_governance`: placeholder until `scripts/benchmarks.sh` runs.
//!
//! Do not edit by hand: run `./scripts/benchmarks.sh pallet_model_governance` instead.

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]
#![allow(clippy::all)]

use frame_support::{traits::Get, weights::{Weight, constants::RocksDbWeight}};
use core::marker::PhantomData;

/// Weight functions of `pallet_model_governance`.
pub trait WeightInfo {
	fn propose_upgrade() -> Weight;
	fn vote() -> Weight;
	fn close() -> Weight;
	fn cancel() -> Weight;
	fn set_voting_params() -> Weight;
	fn reap_votes(v: u32, ) -> Weight;
}

pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn propose_upgrade() -> Weight {
		Weight::from_parts(200_000_000, 10000)
			.saturating_add(T::DbWeight::get().reads(12_u64))
			.saturating_add(T::DbWeight::get().writes(4_u64))
	}
	fn vote() -> Weight {
		Weight::from_parts(200_000_000, 10000)
			.saturating_add(T::DbWeight::get().reads(12_u64))
			.saturating_add(T::DbWeight::get().writes(3_u64))
	}
	fn close() -> Weight {
		Weight::from_parts(200_000_000, 10000)
			.saturating_add(T::DbWeight::get().reads(6_u64))
			.saturating_add(T::DbWeight::get().writes(5_u64))
	}
	fn cancel() -> Weight {
		Weight::from_parts(200_000_000, 10000)
			.saturating_add(T::DbWeight::get().reads(3_u64))
			.saturating_add(T::DbWeight::get().writes(3_u64))
	}
	fn set_voting_params() -> Weight {
		Weight::from_parts(100_000_000, 5000)
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	fn reap_votes(v: u32, ) -> Weight {
		Weight::from_parts(50_000_000, 5000)
			.saturating_add(Weight::from_parts(50_000_000, 3000).saturating_mul(v.into()))
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().reads((2_u64).saturating_mul(v.into())))
			.saturating_add(T::DbWeight::get().writes(1_u64))
			.saturating_add(T::DbWeight::get().writes((2_u64).saturating_mul(v.into())))
	}
}

impl WeightInfo for () {
	fn propose_upgrade() -> Weight { Weight::from_parts(200_000_000, 10000).saturating_add(RocksDbWeight::get().reads_writes(12, 4)) }
	fn vote() -> Weight { Weight::from_parts(200_000_000, 10000).saturating_add(RocksDbWeight::get().reads_writes(12, 3)) }
	fn close() -> Weight { Weight::from_parts(200_000_000, 10000).saturating_add(RocksDbWeight::get().reads_writes(6, 5)) }
	fn cancel() -> Weight { Weight::from_parts(200_000_000, 10000).saturating_add(RocksDbWeight::get().reads_writes(3, 3)) }
	fn set_voting_params() -> Weight { Weight::from_parts(100_000_000, 5000).saturating_add(RocksDbWeight::get().reads_writes(2, 1)) }
	fn reap_votes(v: u32, ) -> Weight {
		Weight::from_parts(50_000_000, 5000)
			.saturating_add(Weight::from_parts(50_000_000, 3000).saturating_mul(v.into()))
			.saturating_add(RocksDbWeight::get().reads_writes(2, 1))
			.saturating_add(RocksDbWeight::get().reads_writes(2, 2).saturating_mul(v.into()))
	}
}
