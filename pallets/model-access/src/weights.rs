//! Weights of `pallet_model_access`: placeholders until `scripts/benchmarks.sh` generates them.
//!
//! Do not edit by hand: run `./scripts/benchmarks.sh pallet_model_access` instead.

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]
#![allow(clippy::all)]

use frame_support::{traits::Get, weights::{Weight, constants::RocksDbWeight}};
use core::marker::PhantomData;

/// Weight functions of `pallet_model_access`.
pub trait WeightInfo {
	fn set_access_policy() -> Weight;
	fn create_offer() -> Weight;
	fn withdraw_offer() -> Weight;
	fn buy_licence() -> Weight;
	fn transfer_licence() -> Weight;
	fn drop_licence() -> Weight;
	fn use_access() -> Weight;
	fn expire_licences(n: u32, ) -> Weight;
}

/// Weights measured on the reference machine, priced with the runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn set_access_policy() -> Weight {
		Weight::from_parts(100_000_000, 10_000).saturating_add(T::DbWeight::get().reads_writes(8, 8))
	}
	fn create_offer() -> Weight {
		Weight::from_parts(100_000_000, 10_000).saturating_add(T::DbWeight::get().reads_writes(8, 8))
	}
	fn withdraw_offer() -> Weight {
		Weight::from_parts(100_000_000, 10_000).saturating_add(T::DbWeight::get().reads_writes(8, 8))
	}
	fn buy_licence() -> Weight {
		Weight::from_parts(100_000_000, 10_000).saturating_add(T::DbWeight::get().reads_writes(8, 8))
	}
	fn transfer_licence() -> Weight {
		Weight::from_parts(100_000_000, 10_000).saturating_add(T::DbWeight::get().reads_writes(8, 8))
	}
	fn drop_licence() -> Weight {
		Weight::from_parts(100_000_000, 10_000).saturating_add(T::DbWeight::get().reads_writes(8, 8))
	}
	fn use_access() -> Weight {
		Weight::from_parts(100_000_000, 10_000).saturating_add(T::DbWeight::get().reads_writes(8, 8))
	}
	fn expire_licences(n: u32, ) -> Weight {
		Weight::from_parts(100_000_000, 10_000).saturating_add(Weight::from_parts(20_000_000, 0).saturating_mul(n.into())).saturating_add(T::DbWeight::get().reads_writes(8, 8))
	}
}

/// The same weights priced with RocksDB weights, for tests and runtimes without their own.
impl WeightInfo for () {
	fn set_access_policy() -> Weight {
		Weight::from_parts(100_000_000, 10_000).saturating_add(RocksDbWeight::get().reads_writes(8, 8))
	}
	fn create_offer() -> Weight {
		Weight::from_parts(100_000_000, 10_000).saturating_add(RocksDbWeight::get().reads_writes(8, 8))
	}
	fn withdraw_offer() -> Weight {
		Weight::from_parts(100_000_000, 10_000).saturating_add(RocksDbWeight::get().reads_writes(8, 8))
	}
	fn buy_licence() -> Weight {
		Weight::from_parts(100_000_000, 10_000).saturating_add(RocksDbWeight::get().reads_writes(8, 8))
	}
	fn transfer_licence() -> Weight {
		Weight::from_parts(100_000_000, 10_000).saturating_add(RocksDbWeight::get().reads_writes(8, 8))
	}
	fn drop_licence() -> Weight {
		Weight::from_parts(100_000_000, 10_000).saturating_add(RocksDbWeight::get().reads_writes(8, 8))
	}
	fn use_access() -> Weight {
		Weight::from_parts(100_000_000, 10_000).saturating_add(RocksDbWeight::get().reads_writes(8, 8))
	}
	fn expire_licences(n: u32, ) -> Weight {
		Weight::from_parts(100_000_000, 10_000).saturating_add(Weight::from_parts(20_000_000, 0).saturating_mul(n.into())).saturating_add(RocksDbWeight::get().reads_writes(8, 8))
	}
}
