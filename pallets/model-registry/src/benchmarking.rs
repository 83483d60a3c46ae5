//! Benchmarks of every call with the longest strings the bounds allow.

use super::*;
use crate::Pallet as Registry;
use alloc::{vec, vec::Vec};
use frame_benchmarking::v2::*;
use frame_support::traits::{fungible::Mutate, Get};
use frame_system::RawOrigin;
use modelchain_primitives::{ModelId, ModelRegistryInterface, ModelStatus};
use sp_runtime::{traits::Bounded, Perbill};

// Benchmark set-up only: a shift of the largest balance cannot overflow.
#[allow(clippy::arithmetic_side_effects)]
fn funded<T: Config>() -> T::AccountId {
	let who: T::AccountId = account("owner", 0, 0);
	// A quarter of the largest balance: room for every deposit and bond.
	T::Currency::set_balance(&who, BalanceOf::<T>::max_value() >> 2);
	who
}

fn max_version<T: Config>() -> VersionInput<BalanceOf<T>> {
	VersionInput {
		weights_hash: [1; 32],
		weights_uri: vec![b'u'; T::MaxUriLen::get() as usize],
		format: WeightsFormat::Safetensors,
		architecture: vec![b'a'; T::MaxTagLen::get() as usize],
		dataset_fingerprint: [2; 32],
		licence: vec![b'l'; T::MaxTagLen::get() as usize],
		output_precision: 4,
		price_per_inference: 1_000u32.into(),
	}
}

fn economics() -> ModelEconomics {
	ModelEconomics {
		creator_royalty: Perbill::from_percent(5),
		miners_share: Perbill::from_percent(30),
		redundancy: 3,
	}
}

fn registered<T: Config>() -> (T::AccountId, ModelId) {
	let owner = funded::<T>();
	let model = NextModelId::<T>::get();
	assert!(Registry::<T>::register_model(
		RawOrigin::Signed(owner.clone()).into(),
		vec![b'N'; T::MaxNameLen::get() as usize],
		vec![b'S'; T::MaxSymbolLen::get() as usize],
		vec![b'm'; T::MaxUriLen::get() as usize],
		max_version::<T>(),
		economics(),
	)
	.is_ok());
	(owner, model)
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn register_model() {
		let owner = funded::<T>();
		let name: Vec<u8> = vec![b'N'; T::MaxNameLen::get() as usize];
		let symbol: Vec<u8> = vec![b'S'; T::MaxSymbolLen::get() as usize];
		let uri: Vec<u8> = vec![b'm'; T::MaxUriLen::get() as usize];
		#[extrinsic_call]
		_(RawOrigin::Signed(owner), name, symbol, uri, max_version::<T>(), economics());
		assert!(Models::<T>::contains_key(0));
	}

	#[benchmark]
	fn add_version() {
		let (owner, model) = registered::<T>();
		#[extrinsic_call]
		_(RawOrigin::Signed(owner), model, max_version::<T>());
		assert!(Versions::<T>::contains_key(model, 1));
	}

	#[benchmark]
	fn set_active_version() {
		let (owner, model) = registered::<T>();
		assert!(Registry::<T>::add_version(
			RawOrigin::Signed(owner.clone()).into(),
			model,
			max_version::<T>()
		)
		.is_ok());
		#[extrinsic_call]
		_(RawOrigin::Signed(owner), model, 1);
		assert!(Models::<T>::get(model).is_some_and(|m| m.active_version == 1));
	}

	#[benchmark]
	fn set_status() {
		let (owner, model) = registered::<T>();
		#[extrinsic_call]
		_(RawOrigin::Signed(owner), model, ModelStatus::Paused);
		assert!(!Registry::<T>::is_active(model));
	}

	#[benchmark]
	fn set_metadata_uri() {
		let (owner, model) = registered::<T>();
		let uri: Vec<u8> = vec![b'n'; T::MaxUriLen::get() as usize];
		#[extrinsic_call]
		_(RawOrigin::Signed(owner), model, uri);
		assert!(Models::<T>::get(model).is_some_and(|m| m.metadata_uri.first() == Some(&b'n')));
	}

	#[benchmark]
	fn retire_model() {
		let (owner, model) = registered::<T>();
		#[extrinsic_call]
		_(RawOrigin::Signed(owner), model);
		assert!(Models::<T>::get(model).is_some_and(|m| m.status == ModelStatus::Retired));
	}

	impl_benchmark_test_suite!(Registry, crate::mock::new_test_ext(), crate::mock::Test);
}
