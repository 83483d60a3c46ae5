//! # Model shares
//!
//! Fractional, transferable ownership of a model, and the distribution of its revenue.
//!
//! - [`Pallet::issue_shares`]: the model's owner creates the share asset in `pallet-assets`
//!   (this pallet's account is its admin; its metadata is the model's name and symbol) and the
//!   whole supply is minted to the owner. From then on the model changes only by governance.
//! - Share balances live in `pallet-assets`, so wallets show them; but only this pallet moves
//!   them (the runtime keeps share assets in a `pallet-assets` instance without calls).
//!   [`Pallet::transfer_shares`] settles both sides' revenue first.
//! - Holding deposits: shares arriving in an account without any of the model's shares open a
//!   holding (a share account and a revenue record); the sender, or the buyer of an order, pays
//!   `HoldingDeposit` for it, released to the payer when the holding empties (`holdings.rs`).
//! - Revenue: `acc_revenue_per_share` is a per-model accumulator (scaled by 1e12) and each holder
//!   has a `debt`. [`RevenueSink::deposit_revenue`] (used by the inference pallet) and
//!   [`Pallet::distribute_revenue`] are O(1); [`Pallet::claim`] is O(1); every share movement
//!   settles the accounts it touches. Nothing ever iterates over holders. Rounding is exact:
//!   the remainder of a deposit that does not divide among the shares is carried, in the
//!   accumulator's units, into the next deposit, so what holders are owed plus that remainder
//!   is always exactly what was deposited minus what was claimed (see `credit_revenue`).
//! - Secondary market: [`Pallet::create_order`] escrows shares for sale at a price in the native
//!   token, [`Pallet::fill_order`] buys some or all of them, [`Pallet::cancel_order`] returns the
//!   rest. Escrowed shares keep earning revenue for the seller until sold.
//! - Vote locks ([`ShareVoting`], used by share-holder governance): shares that voted on an open
//!   proposal stay in their account (earning revenue) but cannot be transferred or put on sale
//!   until the proposal closes. An account's locks overlap: the largest binding lock counts.

#![cfg_attr(not(feature = "std"), no_std)]
#![cfg_attr(
	not(test),
	// `expect_used` is left out: FRAME's macro expansions use it.
	deny(
		clippy::unwrap_used,
		clippy::indexing_slicing,
		clippy::arithmetic_side_effects,
		clippy::panic
	)
)]

extern crate alloc;

pub use pallet::*;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod holdings;
pub mod migrations;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;
pub mod types;
pub mod weights;

pub use types::*;
pub use weights::WeightInfo;

/// Creates a model for the benchmarks (the registry lives in another pallet).
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId> {
	/// Registers a model owned by `owner` and returns its id.
	fn register_model(owner: &AccountId) -> modelchain_primitives::ModelId;
}

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::{
		pallet_prelude::*,
		traits::{
			fungible::{self, Mutate as _, MutateHold},
			fungibles::{self, metadata::MetadataDeposit},
			tokens::{Precision, Preservation},
		},
		PalletId,
	};
	use frame_system::pallet_prelude::*;
	use modelchain_primitives::{
		Balance, ModelId, ModelRegistryInterface, RevenueSink, ShareLockId, ShareLockStatus,
		ShareVoting,
	};
	use sp_runtime::traits::{AccountIdConversion, Convert, Zero};

	/// The asset id of a model's shares.
	pub type AssetIdOf<T> = <<T as Config>::Assets as fungibles::Inspect<
		<T as frame_system::Config>::AccountId,
	>>::AssetId;
	/// A share class with this runtime's types.
	pub type ShareClassOf<T> = ShareClass<AssetIdOf<T>, Balance>;
	/// A sell order with this runtime's types.
	pub type SellOrderOf<T> = SellOrder<<T as frame_system::Config>::AccountId, Balance>;

	/// Holders in the worst case benchmarked. The weights of `transfer_shares`, `claim` and
	/// `distribute_revenue` do not depend on the number of holders; they are charged at this
	/// count so that benchmark noise never undercharges.
	pub const HOLDERS_BENCHMARKED: u32 = 10_000;

	/// The storage version: 1 keeps the carried rounding remainder in the accumulator's units
	/// ([`ShareClass::dust_scaled`]; see [`crate::migrations`]); 2: the runtime keeps share
	/// assets in an assets instance of their own, created sufficient (the runtime's
	/// `MoveSharesToShareAssets` migration moves them).
	pub const STORAGE_VERSION: StorageVersion = StorageVersion::new(2);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn integrity_test() {
			assert!(T::MinSupply::get() >= 1, "revenue is divided by the supply: MinSupply >= 1");
			assert!(
				T::MinSupply::get() <= T::MaxSupply::get() && T::MaxSupply::get() <= ACC_PRECISION,
				"MinSupply <= MaxSupply <= ACC_PRECISION"
			);
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// Storage deposit of a sell order.
		OrderDeposit,
		/// Storage deposit of a holding opened by a transfer or a purchase.
		HoldingDeposit,
	}

	#[pallet::config]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// The native currency: revenue, order payments and deposits.
		type Currency: fungible::Mutate<Self::AccountId, Balance = Balance>
			+ MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;
		/// The overarching hold reason.
		type RuntimeHoldReason: From<HoldReason>;
		/// The assets pallet that keeps share balances.
		type Assets: fungibles::Create<Self::AccountId, Balance = Balance>
			+ fungibles::Mutate<Self::AccountId>
			+ fungibles::metadata::Mutate<Self::AccountId>
			+ fungibles::metadata::MetadataDeposit<Balance>;
		/// The model registry.
		type Registry: ModelRegistryInterface<Self::AccountId, Balance>;
		/// The asset id used for a model's shares (an id range reserved for shares).
		type ShareAssetId: Convert<ModelId, AssetIdOf<Self>>;
		/// This pallet's id: its account administers share assets, escrows orders and holds
		/// undistributed revenue.
		#[pallet::constant]
		type PalletId: Get<PalletId>;
		/// Smallest share supply (keeps the revenue accumulator precise).
		#[pallet::constant]
		type MinSupply: Get<Balance>;
		/// Largest share supply, at most `ACC_PRECISION`: then a deposit of one planck credits
		/// at least one accumulator unit per share, so revenue never rounds to nothing (L-6).
		#[pallet::constant]
		type MaxSupply: Get<Balance>;
		/// Deposit held for each open sell order.
		#[pallet::constant]
		type OrderDeposit: Get<Balance>;
		/// Deposit paid by whoever opens a holding (a transfer or purchase to an account without
		/// the model's shares): its share account, revenue record and this deposit's record.
		#[pallet::constant]
		type HoldingDeposit: Get<Balance>;
		/// Most open sell orders per account.
		#[pallet::constant]
		type MaxOrdersPerAccount: Get<u32>;
		/// Whether a vote lock still binds (governance: while its proposal is open).
		type LockStatus: ShareLockStatus;
		/// Most vote locks per account and model (at least governance's open proposals per
		/// model, so that a holder can vote on all of them).
		#[pallet::constant]
		type MaxLocks: Get<u32>;
		/// Weights of this pallet's calls.
		type WeightInfo: WeightInfo;
		/// Creates models for the benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: crate::BenchmarkHelper<Self::AccountId>;
	}

	/// The share class of each model with issued shares.
	#[pallet::storage]
	pub type ShareClasses<T: Config> = StorageMap<_, Blake2_128Concat, ModelId, ShareClassOf<T>>;

	/// Revenue bookkeeping per model and holder.
	#[pallet::storage]
	pub type HolderRevenues<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		ModelId,
		Blake2_128Concat,
		T::AccountId,
		HolderRevenue,
		ValueQuery,
	>;

	/// Shares of a seller escrowed in open sell orders (they still earn revenue for the seller).
	#[pallet::storage]
	pub type Escrowed<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		ModelId,
		Blake2_128Concat,
		T::AccountId,
		Balance,
		ValueQuery,
	>;

	/// Vote locks on an account's shares of a model: `(lock, amount)` pairs. Locks that no longer
	/// bind are pruned when the account's locks next change.
	#[pallet::storage]
	pub type ShareLocks<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		ModelId,
		Blake2_128Concat,
		T::AccountId,
		BoundedVec<(ShareLockId, Balance), T::MaxLocks>,
		ValueQuery,
	>;

	/// Who paid for each holding opened by a transfer or purchase, and how much (released to it
	/// when the holding closes). Holdings made by issuance have no record.
	#[pallet::storage]
	pub type HoldingDeposits<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		ModelId,
		Blake2_128Concat,
		T::AccountId,
		HoldingDeposit<T::AccountId, Balance>,
	>;

	/// Open sell orders.
	#[pallet::storage]
	pub type Orders<T: Config> = StorageMap<_, Twox64Concat, OrderId, SellOrderOf<T>>;

	/// The id of the next sell order.
	#[pallet::storage]
	pub type NextOrderId<T: Config> = StorageValue<_, OrderId, ValueQuery>;

	/// Number of open sell orders per account (at most `MaxOrdersPerAccount`).
	#[pallet::storage]
	pub type OpenOrders<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, u32, ValueQuery>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// Shares of a model were issued to its owner.
		SharesIssued { model: ModelId, asset: AssetIdOf<T>, owner: T::AccountId, supply: Balance },
		/// Shares moved between holders.
		SharesTransferred { model: ModelId, from: T::AccountId, to: T::AccountId, amount: Balance },
		/// Revenue was deposited for the holders; `per_share` is the accumulator's increase.
		RevenueDeposited { model: ModelId, from: T::AccountId, amount: Balance, per_share: u128 },
		/// A holder claimed revenue.
		RevenueClaimed { model: ModelId, who: T::AccountId, amount: Balance },
		/// A sell order was opened; its shares are escrowed.
		OrderCreated {
			order: OrderId,
			model: ModelId,
			seller: T::AccountId,
			amount: Balance,
			price_per_share: Balance,
		},
		/// Shares of an order were bought.
		OrderFilled {
			order: OrderId,
			buyer: T::AccountId,
			amount: Balance,
			cost: Balance,
			remaining: Balance,
		},
		/// A sell order was cancelled; its remaining shares went back to the seller.
		OrderCancelled { order: OrderId, returned: Balance },
		/// Shares arrived in an account without any of the model's shares: `depositor` pays
		/// `deposit` for the holding's storage until it closes.
		HoldingOpened {
			model: ModelId,
			holder: T::AccountId,
			depositor: T::AccountId,
			deposit: Balance,
		},
		/// A holding emptied (no shares left in the account or in escrow): its deposit went back
		/// to `depositor`.
		HoldingClosed {
			model: ModelId,
			holder: T::AccountId,
			depositor: T::AccountId,
			deposit: Balance,
		},
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The model does not exist.
		UnknownModel,
		/// Only the model's owner may issue its shares.
		NotOwner,
		/// The model is paused or retired.
		ModelNotActive,
		/// The model's shares were already issued.
		AlreadyIssued,
		/// The model has no shares yet.
		NoShares,
		/// The supply is below `MinSupply`.
		SupplyTooSmall,
		/// The supply is above `MaxSupply` (revenue per share would round to nothing).
		SupplyTooLarge,
		/// Zero is not a valid amount.
		ZeroAmount,
		/// The account does not have that many shares.
		InsufficientShares,
		/// The account has the shares, but some are locked by votes on open proposals.
		SharesLocked,
		/// The account already has `MaxLocks` binding vote locks on this model's shares.
		TooManyLocks,
		/// The receiver is the sender or this pallet's account.
		BadReceiver,
		/// Nothing to claim.
		NothingToClaim,
		/// Not enough native balance for the payment or deposit (an order's, or a holding's
		/// when shares go to an account without any of the model's shares).
		InsufficientBalance,
		/// The order does not exist (never did, filled or cancelled).
		UnknownOrder,
		/// Only the seller may cancel an order.
		NotSeller,
		/// A seller cannot buy from their own order.
		OwnOrder,
		/// More shares than the order has left.
		ExceedsOrder,
		/// The price is zero.
		ZeroPrice,
		/// The account already has `MaxOrdersPerAccount` open orders.
		TooManyOrders,
		/// An arithmetic overflow.
		Overflow,
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Issues `supply` shares of `model` to its owner (the signer). Creates the share asset
		/// (admin: this pallet's account) with the model's name and symbol as metadata; the
		/// owner pays the metadata deposit. From now on only governance changes the model.
		/// Emits `SharesIssued`.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::issue_shares())]
		pub fn issue_shares(
			origin: OriginFor<T>,
			model: ModelId,
			#[pallet::compact] supply: Balance,
		) -> DispatchResult {
			let owner = ensure_signed(origin)?;
			ensure!(T::Registry::owner(model).as_ref() == Some(&owner), Self::owner_error(model));
			ensure!(T::Registry::is_active(model), Error::<T>::ModelNotActive);
			ensure!(!ShareClasses::<T>::contains_key(model), Error::<T>::AlreadyIssued);
			ensure!(supply >= T::MinSupply::get(), Error::<T>::SupplyTooSmall);
			ensure!(supply <= T::MaxSupply::get(), Error::<T>::SupplyTooLarge);
			let (name, symbol) =
				T::Registry::name_and_symbol(model).ok_or(Error::<T>::UnknownModel)?;

			let asset = T::ShareAssetId::convert(model);
			let admin = Self::account_id();
			// The owner funds the metadata deposit, which the assets pallet reserves from the
			// admin account. The first issuer also tops the admin account up to the existential
			// deposit: an account holding a reserve must keep that much free to stay alive.
			let metadata_deposit = T::Assets::calc_metadata_deposit(&name, &symbol);
			let keep_alive = <T::Currency as fungible::Inspect<_>>::minimum_balance()
				.saturating_sub(<T::Currency as fungible::Inspect<_>>::balance(&admin));
			let to_admin = metadata_deposit.saturating_add(keep_alive);
			if !to_admin.is_zero() {
				T::Currency::transfer(&owner, &admin, to_admin, Preservation::Preserve)
					.map_err(|_| Error::<T>::InsufficientBalance)?;
			}
			// Sufficient: holding shares takes no consumer reference, so neither a holder nor
			// the order book's escrow is capped at `MaxConsumers` models (H-5).
			<T::Assets as fungibles::Create<_>>::create(asset.clone(), admin.clone(), true, 1)?;
			<T::Assets as fungibles::metadata::Mutate<_>>::set(
				asset.clone(),
				&admin,
				name,
				symbol,
				0,
			)?;
			<T::Assets as fungibles::Mutate<_>>::mint_into(asset.clone(), &owner, supply)?;
			T::Registry::note_shares_issued(model)?;
			ShareClasses::<T>::insert(
				model,
				ShareClass {
					asset: asset.clone(),
					supply,
					acc_revenue_per_share: 0,
					total_deposited: 0,
					total_claimed: 0,
					dust_scaled: 0,
				},
			);
			Self::deposit_event(Event::SharesIssued { model, asset, owner, supply });
			Ok(())
		}

		/// Moves `amount` of the signer's shares of `model` to `to`, settling both accounts'
		/// revenue first. If `to` has none of the model's shares, the signer pays
		/// `HoldingDeposit` for its new holding (`HoldingOpened`); if the signer has none left,
		/// its own holding's deposit goes back to whoever paid it (`HoldingClosed`). Emits
		/// `SharesTransferred`.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::transfer_shares(HOLDERS_BENCHMARKED))]
		pub fn transfer_shares(
			origin: OriginFor<T>,
			model: ModelId,
			to: T::AccountId,
			#[pallet::compact] amount: Balance,
		) -> DispatchResult {
			let from = ensure_signed(origin)?;
			ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
			ensure!(to != from && to != Self::account_id(), Error::<T>::BadReceiver);
			let class = ShareClasses::<T>::get(model).ok_or(Error::<T>::NoShares)?;
			Self::ensure_transferable(model, &class, &from, amount)?;
			Self::settle(model, &class, &from)?;
			Self::settle(model, &class, &to)?;
			Self::open_holding_if_new(model, &class, &to, &from)?;
			<T::Assets as fungibles::Mutate<_>>::transfer(
				class.asset.clone(),
				&from,
				&to,
				amount,
				Preservation::Expendable,
			)?;
			Self::reset_debt(model, &class, &from)?;
			Self::reset_debt(model, &class, &to)?;
			Self::close_holding_if_empty(model, &class, &from);
			Self::deposit_event(Event::SharesTransferred { model, from, to, amount });
			Ok(())
		}

		/// Pays the signer its revenue from `model`'s shares (including escrowed shares).
		/// Emits `RevenueClaimed`.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::claim(HOLDERS_BENCHMARKED))]
		pub fn claim(origin: OriginFor<T>, model: ModelId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let mut class = ShareClasses::<T>::get(model).ok_or(Error::<T>::NoShares)?;
			Self::settle(model, &class, &who)?;
			let mut revenue = HolderRevenues::<T>::get(model, &who);
			// Whole units are paid; the fraction below one unit stays owed to `who`.
			let amount = revenue.unclaimed_scaled / ACC_PRECISION;
			ensure!(!amount.is_zero(), Error::<T>::NothingToClaim);
			T::Currency::transfer(&Self::account_id(), &who, amount, Preservation::Preserve)?;
			revenue.unclaimed_scaled %= ACC_PRECISION;
			HolderRevenues::<T>::insert(model, &who, revenue);
			class.total_claimed =
				class.total_claimed.checked_add(amount).ok_or(Error::<T>::Overflow)?;
			ShareClasses::<T>::insert(model, class);
			Self::deposit_event(Event::RevenueClaimed { model, who, amount });
			Ok(())
		}

		/// Pays `amount` of the signer's native balance to the holders of `model`'s shares, pro
		/// rata, in O(1) (a tip, a sponsorship, or revenue earned off-chain). Emits
		/// `RevenueDeposited`.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::distribute_revenue(HOLDERS_BENCHMARKED))]
		pub fn distribute_revenue(
			origin: OriginFor<T>,
			model: ModelId,
			#[pallet::compact] amount: Balance,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			<Self as RevenueSink<_, _>>::deposit_revenue(model, &who, amount)
		}

		/// Offers `amount` of the signer's shares of `model` at `price_per_share`. The shares are
		/// escrowed by the pallet (and keep earning revenue for the seller until sold);
		/// `OrderDeposit` is held. Emits `OrderCreated`.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::create_order())]
		pub fn create_order(
			origin: OriginFor<T>,
			model: ModelId,
			#[pallet::compact] amount: Balance,
			#[pallet::compact] price_per_share: Balance,
		) -> DispatchResult {
			let seller = ensure_signed(origin)?;
			ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
			ensure!(!price_per_share.is_zero(), Error::<T>::ZeroPrice);
			let class = ShareClasses::<T>::get(model).ok_or(Error::<T>::NoShares)?;
			Self::ensure_transferable(model, &class, &seller, amount)?;
			let open = OpenOrders::<T>::get(&seller);
			ensure!(open < T::MaxOrdersPerAccount::get(), Error::<T>::TooManyOrders);
			let order = NextOrderId::<T>::get();
			let next = order.checked_add(1).ok_or(Error::<T>::Overflow)?;
			let deposit = T::OrderDeposit::get();
			T::Currency::hold(&HoldReason::OrderDeposit.into(), &seller, deposit)
				.map_err(|_| Error::<T>::InsufficientBalance)?;
			// Entitled shares (balance + escrow) do not change: no settlement needed.
			<T::Assets as fungibles::Mutate<_>>::transfer(
				class.asset.clone(),
				&seller,
				&Self::account_id(),
				amount,
				Preservation::Expendable,
			)?;
			Escrowed::<T>::try_mutate(model, &seller, |escrowed| -> DispatchResult {
				*escrowed = escrowed.checked_add(amount).ok_or(Error::<T>::Overflow)?;
				Ok(())
			})?;
			OpenOrders::<T>::insert(&seller, open.saturating_add(1));
			NextOrderId::<T>::put(next);
			Orders::<T>::insert(
				order,
				SellOrder {
					seller: seller.clone(),
					model,
					remaining: amount,
					price_per_share,
					deposit,
				},
			);
			Self::deposit_event(Event::OrderCreated {
				order,
				model,
				seller,
				amount,
				price_per_share,
			});
			Ok(())
		}

		/// Buys `amount` shares from sell order `order`, paying `amount * price_per_share` to the
		/// seller. Partial fills leave the rest on sale; a fully filled order is closed and its
		/// deposit released. A buyer without the model's shares pays `HoldingDeposit` for its
		/// new holding; a seller left without any gets its holding's deposit back to whoever
		/// paid it. Emits `OrderFilled`.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::fill_order())]
		pub fn fill_order(
			origin: OriginFor<T>,
			order: OrderId,
			#[pallet::compact] amount: Balance,
		) -> DispatchResult {
			let buyer = ensure_signed(origin)?;
			ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
			let mut sell = Orders::<T>::get(order).ok_or(Error::<T>::UnknownOrder)?;
			ensure!(buyer != sell.seller, Error::<T>::OwnOrder);
			ensure!(amount <= sell.remaining, Error::<T>::ExceedsOrder);
			let class = ShareClasses::<T>::get(sell.model).ok_or(Error::<T>::NoShares)?;
			let cost = amount.checked_mul(sell.price_per_share).ok_or(Error::<T>::Overflow)?;
			T::Currency::transfer(&buyer, &sell.seller, cost, Preservation::Preserve)
				.map_err(|_| Error::<T>::InsufficientBalance)?;
			Self::settle(sell.model, &class, &sell.seller)?;
			Self::settle(sell.model, &class, &buyer)?;
			Self::open_holding_if_new(sell.model, &class, &buyer, &buyer)?;
			<T::Assets as fungibles::Mutate<_>>::transfer(
				class.asset.clone(),
				&Self::account_id(),
				&buyer,
				amount,
				Preservation::Expendable,
			)?;
			Escrowed::<T>::mutate(sell.model, &sell.seller, |escrowed| {
				*escrowed = escrowed.saturating_sub(amount)
			});
			Self::reset_debt(sell.model, &class, &sell.seller)?;
			Self::reset_debt(sell.model, &class, &buyer)?;
			Self::close_holding_if_empty(sell.model, &class, &sell.seller);
			sell.remaining = sell.remaining.saturating_sub(amount);
			let remaining = sell.remaining;
			if remaining.is_zero() {
				Self::close_order(order, &sell)?;
			} else {
				Orders::<T>::insert(order, sell);
			}
			Self::deposit_event(Event::OrderFilled { order, buyer, amount, cost, remaining });
			Ok(())
		}

		/// Cancels the signer's sell order: the remaining shares come back, the deposit is
		/// released. Emits `OrderCancelled`.
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::cancel_order())]
		pub fn cancel_order(origin: OriginFor<T>, order: OrderId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let sell = Orders::<T>::get(order).ok_or(Error::<T>::UnknownOrder)?;
			ensure!(sell.seller == who, Error::<T>::NotSeller);
			let class = ShareClasses::<T>::get(sell.model).ok_or(Error::<T>::NoShares)?;
			// Entitled shares do not change: no settlement needed.
			<T::Assets as fungibles::Mutate<_>>::transfer(
				class.asset,
				&Self::account_id(),
				&who,
				sell.remaining,
				Preservation::Expendable,
			)?;
			Escrowed::<T>::mutate(sell.model, &who, |escrowed| {
				*escrowed = escrowed.saturating_sub(sell.remaining)
			});
			Self::close_order(order, &sell)?;
			Self::deposit_event(Event::OrderCancelled { order, returned: sell.remaining });
			Ok(())
		}
	}

	impl<T: Config> Pallet<T> {
		/// The account that administers share assets, escrows orders and holds revenue.
		pub fn account_id() -> T::AccountId {
			T::PalletId::get().into_account_truncating()
		}

		fn owner_error(model: ModelId) -> Error<T> {
			if T::Registry::owner(model).is_some() {
				Error::<T>::NotOwner
			} else {
				Error::<T>::UnknownModel
			}
		}

		/// Shares `who` holds in its own account (not escrowed).
		pub fn share_balance(class: &ShareClassOf<T>, who: &T::AccountId) -> Balance {
			<T::Assets as fungibles::Inspect<_>>::balance(class.asset.clone(), who)
		}

		/// Shares of `who` held by binding vote locks: the largest binding lock.
		pub fn locked_shares(model: ModelId, who: &T::AccountId) -> Balance {
			ShareLocks::<T>::get(model, who)
				.iter()
				.filter(|(lock, _)| T::LockStatus::is_binding(*lock))
				.map(|(_, amount)| *amount)
				.max()
				.unwrap_or_default()
		}

		/// Fails unless `amount` of `who`'s shares may leave its account: it holds them and they
		/// are not locked.
		fn ensure_transferable(
			model: ModelId,
			class: &ShareClassOf<T>,
			who: &T::AccountId,
			amount: Balance,
		) -> DispatchResult {
			let balance = Self::share_balance(class, who);
			ensure!(balance >= amount, Error::<T>::InsufficientShares);
			let free = balance.saturating_sub(Self::locked_shares(model, who));
			ensure!(free >= amount, Error::<T>::SharesLocked);
			Ok(())
		}

		/// Shares that earn revenue for `who`: its balance plus its escrowed shares.
		pub fn entitled_shares(
			model: ModelId,
			class: &ShareClassOf<T>,
			who: &T::AccountId,
		) -> Balance {
			Self::share_balance(class, who).saturating_add(Escrowed::<T>::get(model, who))
		}

		/// `shares * acc`, in units of `1 / ACC_PRECISION`: kept unrounded, so a holder's
		/// fractions add up across settlements instead of being rounded twice.
		fn accrued(shares: Balance, acc: u128) -> Result<u128, Error<T>> {
			shares.checked_mul(acc).ok_or(Error::<T>::Overflow)
		}

		/// Moves what `who` earned since its last settlement into `unclaimed`.
		fn settle(model: ModelId, class: &ShareClassOf<T>, who: &T::AccountId) -> DispatchResult {
			let accrued = Self::accrued(
				Self::entitled_shares(model, class, who),
				class.acc_revenue_per_share,
			)?;
			HolderRevenues::<T>::try_mutate(model, who, |revenue| -> DispatchResult {
				let earned = accrued.saturating_sub(revenue.debt);
				revenue.unclaimed_scaled =
					revenue.unclaimed_scaled.checked_add(earned).ok_or(Error::<T>::Overflow)?;
				revenue.debt = accrued;
				Ok(())
			})
		}

		/// After `who`'s entitled shares changed: it earns from the current accumulator on.
		fn reset_debt(
			model: ModelId,
			class: &ShareClassOf<T>,
			who: &T::AccountId,
		) -> DispatchResult {
			let debt = Self::accrued(
				Self::entitled_shares(model, class, who),
				class.acc_revenue_per_share,
			)?;
			HolderRevenues::<T>::mutate_exists(model, who, |revenue| {
				let mut entry = revenue.take().unwrap_or_default();
				entry.debt = debt;
				// Nothing owed and nothing held: drop the entry.
				*revenue =
					(!(entry.debt.is_zero() && entry.unclaimed_scaled.is_zero())).then_some(entry);
			});
			Ok(())
		}

		fn close_order(order: OrderId, sell: &SellOrderOf<T>) -> DispatchResult {
			T::Currency::release(
				&HoldReason::OrderDeposit.into(),
				&sell.seller,
				sell.deposit,
				Precision::BestEffort,
			)?;
			OpenOrders::<T>::mutate(&sell.seller, |open| *open = open.saturating_sub(1));
			Orders::<T>::remove(order);
			Ok(())
		}

		/// Revenue `who` could claim now for `model` (for runtime APIs and tests).
		pub fn pending_revenue(model: ModelId, who: &T::AccountId) -> Balance {
			let Some(class) = ShareClasses::<T>::get(model) else { return 0 };
			let revenue = HolderRevenues::<T>::get(model, who);
			let accrued = Self::accrued(
				Self::entitled_shares(model, &class, who),
				class.acc_revenue_per_share,
			)
			.unwrap_or(revenue.debt);
			revenue.unclaimed_scaled.saturating_add(accrued.saturating_sub(revenue.debt))
				/ ACC_PRECISION
		}
	}

	impl<T: Config> Pallet<T> {
		/// Adds `amount` (already in the pallet's account or about to be moved there by
		/// `collect`) to `model`'s accumulator, with the remainder carried from earlier deposits.
		///
		/// The rounding rule: the deposit plus the carried remainder, in the accumulator's own
		/// units (`1 / ACC_PRECISION` planck), is divided by the supply; every share is credited
		/// the quotient and the remainder (fewer units than there are shares) is carried to the
		/// next deposit. So the holders are credited exactly `supply * per_share` units and what
		/// they are owed plus the carried remainder is always exactly what was deposited minus
		/// what was claimed. Tracking the remainder in planck instead, while holders keep their
		/// unrounded fractions, paid the fraction twice; rounding each holder's part down at
		/// settlement would lose a fraction at every settlement.
		fn credit_revenue(
			model: ModelId,
			from: &T::AccountId,
			amount: Balance,
			collect: impl FnOnce() -> DispatchResult,
		) -> DispatchResult {
			ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
			let mut class = ShareClasses::<T>::get(model).ok_or(Error::<T>::NoShares)?;
			let total_deposited =
				class.total_deposited.checked_add(amount).ok_or(Error::<T>::Overflow)?;
			// What all holders ever accrue is at most `total_deposited * ACC_PRECISION`: keeping
			// that representable means no holder's accrual can ever overflow.
			total_deposited.checked_mul(ACC_PRECISION).ok_or(Error::<T>::Overflow)?;
			let to_spread = amount
				.checked_mul(ACC_PRECISION)
				.and_then(|scaled| scaled.checked_add(class.dust_scaled))
				.ok_or(Error::<T>::Overflow)?;
			// The supply is at least `MinSupply` (>= 1, checked by `integrity_test`).
			let per_share = to_spread.checked_div(class.supply).ok_or(Error::<T>::Overflow)?;
			let dust_scaled = to_spread.checked_rem(class.supply).ok_or(Error::<T>::Overflow)?;
			let acc_revenue_per_share =
				class.acc_revenue_per_share.checked_add(per_share).ok_or(Error::<T>::Overflow)?;
			collect()?;
			class.acc_revenue_per_share = acc_revenue_per_share;
			class.dust_scaled = dust_scaled;
			class.total_deposited = total_deposited;
			ShareClasses::<T>::insert(model, class);
			Self::deposit_event(Event::RevenueDeposited {
				model,
				from: from.clone(),
				amount,
				per_share,
			});
			Ok(())
		}
	}

	#[cfg(any(feature = "try-runtime", test))]
	impl<T: Config> Pallet<T> {
		/// The pallet's invariants (checked after every unit test, and by try-runtime):
		/// - per model, what the holders are owed plus the carried remainder is exactly what was
		///   deposited minus what was claimed, in the accumulator's units; the remainder is below
		///   one unit per share; no holder's debt exceeds what it accrued; the share asset's
		///   issuance is the supply;
		/// - every seller's escrowed shares are its open orders' remaining shares, and the
		///   escrow account holds them; every seller's open-order count is right;
		/// - the pallet's account can pay every pending claim of every model at once;
		/// - every recorded holding deposit belongs to a holding that still has shares, and each
		///   depositor's `HoldingDeposit` hold is exactly its records' deposits.
		pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
			use alloc::collections::BTreeMap;
			use frame_support::traits::tokens::Fortitude;
			let overflow = "overflow in an invariant check";
			let mut outstanding_total: Balance = 0;
			for (model, class) in ShareClasses::<T>::iter() {
				let (mut debts, mut unclaimed) = (0u128, 0u128);
				for (who, revenue) in HolderRevenues::<T>::iter_prefix(model) {
					let accrued = Self::accrued(
						Self::entitled_shares(model, &class, &who),
						class.acc_revenue_per_share,
					)?;
					ensure!(revenue.debt <= accrued, "a holder's debt exceeds its accrual");
					debts = debts.checked_add(revenue.debt).ok_or(overflow)?;
					unclaimed = unclaimed.checked_add(revenue.unclaimed_scaled).ok_or(overflow)?;
				}
				// Holders without an entry have no debt and nothing unclaimed, so the shares'
				// accrual minus the recorded debts is what every holder accrued since settling.
				let credited = Self::accrued(class.supply, class.acc_revenue_per_share)?;
				let owed = unclaimed
					.checked_add(credited)
					.and_then(|total| total.checked_sub(debts))
					.ok_or("holders' debts exceed the shares' accrual")?;
				let outstanding = class
					.total_deposited
					.checked_sub(class.total_claimed)
					.ok_or("more revenue claimed than deposited")?;
				ensure!(
					owed.checked_add(class.dust_scaled) == outstanding.checked_mul(ACC_PRECISION),
					"holders' revenue plus the remainder is not deposits minus claims"
				);
				ensure!(
					class.dust_scaled < class.supply,
					"a remainder of a unit per share or more"
				);
				ensure!(
					<T::Assets as fungibles::Inspect<_>>::total_issuance(class.asset.clone())
						== class.supply,
					"share issuance differs from the supply"
				);
				outstanding_total = outstanding_total.checked_add(outstanding).ok_or(overflow)?;
			}

			let mut escrow: BTreeMap<(ModelId, T::AccountId), Balance> = BTreeMap::new();
			let mut escrow_by_model: BTreeMap<ModelId, Balance> = BTreeMap::new();
			let mut open: BTreeMap<T::AccountId, u32> = BTreeMap::new();
			for (_, order) in Orders::<T>::iter() {
				let entry = escrow.entry((order.model, order.seller.clone())).or_default();
				*entry = entry.checked_add(order.remaining).ok_or(overflow)?;
				let entry = escrow_by_model.entry(order.model).or_default();
				*entry = entry.checked_add(order.remaining).ok_or(overflow)?;
				let count = open.entry(order.seller).or_default();
				*count = count.checked_add(1).ok_or(overflow)?;
			}
			for ((model, who), amount) in &escrow {
				ensure!(
					Escrowed::<T>::get(model, who) == *amount,
					"escrowed shares differ from the seller's open orders"
				);
			}
			for (model, who, amount) in Escrowed::<T>::iter() {
				ensure!(
					escrow.get(&(model, who)).copied().unwrap_or_default() == amount,
					"escrowed shares without open orders"
				);
			}
			for (model, class) in ShareClasses::<T>::iter() {
				ensure!(
					Self::share_balance(&class, &Self::account_id())
						== escrow_by_model.get(&model).copied().unwrap_or_default(),
					"the escrow account does not hold exactly the open orders' shares"
				);
			}
			for (who, count) in OpenOrders::<T>::iter() {
				ensure!(
					open.get(&who).copied().unwrap_or_default() == count,
					"an open-order count differs from the orders"
				);
			}
			ensure!(
				open.iter().all(|(who, count)| OpenOrders::<T>::get(who) == *count),
				"a seller's orders are not counted"
			);

			let payable = <T::Currency as fungible::Inspect<_>>::reducible_balance(
				&Self::account_id(),
				Preservation::Preserve,
				Fortitude::Polite,
			);
			ensure!(
				payable >= outstanding_total,
				"the revenue account cannot pay every pending claim"
			);

			let mut holding_deposits: BTreeMap<T::AccountId, Balance> = BTreeMap::new();
			for (model, holder, record) in HoldingDeposits::<T>::iter() {
				let class = ShareClasses::<T>::get(model)
					.ok_or("a holding deposit of a model without shares")?;
				ensure!(
					!Self::entitled_shares(model, &class, &holder).is_zero(),
					"a holding without shares kept its deposit"
				);
				let entry = holding_deposits.entry(record.depositor).or_default();
				*entry = entry.checked_add(record.amount).ok_or(overflow)?;
			}
			for (depositor, amount) in holding_deposits {
				ensure!(
					<T::Currency as fungible::InspectHold<_>>::balance_on_hold(
						&HoldReason::HoldingDeposit.into(),
						&depositor
					) == amount,
					"a depositor's holding-deposit hold differs from its records"
				);
			}
			Ok(())
		}
	}

	impl<T: Config> ShareVoting<T::AccountId, Balance> for Pallet<T> {
		fn supply(model: ModelId) -> Option<Balance> {
			ShareClasses::<T>::get(model).map(|class| class.supply)
		}

		fn balance(model: ModelId, who: &T::AccountId) -> Balance {
			ShareClasses::<T>::get(model)
				.map(|class| Self::share_balance(&class, who))
				.unwrap_or_default()
		}

		fn set_lock(
			model: ModelId,
			who: &T::AccountId,
			lock: ShareLockId,
			amount: Balance,
		) -> DispatchResult {
			let class = ShareClasses::<T>::get(model).ok_or(Error::<T>::NoShares)?;
			ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
			ensure!(Self::share_balance(&class, who) >= amount, Error::<T>::InsufficientShares);
			ShareLocks::<T>::try_mutate(model, who, |locks| -> DispatchResult {
				locks.retain(|(id, _)| *id != lock && T::LockStatus::is_binding(*id));
				locks.try_push((lock, amount)).map_err(|_| Error::<T>::TooManyLocks)?;
				Ok(())
			})
		}

		fn remove_lock(model: ModelId, who: &T::AccountId, lock: ShareLockId) {
			ShareLocks::<T>::mutate_exists(model, who, |maybe_locks| {
				if let Some(locks) = maybe_locks {
					locks.retain(|(id, _)| *id != lock);
					if locks.is_empty() {
						*maybe_locks = None;
					}
				}
			});
		}
	}

	impl<T: Config> RevenueSink<T::AccountId, Balance> for Pallet<T> {
		fn deposit_revenue(model: ModelId, from: &T::AccountId, amount: Balance) -> DispatchResult {
			Self::credit_revenue(model, from, amount, || {
				T::Currency::transfer(from, &Self::account_id(), amount, Preservation::Expendable)
					.map(|_| ())
					.map_err(|_| Error::<T>::InsufficientBalance.into())
			})
		}

		fn revenue_account() -> T::AccountId {
			Self::account_id()
		}

		fn note_revenue(model: ModelId, amount: Balance) -> DispatchResult {
			Self::credit_revenue(model, &Self::account_id(), amount, || Ok(()))
		}
	}
}
