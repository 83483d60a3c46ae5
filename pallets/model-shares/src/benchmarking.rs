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

/// Fills `who`'s vote locks on `model` (`amount` shares each): transfers and orders check
/// them all.
fn with_locks<T: Config>(model: ModelId, who: &T::AccountId, amount: Balance) {
	let locks: alloc::vec::Vec<(modelchain_primitives::ShareLockId, Balance)> =
		(0..T::MaxLocks::get()).map(|lock| (lock, amount)).collect();
	ShareLocks::<T>::insert(model, who, BoundedVec::truncate_from(locks));
}

/// A holder whose holding the owner opened (and paid the deposit of) by a transfer of
/// `amount` shares: selling or sending all of them closes it and releases the owner's deposit.
fn holder_with_deposit<T: Config>(
	owner: &T::AccountId,
	model: ModelId,
	amount: Balance,
) -> T::AccountId {
	let holder = funded::<T>("depositing holder", 0);
	assert!(Shares::<T>::transfer_shares(
		RawOrigin::Signed(owner.clone()).into(),
		model,
		holder.clone(),
		amount
	)
	.is_ok());
	assert!(HoldingDeposits::<T>::contains_key(model, &holder));
	holder
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

	/// The worst case: the sender's holding closes (its deposit goes back to the owner who
	/// paid it) and the receiver's opens (the sender pays its deposit); every lock is checked.
	#[benchmark]
	fn transfer_shares(h: Linear<10, 10_000>) {
		let (owner, model) = with_holders::<T>(h);
		let sender = holder_with_deposit::<T>(&owner, model, 1_000);
		with_revenue::<T>(model);
		with_locks::<T>(model, &sender, 0);
		let to = funded::<T>("receiver", 0);
		#[extrinsic_call]
		_(RawOrigin::Signed(sender.clone()), model, to.clone(), 1_000);
		assert!(ShareClasses::<T>::get(model)
			.is_some_and(|c| Shares::<T>::share_balance(&c, &to) == 1_000));
		assert!(!HoldingDeposits::<T>::contains_key(model, &sender));
		assert!(HoldingDeposits::<T>::contains_key(model, &to));
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
		with_locks::<T>(model, &owner, 1);
		#[extrinsic_call]
		_(RawOrigin::Signed(owner), model, 1_000, 10);
		assert!(Orders::<T>::contains_key(0));
	}

	/// The worst case: filling all of it closes the order, the seller's holding closes (its
	/// deposit goes back to the owner who paid it) and the buyer's opens.
	#[benchmark]
	fn fill_order() {
		let (owner, model) = with_holders::<T>(1);
		let seller = holder_with_deposit::<T>(&owner, model, 1_000);
		with_revenue::<T>(model);
		assert!(Shares::<T>::create_order(
			RawOrigin::Signed(seller.clone()).into(),
			model,
			1_000,
			10
		)
		.is_ok());
		let buyer = funded::<T>("buyer", 0);
		#[extrinsic_call]
		_(RawOrigin::Signed(buyer.clone()), 0, 1_000);
		assert!(!Orders::<T>::contains_key(0));
		assert!(!HoldingDeposits::<T>::contains_key(model, &seller));
		assert!(HoldingDeposits::<T>::contains_key(model, &buyer));
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
