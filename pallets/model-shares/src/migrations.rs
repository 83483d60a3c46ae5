//! Storage migrations of the shares pallet.

/// v0 → v1: the rounding remainder of each share class moves to the accumulator's units.
///
/// In v0, `ShareClass` kept the remainder of each deposit in planck (`dust`) and spread it
/// again with the next deposit, while the holders also kept the unrounded fraction of that same
/// deposit: the fraction was credited twice. In v1 the field (same position and type, `u128`)
/// is `dust_scaled`, the revenue deposited but credited to no share, in `1 / ACC_PRECISION`
/// planck. The migration recomputes it from the books, `total_deposited * ACC_PRECISION -
/// supply * acc_revenue_per_share`, spreading whole units per share at once so that the
/// remainder is below one unit per share. A class whose holders were already credited more than
/// was deposited (the v0 double count) keeps its credits; its remainder becomes zero and the
/// excess is logged: later deposits are exact, but that excess is only covered by whatever the
/// pallet's account holds beyond the books.
pub mod v1 {
	use crate::{Config, Pallet, ShareClassOf, ShareClasses, ACC_PRECISION};
	use core::marker::PhantomData;
	use frame_support::{
		migrations::VersionedMigration,
		traits::{Get, UncheckedOnRuntimeUpgrade},
		weights::Weight,
	};

	/// The migration without its version check; use [`MigrateToV1`].
	pub struct InnerMigrateToV1<T>(PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for InnerMigrateToV1<T> {
		fn on_runtime_upgrade() -> Weight {
			let mut classes: u64 = 0;
			ShareClasses::<T>::translate_values::<ShareClassOf<T>, _>(|mut class| {
				classes = classes.saturating_add(1);
				let deposited = class.total_deposited.saturating_mul(ACC_PRECISION);
				let credited = class.supply.saturating_mul(class.acc_revenue_per_share);
				match (deposited.checked_sub(credited), class.supply) {
					(Some(uncredited), supply) if supply > 0 => {
						let per_share = uncredited.checked_div(supply).unwrap_or_default();
						class.acc_revenue_per_share =
							class.acc_revenue_per_share.saturating_add(per_share);
						class.dust_scaled = uncredited.checked_rem(supply).unwrap_or_default();
					}
					_ => {
						log::warn!(
							target: "runtime::model-shares",
							"share class {:?}: holders were credited {} units more than deposited",
							class.asset,
							credited.saturating_sub(deposited),
						);
						class.dust_scaled = 0;
					}
				}
				Some(class)
			});
			T::DbWeight::get().reads_writes(classes, classes)
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
