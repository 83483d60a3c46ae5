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
