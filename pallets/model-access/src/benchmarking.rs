//! Benchmarks of every call, the access check a request makes and the expiry hook, each in its
//! worst case: a model with shares (the price's holders' part goes through the shares pallet),
//! a purchase that replaces an expired licence and finds the first expiry blocks full, a request
//! that uses a licence's last query and pushes the oldest access out of a full window.

use super::*;

use alloc::vec::Vec;
use frame_benchmarking::v2::*;
use frame_support::traits::{fungible::Mutate, Get};
use frame_system::RawOrigin;
use modelchain_primitives::{AccessControl, AccessPolicyAdmin, Balance, ModelId, ModelVersionRef};
use sp_runtime::traits::Saturating;

const FUNDS: u128 = 1_000_000_000_000_000_000;

fn funded<T: Config>(name: &'static str, index: u32) -> T::AccountId {
	let who: T::AccountId = account(name, index, 0);
	let _ = T::Currency::mint_into(&who, FUNDS);
	who
}

/// A model with shares, licensed, with one transferable offer of `queries` queries valid for
/// `duration` blocks; returns the owner, the model and the offer.
fn licensed_model<T: Config>(
	duration: Option<u32>,
	queries: Option<u32>,
) -> Result<(T::AccountId, ModelId, OfferId), BenchmarkError> {
	let owner = funded::<T>("owner", 0);
	let model = T::BenchmarkHelper::model_with_shares(&owner);
	<Pallet<T> as AccessPolicyAdmin<Balance>>::enact_policy(model, AccessPolicy::Licensed)?;
	let offer = NextOfferId::<T>::get(model);
	Pallet::<T>::create_offer(
		RawOrigin::Signed(owner.clone()).into(),
		model,
		LicenceTerms {
			price: 1_000_000_000_000,
			duration: duration.map(Into::into),
			queries,
			transferable: true,
		},
	)?;
	Ok((owner, model, offer))
}

/// Fills every expiry slot a licence bought now from `offer` could take but the last one with
/// real licences of fresh buyers, so that the next licence bought from it is queued in the last
/// slot tried: its removal (drop, last query, replacement) then looks through every slot.
pub fn fill_expiry_slots<T: Config>(
	model: ModelId,
	offer: OfferId,
	fillers: &'static str,
) -> Result<(), BenchmarkError> {
	let count = T::MaxExpiriesPerBlock::get().saturating_mul(EXPIRY_SLOTS_TRIED.saturating_sub(1));
	for index in 0..count {
		let buyer = funded::<T>(fillers, index);
		Pallet::<T>::buy_licence(RawOrigin::Signed(buyer).into(), model, offer)?;
	}
	Ok(())
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn set_access_policy() -> Result<(), BenchmarkError> {
		let owner = funded::<T>("owner", 0);
		let model = T::BenchmarkHelper::model_without_shares(&owner);
		let policy = AccessPolicy::Licensed;

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), model, policy);

		assert!(Policies::<T>::get(model) == Some(policy));
		Ok(())
	}

	#[benchmark]
	fn create_offer() -> Result<(), BenchmarkError> {
		let owner = funded::<T>("owner", 0);
		let model = T::BenchmarkHelper::model_with_shares(&owner);
		let terms = LicenceTerms {
			price: 1,
			duration: Some(10u32.into()),
			queries: Some(10),
			transferable: true,
		};

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), model, terms);

		assert!(OfferCount::<T>::get(model) == 1);
		Ok(())
	}

	#[benchmark]
	fn withdraw_offer() -> Result<(), BenchmarkError> {
		let (owner, model, offer) = licensed_model::<T>(Some(10), None)?;

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), model, offer);

		assert!(!Offers::<T>::contains_key(model, offer));
		Ok(())
	}

	#[benchmark]
	fn buy_licence() -> Result<(), BenchmarkError> {
		let (_, model, offer) = licensed_model::<T>(Some(10), Some(10))?;
		let buyer = funded::<T>("buyer", 0);
		// An expired licence of the buyer, queued in the last slot tried, is replaced.
		fill_expiry_slots::<T>(model, offer, "filler")?;
		Pallet::<T>::buy_licence(RawOrigin::Signed(buyer.clone()).into(), model, offer)?;
		let expired = NextLicenceId::<T>::get().saturating_sub(1);
		let now = frame_system::Pallet::<T>::block_number().saturating_add(20u32.into());
		frame_system::Pallet::<T>::set_block_number(now);
		// Every expiry slot but the last one tried is full for the new licence too.
		fill_expiry_slots::<T>(model, offer, "late filler")?;
		let block = now
			.saturating_add(10u32.into())
			.saturating_add(EXPIRY_SLOTS_TRIED.saturating_sub(1).into());
		let bought = NextLicenceId::<T>::get();

		#[extrinsic_call]
		_(RawOrigin::Signed(buyer.clone()), model, offer);

		assert!(!Licences::<T>::contains_key(expired));
		assert!(Expiries::<T>::get(block).len() == 1);
		assert!(LicenceByHolder::<T>::get(model, &buyer) == Some(bought));
		Ok(())
	}

	#[benchmark]
	fn transfer_licence() -> Result<(), BenchmarkError> {
		let (_, model, offer) = licensed_model::<T>(Some(10), Some(10))?;
		let holder = funded::<T>("holder", 0);
		Pallet::<T>::buy_licence(RawOrigin::Signed(holder.clone()).into(), model, offer)?;
		let to: T::AccountId = account("to", 0, 0);

		#[extrinsic_call]
		_(RawOrigin::Signed(holder.clone()), model, to.clone());

		assert!(LicenceByHolder::<T>::contains_key(model, &to));
		assert!(!LicenceByHolder::<T>::contains_key(model, &holder));
		Ok(())
	}

	#[benchmark]
	fn drop_licence() -> Result<(), BenchmarkError> {
		let (_, model, offer) = licensed_model::<T>(Some(10), Some(10))?;
		fill_expiry_slots::<T>(model, offer, "filler")?;
		let holder = funded::<T>("holder", 0);
		Pallet::<T>::buy_licence(RawOrigin::Signed(holder.clone()).into(), model, offer)?;

		#[extrinsic_call]
		_(RawOrigin::Signed(holder.clone()), model);

		assert!(!LicenceByHolder::<T>::contains_key(model, &holder));
		Ok(())
	}

	#[benchmark]
	fn use_access() -> Result<(), BenchmarkError> {
		let (_, model, offer) = licensed_model::<T>(Some(10), Some(1))?;
		fill_expiry_slots::<T>(model, offer, "filler")?;
		let holder = funded::<T>("holder", 0);
		Pallet::<T>::buy_licence(RawOrigin::Signed(holder.clone()).into(), model, offer)?;
		// A full window: the oldest access is pushed out.
		let length = u64::from(T::AccessLogLength::get());
		AccessLogBounds::<T>::insert(model, (0, length));
		let version = ModelVersionRef { model, version: 0 };
		let used;

		#[block]
		{
			used = Pallet::<T>::use_access(&holder, &version, 7);
		}

		assert!(matches!(used, Ok(Some(_))));
		assert!(!LicenceByHolder::<T>::contains_key(model, &holder), "the last query ends it");
		assert!(AccessLogBounds::<T>::get(model) == (1, length.saturating_add(1)));
		Ok(())
	}

	/// A query channel's claim counted against a licence: every query it has left is taken
	/// (the last ones end it, releasing its deposit).
	#[benchmark]
	fn use_queries() -> Result<(), BenchmarkError> {
		let (_, model, offer) = licensed_model::<T>(Some(10), Some(1_000))?;
		fill_expiry_slots::<T>(model, offer, "filler")?;
		let holder = funded::<T>("holder", 0);
		Pallet::<T>::buy_licence(RawOrigin::Signed(holder.clone()).into(), model, offer)?;
		let used;

		#[block]
		{
			used = Pallet::<T>::use_queries(&holder, model, 5_000);
		}

		assert!(matches!(used, Some((_, 1_000))));
		assert!(!LicenceByHolder::<T>::contains_key(model, &holder), "the last query ends it");
		Ok(())
	}

	#[benchmark]
	fn expire_licences(
		n: Linear<0, { T::MaxExpiriesPerBlock::get() }>,
	) -> Result<(), BenchmarkError> {
		let (_, model, offer) = licensed_model::<T>(Some(10), None)?;
		let holders: Vec<T::AccountId> = (0..n).map(|index| funded::<T>("holder", index)).collect();
		for holder in &holders {
			Pallet::<T>::buy_licence(RawOrigin::Signed(holder.clone()).into(), model, offer)?;
		}
		let at = frame_system::Pallet::<T>::block_number().saturating_add(10u32.into());
		frame_system::Pallet::<T>::set_block_number(at);
		let handled;

		#[block]
		{
			handled = Pallet::<T>::expire_licences(at);
		}

		assert!(handled == n);
		assert!(holders.iter().all(|holder| !LicenceByHolder::<T>::contains_key(model, holder)));
		Ok(())
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
