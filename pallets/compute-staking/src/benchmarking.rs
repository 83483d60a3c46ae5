//! Benchmarks of every call, in their worst case (longest strings, most versions, a full
//! unbonding queue).

use super::*;
use crate::Pallet as ComputeStaking;
use alloc::vec::Vec;
use frame_benchmarking::v2::*;
use frame_support::traits::{fungible::Mutate, Get};
use frame_system::RawOrigin;
use modelchain_primitives::{ModelVersionRef, WorkerRole};
use sp_runtime::{traits::Bounded, Perbill, Saturating};

// Benchmark set-up only: a shift of the largest balance cannot overflow.
#[allow(clippy::arithmetic_side_effects)]
fn funded<T: Config>(name: &'static str) -> T::AccountId {
	let who: T::AccountId = account(name, 0, 0);
	// A quarter of the largest balance: room for every deposit and bond.
	T::Currency::set_balance(&who, BalanceOf::<T>::max_value() >> 2);
	who
}

/// `n` registered versions of `n` models.
fn versions<T: Config>(n: u32) -> Vec<ModelVersionRef> {
	let versions: Vec<_> = (0..n).map(|i| ModelVersionRef { model: i, version: 0 }).collect();
	T::BenchmarkHelper::register_versions(&versions);
	versions
}

fn endpoint<T: Config>() -> Vec<u8> {
	let mut endpoint = b"http://".to_vec();
	endpoint.resize(T::MaxEndpointLen::get() as usize, b'a');
	endpoint
}

fn parameters<T: Config>() -> ParametersOf<T> {
	StakingParameters {
		min_miner_bond: 1_000u32.into(),
		min_verifier_bond: 1_000u32.into(),
		unbonding_period: 10u32.into(),
		jail_period: 10u32.into(),
		slash_wrong_result: Perbill::from_percent(10),
		slash_missed_reveal: Perbill::from_percent(10),
	}
}

fn registered<T: Config>(n: u32) -> T::AccountId {
	Parameters::<T>::put(parameters::<T>());
	let who = funded::<T>("worker");
	assert!(ComputeStaking::<T>::register_worker(
		RawOrigin::Signed(who.clone()).into(),
		WorkerRole::Miner,
		endpoint::<T>(),
		alloc::vec![b'h'; T::MaxHardwareLen::get() as usize],
		versions::<T>(n),
	)
	.is_ok());
	who
}

fn bonded<T: Config>(n: u32) -> T::AccountId {
	let who = registered::<T>(n);
	assert!(ComputeStaking::<T>::bond(RawOrigin::Signed(who.clone()).into(), 1_000_000u32.into())
		.is_ok());
	who
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn register_worker(v: Linear<0, { T::MaxVersionsPerWorker::get() }>) {
		Parameters::<T>::put(parameters::<T>());
		let who = funded::<T>("worker");
		let hardware = alloc::vec![b'h'; T::MaxHardwareLen::get() as usize];
		#[extrinsic_call]
		_(
			RawOrigin::Signed(who.clone()),
			WorkerRole::Miner,
			endpoint::<T>(),
			hardware,
			versions::<T>(v),
		);
		assert!(Workers::<T>::contains_key(&who));
	}

	#[benchmark]
	fn update_worker(v: Linear<0, { T::MaxVersionsPerWorker::get() }>) {
		let who = registered::<T>(T::MaxVersionsPerWorker::get());
		// Replace every served version with `v` new ones: worst case for the index.
		let new_versions: Vec<_> =
			(0..v).map(|i| ModelVersionRef { model: i, version: 1 }).collect();
		T::BenchmarkHelper::register_versions(&new_versions);
		let hardware = alloc::vec![b'g'; T::MaxHardwareLen::get() as usize];
		#[extrinsic_call]
		_(
			RawOrigin::Signed(who.clone()),
			Some(endpoint::<T>()),
			Some(hardware),
			Some(new_versions),
		);
		assert!(Workers::<T>::get(&who).is_some_and(|w| w.versions.len() == v as usize));
	}

	#[benchmark]
	fn bond() {
		let who = bonded::<T>(1);
		let amount: BalanceOf<T> = 1_000u32.into();
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), amount);
		assert!(Workers::<T>::get(&who).is_some_and(|w| w.active_bond == 1_001_000u32.into()));
	}

	#[benchmark]
	fn unbond() {
		let who = bonded::<T>(1);
		// Fill all but one chunk so the call pushes the last one.
		for i in 1..T::MaxUnlockingChunks::get() {
			frame_system::Pallet::<T>::set_block_number(i.into());
			assert!(ComputeStaking::<T>::unbond(
				RawOrigin::Signed(who.clone()).into(),
				1u32.into()
			)
			.is_ok());
		}
		frame_system::Pallet::<T>::set_block_number(T::MaxUnlockingChunks::get().into());
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), 1u32.into());
		assert!(Workers::<T>::get(&who)
			.is_some_and(|w| w.unlocking.len() == T::MaxUnlockingChunks::get() as usize));
	}

	#[benchmark]
	fn withdraw_unbonded(c: Linear<1, { T::MaxUnlockingChunks::get() }>) {
		let who = bonded::<T>(1);
		for i in 0..c {
			frame_system::Pallet::<T>::set_block_number(i.saturating_add(1).into());
			assert!(ComputeStaking::<T>::unbond(
				RawOrigin::Signed(who.clone()).into(),
				1u32.into()
			)
			.is_ok());
		}
		let later = frame_system::Pallet::<T>::block_number().saturating_add(1_000u32.into());
		frame_system::Pallet::<T>::set_block_number(later);
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()));
		assert!(Workers::<T>::get(&who).is_some_and(|w| w.unlocking.is_empty()));
	}

	#[benchmark]
	fn chill() {
		let who = bonded::<T>(1);
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()));
		assert!(Workers::<T>::get(&who).is_some_and(|w| w.status == WorkerStatus::Chilled));
	}

	#[benchmark]
	fn resume() {
		let who = bonded::<T>(1);
		assert!(ComputeStaking::<T>::chill(RawOrigin::Signed(who.clone()).into()).is_ok());
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()));
		assert!(Workers::<T>::get(&who).is_some_and(|w| w.status == WorkerStatus::Active));
	}

	#[benchmark]
	fn deregister(v: Linear<0, { T::MaxVersionsPerWorker::get() }>) {
		let who = registered::<T>(v);
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()));
		assert!(!Workers::<T>::contains_key(&who));
	}

	#[benchmark]
	fn set_parameters() {
		let params = parameters::<T>();
		#[extrinsic_call]
		_(RawOrigin::Root, params.clone());
		assert_eq!(Parameters::<T>::get(), Some(params));
	}

	impl_benchmark_test_suite!(ComputeStaking, crate::mock::new_test_ext(), crate::mock::Test);
}
