//! # Compute staking
//!
//! Miners and verifiers of ModelChain register here, bond stake, serve model versions, unbond
//! and get slashed. The inference pallet picks workers and punishes faults through
//! [`ComputeStakingInterface`] (in `modelchain-primitives`); it never touches this pallet's
//! storage.
//!
//! ## Calls
//! - [`Pallet::register_worker`]: register as miner or verifier with an endpoint, a hardware
//!   description and the model versions served; holds a registration deposit.
//! - [`Pallet::update_worker`]: change endpoint, hardware or served versions.
//! - [`Pallet::bond`] / [`Pallet::unbond`] / [`Pallet::withdraw_unbonded`]: stake in and out,
//!   through an unbonding queue of at most `MaxUnlockingChunks` chunks.
//! - [`Pallet::chill`] / [`Pallet::resume`]: stop and restart getting jobs.
//! - [`Pallet::deregister`]: leave once nothing is bonded; releases the deposit.
//! - [`Pallet::set_parameters`]: governance (root) sets the minimum bonds, the unbonding and
//!   jail periods and the slash fractions.
//!
//! Bonds and deposits are fungible holds with the named reasons [`HoldReason::WorkerBond`] and
//! [`HoldReason::WorkerRegistration`]. A slash takes from the active bond first and then from the
//! unbonding chunks (newest first), so unbonding just before a slash does not escape it; slashed
//! funds go to `Config::Slashed` (the treasury in the runtime).

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
pub mod migrations;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;
pub mod types;
pub mod weights;

pub use types::*;
pub use weights::WeightInfo;

/// Sets up what the benchmarks need from the model registry.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper {
	/// Makes `versions` registered, so that workers may announce them.
	fn register_versions(versions: &[modelchain_primitives::ModelVersionRef]);
}

/// For runtimes whose `ModelVersions` accepts every version.
#[cfg(feature = "runtime-benchmarks")]
impl BenchmarkHelper for () {
	fn register_versions(_versions: &[modelchain_primitives::ModelVersionRef]) {}
}

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use alloc::vec::Vec;
	use frame_support::{
		pallet_prelude::*,
		traits::{
			fungible::{Inspect, MutateHold},
			tokens::{fungible::hold::Balanced as BalancedHold, Precision},
			OnUnbalanced,
		},
	};
	use frame_system::pallet_prelude::*;
	use modelchain_primitives::{
		ComputeStakingInterface, ModelVersionInspect, ModelVersionRef, ServingMiners, SlashReason,
		WorkerRole,
	};
	use sp_runtime::{
		traits::{CheckedAdd, CheckedSub, SaturatedConversion, Saturating, Zero},
		Perbill,
	};

	/// Balance of the native currency.
	pub type BalanceOf<T> =
		<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;
	/// A slashed amount on its way to `Config::Slashed`.
	pub type CreditOf<T> = frame_support::traits::fungible::Credit<
		<T as frame_system::Config>::AccountId,
		<T as Config>::Currency,
	>;
	/// The governance parameters with this runtime's types.
	pub type ParametersOf<T> = StakingParameters<BalanceOf<T>, BlockNumberFor<T>>;
	/// A miner in a version's index with this runtime's types.
	pub type CandidateOf<T> =
		Candidate<<T as frame_system::Config>::AccountId, BalanceOf<T>, BlockNumberFor<T>>;
	/// A registered worker with this runtime's types and bounds.
	pub type WorkerInfoOf<T> = WorkerInfo<
		BalanceOf<T>,
		BlockNumberFor<T>,
		<T as Config>::MaxEndpointLen,
		<T as Config>::MaxHardwareLen,
		<T as Config>::MaxVersionsPerWorker,
		<T as Config>::MaxUnlockingChunks,
	>;

	/// The storage version: 1 indexes only the miners that may be assigned jobs
	/// (`MinersByVersion`); 2 has no verifier role (see [`crate::migrations`]).
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(2);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// Stake bonded by a worker (active or unbonding).
		WorkerBond,
		/// Deposit for the storage of a worker's registration.
		WorkerRegistration,
	}

	#[pallet::config]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// The native currency, in which bonds and deposits are held.
		type Currency: MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>
			+ BalancedHold<Self::AccountId>
			+ frame_support::traits::fungible::Mutate<Self::AccountId>;
		/// The overarching hold reason.
		type RuntimeHoldReason: From<HoldReason>;
		/// Receives slashed funds (the treasury).
		type Slashed: OnUnbalanced<CreditOf<Self>>;
		/// Tells which model versions exist.
		type ModelVersions: ModelVersionInspect;
		/// Origin that may change the parameters (root or a passed referendum).
		type ParametersOrigin: EnsureOrigin<Self::RuntimeOrigin>;
		/// Deposit held while a worker is registered.
		#[pallet::constant]
		type RegistrationDeposit: Get<BalanceOf<Self>>;
		/// Longest endpoint URL, in bytes.
		#[pallet::constant]
		type MaxEndpointLen: Get<u32>;
		/// Longest hardware description, in bytes.
		#[pallet::constant]
		type MaxHardwareLen: Get<u32>;
		/// Most model versions one worker serves.
		#[pallet::constant]
		type MaxVersionsPerWorker: Get<u32>;
		/// Most workers serving one model version.
		#[pallet::constant]
		type MaxWorkersPerVersion: Get<u32>;
		/// Most unbonding chunks a worker may have at once.
		#[pallet::constant]
		type MaxUnlockingChunks: Get<u32>;
		/// Jobs in a row an assigned miner may let pass without committing before it is
		/// jailed (at least 1).
		#[pallet::constant]
		type MissedJobsBeforeJail: Get<u32>;
		/// The longest a job can keep a miner's stake at risk (the inference pallet's commit,
		/// reveal and challenge periods in force): `set_parameters` refuses an unbonding period
		/// that is not longer.
		type JobLifetime: Get<BlockNumberFor<Self>>;
		/// Weights of this pallet's calls.
		type WeightInfo: WeightInfo;
		/// Registers the model versions the benchmarks announce.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper;
	}

	/// The governance parameters in force.
	#[pallet::storage]
	pub type Parameters<T: Config> = StorageValue<_, ParametersOf<T>, OptionQuery>;

	/// Registered workers by account.
	#[pallet::storage]
	pub type Workers<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, WorkerInfoOf<T>>;

	/// The miners of each model version that may be assigned its jobs: registered as miners,
	/// not chilled and bonded at least the minimum, with their stake and jail. Only they hold
	/// the version's `MaxWorkersPerVersion` slots (an unbonded registration, a verifier or a
	/// chilled miner holds none), and job assignment draws from all of them. Kept in step with
	/// every change of a worker; no entry for a version nobody can serve.
	#[pallet::storage]
	pub type MinersByVersion<T: Config> = StorageMap<
		_,
		Blake2_128Concat,
		ModelVersionRef,
		BoundedVec<CandidateOf<T>, T::MaxWorkersPerVersion>,
		ValueQuery,
	>;

	/// Jobs in a row each miner was assigned and let pass without committing (no entry for
	/// none; reset by a job served well or a jail).
	#[pallet::storage]
	pub type MissedInARow<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, u32, ValueQuery>;

	/// Total ever slashed from workers, for accounting.
	#[pallet::storage]
	pub type TotalSlashed<T: Config> = StorageValue<_, BalanceOf<T>, ValueQuery>;

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// The parameters at genesis (dev and local chains use short periods).
		pub parameters: Option<ParametersOf<T>>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			if let Some(parameters) = &self.parameters {
				Parameters::<T>::put(parameters.clone());
			}
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A worker registered; `deposit` is held until it deregisters.
		WorkerRegistered { worker: T::AccountId, role: WorkerRole, deposit: BalanceOf<T> },
		/// A worker changed its endpoint, hardware or served versions.
		WorkerUpdated { worker: T::AccountId },
		/// A worker deregistered and got its deposit back.
		WorkerDeregistered { worker: T::AccountId },
		/// Stake was bonded (held); `active_bond` is the new active total.
		Bonded { worker: T::AccountId, amount: BalanceOf<T>, active_bond: BalanceOf<T> },
		/// Stake started unbonding; withdrawable from `unlock_at`.
		Unbonded { worker: T::AccountId, amount: BalanceOf<T>, unlock_at: BlockNumberFor<T> },
		/// Unbonded stake was released to the worker.
		Withdrawn { worker: T::AccountId, amount: BalanceOf<T> },
		/// The worker stopped getting jobs.
		Chilled { worker: T::AccountId },
		/// The worker gets jobs again.
		Resumed { worker: T::AccountId },
		/// The worker was slashed; `amount` went to the treasury.
		Slashed { worker: T::AccountId, amount: BalanceOf<T>, reason: SlashReason },
		/// The worker gets no jobs until block `until`.
		Jailed { worker: T::AccountId, until: BlockNumberFor<T> },
		/// The worker earned reputation.
		ReputationRewarded { worker: T::AccountId, points: u32, reputation: u32 },
		/// An assigned miner let a job's commit phase pass without committing: `in_a_row` jobs
		/// missed in a row, `reputation` left (a `Jailed` event follows when it reaches
		/// `MissedJobsBeforeJail`).
		JobMissed { worker: T::AccountId, in_a_row: u32, reputation: u32 },
		/// Governance changed the parameters.
		ParametersSet { parameters: ParametersOf<T> },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The account is already registered as a worker.
		AlreadyRegistered,
		/// The account is not a registered worker.
		NotRegistered,
		/// The endpoint URL is longer than `MaxEndpointLen`.
		EndpointTooLong,
		/// The endpoint URL is empty or does not start with `http://` or `https://`.
		InvalidEndpoint,
		/// The hardware description is longer than `MaxHardwareLen`.
		HardwareTooLong,
		/// More model versions than `MaxVersionsPerWorker`.
		TooManyVersions,
		/// A model version is listed twice.
		DuplicateVersion,
		/// A model version is not registered (or its model is retired).
		UnknownVersion,
		/// A model version already has `MaxWorkersPerVersion` miners that may get its jobs
		/// (bonded, not chilled); this worker cannot take a slot of it now.
		VersionFull,
		/// The bond would leave the active stake below the minimum for the role.
		BondBelowMinimum,
		/// Zero is not a valid amount.
		ZeroAmount,
		/// Not enough free balance to hold the bond or the deposit.
		InsufficientBalance,
		/// Unbonding more than the active bond.
		UnbondExceedsBond,
		/// The unbonding queue already has `MaxUnlockingChunks` chunks; withdraw first.
		NoMoreChunks,
		/// Nothing has finished unbonding yet.
		NothingToWithdraw,
		/// The worker still has active or unbonding stake; unbond and withdraw it all first.
		StillBonded,
		/// The worker is already chilled.
		AlreadyChilled,
		/// The worker is not chilled.
		NotChilled,
		/// The parameters have not been set (no genesis value and no `set_parameters` yet).
		ParametersNotSet,
		/// A slash fraction above 100% or a zero minimum bond.
		InvalidParameters,
		/// An arithmetic overflow.
		Overflow,
		/// The unbonding period is not longer than a job's lifetime (the inference commit,
		/// reveal and challenge periods): a faulty miner could withdraw before being slashed.
		UnbondingShorterThanJobs,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn integrity_test() {
			assert!(T::MissedJobsBeforeJail::get() >= 1, "MissedJobsBeforeJail must be >= 1");
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Registers the signer as a worker of `role`, serving `versions` at `endpoint`.
		///
		/// Holds `RegistrationDeposit`. The worker gets jobs, and holds a slot of each version,
		/// once it has bonded at least the miners' minimum (`bond`).
		/// Emits `WorkerRegistered`.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::register_worker(versions.len() as u32))]
		pub fn register_worker(
			origin: OriginFor<T>,
			role: WorkerRole,
			endpoint: Vec<u8>,
			hardware: Vec<u8>,
			versions: Vec<ModelVersionRef>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(!Workers::<T>::contains_key(&who), Error::<T>::AlreadyRegistered);
			let endpoint = Self::checked_endpoint(endpoint)?;
			let hardware: BoundedVec<u8, T::MaxHardwareLen> =
				hardware.try_into().map_err(|_| Error::<T>::HardwareTooLong)?;
			let versions = Self::checked_versions(versions)?;

			// No slot of any version yet: a worker holds slots once it has bonded.
			let deposit = T::RegistrationDeposit::get();
			T::Currency::hold(&HoldReason::WorkerRegistration.into(), &who, deposit)
				.map_err(|_| Error::<T>::InsufficientBalance)?;
			Workers::<T>::insert(
				&who,
				WorkerInfo {
					role,
					endpoint,
					hardware,
					versions,
					active_bond: Zero::zero(),
					unlocking: BoundedVec::new(),
					deposit,
					status: WorkerStatus::Active,
					jailed_until: None,
					reputation: 0,
				},
			);
			Self::deposit_event(Event::WorkerRegistered { worker: who, role, deposit });
			Ok(())
		}

		/// Changes the signer's endpoint, hardware description and/or served versions (`None`
		/// keeps the current value). Emits `WorkerUpdated`.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::update_worker(
			versions.as_ref().map_or(0, |v| v.len() as u32)
		))]
		pub fn update_worker(
			origin: OriginFor<T>,
			endpoint: Option<Vec<u8>>,
			hardware: Option<Vec<u8>>,
			versions: Option<Vec<ModelVersionRef>>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let before = Workers::<T>::get(&who).ok_or(Error::<T>::NotRegistered)?;
			let mut worker = before.clone();
			if let Some(endpoint) = endpoint {
				worker.endpoint = Self::checked_endpoint(endpoint)?;
			}
			if let Some(hardware) = hardware {
				worker.hardware = hardware.try_into().map_err(|_| Error::<T>::HardwareTooLong)?;
			}
			if let Some(versions) = versions {
				worker.versions = Self::checked_versions(versions)?;
			}
			Self::reindex(&who, Some(&before), Some(&worker))?;
			Workers::<T>::insert(&who, worker);
			Self::deposit_event(Event::WorkerUpdated { worker: who });
			Ok(())
		}

		/// Bonds (holds) `amount` more of the signer's balance as stake. The active bond must
		/// reach the role's minimum. Emits `Bonded`.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::bond())]
		pub fn bond(
			origin: OriginFor<T>,
			#[pallet::compact] amount: BalanceOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
			let mut worker = Workers::<T>::get(&who).ok_or(Error::<T>::NotRegistered)?;
			let params = Self::parameters()?;
			let active_bond =
				worker.active_bond.checked_add(&amount).ok_or(Error::<T>::Overflow)?;
			ensure!(active_bond >= params.min_miner_bond, Error::<T>::BondBelowMinimum);
			T::Currency::hold(&HoldReason::WorkerBond.into(), &who, amount)
				.map_err(|_| Error::<T>::InsufficientBalance)?;
			let before = worker.clone();
			worker.active_bond = active_bond;
			Self::reindex(&who, Some(&before), Some(&worker))?;
			Workers::<T>::insert(&who, worker);
			Self::deposit_event(Event::Bonded { worker: who, amount, active_bond });
			Ok(())
		}

		/// Starts unbonding `amount` of the active bond; it stays held (and slashable) for the
		/// unbonding period, then `withdraw_unbonded` releases it. What stays active must be zero
		/// or at least the role's minimum. Emits `Unbonded`.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::unbond())]
		pub fn unbond(
			origin: OriginFor<T>,
			#[pallet::compact] amount: BalanceOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
			let mut worker = Workers::<T>::get(&who).ok_or(Error::<T>::NotRegistered)?;
			let params = Self::parameters()?;
			let before = worker.clone();
			let remaining =
				worker.active_bond.checked_sub(&amount).ok_or(Error::<T>::UnbondExceedsBond)?;
			ensure!(
				remaining.is_zero() || remaining >= params.min_miner_bond,
				Error::<T>::BondBelowMinimum
			);
			let unlock_at =
				frame_system::Pallet::<T>::block_number().saturating_add(params.unbonding_period);
			match worker.unlocking.last_mut() {
				Some(last) if last.unlock_at == unlock_at => {
					last.value = last.value.checked_add(&amount).ok_or(Error::<T>::Overflow)?
				}
				_ => worker
					.unlocking
					.try_push(UnlockChunk { value: amount, unlock_at })
					.map_err(|_| Error::<T>::NoMoreChunks)?,
			}
			worker.active_bond = remaining;
			Self::reindex(&who, Some(&before), Some(&worker))?;
			Workers::<T>::insert(&who, worker);
			Self::deposit_event(Event::Unbonded { worker: who, amount, unlock_at });
			Ok(())
		}

		/// Releases every unbonding chunk whose period has passed. Emits `Withdrawn`.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::withdraw_unbonded(T::MaxUnlockingChunks::get()))]
		pub fn withdraw_unbonded(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let mut worker = Workers::<T>::get(&who).ok_or(Error::<T>::NotRegistered)?;
			let now = frame_system::Pallet::<T>::block_number();
			let mut amount = BalanceOf::<T>::zero();
			worker.unlocking.retain(|chunk| {
				if chunk.unlock_at <= now {
					amount = amount.saturating_add(chunk.value);
					false
				} else {
					true
				}
			});
			ensure!(!amount.is_zero(), Error::<T>::NothingToWithdraw);
			T::Currency::release(&HoldReason::WorkerBond.into(), &who, amount, Precision::Exact)?;
			Workers::<T>::insert(&who, worker);
			Self::deposit_event(Event::Withdrawn { worker: who, amount });
			Ok(())
		}

		/// Stops the signer from getting new jobs; its stake stays bonded. Emits `Chilled`.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::chill())]
		pub fn chill(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::set_status(who, WorkerStatus::Chilled)
		}

		/// Makes a chilled worker get jobs again. Emits `Resumed`.
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::resume())]
		pub fn resume(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::set_status(who, WorkerStatus::Active)
		}

		/// Removes the signer's registration and releases its deposit. Fails while any stake is
		/// active or unbonding. Emits `WorkerDeregistered`.
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::deregister(T::MaxVersionsPerWorker::get()))]
		pub fn deregister(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let worker = Workers::<T>::get(&who).ok_or(Error::<T>::NotRegistered)?;
			ensure!(
				worker.active_bond.is_zero() && worker.unlocking.is_empty(),
				Error::<T>::StillBonded
			);
			T::Currency::release(
				&HoldReason::WorkerRegistration.into(),
				&who,
				worker.deposit,
				Precision::BestEffort,
			)?;
			Self::reindex(&who, Some(&worker), None)?;
			Workers::<T>::remove(&who);
			MissedInARow::<T>::remove(&who);
			Self::deposit_event(Event::WorkerDeregistered { worker: who });
			Ok(())
		}

		/// Sets the minimum bonds, the unbonding and jail periods and the slash fractions.
		/// Only `ParametersOrigin` (root). Emits `ParametersSet`.
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::set_parameters())]
		pub fn set_parameters(origin: OriginFor<T>, parameters: ParametersOf<T>) -> DispatchResult {
			T::ParametersOrigin::ensure_origin(origin)?;
			ensure!(!parameters.min_miner_bond.is_zero(), Error::<T>::InvalidParameters);
			// A miner whose committed output lost sees the others' reveals before its own is
			// due: skipping its reveal must never cost it less than revealing.
			ensure!(
				parameters.slash_missed_reveal >= parameters.slash_wrong_result,
				Error::<T>::InvalidParameters
			);
			// A miner must not be able to withdraw its stake before a job it holds is settled.
			ensure!(
				parameters.unbonding_period > T::JobLifetime::get(),
				Error::<T>::UnbondingShorterThanJobs
			);
			Parameters::<T>::put(parameters.clone());
			Self::deposit_event(Event::ParametersSet { parameters });
			Ok(())
		}
	}

	impl<T: Config> Pallet<T> {
		/// The parameters in force, or `ParametersNotSet`.
		pub fn parameters() -> Result<ParametersOf<T>, Error<T>> {
			Parameters::<T>::get().ok_or(Error::<T>::ParametersNotSet)
		}

		fn checked_endpoint(
			endpoint: Vec<u8>,
		) -> Result<BoundedVec<u8, T::MaxEndpointLen>, Error<T>> {
			ensure!(
				endpoint.starts_with(b"http://") || endpoint.starts_with(b"https://"),
				Error::<T>::InvalidEndpoint
			);
			endpoint.try_into().map_err(|_| Error::<T>::EndpointTooLong)
		}

		fn checked_versions(
			versions: Vec<ModelVersionRef>,
		) -> Result<BoundedVec<ModelVersionRef, T::MaxVersionsPerWorker>, Error<T>> {
			let versions: BoundedVec<_, T::MaxVersionsPerWorker> =
				versions.try_into().map_err(|_| Error::<T>::TooManyVersions)?;
			for (i, version) in versions.iter().enumerate() {
				ensure!(
					!versions.iter().skip(i.saturating_add(1)).any(|other| other == version),
					Error::<T>::DuplicateVersion
				);
				ensure!(T::ModelVersions::version_exists(version), Error::<T>::UnknownVersion);
			}
			Ok(versions)
		}

		/// The versions whose slots `worker` holds: all it serves while it is a miner, not
		/// chilled and bonded at least the minimum; none otherwise.
		fn slots_of<'a>(
			worker: Option<&'a WorkerInfoOf<T>>,
			params: Option<&ParametersOf<T>>,
		) -> &'a [ModelVersionRef] {
			match (worker, params) {
				(Some(worker), Some(params))
					if worker.status == WorkerStatus::Active
						&& worker.active_bond >= params.min_miner_bond =>
				{
					&worker.versions
				}
				_ => &[],
			}
		}

		/// Brings the version index in step with a worker that changes from `before` to
		/// `after` (`None`: not registered): it leaves the versions whose slots it no longer
		/// holds, takes a slot of each version it now holds (`VersionFull` if one has no room;
		/// the caller's call then fails and changes nothing) and its entry's stake and jail
		/// follow. A change that takes no new slot (a slash, a jail, an unbond) cannot fail.
		pub(crate) fn reindex(
			who: &T::AccountId,
			before: Option<&WorkerInfoOf<T>>,
			after: Option<&WorkerInfoOf<T>>,
		) -> Result<(), Error<T>> {
			let params = Parameters::<T>::get();
			let (old, new) =
				(Self::slots_of(before, params.as_ref()), Self::slots_of(after, params.as_ref()));
			for version in old.iter().filter(|v| !new.contains(v)) {
				MinersByVersion::<T>::mutate_exists(version, |miners| {
					if let Some(list) = miners {
						list.retain(|candidate| candidate.miner != *who);
						if list.is_empty() {
							*miners = None;
						}
					}
				});
			}
			let Some(after) = after.filter(|_| !new.is_empty()) else { return Ok(()) };
			let candidate = Candidate {
				miner: who.clone(),
				stake: after.active_bond,
				jailed_until: after.jailed_until,
			};
			for version in new {
				// An entry already up to date (e.g. only the endpoint changed) is not rewritten.
				if MinersByVersion::<T>::get(version).contains(&candidate) {
					continue;
				}
				MinersByVersion::<T>::try_mutate(version, |miners| {
					match miners.iter_mut().find(|entry| entry.miner == *who) {
						Some(entry) => *entry = candidate.clone(),
						None => miners
							.try_push(candidate.clone())
							.map_err(|_| Error::<T>::VersionFull)?,
					}
					Ok::<_, Error<T>>(())
				})?;
			}
			Ok(())
		}

		fn set_status(who: T::AccountId, status: WorkerStatus) -> DispatchResult {
			Workers::<T>::try_mutate(&who, |worker| -> DispatchResult {
				let worker = worker.as_mut().ok_or(Error::<T>::NotRegistered)?;
				let before = worker.clone();
				match status {
					WorkerStatus::Chilled => {
						ensure!(worker.status == WorkerStatus::Active, Error::<T>::AlreadyChilled)
					}
					WorkerStatus::Active => {
						ensure!(worker.status == WorkerStatus::Chilled, Error::<T>::NotChilled)
					}
				}
				worker.status = status;
				Self::reindex(&who, Some(&before), Some(worker))?;
				Ok(())
			})?;
			Self::deposit_event(match status {
				WorkerStatus::Chilled => Event::Chilled { worker: who },
				WorkerStatus::Active => Event::Resumed { worker: who },
			});
			Ok(())
		}

		/// Whether `worker` may get a job of `role` now.
		pub fn is_eligible(
			worker: &WorkerInfoOf<T>,
			role: WorkerRole,
			params: &ParametersOf<T>,
		) -> bool {
			let now = frame_system::Pallet::<T>::block_number();
			let WorkerRole::Miner = role;
			worker.role == role
				&& worker.status == WorkerStatus::Active
				&& worker.jailed_until.is_none_or(|until| until <= now)
				&& worker.active_bond >= params.min_miner_bond
		}

		/// Total stake of a worker that a slash can reach: active plus unbonding.
		pub fn slashable_stake(worker: &WorkerInfoOf<T>) -> BalanceOf<T> {
			worker
				.unlocking
				.iter()
				.fold(worker.active_bond, |total, chunk| total.saturating_add(chunk.value))
		}

		/// The index after a slash or a jail, which only lower a stake or add a jail and so
		/// never take a new slot.
		fn reindex_after_penalty(
			who: &T::AccountId,
			before: &WorkerInfoOf<T>,
			after: &WorkerInfoOf<T>,
		) {
			if Self::reindex(who, Some(before), Some(after)).is_err() {
				frame_support::defensive!("a penalty took a new version slot");
			}
		}

		fn do_jail(who: &T::AccountId, worker: &mut WorkerInfoOf<T>) {
			let jail_period = Parameters::<T>::get().map(|p| p.jail_period).unwrap_or_default();
			let until = frame_system::Pallet::<T>::block_number().saturating_add(jail_period);
			worker.jailed_until = Some(worker.jailed_until.map_or(until, |u| u.max(until)));
			Self::deposit_event(Event::Jailed { worker: who.clone(), until });
		}
	}

	impl<T: Config> ServingMiners for Pallet<T> {
		/// One read of the version's index, as for job assignment.
		fn serving_miners(version: &ModelVersionRef, at_least: u32) -> u32 {
			let miners = Self::eligible_workers(version, WorkerRole::Miner, at_least);
			u32::try_from(miners.len()).unwrap_or(at_least)
		}
	}

	impl<T: Config> ComputeStakingInterface<T::AccountId, BalanceOf<T>> for Pallet<T> {
		fn eligible_workers(
			version: &ModelVersionRef,
			role: WorkerRole,
			max: u32,
		) -> Vec<(T::AccountId, BalanceOf<T>)> {
			// Miners are the only role assigned jobs.
			let WorkerRole::Miner = role;
			let Ok(params) = Self::parameters() else { return Vec::new() };
			let now = frame_system::Pallet::<T>::block_number();
			// One read: the version's whole index (at most `MaxWorkersPerVersion` entries).
			// The minimum is checked again: governance may have raised it since.
			MinersByVersion::<T>::get(version)
				.into_iter()
				.filter(|candidate| {
					candidate.stake >= params.min_miner_bond
						&& candidate.jailed_until.is_none_or(|until| until <= now)
				})
				.take(max as usize)
				.map(|candidate| (candidate.miner, candidate.stake))
				.collect()
		}

		fn serving_stake(miner: &T::AccountId, version: &ModelVersionRef) -> Option<BalanceOf<T>> {
			let worker = Workers::<T>::get(miner)?;
			let params = Self::parameters().ok()?;
			(Self::is_eligible(&worker, WorkerRole::Miner, &params)
				&& worker.versions.contains(version))
			.then_some(worker.active_bond)
		}

		fn slash(who: &T::AccountId, fraction: Perbill, reason: SlashReason) -> BalanceOf<T> {
			let Some(mut worker) = Workers::<T>::get(who) else { return Zero::zero() };
			let before = worker.clone();
			let target = fraction.mul_floor(Self::slashable_stake(&worker));
			// Take from the active bond first, then from the newest unbonding chunks.
			let mut remaining = target;
			let from_active = remaining.min(worker.active_bond);
			worker.active_bond = worker.active_bond.saturating_sub(from_active);
			remaining = remaining.saturating_sub(from_active);
			for chunk in worker.unlocking.iter_mut().rev() {
				if remaining.is_zero() {
					break;
				}
				let take = remaining.min(chunk.value);
				chunk.value = chunk.value.saturating_sub(take);
				remaining = remaining.saturating_sub(take);
			}
			worker.unlocking.retain(|chunk| !chunk.value.is_zero());
			let (credit, not_slashed) =
				T::Currency::slash(&HoldReason::WorkerBond.into(), who, target);
			let amount = target.saturating_sub(not_slashed);
			if !not_slashed.is_zero() {
				log::warn!(
					target: "runtime::compute-staking",
					"held bond smaller than recorded stake: {:?} not slashed",
					not_slashed
				);
			}
			T::Slashed::on_unbalanced(credit);
			TotalSlashed::<T>::mutate(|total| *total = total.saturating_add(amount));
			Self::deposit_event(Event::Slashed { worker: who.clone(), amount, reason });
			Self::do_jail(who, &mut worker);
			Self::reindex_after_penalty(who, &before, &worker);
			Workers::<T>::insert(who, worker);
			amount
		}

		fn slash_fraction(reason: SlashReason) -> Perbill {
			let Ok(params) = Self::parameters() else { return Perbill::zero() };
			match reason {
				SlashReason::WrongResult => params.slash_wrong_result,
				SlashReason::MissedReveal => params.slash_missed_reveal,
				// Other faults are judged case by case by whoever proves them.
				SlashReason::Other => params.slash_wrong_result,
			}
		}

		fn endpoint(who: &T::AccountId) -> Option<Vec<u8>> {
			Workers::<T>::get(who).map(|worker| worker.endpoint.into_inner())
		}

		fn jail(who: &T::AccountId) {
			Workers::<T>::mutate(who, |worker| {
				if let Some(worker) = worker.as_mut() {
					let before = worker.clone();
					Self::do_jail(who, worker);
					Self::reindex_after_penalty(who, &before, worker);
				}
			});
		}

		fn reward_reputation(who: &T::AccountId, points: u32) {
			MissedInARow::<T>::remove(who);
			Workers::<T>::mutate(who, |worker| {
				if let Some(worker) = worker.as_mut() {
					worker.reputation = worker.reputation.saturating_add(points);
					Self::deposit_event(Event::ReputationRewarded {
						worker: who.clone(),
						points,
						reputation: worker.reputation,
					});
				}
			});
		}

		fn note_missed_job(who: &T::AccountId) {
			let Some(mut worker) = Workers::<T>::get(who) else { return };
			let in_a_row = MissedInARow::<T>::get(who).saturating_add(1);
			worker.reputation = worker.reputation.saturating_sub(1);
			Self::deposit_event(Event::JobMissed {
				worker: who.clone(),
				in_a_row,
				reputation: worker.reputation,
			});
			if in_a_row >= T::MissedJobsBeforeJail::get() {
				MissedInARow::<T>::remove(who);
				let before = worker.clone();
				Self::do_jail(who, &mut worker);
				Self::reindex_after_penalty(who, &before, &worker);
			} else {
				MissedInARow::<T>::insert(who, in_a_row);
			}
			Workers::<T>::insert(who, worker);
		}

		fn unbonding_period() -> u32 {
			Self::parameters()
				.map(|params| params.unbonding_period.saturated_into())
				.unwrap_or_default()
		}
	}

	#[cfg(any(feature = "try-runtime", test))]
	impl<T: Config> Pallet<T> {
		/// The pallet's invariants (checked after every unit test, and by try-runtime): each
		/// worker's bond hold is its active bond plus its unbonding chunks, and its registration
		/// hold its deposit; every miner in a version's index is a registered, active miner
		/// serving that version, listed once, with its current stake and jail; no index is kept
		/// empty.
		pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
			use frame_support::traits::fungible::InspectHold;
			for (who, worker) in Workers::<T>::iter() {
				let bonded = worker
					.unlocking
					.iter()
					.fold(worker.active_bond, |total, chunk| total.saturating_add(chunk.value));
				ensure!(
					T::Currency::balance_on_hold(&HoldReason::WorkerBond.into(), &who) == bonded,
					"a worker's bond hold differs from its active and unbonding stake"
				);
				ensure!(
					T::Currency::balance_on_hold(&HoldReason::WorkerRegistration.into(), &who)
						== worker.deposit,
					"a worker's registration hold differs from its deposit"
				);
			}
			for (version, candidates) in MinersByVersion::<T>::iter() {
				ensure!(!candidates.is_empty(), "an empty version index is kept");
				for (index, candidate) in candidates.iter().enumerate() {
					let worker = Workers::<T>::get(&candidate.miner)
						.ok_or("an unregistered miner in a version index")?;
					ensure!(
						worker.status == WorkerStatus::Active && worker.versions.contains(&version),
						"a miner indexed for a version it may not serve"
					);
					ensure!(
						candidate.stake == worker.active_bond
							&& candidate.jailed_until == worker.jailed_until,
						"an indexed miner's stake or jail is stale"
					);
					ensure!(
						candidates
							.iter()
							.skip(index.saturating_add(1))
							.all(|other| other.miner != candidate.miner),
						"a miner indexed twice for one version"
					);
				}
			}
			Ok(())
		}
	}
}
