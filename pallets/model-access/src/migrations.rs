//! Storage migrations of the model-access pallet.

/// v0 → v1: the runtime's `AccessLogLength` went down from 1,000 to 24 so that a model's deposit
/// pays for its whole access window (L-14). Windows kept under the old bound are cut to their
/// newest `AccessLogLength` records (the older ones stay in the events), so that every window
/// is within the bound `try_state` checks and the storage they held is freed at once.
///
/// The work is one pass over the models with a window, removing at most the old bound minus the
/// new one (976) records each: fine for the chains this runs on (dev and test chains before
/// launch); a chain with many thousands of busy models would need a multi-block migration.
pub mod v1 {
	use crate::{AccessLog, AccessLogBounds, Config, Pallet};
	use core::marker::PhantomData;
	use frame_support::{
		migrations::VersionedMigration, pallet_prelude::*, traits::UncheckedOnRuntimeUpgrade,
	};

	/// The migration without its version check; use [`MigrateToV1`].
	pub struct InnerMigrateToV1<T>(PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for InnerMigrateToV1<T> {
		fn on_runtime_upgrade() -> Weight {
			let length = u64::from(T::AccessLogLength::get());
			let windows: alloc::vec::Vec<_> = AccessLogBounds::<T>::iter().collect();
			let (mut reads, mut writes) = (0u64, 0u64);
			for (model, (first, next)) in windows {
				reads = reads.saturating_add(1);
				let keep_from = next.saturating_sub(length).max(first);
				if keep_from == first {
					continue;
				}
				for sequence in first..keep_from {
					AccessLog::<T>::remove(model, sequence);
				}
				AccessLogBounds::<T>::insert(model, (keep_from, next));
				writes = writes.saturating_add(keep_from.saturating_sub(first)).saturating_add(1);
			}
			T::DbWeight::get().reads_writes(reads, writes)
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(_: alloc::vec::Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
			let length = u64::from(T::AccessLogLength::get());
			for (model, (first, next)) in AccessLogBounds::<T>::iter() {
				ensure!(next.saturating_sub(first) <= length, "a window longer than the bound");
				ensure!(
					AccessLog::<T>::iter_key_prefix(model).all(|sequence| sequence >= first),
					"a record older than its window was kept"
				);
			}
			Ok(())
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
