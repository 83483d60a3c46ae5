//! Runtime-level storage migrations: those that span pallets.

use crate::{configs::assets::SHARE_ASSET_ID_BASE, AccountId, Balance, Runtime};
use alloc::vec::Vec;
use codec::{Decode, Encode};
use frame_support::{
	migrations::VersionedMigration, traits::UncheckedOnRuntimeUpgrade, weights::Weight,
};
use pallet_assets::{ExistenceReason, Instance2};

/// Spec 108: model shares move from `Assets` (the default instance) to `ShareAssets` (instance 2), which
/// has no calls, and become sufficient.
///
/// For every asset id at or above `SHARE_ASSET_ID_BASE` in `Assets`: its details, accounts and
/// metadata move under the same id; the asset becomes sufficient, and each holder's consumer
/// reference becomes a sufficient reference. Balances, supply and metadata (and the metadata
/// deposit reserved on the shares pallet's account) are unchanged. Runs once, when
/// `pallet-model-shares` is at storage version 1, and sets it to 2.
pub type MoveSharesToShareAssets = VersionedMigration<
	1,
	2,
	UncheckedMoveSharesToShareAssets,
	pallet_model_shares::Pallet<Runtime>,
	<Runtime as frame_system::Config>::DbWeight,
>;

/// [`MoveSharesToShareAssets`] without its version check.
pub struct UncheckedMoveSharesToShareAssets;

type OldAsset = pallet_assets::Asset<Runtime>;
type OldAccount = pallet_assets::Account<Runtime>;
type OldMetadata = pallet_assets::Metadata<Runtime>;
type NewAsset = pallet_assets::Asset<Runtime, Instance2>;
type NewAccount = pallet_assets::Account<Runtime, Instance2>;
type NewMetadata = pallet_assets::Metadata<Runtime, Instance2>;

/// What the migration must keep: every share asset's supply and name, and every holding.
#[derive(Encode, Decode, PartialEq, Eq, Debug, Default)]
pub struct ShareBooks {
	/// `(asset, supply, name, symbol)`, by asset id.
	pub assets: Vec<(u32, Balance, Vec<u8>, Vec<u8>)>,
	/// `(asset, holder, balance)`, sorted.
	pub holdings: Vec<(u32, AccountId, Balance)>,
}

impl UncheckedMoveSharesToShareAssets {
	/// The share books as `Assets` (before the move) or `ShareAssets` (after) hold them.
	pub fn share_books(moved: bool) -> ShareBooks {
		if moved {
			Self::share_books_in::<Instance2>()
		} else {
			Self::share_books_in::<()>()
		}
	}

	/// The share assets (ids from `SHARE_ASSET_ID_BASE` on) in the assets instance `I`.
	fn share_books_in<I: 'static>() -> ShareBooks
	where
		Runtime: pallet_assets::Config<I, AssetId = u32, Balance = Balance>,
	{
		let mut books = ShareBooks::default();
		let shares = |id: &u32| *id >= SHARE_ASSET_ID_BASE;
		for (id, details) in pallet_assets::Asset::<Runtime, I>::iter().filter(|(id, _)| shares(id))
		{
			let meta = pallet_assets::Metadata::<Runtime, I>::get(id);
			books.assets.push((id, details.supply, meta.name.into(), meta.symbol.into()));
		}
		for (id, who, account) in
			pallet_assets::Account::<Runtime, I>::iter().filter(|(id, ..)| shares(id))
		{
			books.holdings.push((id, who, account.balance));
		}
		books.assets.sort();
		books.holdings.sort();
		books
	}

	/// Checks the move: the books are what they were, nothing of a share asset is left in
	/// `Assets`, and every holding is sufficient.
	pub fn check_moved(before: &ShareBooks) -> Result<(), sp_runtime::TryRuntimeError> {
		frame_support::ensure!(
			&Self::share_books(true) == before,
			"share balances, supply or metadata changed"
		);
		frame_support::ensure!(
			Self::share_books(false) == ShareBooks::default(),
			"a share asset is left in Assets"
		);
		for (_, details) in NewAsset::iter() {
			frame_support::ensure!(details.is_sufficient, "a share asset is not sufficient");
			frame_support::ensure!(
				details.sufficients == details.accounts,
				"a share holding without its sufficient reference"
			);
		}
		Ok(())
	}
}

impl UncheckedOnRuntimeUpgrade for UncheckedMoveSharesToShareAssets {
	fn on_runtime_upgrade() -> Weight {
		let ids: Vec<u32> = OldAsset::iter_keys().filter(|id| *id >= SHARE_ASSET_ID_BASE).collect();
		let mut reads_writes: u64 = 0;
		for id in ids {
			let Some(mut details) = OldAsset::take(id) else { continue };
			let mut sufficients: u32 = 0;
			for (who, mut account) in OldAccount::drain_prefix(id) {
				if matches!(account.reason, ExistenceReason::Consumer) {
					frame_system::Pallet::<Runtime>::inc_sufficients(&who);
					frame_system::Pallet::<Runtime>::dec_consumers(&who);
					account.reason = ExistenceReason::Sufficient;
				}
				if matches!(account.reason, ExistenceReason::Sufficient) {
					sufficients = sufficients.saturating_add(1);
				}
				NewAccount::insert(id, &who, account);
				// The old and new account, and the holder's system account.
				reads_writes = reads_writes.saturating_add(3);
			}
			details.is_sufficient = true;
			details.sufficients = sufficients;
			NewAsset::insert(id, details);
			if OldMetadata::contains_key(id) {
				NewMetadata::insert(id, OldMetadata::take(id));
			}
			reads_writes = reads_writes.saturating_add(4);
			log::info!(target: "runtime::migrations", "share asset {id} moved to ShareAssets");
		}
		<Runtime as frame_system::Config>::DbWeight::get()
			.reads_writes(reads_writes.saturating_add(1), reads_writes)
	}

	#[cfg(feature = "try-runtime")]
	fn pre_upgrade() -> Result<Vec<u8>, sp_runtime::TryRuntimeError> {
		Ok(Self::share_books(false).encode())
	}

	#[cfg(feature = "try-runtime")]
	fn post_upgrade(state: Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
		let before = ShareBooks::decode(&mut &state[..])
			.map_err(|_| sp_runtime::TryRuntimeError::Other("undecodable pre-upgrade state"))?;
		Self::check_moved(&before)
	}
}
