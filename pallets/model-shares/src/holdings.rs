//! Holding deposits (L-14): shares that arrive in an account without any of the model's shares
//! create storage (the share account in `pallet-assets` and the holder's revenue record), so
//! whoever opens that holding pays `HoldingDeposit` for it: the sender of a transfer, or the
//! buyer of an order. The deposit is held from the payer and released to it when the holding
//! closes (the holder's balance and escrow are both zero). The owner's holding made by
//! issuance is paid for by the model's deposit and has no record.

use crate::{
	pallet::{Config, Error, Event, HoldReason, HoldingDeposits, Pallet, ShareClassOf},
	HoldingDeposit,
};
use frame_support::{
	defensive,
	traits::{fungible::MutateHold, Get},
};
use modelchain_primitives::{payout::release_held, Balance, ModelId};
use sp_runtime::{traits::Zero, DispatchResult};

impl<T: Config> Pallet<T> {
	/// Before shares move to `holder`: if it has none of `model`'s shares (in its account or in
	/// escrow), `payer` pays the deposit of the holding they open. Emits `HoldingOpened`.
	pub(crate) fn open_holding_if_new(
		model: ModelId,
		class: &ShareClassOf<T>,
		holder: &T::AccountId,
		payer: &T::AccountId,
	) -> DispatchResult {
		if !Self::entitled_shares(model, class, holder).is_zero() {
			return Ok(());
		}
		let deposit = T::HoldingDeposit::get();
		T::Currency::hold(&HoldReason::HoldingDeposit.into(), payer, deposit)
			.map_err(|_| Error::<T>::InsufficientBalance)?;
		// A record left by a holding that closed without going through here cannot exist
		// (closing removes it); if one did, its deposit is released rather than lost.
		if let Some(stale) = HoldingDeposits::<T>::take(model, holder) {
			defensive!("a holding without shares kept its deposit record");
			Self::release_holding_deposit(model, holder, stale);
		}
		HoldingDeposits::<T>::insert(
			model,
			holder,
			HoldingDeposit { depositor: payer.clone(), amount: deposit },
		);
		Self::deposit_event(Event::HoldingOpened {
			model,
			holder: holder.clone(),
			depositor: payer.clone(),
			deposit,
		});
		Ok(())
	}

	/// After shares left `holder`: if it has none of `model`'s shares left, its holding closes
	/// and the deposit goes back to whoever paid it. Emits `HoldingClosed`.
	pub(crate) fn close_holding_if_empty(
		model: ModelId,
		class: &ShareClassOf<T>,
		holder: &T::AccountId,
	) {
		if !Self::entitled_shares(model, class, holder).is_zero() {
			return;
		}
		if let Some(record) = HoldingDeposits::<T>::take(model, holder) {
			Self::release_holding_deposit(model, holder, record);
		}
	}

	fn release_holding_deposit(
		model: ModelId,
		holder: &T::AccountId,
		record: HoldingDeposit<T::AccountId, Balance>,
	) {
		let released = release_held::<_, T::Currency>(
			&HoldReason::HoldingDeposit.into(),
			&record.depositor,
			record.amount,
		);
		Self::deposit_event(Event::HoldingClosed {
			model,
			holder: holder.clone(),
			depositor: record.depositor,
			deposit: released,
		});
	}
}
