//! # Validator set
//!
//! Which accounts validate (author blocks with Aura and finalize them with GRANDPA) is decided by
//! `AddRemoveOrigin`: root, i.e. a democracy referendum (or sudo on a dev chain).
//!
//! - [`Pallet::add_validator`]: adds an account that has registered its session keys
//!   (`session.setKeys`) to the set.
//! - [`Pallet::remove_validator`]: removes one, keeping at least `MinValidators` validators
//!   with session keys.
//!
//! Changes are not immediate: this pallet is the chain's `pallet_session::SessionManager`, and
//! `pallet-session` asks it for the next set when a session ends. A change made during session
//! `n` is planned when session `n` ends (event [`Event::NewSetPlanned`] names the session it
//! applies from, `n + 2`) and the new validators author and vote from the start of that session,
//! i.e. one to two session periods after the call.
//!
//! The set handed to `pallet-session` is the validators of [`Validators`] that have session keys
//! at that moment, and it is handed over whenever it differs from the active set: a validator that
//! purges its keys (`session.purgeKeys`) drops out, and comes back when it sets keys again. If
//! fewer than `MinValidators` have keys the change waits ([`Event::SetChangeDeferred`]); remove a
//! validator before it purges its keys.

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
pub mod weights;

pub use weights::WeightInfo;

/// Registers session keys for the benchmarks (they live in `pallet-session`).
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId> {
	/// Gives `who` session keys, so that it may be added as a validator.
	fn register_session_keys(who: &AccountId);
}

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use alloc::vec::Vec;
	use frame_support::{
		pallet_prelude::*,
		traits::{ValidatorRegistration, ValidatorSet},
	};
	use frame_system::pallet_prelude::*;

	/// The storage version (0: no migration yet). Bumped with every change of a stored type,
	/// with a migration in `migrations.rs`.
	pub const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// The overarching event type.
		#[allow(deprecated)]
		type RuntimeEvent: From<Event<Self>> + IsType<<Self as frame_system::Config>::RuntimeEvent>;
		/// Who may add and remove validators: root (a democracy referendum).
		type AddRemoveOrigin: EnsureOrigin<Self::RuntimeOrigin>;
		/// The sessions (`pallet-session`): the active validators, and whether an account has
		/// session keys registered.
		type Session: ValidatorSet<Self::AccountId, ValidatorId = Self::AccountId>
			+ ValidatorRegistration<Self::AccountId>;
		/// The most validators; at most the consensus engines' `MaxAuthorities`.
		#[pallet::constant]
		type MaxValidators: Get<u32>;
		/// The fewest validators the set may shrink to (at least 1: an empty set stops the chain).
		#[pallet::constant]
		type MinValidators: Get<u32>;
		/// Weights of this pallet's calls.
		type WeightInfo: WeightInfo;
		/// Registers session keys in the benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper<Self::AccountId>;
	}

	/// The validator set to use from the next planned session on, in the order they were added.
	#[pallet::storage]
	pub type Validators<T: Config> =
		StorageValue<_, BoundedVec<T::AccountId, T::MaxValidators>, ValueQuery>;

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// The validators of the first sessions. Each needs session keys in `session.keys`.
		/// Empty: `pallet-session` uses the accounts of its `keys`, and they are the set until
		/// the first change.
		pub initial_validators: Vec<T::AccountId>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			let mut distinct = self.initial_validators.clone();
			distinct.sort();
			distinct.dedup();
			assert!(
				distinct.len() == self.initial_validators.len(),
				"validatorSet.initialValidators: an account is listed twice"
			);
			// In the order given: Aura takes turns in the set's order.
			let validators = BoundedVec::<T::AccountId, T::MaxValidators>::try_from(
				self.initial_validators.clone(),
			)
			.expect("validatorSet.initialValidators: more than MaxValidators");
			Validators::<T>::put(validators);
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// `who` was added to the validator set; it validates from the session named by the next
		/// `NewSetPlanned`.
		ValidatorAdded { who: T::AccountId },
		/// `who` was removed from the validator set; it stops validating from the session named
		/// by the next `NewSetPlanned`.
		ValidatorRemoved { who: T::AccountId },
		/// A new set was handed to `pallet-session`: its `validators` (the members of the set with
		/// session keys) validate from session `session` on.
		NewSetPlanned { session: u32, validators: u32 },
		/// The set was not handed over when session `session` was planned: only `registered` of
		/// its validators have session keys, fewer than `MinValidators`. The active set stays
		/// (less any validator without keys); it is tried again at the next session.
		SetChangeDeferred { session: u32, registered: u32 },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The account is a validator already.
		AlreadyValidator,
		/// The account is not a validator.
		NotValidator,
		/// The account has no session keys: it must call `session.setKeys` first.
		NoSessionKeys,
		/// The set is full (`MaxValidators`).
		TooManyValidators,
		/// Removing the account would leave fewer than `MinValidators` validators with session
		/// keys.
		TooFewValidators,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn integrity_test() {
			assert!(
				T::MinValidators::get() >= 1,
				"MinValidators must be at least 1: an empty set stops the chain"
			);
			assert!(
				T::MinValidators::get() <= T::MaxValidators::get(),
				"MinValidators must not exceed MaxValidators"
			);
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Adds `who` to the validator set (origin: `AddRemoveOrigin`, i.e. root or a referendum).
		///
		/// `who` must have session keys registered (`session.setKeys`). It starts authoring and
		/// voting on finality when the session after the next one begins (one to two session
		/// periods); its node must be running with those keys by then.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::add_validator(T::MaxValidators::get()))]
		pub fn add_validator(origin: OriginFor<T>, who: T::AccountId) -> DispatchResult {
			T::AddRemoveOrigin::ensure_origin(origin)?;
			ensure!(T::Session::is_registered(&who), Error::<T>::NoSessionKeys);
			let mut validators = Self::members();
			ensure!(!validators.contains(&who), Error::<T>::AlreadyValidator);
			validators.try_push(who.clone()).map_err(|_| Error::<T>::TooManyValidators)?;
			Validators::<T>::put(validators);
			Self::deposit_event(Event::ValidatorAdded { who });
			Ok(())
		}

		/// Removes `who` from the validator set (origin: `AddRemoveOrigin`, i.e. root or a
		/// referendum), keeping at least `MinValidators` validators with session keys.
		///
		/// `who` keeps validating until the session after the next one begins; its session keys
		/// (and their deposit) stay until it calls `session.purgeKeys`.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::remove_validator(T::MaxValidators::get()))]
		pub fn remove_validator(origin: OriginFor<T>, who: T::AccountId) -> DispatchResult {
			T::AddRemoveOrigin::ensure_origin(origin)?;
			let mut validators = Self::members();
			let position =
				validators.iter().position(|v| v == &who).ok_or(Error::<T>::NotValidator)?;
			validators.remove(position);
			let with_keys = validators.iter().filter(|v| T::Session::is_registered(v)).count();
			ensure!(with_keys >= T::MinValidators::get() as usize, Error::<T>::TooFewValidators);
			Validators::<T>::put(validators);
			Self::deposit_event(Event::ValidatorRemoved { who });
			Ok(())
		}
	}

	impl<T: Config> Pallet<T> {
		/// The set: `Validators`, or the active validators while `Validators` was never filled
		/// (a chain whose genesis listed its validators only in `session.keys`).
		pub fn members() -> BoundedVec<T::AccountId, T::MaxValidators> {
			let validators = Validators::<T>::get();
			if validators.is_empty() {
				BoundedVec::truncate_from(T::Session::validators())
			} else {
				validators
			}
		}

		/// The members of the set that have session keys, if they are at least
		/// `MinValidators`; otherwise the number that have keys.
		fn registered_set() -> Result<Vec<T::AccountId>, u32> {
			let registered: Vec<T::AccountId> =
				Self::members().into_iter().filter(T::Session::is_registered).collect();
			let count = u32::try_from(registered.len()).unwrap_or(u32::MAX);
			if count >= T::MinValidators::get().max(1) {
				Ok(registered)
			} else {
				Err(count)
			}
		}
	}

	impl<T: Config> pallet_session::SessionManager<T::AccountId> for Pallet<T> {
		/// Hands the set's validators with session keys to `pallet-session` when they differ
		/// from the active set (at most `MaxValidators` key lookups, once per session).
		fn new_session(new_index: u32) -> Option<Vec<T::AccountId>> {
			match Self::registered_set() {
				Ok(validators) if validators != T::Session::validators() => {
					Self::deposit_event(Event::NewSetPlanned {
						session: new_index,
						validators: u32::try_from(validators.len()).unwrap_or(u32::MAX),
					});
					Some(validators)
				}
				Ok(_) => None,
				Err(registered) => {
					log::warn!(
						target: "runtime::validator-set",
						"session {new_index}: only {registered} validators have session keys; \
						 keeping the active set",
					);
					Self::deposit_event(Event::SetChangeDeferred {
						session: new_index,
						registered,
					});
					None
				}
			}
		}

		/// The genesis set (sessions 0 and 1), or `pallet-session`'s `keys` when it is empty.
		fn new_session_genesis(_new_index: u32) -> Option<Vec<T::AccountId>> {
			let validators = Validators::<T>::get();
			(!validators.is_empty()).then(|| validators.into_inner())
		}

		fn end_session(_end_index: u32) {}

		fn start_session(_start_index: u32) {}
	}

	#[cfg(any(feature = "try-runtime", test))]
	impl<T: Config> Pallet<T> {
		/// The pallet's invariants (checked after every unit test, and by try-runtime): no
		/// validator is listed twice, and a set this pallet keeps (empty only before its first
		/// change, when `pallet-session`'s genesis keys are the set) has at least
		/// `MinValidators` members.
		pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
			let validators = Validators::<T>::get();
			for (index, who) in validators.iter().enumerate() {
				ensure!(
					!validators.iter().skip(index.saturating_add(1)).any(|other| other == who),
					"a validator listed twice"
				);
			}
			ensure!(
				validators.is_empty() || validators.len() >= T::MinValidators::get() as usize,
				"fewer validators than MinValidators"
			);
			Ok(())
		}
	}
}
