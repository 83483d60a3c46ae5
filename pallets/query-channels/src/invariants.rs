//! The pallet's invariants (`try_state`), checked after every unit test and by try-runtime.

use crate::*;
use alloc::collections::btree_map::BTreeMap;
use frame_support::{ensure, traits::fungible::InspectHold};
use modelchain_primitives::Balance;

impl<T: Config> Pallet<T> {
	/// Each requester's escrow hold is exactly what its channels can still pay and its storage
	/// hold exactly their storage deposits; its channel count is its number of channels; no
	/// channel paid more than its escrow; every id is below `NextChannelId`; challenges are
	/// held for and indexed consistently.
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		let next = NextChannelId::<T>::get();
		let mut per_requester: BTreeMap<T::AccountId, (u32, Balance, Balance)> = BTreeMap::new();
		for (id, channel) in Channels::<T>::iter() {
			ensure!(id < next, "a channel id at or above NextChannelId");
			ensure!(channel.claimed <= channel.deposit, "a channel paid more than its escrow");
			let entry = per_requester.entry(channel.requester.clone()).or_default();
			entry.0 = entry.0.saturating_add(1);
			entry.1 = entry.1.saturating_add(channel.escrow_left());
			entry.2 = entry.2.saturating_add(channel.storage_deposit);
		}
		ensure!(
			ChannelsOf::<T>::iter().count() == per_requester.len(),
			"a channel count of a requester without channels"
		);
		for (requester, (count, escrow, storage)) in per_requester {
			ensure!(ChannelsOf::<T>::get(&requester) == count, "a requester's channel count");
			ensure!(
				T::Currency::balance_on_hold(&HoldReason::ChannelEscrow.into(), &requester)
					== escrow,
				"a requester's escrow hold differs from what its channels can pay"
			);
			ensure!(
				T::Currency::balance_on_hold(&HoldReason::ChannelStorage.into(), &requester)
					== storage,
				"a requester's storage hold differs from its channels' deposits"
			);
		}
		Self::challenges_try_state()?;
		Self::audits_try_state()
	}

	/// Draws and audits sit within their queues' bounds; every audit being checked has its
	/// check indexed, and every indexed check its audit.
	fn audits_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		let (draw_head, draw_tail) = DrawBounds::<T>::get();
		ensure!(draw_head <= draw_tail, "draw queue bounds inverted");
		ensure!(
			Draws::<T>::iter_keys().all(|id| (draw_head..draw_tail).contains(&id)),
			"a draw outside its queue"
		);
		let (_, next) = AuditBounds::<T>::get();
		for (id, audit) in Audits::<T>::iter() {
			ensure!(id < next, "an audit id at or above the next one");
			ensure!(
				audit.index < audit.draw.count,
				"an audit of a receipt the root does not commit to"
			);
			if let Some(check) = audit.check {
				ensure!(AuditChecks::<T>::get(check) == Some(id), "an audit's check not indexed");
			}
		}
		ensure!(
			AuditChecks::<T>::iter().all(|(check, id)| {
				Audits::<T>::get(id).is_some_and(|audit| audit.check == Some(check))
			}),
			"an indexed check without its audit"
		);
		Ok(())
	}

	/// Each challenger's challenge hold is exactly its open challenges' deposits, and every
	/// challenged receipt points at its challenge (and back).
	fn challenges_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		let mut held: BTreeMap<T::AccountId, Balance> = BTreeMap::new();
		for (check, challenge) in Challenges::<T>::iter() {
			let entry = held.entry(challenge.challenger.clone()).or_default();
			*entry = entry.saturating_add(challenge.deposit);
			ensure!(
				ChallengedReceipts::<T>::get((challenge.channel, challenge.sequence))
					== Some(check),
				"a challenge whose receipt does not point at it"
			);
		}
		ensure!(
			ChallengedReceipts::<T>::iter().all(|(_, check)| Challenges::<T>::contains_key(check)),
			"a challenged receipt without its challenge"
		);
		for (challenger, deposits) in held {
			ensure!(
				T::Currency::balance_on_hold(&HoldReason::ChallengeDeposit.into(), &challenger)
					== deposits,
				"a challenger's hold differs from its challenges' deposits"
			);
		}
		Ok(())
	}
}
