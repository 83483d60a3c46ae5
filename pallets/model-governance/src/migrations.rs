//! Storage migrations of the governance pallet.

/// v0 → v1: a proposal stores its `action` (`Upgrade(version)` or `SetAccessPolicy(policy)`)
/// where v0 stored the version to activate. Every open v0 proposal becomes an `Upgrade` of
/// the same version; nothing else about it changes (votes, deposit, end, parameters).
pub mod v1 {
	use crate::{Config, Pallet, Proposal, ProposalAction, Proposals, VotingParams};
	#[cfg(feature = "try-runtime")]
	use alloc::vec::Vec;
	use codec::{Decode, Encode};
	use core::marker::PhantomData;
	use frame_support::{
		migrations::VersionedMigration,
		traits::{Get, UncheckedOnRuntimeUpgrade},
		weights::Weight,
	};
	use frame_system::pallet_prelude::BlockNumberFor;
	use modelchain_primitives::{Balance, ModelId, VersionIndex};

	/// A proposal as v0 stored it.
	#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug)]
	pub struct ProposalV0<AccountId, BlockNumber> {
		/// The model to upgrade.
		pub model: ModelId,
		/// The version to activate.
		pub version: VersionIndex,
		/// Who proposed it and holds the deposit.
		pub proposer: AccountId,
		/// Held from the proposer.
		pub deposit: Balance,
		/// End of the voting period.
		pub end: BlockNumber,
		/// The voting parameters.
		pub params: VotingParams<BlockNumber>,
		/// Shares voted aye.
		pub ayes: Balance,
		/// Shares voted nay.
		pub nays: Balance,
		/// Accounts that voted.
		pub voters: u32,
	}

	/// A v0 proposal with this runtime's types.
	pub type ProposalV0Of<T> =
		ProposalV0<<T as frame_system::Config>::AccountId, BlockNumberFor<T>>;

	/// The v1 proposal a v0 proposal becomes.
	pub fn upgraded<T: Config>(old: ProposalV0Of<T>) -> crate::ProposalOf<T> {
		Proposal {
			model: old.model,
			action: ProposalAction::Upgrade(old.version),
			proposer: old.proposer,
			deposit: old.deposit,
			end: old.end,
			params: old.params,
			ayes: old.ayes,
			nays: old.nays,
			voters: old.voters,
		}
	}

	/// The migration without its version check; use [`MigrateToV1`].
	pub struct InnerMigrateToV1<T>(PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for InnerMigrateToV1<T> {
		fn on_runtime_upgrade() -> Weight {
			let mut proposals: u64 = 0;
			Proposals::<T>::translate::<ProposalV0Of<T>, _>(|_, old| {
				proposals = proposals.saturating_add(1);
				Some(upgraded::<T>(old))
			});
			T::DbWeight::get().reads_writes(proposals, proposals)
		}

		#[cfg(feature = "try-runtime")]
		fn pre_upgrade() -> Result<Vec<u8>, sp_runtime::TryRuntimeError> {
			let proposals: Vec<(u32, ProposalV0Of<T>)> = Proposals::<T>::iter_keys()
				.filter_map(|id| {
					frame_support::storage::unhashed::get::<ProposalV0Of<T>>(
						&Proposals::<T>::hashed_key_for(id),
					)
					.map(|proposal| (id, proposal))
				})
				.collect();
			Ok(proposals.encode())
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(state: Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
			let before: Vec<(u32, ProposalV0Of<T>)> = Decode::decode(&mut &state[..])
				.map_err(|_| sp_runtime::TryRuntimeError::Other("undecodable pre-upgrade state"))?;
			frame_support::ensure!(
				Proposals::<T>::iter().count() == before.len(),
				"the number of open proposals changed"
			);
			for (id, old) in before {
				frame_support::ensure!(
					Proposals::<T>::get(id) == Some(upgraded::<T>(old)),
					"a proposal changed beyond its action"
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
