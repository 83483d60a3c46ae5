//! # Model registry
//!
//! AI models with verifiable provenance. Each model has an owner, a name and symbol, an
//! append-only history of versions (weights hash and URI, format, architecture, data-set
//! fingerprint, licence, output precision, price per inference) and a status
//! (Active | Paused | Retired). The owner changes the model until its shares are issued; after
//! that only governance does (`Config::ForceOrigin` or, for share-holder votes, the
//! [`ModelRegistryInterface::activate_version`] trait method used by the governance pallet).
//!
//! ## Calls
//! - [`Pallet::register_model`]: register a model with its first version; holds a deposit.
//! - [`Pallet::add_version`]: append a version (inactive); holds a deposit per version.
//! - [`Pallet::set_active_version`]: switch the serving version.
//! - [`Pallet::set_status`]: pause or resume a model.
//! - [`Pallet::set_metadata_uri`]: change the description URI.
//! - [`Pallet::retire_model`]: retire a model for good and release its deposit; its history
//!   stays queryable.

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
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;
pub mod types;
pub mod weights;

pub use types::*;
pub use weights::WeightInfo;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use alloc::vec::Vec;
	use frame_support::{
		pallet_prelude::*,
		traits::{
			fungible::{Inspect, MutateHold},
			tokens::Precision,
		},
	};
	use frame_system::pallet_prelude::*;
	use modelchain_primitives::{
		ModelId, ModelRegistryInterface, ModelStatus, ModelVersionInspect, ModelVersionRef,
		ServingInfo, VersionIndex,
	};
	use sp_runtime::{
		traits::{Saturating, Zero},
		Perbill,
	};

	/// Balance of the native currency.
	pub type BalanceOf<T> =
		<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;
	/// A model with this runtime's types.
	pub type ModelInfoOf<T> = ModelInfo<
		<T as frame_system::Config>::AccountId,
		BalanceOf<T>,
		BlockNumberFor<T>,
		<T as Config>::MaxNameLen,
		<T as Config>::MaxSymbolLen,
		<T as Config>::MaxUriLen,
	>;
	/// A version with this runtime's types.
	pub type ModelVersionOf<T> = ModelVersion<
		BalanceOf<T>,
		BlockNumberFor<T>,
		<T as Config>::MaxUriLen,
		<T as Config>::MaxTagLen,
	>;

	/// Most decimals of output precision.
	pub const MAX_OUTPUT_PRECISION: u8 = 18;
	/// Most miners per job.
	pub const MAX_REDUNDANCY: u8 = 7;

	/// The storage version (0: no migration yet). Bumped with every change of a stored type,
	/// with a migration in `migrations.rs`.
	pub const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		#[cfg(feature = "try-runtime")]
		fn try_state(_: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// Storage deposit of a model and its versions.
		ModelDeposit,
	}

	#[pallet::config]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// The native currency, in which deposits are held and prices are set.
		type Currency: MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>
			+ frame_support::traits::fungible::Mutate<Self::AccountId>;
		/// The overarching hold reason.
		type RuntimeHoldReason: From<HoldReason>;
		/// Origin that may change any model at any time (root / a passed referendum).
		type ForceOrigin: EnsureOrigin<Self::RuntimeOrigin>;
		/// Deposit held for a model's record.
		#[pallet::constant]
		type ModelDeposit: Get<BalanceOf<Self>>;
		/// Deposit held for each version.
		#[pallet::constant]
		type VersionDeposit: Get<BalanceOf<Self>>;
		/// Highest creator royalty.
		#[pallet::constant]
		type MaxCreatorRoyalty: Get<Perbill>;
		/// Highest sum of creator royalty and miners' share (the rest is for the protocol fee
		/// and the share holders).
		#[pallet::constant]
		type MaxRoyaltyPlusMiners: Get<Perbill>;
		/// Longest model name.
		#[pallet::constant]
		type MaxNameLen: Get<u32>;
		/// Longest symbol.
		#[pallet::constant]
		type MaxSymbolLen: Get<u32>;
		/// Longest URI (metadata or weights).
		#[pallet::constant]
		type MaxUriLen: Get<u32>;
		/// Longest architecture tag or licence.
		#[pallet::constant]
		type MaxTagLen: Get<u32>;
		/// Most versions of one model.
		#[pallet::constant]
		type MaxVersions: Get<u32>;
		/// Weights of this pallet's calls.
		type WeightInfo: WeightInfo;
	}

	/// Registered models.
	#[pallet::storage]
	pub type Models<T: Config> = StorageMap<_, Blake2_128Concat, ModelId, ModelInfoOf<T>>;

	/// The version history of every model (append-only).
	#[pallet::storage]
	pub type Versions<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		ModelId,
		Twox64Concat,
		VersionIndex,
		ModelVersionOf<T>,
	>;

	/// The id the next model gets.
	#[pallet::storage]
	pub type NextModelId<T: Config> = StorageValue<_, ModelId, ValueQuery>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A model was registered with its first version (index 0, active).
		ModelRegistered {
			model: ModelId,
			owner: T::AccountId,
			weights_hash: [u8; 32],
			deposit: BalanceOf<T>,
		},
		/// A version was appended (inactive until activated).
		VersionAdded { model: ModelId, version: VersionIndex, weights_hash: [u8; 32] },
		/// The serving version changed.
		ActiveVersionChanged { model: ModelId, from: VersionIndex, to: VersionIndex },
		/// The model was paused or resumed.
		StatusChanged { model: ModelId, status: ModelStatus },
		/// The description URI changed.
		MetadataUriChanged { model: ModelId },
		/// The model was retired for good; its deposit was released.
		ModelRetired { model: ModelId, deposit_released: BalanceOf<T> },
		/// Shares of the model were issued: from now on only governance changes it.
		SharesIssued { model: ModelId },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// No model has this id.
		UnknownModel,
		/// The model has no version with this index.
		UnknownVersion,
		/// Only the owner (before shares are issued) or governance may do this.
		NotAllowed,
		/// The model's shares are issued: only governance may change it.
		GovernanceRequired,
		/// The name is empty or longer than `MaxNameLen`.
		BadName,
		/// The symbol is empty, longer than `MaxSymbolLen`, or not uppercase letters and digits.
		BadSymbol,
		/// A URI is empty or longer than `MaxUriLen`.
		BadUri,
		/// The architecture tag or licence is empty or longer than `MaxTagLen`.
		BadTag,
		/// The output precision is above 18 decimals.
		BadPrecision,
		/// The price per inference is zero.
		ZeroPrice,
		/// The creator royalty is above `MaxCreatorRoyalty`, or royalty plus miners' share is
		/// above `MaxRoyaltyPlusMiners`.
		BadEconomics,
		/// The redundancy is not between 1 and 7.
		BadRedundancy,
		/// The model already has `MaxVersions` versions.
		TooManyVersions,
		/// This version is already the active one.
		AlreadyActive,
		/// The model is retired: nothing about it can change.
		Retired,
		/// The model already has this status.
		SameStatus,
		/// Retirement goes through `retire_model`.
		UseRetire,
		/// Shares were already issued for this model.
		SharesAlreadyIssued,
		/// Not enough free balance for the deposit.
		InsufficientBalance,
		/// Model ids are exhausted.
		Overflow,
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Registers a model with its first version, which becomes active. The signer becomes
		/// the owner; `ModelDeposit + VersionDeposit` is held. Emits `ModelRegistered`.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::register_model())]
		pub fn register_model(
			origin: OriginFor<T>,
			name: Vec<u8>,
			symbol: Vec<u8>,
			metadata_uri: Vec<u8>,
			version: VersionInput<BalanceOf<T>>,
			economics: ModelEconomics,
		) -> DispatchResult {
			let owner = ensure_signed(origin)?;
			ensure!(!name.is_empty(), Error::<T>::BadName);
			let name: BoundedVec<u8, T::MaxNameLen> =
				name.try_into().map_err(|_| Error::<T>::BadName)?;
			ensure!(
				!symbol.is_empty()
					&& symbol.iter().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()),
				Error::<T>::BadSymbol
			);
			let symbol: BoundedVec<u8, T::MaxSymbolLen> =
				symbol.try_into().map_err(|_| Error::<T>::BadSymbol)?;
			let metadata_uri = Self::checked_uri(metadata_uri)?;
			Self::check_economics(&economics)?;
			let weights_hash = version.weights_hash;
			let version = Self::checked_version(version)?;

			let model = NextModelId::<T>::get();
			let next = model.checked_add(1).ok_or(Error::<T>::Overflow)?;
			let deposit = T::ModelDeposit::get().saturating_add(T::VersionDeposit::get());
			T::Currency::hold(&HoldReason::ModelDeposit.into(), &owner, deposit)
				.map_err(|_| Error::<T>::InsufficientBalance)?;

			NextModelId::<T>::put(next);
			Versions::<T>::insert(model, 0, version);
			Models::<T>::insert(
				model,
				ModelInfo {
					owner: owner.clone(),
					name,
					symbol,
					metadata_uri,
					status: ModelStatus::Active,
					active_version: 0,
					version_count: 1,
					economics,
					shares_issued: false,
					deposit,
					registered_at: frame_system::Pallet::<T>::block_number(),
				},
			);
			Self::deposit_event(Event::ModelRegistered { model, owner, weights_hash, deposit });
			Ok(())
		}

		/// Appends a version to the model's history; it is inactive until activated (by the
		/// owner before shares are issued, by a share-holder vote after). Only the owner, also
		/// after shares are issued (proposing an upgrade needs a registered version). Holds
		/// `VersionDeposit`. Emits `VersionAdded`.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::add_version())]
		pub fn add_version(
			origin: OriginFor<T>,
			model: ModelId,
			version: VersionInput<BalanceOf<T>>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let mut info = Models::<T>::get(model).ok_or(Error::<T>::UnknownModel)?;
			ensure!(info.owner == who, Error::<T>::NotAllowed);
			ensure!(info.status != ModelStatus::Retired, Error::<T>::Retired);
			ensure!(info.version_count < T::MaxVersions::get(), Error::<T>::TooManyVersions);
			let weights_hash = version.weights_hash;
			let version = Self::checked_version(version)?;
			let index = info.version_count;
			let deposit = T::VersionDeposit::get();
			T::Currency::hold(&HoldReason::ModelDeposit.into(), &who, deposit)
				.map_err(|_| Error::<T>::InsufficientBalance)?;
			info.version_count = index.checked_add(1).ok_or(Error::<T>::Overflow)?;
			info.deposit = info.deposit.saturating_add(deposit);
			Versions::<T>::insert(model, index, version);
			Models::<T>::insert(model, info);
			Self::deposit_event(Event::VersionAdded { model, version: index, weights_hash });
			Ok(())
		}

		/// Makes `version` the serving version. The owner before shares are issued, or
		/// `ForceOrigin`. Emits `ActiveVersionChanged`.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::set_active_version())]
		pub fn set_active_version(
			origin: OriginFor<T>,
			model: ModelId,
			version: VersionIndex,
		) -> DispatchResult {
			let info = Self::ensure_can_change(origin, model)?;
			Self::do_activate(model, info, version)
		}

		/// Pauses (`Paused`) or resumes (`Active`) a model. The owner before shares are issued,
		/// or `ForceOrigin`. Emits `StatusChanged`.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::set_status())]
		pub fn set_status(
			origin: OriginFor<T>,
			model: ModelId,
			status: ModelStatus,
		) -> DispatchResult {
			let mut info = Self::ensure_can_change(origin, model)?;
			ensure!(status != ModelStatus::Retired, Error::<T>::UseRetire);
			ensure!(info.status != status, Error::<T>::SameStatus);
			info.status = status;
			Models::<T>::insert(model, info);
			Self::deposit_event(Event::StatusChanged { model, status });
			Ok(())
		}

		/// Changes the description URI. The owner before shares are issued, or `ForceOrigin`.
		/// Emits `MetadataUriChanged`.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::set_metadata_uri())]
		pub fn set_metadata_uri(
			origin: OriginFor<T>,
			model: ModelId,
			metadata_uri: Vec<u8>,
		) -> DispatchResult {
			let mut info = Self::ensure_can_change(origin, model)?;
			info.metadata_uri = Self::checked_uri(metadata_uri)?;
			Models::<T>::insert(model, info);
			Self::deposit_event(Event::MetadataUriChanged { model });
			Ok(())
		}

		/// Retires a model for good: it serves nothing more and the owner's deposit is released.
		/// Its record and version history stay queryable. The owner before shares are issued, or
		/// `ForceOrigin`. Emits `ModelRetired`.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::retire_model())]
		pub fn retire_model(origin: OriginFor<T>, model: ModelId) -> DispatchResult {
			let mut info = Self::ensure_can_change(origin, model)?;
			let released = T::Currency::release(
				&HoldReason::ModelDeposit.into(),
				&info.owner,
				info.deposit,
				Precision::BestEffort,
			)?;
			info.status = ModelStatus::Retired;
			info.deposit = Zero::zero();
			Models::<T>::insert(model, info);
			Self::deposit_event(Event::ModelRetired { model, deposit_released: released });
			Ok(())
		}
	}

	impl<T: Config> Pallet<T> {
		/// The model, if `origin` may change it now: `ForceOrigin` always, the owner until shares
		/// are issued. Retired models never change.
		fn ensure_can_change(
			origin: OriginFor<T>,
			model: ModelId,
		) -> Result<ModelInfoOf<T>, DispatchError> {
			let info = Models::<T>::get(model).ok_or(Error::<T>::UnknownModel)?;
			if T::ForceOrigin::try_origin(origin.clone()).is_err() {
				let who = ensure_signed(origin)?;
				ensure!(info.owner == who, Error::<T>::NotAllowed);
				ensure!(!info.shares_issued, Error::<T>::GovernanceRequired);
			}
			ensure!(info.status != ModelStatus::Retired, Error::<T>::Retired);
			Ok(info)
		}

		fn do_activate(
			model: ModelId,
			mut info: ModelInfoOf<T>,
			version: VersionIndex,
		) -> DispatchResult {
			ensure!(info.status != ModelStatus::Retired, Error::<T>::Retired);
			ensure!(Versions::<T>::contains_key(model, version), Error::<T>::UnknownVersion);
			ensure!(info.active_version != version, Error::<T>::AlreadyActive);
			let from = info.active_version;
			info.active_version = version;
			Models::<T>::insert(model, info);
			Self::deposit_event(Event::ActiveVersionChanged { model, from, to: version });
			Ok(())
		}

		fn checked_uri(uri: Vec<u8>) -> Result<BoundedVec<u8, T::MaxUriLen>, Error<T>> {
			ensure!(!uri.is_empty(), Error::<T>::BadUri);
			uri.try_into().map_err(|_| Error::<T>::BadUri)
		}

		fn checked_tag(tag: Vec<u8>) -> Result<BoundedVec<u8, T::MaxTagLen>, Error<T>> {
			ensure!(!tag.is_empty(), Error::<T>::BadTag);
			tag.try_into().map_err(|_| Error::<T>::BadTag)
		}

		fn check_economics(economics: &ModelEconomics) -> Result<(), Error<T>> {
			ensure!(
				economics.creator_royalty <= T::MaxCreatorRoyalty::get()
					&& economics.creator_royalty.saturating_add(economics.miners_share)
						<= T::MaxRoyaltyPlusMiners::get(),
				Error::<T>::BadEconomics
			);
			ensure!(
				(1..=MAX_REDUNDANCY).contains(&economics.redundancy),
				Error::<T>::BadRedundancy
			);
			Ok(())
		}

		fn checked_version(
			version: VersionInput<BalanceOf<T>>,
		) -> Result<ModelVersionOf<T>, Error<T>> {
			ensure!(version.output_precision <= MAX_OUTPUT_PRECISION, Error::<T>::BadPrecision);
			ensure!(!version.price_per_inference.is_zero(), Error::<T>::ZeroPrice);
			Ok(ModelVersion {
				weights_hash: version.weights_hash,
				weights_uri: Self::checked_uri(version.weights_uri)?,
				format: version.format,
				architecture: Self::checked_tag(version.architecture)?,
				dataset_fingerprint: version.dataset_fingerprint,
				licence: Self::checked_tag(version.licence)?,
				output_precision: version.output_precision,
				price_per_inference: version.price_per_inference,
				registered_at: frame_system::Pallet::<T>::block_number(),
			})
		}
	}

	impl<T: Config> ModelVersionInspect for Pallet<T> {
		fn version_exists(version: &ModelVersionRef) -> bool {
			Models::<T>::get(version.model).is_some_and(|info| info.status != ModelStatus::Retired)
				&& Versions::<T>::contains_key(version.model, version.version)
		}
	}

	impl<T: Config> ModelRegistryInterface<T::AccountId, BalanceOf<T>> for Pallet<T> {
		fn owner(model: ModelId) -> Option<T::AccountId> {
			Models::<T>::get(model).map(|info| info.owner)
		}

		fn name_and_symbol(model: ModelId) -> Option<(Vec<u8>, Vec<u8>)> {
			Models::<T>::get(model).map(|info| (info.name.into_inner(), info.symbol.into_inner()))
		}

		fn is_active(model: ModelId) -> bool {
			Models::<T>::get(model).is_some_and(|info| info.status == ModelStatus::Active)
		}

		fn serving_info(model: ModelId) -> Option<ServingInfo<T::AccountId, BalanceOf<T>>> {
			let info = Models::<T>::get(model).filter(|info| info.status == ModelStatus::Active)?;
			let version = Versions::<T>::get(model, info.active_version)?;
			Some(ServingInfo {
				creator: info.owner,
				version: ModelVersionRef { model, version: info.active_version },
				price: version.price_per_inference,
				output_precision: version.output_precision,
				creator_royalty: info.economics.creator_royalty,
				miners_share: info.economics.miners_share,
				redundancy: info.economics.redundancy,
			})
		}

		fn is_inactive_version(version: &ModelVersionRef) -> bool {
			Models::<T>::get(version.model).is_some_and(|info| {
				info.status != ModelStatus::Retired && info.active_version != version.version
			}) && Versions::<T>::contains_key(version.model, version.version)
		}

		fn note_shares_issued(model: ModelId) -> DispatchResult {
			Models::<T>::try_mutate(model, |info| -> DispatchResult {
				let info = info.as_mut().ok_or(Error::<T>::UnknownModel)?;
				ensure!(info.status != ModelStatus::Retired, Error::<T>::Retired);
				ensure!(!info.shares_issued, Error::<T>::SharesAlreadyIssued);
				info.shares_issued = true;
				Ok(())
			})?;
			Self::deposit_event(Event::SharesIssued { model });
			Ok(())
		}

		fn shares_issued(model: ModelId) -> bool {
			Models::<T>::get(model).is_some_and(|info| info.shares_issued)
		}

		fn activate_version(version: &ModelVersionRef) -> DispatchResult {
			let info = Models::<T>::get(version.model).ok_or(Error::<T>::UnknownModel)?;
			Self::do_activate(version.model, info, version.version)
		}
	}

	#[cfg(any(feature = "try-runtime", test))]
	impl<T: Config> Pallet<T> {
		/// The pallet's invariants (checked after every unit test, and by try-runtime): every
		/// model id is below `NextModelId`; a model's `version_count` is its number of versions
		/// and its active version is one of them; no version belongs to an unknown model; each
		/// owner's `ModelDeposit` hold is exactly its models' deposits.
		pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
			use frame_support::traits::fungible::InspectHold;
			let next = NextModelId::<T>::get();
			let mut held: alloc::collections::BTreeMap<T::AccountId, BalanceOf<T>> =
				Default::default();
			for (id, info) in Models::<T>::iter() {
				ensure!(id < next, "a model id at or above NextModelId");
				let versions = Versions::<T>::iter_key_prefix(id).count();
				ensure!(
					versions == info.version_count as usize,
					"a model's version count differs from its versions"
				);
				ensure!(
					Versions::<T>::contains_key(id, info.active_version),
					"a model's active version does not exist"
				);
				let deposit = held.entry(info.owner.clone()).or_default();
				*deposit = deposit.saturating_add(info.deposit);
			}
			ensure!(
				Versions::<T>::iter_keys().all(|(model, _)| Models::<T>::contains_key(model)),
				"a version of an unknown model"
			);
			for (owner, deposit) in held {
				ensure!(
					T::Currency::balance_on_hold(&HoldReason::ModelDeposit.into(), &owner)
						== deposit,
					"an owner's model deposit hold differs from its models' deposits"
				);
			}
			Ok(())
		}
	}
}
