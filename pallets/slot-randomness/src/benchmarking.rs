//! Benchmark of `set_randomness`: one VRF verification and output, whatever the input (the
//! work does not depend on the values), with a signature made ahead of time (the runtime cannot
//! sign: `benchmark_signature_is_alices_for_slot_1` checks the constants below).

use super::*;

use frame_benchmarking::v2::*;
use frame_support::traits::{Get, Hooks};
use frame_system::RawOrigin;

use crate::benchmark_input::{ALICE, SIGNATURE};

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn set_randomness() -> Result<(), BenchmarkError> {
		frame_system::Pallet::<T>::set_block_number(1u32.into());
		T::BenchmarkHelper::set_slot_author(1, Public::from_raw(ALICE));
		let signature = SIGNATURE;

		#[extrinsic_call]
		_(RawOrigin::None, signature);

		assert_eq!(Randomness::<T>::get().block, 1u32.into());
		Ok(())
	}

	/// `on_finalize` after a session change: `MaxAuthorities` authorities, all new, copied.
	#[benchmark]
	fn on_finalize() -> Result<(), BenchmarkError> {
		let authorities: alloc::vec::Vec<Public> = (0..T::MaxAuthorities::get())
			.map(|index| Public::from_raw([index as u8; 32]))
			.collect();
		T::BenchmarkHelper::set_authorities(authorities.clone());
		let now = frame_system::Pallet::<T>::block_number();
		#[block]
		{
			Pallet::<T>::on_finalize(now);
		}
		assert_eq!(ParentAuthorities::<T>::get().into_inner(), authorities);
		Ok(())
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
