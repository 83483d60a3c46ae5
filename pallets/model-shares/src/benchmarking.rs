//! Benchmarks of every call. `transfer_shares`, `claim` and `distribute_revenue` take the number
//! of holders `h` (10 to 10,000) as a component: their weight must not grow with it.

use super::*;
use crate::Pallet as Shares;
use frame_benchmarking::v2::*;
use frame_support::traits::{fungible::Mutate as NativeMutate, fungibles::Mutate as AssetsMutate};
use frame_support::{traits::Get, BoundedVec};
use frame_system::RawOrigin;
use modelchain_primitives::{Balance, ModelId, RevenueSink};
use sp_runtime::traits::Convert;

const SUPPLY: Balance = 1_000_000_000;
const FUNDS: Balance = 1_000_000_000_000_000_000;

fn funded<T: Config>(name: &'static str, index: u32) -> T::AccountId {
	let who: T::AccountId = account(name, index, 0);
	T::Currency::set_balance(&who, FUNDS);
	who
}

/// A model with issued shares, the owner and `holders` other holders of one share each.
fn with_holders<T: Config>(holders: u32) -> (T::AccountId, ModelId) {
	let owner = funded::<T>("owner", 0);
	let model = T::BenchmarkHelper::register_model(&owner);
	assert!(
		Shares::<T>::issue_shares(RawOrigin::Signed(owner.clone()).into(), model, SUPPLY).is_ok()
	);
	let asset = T::ShareAssetId::convert(model);
	for i in 0..holders {
		let holder = funded::<T>("holder", i);
		assert!(T::Assets::transfer(
			asset.clone(),
			&owner,
			&holder,
			1,
			frame_support::traits::tokens::Preservation::Expendable
		)
		.is_ok());
	}
	(owner, model)
}

/// Fills `who`'s vote locks on `model` (one share each): transfers and orders check them all.
fn with_locks<T: Config>(model: ModelId, who: &T::AccountId) {
	let locks: alloc::vec::Vec<(modelchain_primitives::ShareLockId, Balance)> =
		(0..T::MaxLocks::get()).map(|lock| (lock, 1)).collect();
	ShareLocks::<T>::insert(model, who, BoundedVec::truncate_from(locks));
}

fn with_revenue<T: Config>(model: ModelId) {
	let payer = funded::<T>("payer", 0);
	assert!(<Shares<T> as RevenueSink<_, _>>::deposit_revenue(model, &payer, 1_000_000_000).is_ok());
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn issue_shares() {
		let owner = funded::<T>("owner", 0);
		let model = T::BenchmarkHelper::register_model(&owner);
		#[extrinsic_call]
		_(RawOrigin::Signed(owner), model, SUPPLY);
		assert!(ShareClasses::<T>::contains_key(model));
	}

	#[benchmark]
	fn transfer_shares(h: Linear<10, 10_000>) {
		let (owner, model) = with_holders::<T>(h);
		with_revenue::<T>(model);
		with_locks::<T>(model, &owner);
		let to = funded::<T>("receiver", 0);
		#[extrinsic_call]
		_(RawOrigin::Signed(owner), model, to.clone(), 1_000);
		assert!(ShareClasses::<T>::get(model)
			.is_some_and(|c| Shares::<T>::share_balance(&c, &to) == 1_000));
	}

	#[benchmark]
	fn claim(h: Linear<10, 10_000>) {
		let (owner, model) = with_holders::<T>(h);
		with_revenue::<T>(model);
		#[extrinsic_call]
		_(RawOrigin::Signed(owner.clone()), model);
		assert_eq!(Shares::<T>::pending_revenue(model, &owner), 0);
	}

	#[benchmark]
	fn distribute_revenue(h: Linear<10, 10_000>) {
		let (_, model) = with_holders::<T>(h);
		with_revenue::<T>(model);
		let payer = funded::<T>("payer", 1);
		#[extrinsic_call]
		_(RawOrigin::Signed(payer), model, 1_000_000_000);
		assert!(ShareClasses::<T>::get(model).is_some_and(|c| c.total_deposited == 2_000_000_000));
	}

	#[benchmark]
	fn create_order() {
		let (owner, model) = with_holders::<T>(1);
		with_revenue::<T>(model);
		with_locks::<T>(model, &owner);
		#[extrinsic_call]
		_(RawOrigin::Signed(owner), model, 1_000, 10);
		assert!(Orders::<T>::contains_key(0));
	}

	#[benchmark]
	fn fill_order() {
		let (owner, model) = with_holders::<T>(1);
		with_revenue::<T>(model);
		assert!(
			Shares::<T>::create_order(RawOrigin::Signed(owner).into(), model, 1_000, 10).is_ok()
		);
		let buyer = funded::<T>("buyer", 0);
		// Filling all of it also closes the order: the worst case.
		#[extrinsic_call]
		_(RawOrigin::Signed(buyer), 0, 1_000);
		assert!(!Orders::<T>::contains_key(0));
	}

	#[benchmark]
	fn cancel_order() {
		let (owner, model) = with_holders::<T>(1);
		assert!(Shares::<T>::create_order(
			RawOrigin::Signed(owner.clone()).into(),
			model,
			1_000,
			10
		)
		.is_ok());
		#[extrinsic_call]
		_(RawOrigin::Signed(owner), 0);
		assert!(!Orders::<T>::contains_key(0));
	}

	impl_benchmark_test_suite!(Shares, crate::mock::new_test_ext(), crate::mock::Test);
}
