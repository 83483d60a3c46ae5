//! # Model access
//!
//! Who may use a model, the licences its owner sells, and an audit trail of every use.
//!
//! ## Policies
//! Every model has an [`AccessPolicy`] ([`Pallet::set_access_policy`]):
//! - `Open` (the default): anyone may request inference;
//! - `HoldersOnly { min_shares }`: requesters must hold at least `min_shares` of the model's
//!   shares in their own account;
//! - `Licensed`: requesters must hold a usable licence of the model; each request uses one of
//!   its queries when the licence counts them.
//!
//! The model's owner sets the policy until its shares are issued; from then on only the share
//! holders decide, by a `modelGovernance` proposal with locked votes
//! ([`modelchain_primitives::AccessPolicyAdmin`]), never a momentary majority. The owner may
//! always use its own model.
//!
//! ## Licences
//! The owner defines up to `MaxOffersPerModel` offers ([`Pallet::create_offer`]): a price, a
//! duration in blocks and/or a number of queries, and whether the licence is transferable. A
//! buyer ([`Pallet::buy_licence`]) pays the price, split like an inference fee (the protocol fee
//! to the treasury, the creator's royalty, the rest to the share holders, or to the creator if no
//! shares were issued), and `LicenceDeposit` is held for the licence's record until it ends.
//! An account holds at most one licence per model. A licence ends when its last query is used
//! (at once), when it expires (at its expiry block, by bounded work in `on_initialize`: at most
//! `MaxExpiriesPerBlock` licences expire in one block), or when its holder drops it.
//! Transferable licences move with [`Pallet::transfer_licence`]; the deposit stays with the
//! buyer until the licence ends. Withdrawing an offer does not end the licences sold from it.
//!
//! ## Audit trail
//! The inference pallet calls [`modelchain_primitives::AccessControl::use_access`] for every
//! request: it checks the policy, uses the licence, emits [`Event::Accessed`] (model, version,
//! requester, licence, job) and appends the access to the model's on-chain window of the last
//! `AccessLogLength` accesses (older ones are in the events). The runtime API pages through the
//! window.

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
pub mod benchmarking;
pub mod migrations;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;
pub mod types;
pub mod weights;

pub use types::*;
pub use weights::WeightInfo;

/// How many blocks, from a licence's expiry on, are tried for a place in the expiry queue when
/// that block's queue is full (a licence is then removed up to this many blocks late; it is
/// unusable from its expiry block on regardless).
pub const EXPIRY_SLOTS_TRIED: u32 = 16;

/// Most accesses one page of the access history returns.
pub const MAX_HISTORY_PAGE: u32 = 100;

/// Sets up models for the benchmarks.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId> {
	/// Registers an active model owned by `owner` (funding its deposits) and issues its shares,
	/// all to `owner`.
	fn model_with_shares(owner: &AccountId) -> modelchain_primitives::ModelId;
	/// Registers an active model owned by `owner` (funding its deposits), without shares.
	fn model_without_shares(owner: &AccountId) -> modelchain_primitives::ModelId;
}

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use alloc::vec::Vec;
	use frame_support::{
		pallet_prelude::*,
		traits::{
			fungible::{Inspect, Mutate, MutateHold},
			tokens::{Fortitude, Precision, Preservation},
		},
	};
	use frame_system::pallet_prelude::*;
	use modelchain_primitives::{
		payout::{pay_split_from_hold, release_held, Payees},
		AccessControl, AccessPage, AccessPolicyAdmin, Balance, FeeSplit, JobId, LicenceId, ModelId,
		ModelRegistryInterface, ModelVersionRef, RevenueSink, ShareVoting,
	};
	use sp_runtime::{traits::Zero, Perbill, Saturating};

	/// Licence terms with this runtime's block number.
	pub type LicenceTermsOf<T> = LicenceTerms<Balance, BlockNumberFor<T>>;
	/// A licence offer with this runtime's types.
	pub type LicenceOfferOf<T> =
		LicenceOffer<<T as frame_system::Config>::AccountId, Balance, BlockNumberFor<T>>;
	/// A licence with this runtime's types.
	pub type LicenceOf<T> =
		Licence<<T as frame_system::Config>::AccountId, Balance, BlockNumberFor<T>>;
	/// An access record with this runtime's types.
	pub type AccessRecordOf<T> =
		AccessRecord<<T as frame_system::Config>::AccountId, BlockNumberFor<T>>;

	/// The storage version: 1 bounds every access window by `AccessLogLength` (see
	/// [`crate::migrations`]). Bumped with every change of a stored type, with a migration.
	pub const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// The storage deposit of a licence offer, held from the owner who created it.
		OfferDeposit,
		/// The storage deposit of a licence, held from its buyer until it ends.
		LicenceDeposit,
		/// A licence's price, held only while `buy_licence` pays it out (what cannot be paid
		/// is released back to the buyer).
		LicencePayment,
	}

	#[pallet::config]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// The native currency: licence prices and deposits.
		type Currency: Inspect<Self::AccountId, Balance = Balance>
			+ Mutate<Self::AccountId>
			+ MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;
		/// The overarching hold reason.
		type RuntimeHoldReason: From<HoldReason>;
		/// Models: owners, whether they serve, their creator royalty.
		type Registry: ModelRegistryInterface<Self::AccountId, Balance>;
		/// Share balances and supplies (holders-only access, holders' decisions).
		type Shares: ShareVoting<Self::AccountId, Balance>;
		/// Where the share holders' part of a licence price goes.
		type Revenue: RevenueSink<Self::AccountId, Balance>;
		/// Receives the protocol fee of licence sales.
		type Treasury: Get<Self::AccountId>;
		/// The protocol fee taken from every licence sale (the inference protocol fee).
		type ProtocolFee: Get<Perbill>;
		/// Held for each licence offer.
		#[pallet::constant]
		type OfferDeposit: Get<Balance>;
		/// Held for each licence.
		#[pallet::constant]
		type LicenceDeposit: Get<Balance>;
		/// Most open licence offers per model.
		#[pallet::constant]
		type MaxOffersPerModel: Get<u32>;
		/// Most licences that expire (and are removed) in one block.
		#[pallet::constant]
		type MaxExpiriesPerBlock: Get<u32>;
		/// Accesses kept on chain per model (the recent window of the audit trail).
		#[pallet::constant]
		type AccessLogLength: Get<u32>;
		/// Weights of this pallet's calls and hooks.
		type WeightInfo: WeightInfo;
		/// Sets up models for the benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper<Self::AccountId>;
	}

	/// Each model's access policy; a model without one is `Open`.
	#[pallet::storage]
	pub type Policies<T: Config> = StorageMap<_, Twox64Concat, ModelId, AccessPolicy<Balance>>;

	/// The id the next offer of a model gets.
	#[pallet::storage]
	pub type NextOfferId<T: Config> = StorageMap<_, Twox64Concat, ModelId, OfferId, ValueQuery>;

	/// Open licence offers, by model and offer id.
	#[pallet::storage]
	pub type Offers<T: Config> =
		StorageDoubleMap<_, Twox64Concat, ModelId, Twox64Concat, OfferId, LicenceOfferOf<T>>;

	/// Number of open offers of each model (at most `MaxOffersPerModel`).
	#[pallet::storage]
	pub type OfferCount<T: Config> = StorageMap<_, Twox64Concat, ModelId, u32, ValueQuery>;

	/// The id the next licence gets.
	#[pallet::storage]
	pub type NextLicenceId<T: Config> = StorageValue<_, LicenceId, ValueQuery>;

	/// Licences, from purchase until they end.
	#[pallet::storage]
	pub type Licences<T: Config> = StorageMap<_, Twox64Concat, LicenceId, LicenceOf<T>>;

	/// The licence each account holds for each model (at most one).
	#[pallet::storage]
	pub type LicenceByHolder<T: Config> =
		StorageDoubleMap<_, Twox64Concat, ModelId, Blake2_128Concat, T::AccountId, LicenceId>;

	/// Licences to remove at each block (their expiry block or up to `EXPIRY_SLOTS_TRIED - 1`
	/// blocks later).
	#[pallet::storage]
	pub type Expiries<T: Config> = StorageMap<
		_,
		Twox64Concat,
		BlockNumberFor<T>,
		BoundedVec<LicenceId, T::MaxExpiriesPerBlock>,
		ValueQuery,
	>;

	/// The recent window of each model's accesses, by sequence number.
	#[pallet::storage]
	pub type AccessLog<T: Config> =
		StorageDoubleMap<_, Twox64Concat, ModelId, Twox64Concat, u64, AccessRecordOf<T>>;

	/// Each model's access window: the oldest sequence number kept and the next one.
	#[pallet::storage]
	pub type AccessLogBounds<T: Config> =
		StorageMap<_, Twox64Concat, ModelId, (u64, u64), ValueQuery>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// `model`'s access policy is now `policy`, set by its owner `by` (before its shares were
		/// issued).
		PolicySet { model: ModelId, policy: AccessPolicy<Balance>, by: T::AccountId },
		/// `model`'s access policy is now `policy`, as its share holders voted.
		PolicySetByHolders { model: ModelId, policy: AccessPolicy<Balance> },
		/// The owner of `model` offers licences on `terms`; `deposit` is held from it.
		OfferCreated { model: ModelId, offer: OfferId, terms: LicenceTermsOf<T>, deposit: Balance },
		/// An offer was withdrawn (its licences stay valid); its deposit was released.
		OfferWithdrawn { model: ModelId, offer: OfferId },
		/// `buyer` bought licence `licence` of `model` from `offer`; its price was split as
		/// `split` (no miners' part), `deposit` is held until it ends.
		LicenceBought {
			licence: LicenceId,
			model: ModelId,
			offer: OfferId,
			buyer: T::AccountId,
			split: FeeSplit,
			/// The part of the price no recipient could receive (below its existential deposit),
			/// kept by the buyer.
			refunded: Balance,
			deposit: Balance,
			expires_at: Option<BlockNumberFor<T>>,
			queries: Option<u32>,
		},
		/// A transferable licence moved from `from` to `to`.
		LicenceTransferred {
			licence: LicenceId,
			model: ModelId,
			from: T::AccountId,
			to: T::AccountId,
		},
		/// The licence's last query was used; it was removed and its deposit released.
		LicenceExhausted { licence: LicenceId, model: ModelId, holder: T::AccountId },
		/// `queries` queries served off chain (a query channel's claim) were counted against
		/// the licence: `counted` of them, at most the queries it had left.
		LicenceQueriesUsed {
			licence: LicenceId,
			model: ModelId,
			holder: T::AccountId,
			queries: u32,
			counted: u32,
		},
		/// The licence expired; it was removed and its deposit released.
		LicenceExpired { licence: LicenceId, model: ModelId, holder: T::AccountId },
		/// The holder dropped the licence; its deposit was released.
		LicenceDropped { licence: LicenceId, model: ModelId, holder: T::AccountId },
		/// `requester` used `model` (`version`) for job `job`, with `licence` on a licensed model.
		/// The access is the model's number `sequence`.
		Accessed {
			model: ModelId,
			version: ModelVersionRef,
			requester: T::AccountId,
			licence: Option<LicenceId>,
			job: JobId,
			sequence: u64,
		},
	}

	#[pallet::error]
	pub enum Error<T> {
		/// No such model.
		UnknownModel,
		/// Only the model's owner may do this (before its shares are issued, for policies).
		NotOwner,
		/// The model's shares were issued: its policy changes only by a share-holder vote
		/// (`modelGovernance.proposeAccessPolicy`).
		DecidedByHolders,
		/// `HoldersOnly` needs the model's shares to be issued.
		NoShares,
		/// `HoldersOnly` needs a minimum of at least one share and at most the supply.
		InvalidPolicy,
		/// Licence terms need a duration or a number of queries (or both), neither of them zero.
		InvalidTerms,
		/// The model has `MaxOffersPerModel` open offers.
		TooManyOffers,
		/// No such offer of this model.
		UnknownOffer,
		/// The model is paused or retired: no licences are sold.
		ModelNotActive,
		/// The model's policy is not `Licensed`: it sells no licences.
		NotLicensedModel,
		/// The account already holds a usable licence of this model.
		AlreadyLicensed,
		/// The signer cannot pay the price and the deposit (and keep its account alive).
		InsufficientBalance,
		/// The account holds no licence of this model.
		NoLicence,
		/// The licence has expired.
		LicenceExpired,
		/// The licence is not transferable.
		NotTransferable,
		/// A licence cannot be transferred to its holder.
		SelfTransfer,
		/// The requester holds fewer shares than the model's `HoldersOnly` minimum.
		InsufficientShares,
		/// Too many licences expire around that block; try another duration.
		ExpiryQueueFull,
		/// An identifier overflowed.
		Overflow,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_initialize(now: BlockNumberFor<T>) -> Weight {
			let expired = Self::expire_licences(now);
			T::WeightInfo::expire_licences(expired)
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}

		fn integrity_test() {
			assert!(T::MaxExpiriesPerBlock::get() >= 1, "MaxExpiriesPerBlock must be >= 1");
			assert!(T::AccessLogLength::get() >= 1, "AccessLogLength must be >= 1");
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Sets `model`'s access policy: its owner, before the model's shares are issued (after,
		/// only a share-holder vote changes it: `modelGovernance.proposeAccessPolicy`). Licences
		/// already sold stay (they are used again if the model becomes `Licensed` again).
		/// Emits `PolicySet`.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::set_access_policy())]
		pub fn set_access_policy(
			origin: OriginFor<T>,
			model: ModelId,
			policy: AccessPolicy<Balance>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let owner = T::Registry::owner(model).ok_or(Error::<T>::UnknownModel)?;
			ensure!(who == owner, Error::<T>::NotOwner);
			ensure!(T::Registry::owner_decides(model, &who), Error::<T>::DecidedByHolders);
			Self::do_check_policy(model, &policy)?;
			Self::store_policy(model, policy);
			Self::deposit_event(Event::PolicySet { model, policy, by: who });
			Ok(())
		}

		/// Offers licences of `model` on `terms` (the model's owner only). `OfferDeposit` is held
		/// until the offer is withdrawn; at most `MaxOffersPerModel` offers are open. Offers
		/// cannot be changed: withdraw one and create another. Emits `OfferCreated`.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::create_offer())]
		pub fn create_offer(
			origin: OriginFor<T>,
			model: ModelId,
			terms: LicenceTermsOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let owner = T::Registry::owner(model).ok_or(Error::<T>::UnknownModel)?;
			ensure!(who == owner, Error::<T>::NotOwner);
			ensure!(
				(terms.duration.is_some() || terms.queries.is_some())
					&& terms.duration.is_none_or(|blocks| !blocks.is_zero())
					&& terms.queries != Some(0),
				Error::<T>::InvalidTerms
			);
			let count = OfferCount::<T>::get(model);
			ensure!(count < T::MaxOffersPerModel::get(), Error::<T>::TooManyOffers);
			let offer = NextOfferId::<T>::get(model);
			let next = offer.checked_add(1).ok_or(Error::<T>::Overflow)?;
			let deposit = T::OfferDeposit::get();
			T::Currency::hold(&HoldReason::OfferDeposit.into(), &who, deposit)
				.map_err(|_| Error::<T>::InsufficientBalance)?;
			NextOfferId::<T>::insert(model, next);
			OfferCount::<T>::insert(model, count.saturating_add(1));
			Offers::<T>::insert(
				model,
				offer,
				LicenceOffer { terms, depositor: who, deposit, sold: 0 },
			);
			Self::deposit_event(Event::OfferCreated { model, offer, terms, deposit });
			Ok(())
		}

		/// Withdraws an offer (its creator or the model's owner): no more licences are sold from
		/// it, those sold stay valid. The deposit goes back to the offer's creator.
		/// Emits `OfferWithdrawn`.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::withdraw_offer())]
		pub fn withdraw_offer(
			origin: OriginFor<T>,
			model: ModelId,
			offer: OfferId,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let record = Offers::<T>::get(model, offer).ok_or(Error::<T>::UnknownOffer)?;
			ensure!(
				who == record.depositor || T::Registry::owner(model) == Some(who),
				Error::<T>::NotOwner
			);
			T::Currency::release(
				&HoldReason::OfferDeposit.into(),
				&record.depositor,
				record.deposit,
				Precision::BestEffort,
			)?;
			Offers::<T>::remove(model, offer);
			// No entry is kept for a model without offers.
			OfferCount::<T>::mutate_exists(model, |count| {
				*count = count.and_then(|n| n.checked_sub(1)).filter(|n| *n > 0)
			});
			Self::deposit_event(Event::OfferWithdrawn { model, offer });
			Ok(())
		}

		/// Buys a licence of `model` from `offer`. The model must be active and `Licensed`, and
		/// the signer must not hold a usable licence of it already. The price is split: the
		/// protocol fee to the treasury, the creator's royalty, the rest to the share holders
		/// (to the creator if no shares were issued); `LicenceDeposit` is held until the licence
		/// ends. Fails with nothing paid if the signer cannot pay both and keep its account.
		/// Emits `LicenceBought` (and `LicenceExpired` for an expired licence it replaces).
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::buy_licence())]
		pub fn buy_licence(origin: OriginFor<T>, model: ModelId, offer: OfferId) -> DispatchResult {
			let buyer = ensure_signed(origin)?;
			let mut record = Offers::<T>::get(model, offer).ok_or(Error::<T>::UnknownOffer)?;
			ensure!(
				Policies::<T>::get(model) == Some(AccessPolicy::Licensed),
				Error::<T>::NotLicensedModel
			);
			let serving = T::Registry::serving_info(model).ok_or(Error::<T>::ModelNotActive)?;
			let now = frame_system::Pallet::<T>::block_number();
			if let Some(licence) = Self::licence_of(model, &buyer) {
				ensure!(!licence.usable_at(&now), Error::<T>::AlreadyLicensed);
				Self::end_licence(&licence);
				Self::deposit_event(Event::LicenceExpired {
					licence: licence.id,
					model,
					holder: buyer.clone(),
				});
			}
			let terms = record.terms;
			let deposit = T::LicenceDeposit::get();
			ensure!(
				T::Currency::reducible_balance(&buyer, Preservation::Preserve, Fortitude::Polite)
					>= terms.price.saturating_add(deposit),
				Error::<T>::InsufficientBalance
			);
			let id = NextLicenceId::<T>::get();
			NextLicenceId::<T>::put(id.checked_add(1).ok_or(Error::<T>::Overflow)?);
			let expires_at = terms.duration.map(|blocks| now.saturating_add(blocks));
			if let Some(at) = expires_at {
				Self::schedule_expiry(id, at)?;
			}

			let split = FeeSplit::new(
				terms.price,
				T::ProtocolFee::get(),
				serving.creator_royalty,
				Perbill::zero(),
				0,
			);
			let refunded = Self::pay_price(&buyer, model, &split, &serving.creator)?;
			T::Currency::hold(&HoldReason::LicenceDeposit.into(), &buyer, deposit)
				.map_err(|_| Error::<T>::InsufficientBalance)?;

			Licences::<T>::insert(
				id,
				Licence {
					id,
					model,
					offer,
					holder: buyer.clone(),
					expires_at,
					queries_left: terms.queries,
					transferable: terms.transferable,
					depositor: buyer.clone(),
					deposit,
					bought_at: now,
				},
			);
			LicenceByHolder::<T>::insert(model, &buyer, id);
			record.sold = record.sold.saturating_add(1);
			Offers::<T>::insert(model, offer, record);
			Self::deposit_event(Event::LicenceBought {
				licence: id,
				model,
				offer,
				buyer,
				split,
				refunded,
				deposit,
				expires_at,
				queries: terms.queries,
			});
			Ok(())
		}

		/// Gives the signer's licence of `model` to `to`, if it is transferable and usable and
		/// `to` holds no licence of the model. What is left of it (blocks, queries) moves; the
		/// deposit stays held from its buyer until the licence ends. Emits `LicenceTransferred`.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::transfer_licence())]
		pub fn transfer_licence(
			origin: OriginFor<T>,
			model: ModelId,
			to: T::AccountId,
		) -> DispatchResult {
			let from = ensure_signed(origin)?;
			ensure!(from != to, Error::<T>::SelfTransfer);
			let mut licence = Self::licence_of(model, &from).ok_or(Error::<T>::NoLicence)?;
			let id = licence.id;
			ensure!(licence.transferable, Error::<T>::NotTransferable);
			ensure!(
				licence.usable_at(&frame_system::Pallet::<T>::block_number()),
				Error::<T>::LicenceExpired
			);
			ensure!(!LicenceByHolder::<T>::contains_key(model, &to), Error::<T>::AlreadyLicensed);
			LicenceByHolder::<T>::remove(model, &from);
			LicenceByHolder::<T>::insert(model, &to, id);
			licence.holder = to.clone();
			Licences::<T>::insert(id, licence);
			Self::deposit_event(Event::LicenceTransferred { licence: id, model, from, to });
			Ok(())
		}

		/// Gives up the signer's licence of `model` (e.g. a licence of a retired model, or an
		/// expired one before it is removed); its deposit goes back to its buyer.
		/// Emits `LicenceDropped`.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::drop_licence())]
		pub fn drop_licence(origin: OriginFor<T>, model: ModelId) -> DispatchResult {
			let holder = ensure_signed(origin)?;
			let licence = Self::licence_of(model, &holder).ok_or(Error::<T>::NoLicence)?;
			Self::end_licence(&licence);
			Self::deposit_event(Event::LicenceDropped { licence: licence.id, model, holder });
			Ok(())
		}
	}

	impl<T: Config> Pallet<T> {
		/// Whether `policy` is valid for `model`: `HoldersOnly` needs issued shares and a
		/// minimum between one share and the supply.
		fn do_check_policy(model: ModelId, policy: &AccessPolicy<Balance>) -> DispatchResult {
			ensure!(T::Registry::owner(model).is_some(), Error::<T>::UnknownModel);
			if let AccessPolicy::HoldersOnly { min_shares } = *policy {
				let supply = T::Shares::supply(model).ok_or(Error::<T>::NoShares)?;
				ensure!(!min_shares.is_zero() && min_shares <= supply, Error::<T>::InvalidPolicy);
			}
			Ok(())
		}

		fn store_policy(model: ModelId, policy: AccessPolicy<Balance>) {
			match policy {
				AccessPolicy::Open => Policies::<T>::remove(model),
				_ => Policies::<T>::insert(model, policy),
			}
		}

		/// `model`'s access policy (`Open` if it has none).
		pub fn policy(model: ModelId) -> AccessPolicy<Balance> {
			Policies::<T>::get(model).unwrap_or_default()
		}

		/// Whether `who` may request inference of `model` now, and with which licence; the
		/// error a request would fail with otherwise. Reads only.
		pub fn check_access(
			model: ModelId,
			who: &T::AccountId,
		) -> Result<Option<LicenceId>, DispatchError> {
			Self::allowed(model, who).map(|licence| licence.map(|licence| licence.id))
		}

		/// What [`Self::check_access`] checks, returning the licence a request would use.
		fn allowed(
			model: ModelId,
			who: &T::AccountId,
		) -> Result<Option<LicenceOf<T>>, DispatchError> {
			match Self::policy(model) {
				AccessPolicy::Open => Ok(None),
				// The owner may always use its own model.
				_ if T::Registry::owner(model).as_ref() == Some(who) => Ok(None),
				AccessPolicy::HoldersOnly { min_shares } => {
					ensure!(
						T::Shares::balance(model, who) >= min_shares,
						Error::<T>::InsufficientShares
					);
					Ok(None)
				}
				AccessPolicy::Licensed => {
					let licence = Self::licence_of(model, who).ok_or(Error::<T>::NoLicence)?;
					ensure!(
						licence.usable_at(&frame_system::Pallet::<T>::block_number()),
						Error::<T>::LicenceExpired
					);
					Ok(Some(licence))
				}
			}
		}

		/// `who`'s licence of `model`, usable or not.
		pub fn licence_of(model: ModelId, who: &T::AccountId) -> Option<LicenceOf<T>> {
			Licences::<T>::get(LicenceByHolder::<T>::get(model, who)?)
		}

		/// `who`'s licence of `model`, if any, and whether it can be used now.
		pub fn licence_status(model: ModelId, who: &T::AccountId) -> Option<(LicenceOf<T>, bool)> {
			let licence = Self::licence_of(model, who)?;
			let usable = licence.usable_at(&frame_system::Pallet::<T>::block_number());
			Some((licence, usable))
		}

		/// Up to `max` (at most [`MAX_HISTORY_PAGE`]) of `model`'s accesses kept on chain, from
		/// sequence number `start` on (or from the oldest kept, if `start` is older).
		pub fn access_history(
			model: ModelId,
			start: u64,
			max: u32,
		) -> AccessPage<AccessRecordOf<T>> {
			let (first_kept, next) = AccessLogBounds::<T>::get(model);
			let from = start.max(first_kept);
			let end = from.saturating_add(u64::from(max.min(MAX_HISTORY_PAGE))).min(next);
			let accesses = (from..end)
				.filter_map(|sequence| {
					AccessLog::<T>::get(model, sequence).map(|record| (sequence, record))
				})
				.collect::<Vec<_>>();
			AccessPage { accesses, first_kept, next, next_page: (end < next).then_some(end) }
		}

		/// Pays a licence's price as a job's fee is paid (one rule, `pay_split_from_hold`): the
		/// price is held from the buyer and split to the treasury, the creator and the share
		/// holders (the creator when no shares were issued); a part its recipient cannot receive
		/// is released back to the buyer and returned.
		fn pay_price(
			buyer: &T::AccountId,
			model: ModelId,
			split: &FeeSplit,
			creator: &T::AccountId,
		) -> Result<Balance, DispatchError> {
			let reason = HoldReason::LicencePayment.into();
			T::Currency::hold(&reason, buyer, split.fee)
				.map_err(|_| Error::<T>::InsufficientBalance)?;
			let paid = pay_split_from_hold::<_, T::Currency, T::Revenue>(
				&reason,
				buyer,
				split,
				&Payees {
					treasury: &T::Treasury::get(),
					creator,
					miners: &[],
					model,
					shares_issued: T::Shares::supply(model).is_some(),
				},
			);
			if paid.unpaid.is_zero() {
				return Ok(0);
			}
			T::Currency::release(&reason, buyer, paid.unpaid, Precision::Exact)
		}

		/// Queues licence `id` for removal at block `at`, or at the first of the next
		/// [`EXPIRY_SLOTS_TRIED`] blocks with room.
		fn schedule_expiry(id: LicenceId, at: BlockNumberFor<T>) -> DispatchResult {
			let mut block = at;
			for _ in 0..EXPIRY_SLOTS_TRIED {
				if Expiries::<T>::try_mutate(block, |queue| queue.try_push(id)).is_ok() {
					return Ok(());
				}
				block = block.saturating_add(One::one());
			}
			Err(Error::<T>::ExpiryQueueFull.into())
		}

		/// Takes `count` queries from a licence that counts them (at most what is left) and
		/// returns how many it took; a licence left with none ends (`LicenceExhausted`). A
		/// licence without a query count takes none.
		fn take_queries(mut licence: LicenceOf<T>, count: u32) -> u32 {
			let Some(left) = licence.queries_left else { return 0 };
			let taken = left.min(count);
			let left = left.saturating_sub(taken);
			licence.queries_left = Some(left);
			if left == 0 {
				Self::end_licence(&licence);
				Self::deposit_event(Event::LicenceExhausted {
					licence: licence.id,
					model: licence.model,
					holder: licence.holder.clone(),
				});
			} else {
				Licences::<T>::insert(licence.id, licence);
			}
			taken
		}

		/// Ends a licence before its expiry block (dropped, used up, replaced): takes it out of
		/// its expiry queue too, so that ended licences never hold a queue slot (M-9).
		fn end_licence(licence: &LicenceOf<T>) {
			Self::unschedule_expiry(licence);
			Self::remove_licence(licence);
		}

		/// Takes a licence out of the expiry queue it was put in (its expiry block or one of the
		/// `EXPIRY_SLOTS_TRIED - 1` after it).
		fn unschedule_expiry(licence: &LicenceOf<T>) {
			let Some(mut block) = licence.expires_at else { return };
			for _ in 0..EXPIRY_SLOTS_TRIED {
				let found = Expiries::<T>::mutate_exists(block, |queue| {
					let Some(ids) = queue else { return false };
					let Some(index) = ids.iter().position(|id| *id == licence.id) else {
						return false;
					};
					ids.remove(index);
					if ids.is_empty() {
						*queue = None;
					}
					true
				});
				if found {
					return;
				}
				block = block.saturating_add(One::one());
			}
		}

		/// Removes a licence and releases its deposit to its buyer.
		fn remove_licence(licence: &LicenceOf<T>) {
			Licences::<T>::remove(licence.id);
			if LicenceByHolder::<T>::get(licence.model, &licence.holder) == Some(licence.id) {
				LicenceByHolder::<T>::remove(licence.model, &licence.holder);
			}
			release_held::<_, T::Currency>(
				&HoldReason::LicenceDeposit.into(),
				&licence.depositor,
				licence.deposit,
			);
		}

		/// Removes the licences queued for block `now` that have expired; returns how many
		/// entries were handled (at most `MaxExpiriesPerBlock`).
		pub fn expire_licences(now: BlockNumberFor<T>) -> u32 {
			let queue = Expiries::<T>::take(now);
			for id in queue.iter() {
				// A licence used up or dropped before its expiry is gone already.
				if let Some(licence) = Licences::<T>::get(id) {
					if !licence.usable_at(&now) {
						// Its queue entry was just taken.
						Self::remove_licence(&licence);
						Self::deposit_event(Event::LicenceExpired {
							licence: licence.id,
							model: licence.model,
							holder: licence.holder,
						});
					}
				}
			}
			queue.len() as u32
		}

		/// Appends an access to `model`'s window, dropping the oldest beyond `AccessLogLength`;
		/// returns its sequence number.
		fn record_access(model: ModelId, record: AccessRecordOf<T>) -> u64 {
			let (mut first, next) = AccessLogBounds::<T>::get(model);
			AccessLog::<T>::insert(model, next, record);
			let after = next.saturating_add(1);
			if after.saturating_sub(first) > u64::from(T::AccessLogLength::get()) {
				AccessLog::<T>::remove(model, first);
				first = first.saturating_add(1);
			}
			AccessLogBounds::<T>::insert(model, (first, after));
			next
		}
	}

	impl<T: Config> AccessControl<T::AccountId> for Pallet<T> {
		fn use_access(
			who: &T::AccountId,
			version: &ModelVersionRef,
			job: JobId,
		) -> Result<Option<LicenceId>, DispatchError> {
			let model = version.model;
			let used = Self::allowed(model, who)?;
			let licence = used.as_ref().map(|record| record.id);
			if let Some(record) = used {
				Self::take_queries(record, 1);
			}
			let sequence = Self::record_access(
				model,
				AccessRecord {
					requester: who.clone(),
					version: *version,
					licence,
					job,
					at: frame_system::Pallet::<T>::block_number(),
				},
			);
			Self::deposit_event(Event::Accessed {
				model,
				version: *version,
				requester: who.clone(),
				licence,
				job,
				sequence,
			});
			Ok(licence)
		}

		fn may_use(who: &T::AccountId, model: ModelId) -> DispatchResult {
			Self::check_access(model, who).map(|_| ())
		}

		fn use_queries(
			who: &T::AccountId,
			model: ModelId,
			queries: u64,
		) -> Option<(LicenceId, u32)> {
			if Self::policy(model) != AccessPolicy::Licensed
				|| T::Registry::owner(model).as_ref() == Some(who)
			{
				return None;
			}
			let licence = Self::licence_of(model, who)?;
			let id = licence.id;
			let counted = u32::try_from(queries).unwrap_or(u32::MAX);
			let taken = Self::take_queries(licence, counted);
			Self::deposit_event(Event::LicenceQueriesUsed {
				licence: id,
				model,
				holder: who.clone(),
				queries: counted,
				counted: taken,
			});
			Some((id, taken))
		}

		fn use_queries_weight() -> Weight {
			T::WeightInfo::use_queries()
		}
	}

	impl<T: Config> AccessPolicyAdmin<Balance> for Pallet<T> {
		fn check_policy(model: ModelId, policy: &AccessPolicy<Balance>) -> DispatchResult {
			ensure!(T::Shares::supply(model).is_some(), Error::<T>::NoShares);
			Self::do_check_policy(model, policy)
		}

		fn enact_policy(model: ModelId, policy: AccessPolicy<Balance>) -> DispatchResult {
			Self::check_policy(model, &policy)?;
			Self::store_policy(model, policy);
			Self::deposit_event(Event::PolicySetByHolders { model, policy });
			Ok(())
		}
	}

	#[cfg(any(feature = "try-runtime", test))]
	impl<T: Config> Pallet<T> {
		/// The pallet's invariants (checked after every unit test, and by try-runtime):
		/// - offers: each model's count is its number of offers, every id below its next id; each
		///   account's offer-deposit hold is its offers' deposits;
		/// - licences: ids below `NextLicenceId`; the holder index and the licences point at each
		///   other; each account's licence-deposit hold is the deposits of the licences it bought;
		///   nothing stays held for a payment between calls;
		/// - expiries: every queued id is a live licence with an expiry, queued in its expiry
		///   block or one of the `EXPIRY_SLOTS_TRIED - 1` after it, and each licence with an
		///   expiry is queued once (M-9: ended licences hold no slot);
		/// - the access window holds exactly its sequence numbers, at most `AccessLogLength`.
		pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
			use alloc::collections::btree_map::BTreeMap;
			use frame_support::traits::fungible::InspectHold;
			let mut offers: BTreeMap<ModelId, u32> = BTreeMap::new();
			let mut offer_deposits: BTreeMap<T::AccountId, Balance> = BTreeMap::new();
			for (model, id, offer) in Offers::<T>::iter() {
				ensure!(id < NextOfferId::<T>::get(model), "an offer id at or above its next id");
				let count = offers.entry(model).or_default();
				*count = count.saturating_add(1);
				let held = offer_deposits.entry(offer.depositor).or_default();
				*held = held.saturating_add(offer.deposit);
			}
			ensure!(
				OfferCount::<T>::iter().all(|(model, count)| offers.get(&model) == Some(&count))
					&& offers.len() == OfferCount::<T>::iter().count(),
				"a model's offer count differs from its offers"
			);
			for (who, deposit) in offer_deposits {
				ensure!(
					T::Currency::balance_on_hold(&HoldReason::OfferDeposit.into(), &who) == deposit,
					"an offer-deposit hold differs from the account's offers"
				);
			}

			let next = NextLicenceId::<T>::get();
			let mut licence_deposits: BTreeMap<T::AccountId, Balance> = BTreeMap::new();
			let mut queued: BTreeMap<LicenceId, u32> = BTreeMap::new();
			for (block, ids) in Expiries::<T>::iter() {
				for id in ids {
					let licence =
						Licences::<T>::get(id).ok_or("an ended licence in an expiry queue")?;
					let at = licence.expires_at.ok_or("a licence without expiry is queued")?;
					ensure!(
						block >= at && block < at.saturating_add(EXPIRY_SLOTS_TRIED.into()),
						"a licence queued outside its expiry slots"
					);
					let times = queued.entry(id).or_default();
					*times = times.saturating_add(1);
				}
			}
			for (id, licence) in Licences::<T>::iter() {
				ensure!(id < next && licence.id == id, "a licence id at or above NextLicenceId");
				ensure!(
					LicenceByHolder::<T>::get(licence.model, &licence.holder) == Some(id),
					"a licence its holder's index does not name"
				);
				ensure!(
					licence.expires_at.is_none() || queued.get(&id) == Some(&1),
					"a licence with an expiry is not queued exactly once"
				);
				let held = licence_deposits.entry(licence.depositor).or_default();
				*held = held.saturating_add(licence.deposit);
			}
			ensure!(
				LicenceByHolder::<T>::iter().all(|(model, holder, id)| {
					Licences::<T>::get(id).is_some_and(|l| l.model == model && l.holder == holder)
				}),
				"a holder index entry without its licence"
			);
			for (who, deposit) in licence_deposits {
				ensure!(
					T::Currency::balance_on_hold(&HoldReason::LicenceDeposit.into(), &who)
						== deposit,
					"a licence-deposit hold differs from the account's licences"
				);
				ensure!(
					T::Currency::balance_on_hold(&HoldReason::LicencePayment.into(), &who)
						.is_zero(),
					"a licence payment left on hold"
				);
			}

			for (model, (first, next)) in AccessLogBounds::<T>::iter() {
				ensure!(first <= next, "an access window's bounds are inverted");
				ensure!(
					next.saturating_sub(first) <= u64::from(T::AccessLogLength::get()),
					"an access window longer than AccessLogLength"
				);
				ensure!(
					AccessLog::<T>::iter_key_prefix(model).all(|seq| seq >= first && seq < next)
						&& AccessLog::<T>::iter_key_prefix(model).count() as u64
							== next.saturating_sub(first),
					"an access window does not hold exactly its sequence numbers"
				);
			}
			Ok(())
		}
	}
}
