//! The pallet's behaviour by concern, as `pallet-nfts` splits its `features/`: the calls in
//! `lib.rs` check the origin and call a `do_*` function here.

pub mod assignment;
pub mod checks;
pub mod deadlines;
#[cfg(any(feature = "try-runtime", test))]
pub mod invariants;
pub mod parameters;
pub mod quorum;
pub mod request;
pub mod selection;
pub mod settlement;
pub mod verification;

/// What the feature files use.
mod prelude {
	pub(crate) use super::verification::Verified;
	pub(crate) use crate::*;
	pub(crate) use alloc::vec::Vec;
	pub(crate) use frame_support::{
		pallet_prelude::*,
		traits::{
			fungible::MutateHold,
			tokens::{Fortitude, Precision, Restriction},
		},
	};
	pub(crate) use frame_system::pallet_prelude::*;
	pub(crate) use modelchain_primitives::payout::{pay_split_from_hold, release_held, Payees};
	pub(crate) use modelchain_primitives::{
		AccessControl, Balance, CheckObserver, ComputeStakingInterface, FeeSplit, FreshRandomness,
		ModelId, ModelRegistryInterface, ModelVersionRef, ServingInfo, SlashReason, WorkerRole,
	};
	pub(crate) use sp_core::H256;
	pub(crate) use sp_runtime::{
		traits::{One, Saturating, Zero},
		Perbill, RuntimeAppPublic,
	};
}
