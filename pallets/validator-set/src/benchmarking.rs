//! Benchmarks of both calls. Worst cases: the set holds `v` validators, the account looked for
//! is compared with every one of them (added: not in the set; removed: the last one), and on
//! removal the session keys of every other one are looked up.

use super::*;

use alloc::vec::Vec;
use frame_benchmarking::v2::*;
use frame_support::{
	traits::{EnsureOrigin, Get},
	BoundedVec,
};

/// Puts `count` validators (`validator` 0..count), each with session keys, in the set.
fn set_of<T: Config>(count: u32) -> Result<Vec<T::AccountId>, BenchmarkError> {
	let validators: Vec<T::AccountId> =
		(0..count).map(|index| account("validator", index, 0)).collect();
	validators.iter().for_each(T::BenchmarkHelper::register_session_keys);
	let bounded = BoundedVec::<T::AccountId, T::MaxValidators>::try_from(validators.clone())
		.map_err(|_| BenchmarkError::Stop("more validators than MaxValidators"))?;
	Validators::<T>::put(bounded);
	Ok(validators)
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn add_validator(
		v: Linear<1, { T::MaxValidators::get().saturating_sub(1) }>,
	) -> Result<(), BenchmarkError> {
		set_of::<T>(v)?;
		let joiner: T::AccountId = account("joiner", 0, 0);
		T::BenchmarkHelper::register_session_keys(&joiner);
		let origin =
			T::AddRemoveOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, joiner.clone());

		assert!(Validators::<T>::get().last() == Some(&joiner));
		Ok(())
	}

	#[benchmark]
	fn remove_validator(
		v: Linear<{ T::MinValidators::get().saturating_add(1) }, { T::MaxValidators::get() }>,
	) -> Result<(), BenchmarkError> {
		let validators = set_of::<T>(v)?;
		let leaver = validators.last().cloned().ok_or(BenchmarkError::Stop("empty set"))?;
		let origin =
			T::AddRemoveOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, leaver.clone());

		assert!(!Validators::<T>::get().contains(&leaver));
		assert!(Validators::<T>::get().len() as u32 == v.saturating_sub(1));
		Ok(())
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
