//! What the calls do: opening, topping up, claiming and closing channels.

use crate::*;
use alloc::vec::Vec;
use frame_support::{ensure, pallet_prelude::*, traits::fungible::MutateHold};
use frame_system::pallet_prelude::BlockNumberFor;
use modelchain_primitives::{
	payout::{pay_split_from_hold, release_held, Payees},
	AccessControl, Balance, ComputeStakingInterface, ModelId, ModelRegistryInterface,
};
use sp_runtime::traits::{Saturating, Verify, Zero};

impl<T: Config> Pallet<T> {
	/// Opens a channel (see [`Pallet::open_channel`]).
	pub(crate) fn do_open_channel(
		requester: T::AccountId,
		miner: T::AccountId,
		model: ModelId,
		deposit: Balance,
		lifetime: BlockNumberFor<T>,
	) -> DispatchResult {
		let serving = T::Registry::serving_info(model).ok_or(Error::<T>::ModelNotServing)?;
		ensure!(
			T::Staking::serving_stake(&miner, &serving.version).is_some(),
			Error::<T>::MinerNotServing
		);
		T::Access::may_use(&requester, model)?;
		ensure!(deposit >= serving.price && !deposit.is_zero(), Error::<T>::DepositBelowPrice);
		let expires_at = Self::expiry_after(lifetime)?;
		let open = ChannelsOf::<T>::get(&requester);
		ensure!(open < T::MaxChannelsPerRequester::get(), Error::<T>::TooManyChannels);
		let channel = NextChannelId::<T>::get();
		let next = channel.checked_add(1).ok_or(Error::<T>::Overflow)?;
		let storage_deposit = T::ChannelDeposit::get();
		Self::hold(HoldReason::ChannelEscrow, &requester, deposit)?;
		Self::hold(HoldReason::ChannelStorage, &requester, storage_deposit)?;

		let terms = ChannelTerms {
			price: serving.price,
			creator: serving.creator,
			creator_royalty: serving.creator_royalty,
			miners_share: serving.miners_share,
			protocol_fee: T::ProtocolFee::get(),
		};
		Channels::<T>::insert(
			channel,
			Channel {
				requester: requester.clone(),
				miner: miner.clone(),
				version: serving.version,
				terms,
				deposit,
				claimed: 0,
				queries_claimed: 0,
				receipts_root: Default::default(),
				storage_deposit,
				expires_at,
				closing_at: None,
			},
		);
		NextChannelId::<T>::put(next);
		ChannelsOf::<T>::insert(&requester, open.saturating_add(1));
		Self::deposit_event(Event::ChannelOpened {
			channel,
			requester,
			miner,
			model,
			version: serving.version.version,
			price: serving.price,
			deposit,
			expires_at,
		});
		Ok(())
	}

	/// Adds escrow and maybe life to a channel (see [`Pallet::top_up`]).
	pub(crate) fn do_top_up(
		requester: T::AccountId,
		channel: ChannelId,
		amount: Balance,
		lifetime: Option<BlockNumberFor<T>>,
	) -> DispatchResult {
		let mut record = Channels::<T>::get(channel).ok_or(Error::<T>::UnknownChannel)?;
		ensure!(record.requester == requester, Error::<T>::NotRequester);
		ensure!(record.closing_at.is_none(), Error::<T>::ChannelClosing);
		ensure!(Self::now() < record.expires_at, Error::<T>::ChannelExpired);
		ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
		if let Some(lifetime) = lifetime {
			record.expires_at = record.expires_at.max(Self::expiry_after(lifetime)?);
		}
		record.deposit = record.deposit.checked_add(amount).ok_or(Error::<T>::Overflow)?;
		Self::hold(HoldReason::ChannelEscrow, &requester, amount)?;
		Self::deposit_event(Event::ChannelToppedUp {
			channel,
			amount,
			deposit: record.deposit,
			expires_at: record.expires_at,
		});
		Channels::<T>::insert(channel, record);
		Ok(())
	}

	/// Pays a voucher's new part to the miner, split (see [`Pallet::claim`]).
	pub(crate) fn do_claim(
		miner: T::AccountId,
		channel: ChannelId,
		voucher: Voucher,
		signature: T::OffchainSignature,
	) -> DispatchResult {
		let mut record = Channels::<T>::get(channel).ok_or(Error::<T>::UnknownChannel)?;
		ensure!(record.miner == miner, Error::<T>::NotMiner);
		ensure!(Self::now() < Self::claims_end(&record), Error::<T>::ClaimWindowOver);
		ensure!(voucher.channel == channel, Error::<T>::WrongChannel);
		ensure!(voucher.cumulative > record.claimed, Error::<T>::VoucherNotNewer);
		ensure!(voucher.queries >= record.queries_claimed, Error::<T>::FewerQueries);
		ensure!(voucher.cumulative <= record.deposit, Error::<T>::VoucherAboveDeposit);
		ensure!(
			signature.verify(&Self::voucher_message(&voucher)[..], &record.requester),
			Error::<T>::BadSignature
		);
		Self::check_auditable(&record, &voucher)?;
		let previous_queries = record.queries_claimed;

		let amount = voucher.cumulative.saturating_sub(record.claimed);
		let model = record.version.model;
		let paid = pay_split_from_hold::<_, T::Currency, T::Revenue>(
			&HoldReason::ChannelEscrow.into(),
			&record.requester,
			&record.terms.split(amount),
			&Payees {
				treasury: &T::Treasury::get(),
				creator: &record.terms.creator,
				miners: core::slice::from_ref(&miner),
				model,
				shares_issued: T::Registry::shares_issued(model),
			},
		);
		let refunded = Self::release(HoldReason::ChannelEscrow, &record.requester, paid.unpaid);
		record.claimed = voucher.cumulative;
		record.queries_claimed = voucher.queries;
		record.receipts_root = voucher.receipts_root;
		Channels::<T>::insert(channel, &record);
		Self::queue_draw(channel, &record, previous_queries, &voucher);
		// The new queries are counted against the requester's licence, if one applies.
		T::Access::use_queries(
			&record.requester,
			model,
			voucher.queries.saturating_sub(previous_queries),
		);
		Self::deposit_event(Event::Claimed {
			channel,
			miner,
			cumulative: voucher.cumulative,
			queries: voucher.queries,
			receipts_root: voucher.receipts_root,
			amount,
			treasury: paid.treasury,
			creator: paid.creator,
			miner_part: paid.miners,
			holders: paid.holders,
			refunded,
		});
		Ok(())
	}

	/// Closes a channel or asks to (see [`Pallet::close_channel`]).
	pub(crate) fn do_close_channel(who: T::AccountId, channel: ChannelId) -> DispatchResult {
		let mut record = Channels::<T>::get(channel).ok_or(Error::<T>::UnknownChannel)?;
		let now = Self::now();
		if who == record.miner {
			return Self::close(channel, record);
		}
		ensure!(who == record.requester, Error::<T>::NotParticipant);
		if now >= Self::claims_end(&record) {
			return Self::close(channel, record);
		}
		ensure!(record.closing_at.is_none(), Error::<T>::GraceNotOver);
		let closing_at = now.saturating_add(T::ClaimGrace::get());
		record.closing_at = Some(closing_at);
		Channels::<T>::insert(channel, record);
		Self::deposit_event(Event::ChannelClosing { channel, closing_at });
		Ok(())
	}

	/// Removes a channel: refunds the escrow left and releases the storage deposit.
	fn close(channel: ChannelId, record: ChannelOf<T>) -> DispatchResult {
		let requester = &record.requester;
		let refunded = Self::release(HoldReason::ChannelEscrow, requester, record.escrow_left());
		let deposit_released =
			Self::release(HoldReason::ChannelStorage, requester, record.storage_deposit);
		Channels::<T>::remove(channel);
		ChannelsOf::<T>::mutate_exists(requester, |open| {
			*open = open.map(|n| n.saturating_sub(1)).filter(|n| *n > 0);
		});
		Self::deposit_event(Event::ChannelClosed {
			channel,
			requester: requester.clone(),
			claimed: record.claimed,
			refunded,
			deposit_released,
		});
		Ok(())
	}

	/// The block from which the miner can no longer claim: `ClaimGrace` after the channel
	/// expires, or the end of the grace the requester's close request gave, whichever is
	/// first.
	pub fn claims_end(record: &ChannelOf<T>) -> BlockNumberFor<T> {
		let after_expiry = record.expires_at.saturating_add(T::ClaimGrace::get());
		record.closing_at.map_or(after_expiry, |closing| closing.min(after_expiry))
	}

	/// What the requester signs for `voucher`: `SCALE(VOUCHER_CONTEXT, genesis_hash,
	/// voucher)` (`modelchain_query_protocol::voucher_message`, the rule the worker and the
	/// clients use), so that a voucher of another chain does not verify here.
	pub fn voucher_message(voucher: &Voucher) -> Vec<u8> {
		modelchain_query_protocol::voucher_message(
			&Self::genesis_hash(),
			&modelchain_query_protocol::Voucher {
				channel: voucher.channel,
				cumulative: voucher.cumulative,
				queries: voucher.queries,
				receipts_root: voucher.receipts_root.0,
			},
		)
	}

	/// This chain's genesis hash, which vouchers and receipts sign over.
	pub(crate) fn genesis_hash() -> [u8; 32] {
		let genesis = frame_system::Pallet::<T>::block_hash(BlockNumberFor::<T>::zero());
		genesis.as_ref().try_into().unwrap_or_else(|_| {
			defensive!("the block hash is not 32 bytes");
			[0; 32]
		})
	}

	/// The block a channel opened or extended now for `lifetime` blocks expires at.
	fn expiry_after(lifetime: BlockNumberFor<T>) -> Result<BlockNumberFor<T>, Error<T>> {
		ensure!(!lifetime.is_zero() && lifetime <= T::MaxLifetime::get(), Error::<T>::BadLifetime);
		Ok(Self::now().saturating_add(lifetime))
	}

	/// Holds `amount` of `who` with `reason`; refused with `InsufficientBalance`.
	pub(crate) fn hold(reason: HoldReason, who: &T::AccountId, amount: Balance) -> DispatchResult {
		if amount.is_zero() {
			return Ok(());
		}
		T::Currency::hold(&reason.into(), who, amount)
			.map_err(|_| Error::<T>::InsufficientBalance.into())
	}

	/// Releases up to `amount` of `who`'s funds held with `reason`; returns what was released.
	pub(crate) fn release(reason: HoldReason, who: &T::AccountId, amount: Balance) -> Balance {
		release_held::<_, T::Currency>(&reason.into(), who, amount)
	}

	pub(crate) fn now() -> BlockNumberFor<T> {
		frame_system::Pallet::<T>::block_number()
	}
}
