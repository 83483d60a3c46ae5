//! Benchmarks of every call, in their worst case (longest strings, most versions, a full
//! unbonding queue, and for every call that moves a miner in the version index, every version
//! it serves holding `MaxWorkersPerVersion` miners: each index read, searched and rewritten at
//! its largest).

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
	funded_as::<T>(name, 0)
}

// Benchmark set-up only: a shift of the largest balance cannot overflow.
#[allow(clippy::arithmetic_side_effects)]
fn funded_as<T: Config>(name: &'static str, index: u32) -> T::AccountId {
	let who: T::AccountId = account(name, index, 0);
	// A 65,536th of the largest balance: room for every deposit and bond, and for the
	// benchmarks' hundreds of accounts within the total issuance.
	T::Currency::set_balance(&who, BalanceOf::<T>::max_value() >> 16);
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
		// Longer than an inference job (a shorter one is refused).
		unbonding_period: T::JobLifetime::get().saturating_add(10u32.into()),
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

/// Registers and bonds `MaxWorkersPerVersion - 1` other miners (accounts named `name`) serving
/// `versions`, so that the index of each of them has room for exactly one more miner.
fn fill_indexes<T: Config>(name: &'static str, versions: &[ModelVersionRef]) {
	Parameters::<T>::put(parameters::<T>());
	for index in 1..T::MaxWorkersPerVersion::get() {
		let other = funded_as::<T>(name, index);
		assert!(ComputeStaking::<T>::register_worker(
			RawOrigin::Signed(other.clone()).into(),
			WorkerRole::Miner,
			endpoint::<T>(),
			alloc::vec![b'h'; T::MaxHardwareLen::get() as usize],
			versions.to_vec(),
		)
		.is_ok());
		assert!(
			ComputeStaking::<T>::bond(RawOrigin::Signed(other).into(), 1_000_000u32.into()).is_ok()
		);
	}
}

/// Every version a worker may serve, registered, with each index full but for one miner.
fn most_versions_with_full_indexes<T: Config>() -> u32 {
	let most = T::MaxVersionsPerWorker::get();
	fill_indexes::<T>("other-miner", &versions::<T>(most));
	most
}

/// Whether `who` holds a slot in every version it serves.
fn indexed<T: Config>(who: &T::AccountId) -> bool {
	Workers::<T>::get(who).is_some_and(|worker| {
		worker.versions.iter().all(|version| {
			MinersByVersion::<T>::get(version).iter().any(|entry| entry.miner == *who)
		})
	})
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
		// A bonded miner leaves every full index it is in and joins `v` others, each full
		// but for one: worst case for the index.
		let who = bonded::<T>(most_versions_with_full_indexes::<T>());
		let new_versions: Vec<_> =
			(0..v).map(|i| ModelVersionRef { model: i, version: 1 }).collect();
		T::BenchmarkHelper::register_versions(&new_versions);
		fill_indexes::<T>("new-version-miner", &new_versions);
		let hardware = alloc::vec![b'g'; T::MaxHardwareLen::get() as usize];
		#[extrinsic_call]
		_(
			RawOrigin::Signed(who.clone()),
			Some(endpoint::<T>()),
			Some(hardware),
			Some(new_versions),
		);
		assert!(Workers::<T>::get(&who).is_some_and(|w| w.versions.len() == v as usize));
		assert!(indexed::<T>(&who));
	}

	/// The first bond of a miner serving the most versions: it joins every index.
	#[benchmark]
	fn bond() {
		let who = registered::<T>(most_versions_with_full_indexes::<T>());
		let amount: BalanceOf<T> = 1_000u32.into();
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), amount);
		assert!(Workers::<T>::get(&who).is_some_and(|w| w.active_bond == 1_000u32.into()));
		assert!(indexed::<T>(&who));
	}

	/// The last unbonding chunk, taking the bond below the minimum: the miner leaves every
	/// full index it is in.
	#[benchmark]
	fn unbond() {
		let who = bonded::<T>(most_versions_with_full_indexes::<T>());
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
		let rest = Workers::<T>::get(&who).map(|w| w.active_bond).unwrap_or_default();
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), rest);
		assert!(Workers::<T>::get(&who)
			.is_some_and(|w| w.unlocking.len() == T::MaxUnlockingChunks::get() as usize));
		assert!(MinersByVersion::<T>::iter_values()
			.all(|index| index.iter().all(|entry| entry.miner != who)));
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

	/// A miner in every full index of the most versions leaves them all.
	#[benchmark]
	fn chill() {
		let who = bonded::<T>(most_versions_with_full_indexes::<T>());
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()));
		assert!(Workers::<T>::get(&who).is_some_and(|w| w.status == WorkerStatus::Chilled));
		assert!(MinersByVersion::<T>::iter_values()
			.all(|index| index.iter().all(|entry| entry.miner != who)));
	}

	/// A chilled miner of the most versions joins every index, each full but for one.
	#[benchmark]
	fn resume() {
		let who = bonded::<T>(most_versions_with_full_indexes::<T>());
		assert!(ComputeStaking::<T>::chill(RawOrigin::Signed(who.clone()).into()).is_ok());
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()));
		assert!(Workers::<T>::get(&who).is_some_and(|w| w.status == WorkerStatus::Active));
		assert!(indexed::<T>(&who));
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
