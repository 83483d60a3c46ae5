//! Storage migrations of the compute-staking pallet.

/// v0 → v1: the version index holds only the miners that may be assigned jobs.
///
/// v0 indexed every registration under every version it listed (`WorkersByVersion`, counted in
/// `WorkerCountByVersion`), bonded or not, miner or verifier, chilled or not, and job assignment
/// read the first 64 eligible ones in storage order. v1 keeps one list per version,
/// `MinersByVersion`, of the miners holding its slots (bonded at least the minimum, not chilled)
/// with their stake and jail. The migration removes the two v0 maps and builds the lists from
/// `Workers` (one pass over the registered workers; a version already full keeps the first
/// `MaxWorkersPerVersion` found and the rest are logged: they take a slot when one frees up and
/// they bond, resume or update again).
pub mod v1 {
	use crate::{Config, Pallet, Workers};
	use core::marker::PhantomData;
	use frame_support::{
		migrations::VersionedMigration, pallet_prelude::*, storage_alias,
		traits::UncheckedOnRuntimeUpgrade,
	};
	use modelchain_primitives::ModelVersionRef;

	/// v0's index of every registration by version.
	#[storage_alias]
	pub(crate) type WorkersByVersion<T: Config> = StorageDoubleMap<
		Pallet<T>,
		Blake2_128Concat,
		ModelVersionRef,
		Blake2_128Concat,
		<T as frame_system::Config>::AccountId,
		(),
		OptionQuery,
	>;

	/// v0's count of registrations by version.
	#[storage_alias]
	pub(crate) type WorkerCountByVersion<T: Config> =
		StorageMap<Pallet<T>, Blake2_128Concat, ModelVersionRef, u32, ValueQuery>;

	/// The migration without its version check; use [`MigrateToV1`].
	pub struct InnerMigrateToV1<T>(PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for InnerMigrateToV1<T> {
		fn on_runtime_upgrade() -> Weight {
			let removed = WorkersByVersion::<T>::clear(u32::MAX, None).backend;
			let counts = WorkerCountByVersion::<T>::clear(u32::MAX, None).backend;
			let mut workers: u64 = 0;
			for (who, worker) in Workers::<T>::iter() {
				workers = workers.saturating_add(1);
				if Pallet::<T>::reindex(&who, None, Some(&worker)).is_err() {
					log::warn!(
						target: "runtime::compute-staking",
						"worker {:?} holds no slot yet: a version it serves is full",
						who
					);
				}
			}
			let versions = u64::from(T::MaxVersionsPerWorker::get());
			T::DbWeight::get().reads_writes(
				workers.saturating_mul(versions.saturating_add(1)),
				u64::from(removed)
					.saturating_add(u64::from(counts))
					.saturating_add(workers.saturating_mul(versions)),
			)
		}
	}

	/// Runs [`InnerMigrateToV1`] once, when the pallet's storage version is 0, and sets it to 1.
	pub type MigrateToV1<T> = VersionedMigration<
		0,
		1,
		InnerMigrateToV1<T>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;
}

/// v1 → v2: the `Verifier` role is gone (L-10). Verifiers were never assigned jobs, so their
/// bonds secured nothing: checking miners is the validators' work. The migration drops
/// `min_verifier_bond` from the parameters and deregisters every verifier, releasing its
/// active and unbonding bond and its registration deposit (`WorkerDeregistered` each).
/// Miners are encoded exactly as before (`Miner` keeps variant index 0).
pub mod v2 {
	use crate::{
		types::{StakingParameters, UnlockChunk, WorkerStatus},
		BalanceOf, Config, Event, HoldReason, MissedInARow, Pallet, Parameters, Workers,
	};
	use codec::{Decode, Encode};
	use core::marker::PhantomData;
	use frame_support::{
		migrations::VersionedMigration, pallet_prelude::*, traits::UncheckedOnRuntimeUpgrade,
	};
	use frame_system::pallet_prelude::BlockNumberFor;
	use modelchain_primitives::{payout::release_held, ModelVersionRef, WorkerRole};
	use sp_runtime::Perbill;

	/// v1's roles.
	#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, Debug)]
	pub enum OldWorkerRole {
		/// Kept, as `WorkerRole::Miner`.
		Miner,
		/// Removed.
		Verifier,
	}

	/// v1's parameters, with the verifiers' minimum.
	#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug)]
	pub struct OldStakingParameters<Balance, BlockNumber> {
		pub min_miner_bond: Balance,
		pub min_verifier_bond: Balance,
		pub unbonding_period: BlockNumber,
		pub jail_period: BlockNumber,
		pub slash_wrong_result: Perbill,
		pub slash_missed_reveal: Perbill,
	}

	/// v1's worker record (its role may be `Verifier`).
	#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug)]
	pub struct OldWorkerInfo<Balance, BlockNumber, Endpoint, Hardware, Versions, Chunks> {
		pub role: OldWorkerRole,
		pub endpoint: Endpoint,
		pub hardware: Hardware,
		pub versions: Versions,
		pub active_bond: Balance,
		pub unlocking: Chunks,
		pub deposit: Balance,
		pub status: WorkerStatus,
		pub jailed_until: Option<BlockNumber>,
		pub reputation: u32,
	}

	/// v1's worker record with this runtime's types.
	pub type OldWorkerInfoOf<T> = OldWorkerInfo<
		BalanceOf<T>,
		BlockNumberFor<T>,
		BoundedVec<u8, <T as Config>::MaxEndpointLen>,
		BoundedVec<u8, <T as Config>::MaxHardwareLen>,
		BoundedVec<ModelVersionRef, <T as Config>::MaxVersionsPerWorker>,
		BoundedVec<UnlockChunk<BalanceOf<T>, BlockNumberFor<T>>, <T as Config>::MaxUnlockingChunks>,
	>;

	/// The migration without its version check; use [`MigrateToV2`].
	pub struct InnerMigrateToV2<T>(PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for InnerMigrateToV2<T> {
		fn on_runtime_upgrade() -> Weight {
			let mut reads: u64 = 1;
			let mut writes: u64 = 0;
			let parameters = Parameters::<T>::translate::<
				OldStakingParameters<BalanceOf<T>, BlockNumberFor<T>>,
				_,
			>(|old| {
				old.map(|old| StakingParameters {
					min_miner_bond: old.min_miner_bond,
					unbonding_period: old.unbonding_period,
					jail_period: old.jail_period,
					slash_wrong_result: old.slash_wrong_result,
					slash_missed_reveal: old.slash_missed_reveal,
				})
			});
			match parameters {
				Ok(Some(_)) => writes = writes.saturating_add(1),
				Ok(None) => {}
				Err(()) => log::error!(
					target: "runtime::compute-staking",
					"the v1 parameters did not decode: set them again with `setParameters`"
				),
			}
			let mut verifiers = alloc::vec::Vec::new();
			Workers::<T>::translate::<OldWorkerInfoOf<T>, _>(|who, old| {
				reads = reads.saturating_add(1);
				writes = writes.saturating_add(1);
				let worker = crate::WorkerInfo {
					role: WorkerRole::Miner,
					endpoint: old.endpoint,
					hardware: old.hardware,
					versions: old.versions,
					active_bond: old.active_bond,
					unlocking: old.unlocking,
					deposit: old.deposit,
					status: old.status,
					jailed_until: old.jailed_until,
					reputation: old.reputation,
				};
				match old.role {
					OldWorkerRole::Miner => Some(worker),
					OldWorkerRole::Verifier => {
						release_held::<_, T::Currency>(
							&HoldReason::WorkerBond.into(),
							&who,
							Pallet::<T>::slashable_stake(&worker),
						);
						release_held::<_, T::Currency>(
							&HoldReason::WorkerRegistration.into(),
							&who,
							worker.deposit,
						);
						verifiers.push(who);
						None
					}
				}
			});
			for who in verifiers {
				MissedInARow::<T>::remove(&who);
				writes = writes.saturating_add(3);
				log::info!(target: "runtime::compute-staking", "verifier {:?} deregistered", who);
				Pallet::<T>::deposit_event(Event::WorkerDeregistered { worker: who });
			}
			T::DbWeight::get().reads_writes(reads, writes)
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(_: alloc::vec::Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
			ensure!(Parameters::<T>::exists(), "the parameters did not decode after the migration");
			ensure!(
				Workers::<T>::iter_keys().count() == Workers::<T>::iter_values().count(),
				"a worker record did not decode after the migration"
			);
			Ok(())
		}
	}

	/// Runs [`InnerMigrateToV2`] once, when the pallet's storage version is 1, and sets it to 2.
	pub type MigrateToV2<T> = VersionedMigration<
		1,
		2,
		InnerMigrateToV2<T>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;
}
