//! # Slot randomness
//!
//! Randomness for the chain that neither a transaction's sender nor a block's author can
//! choose. Every block carries one mandatory inherent, [`Pallet::set_randomness`]: a VRF
//! signature, by the Aura key that owns the block's slot, over the slot and the previous
//! randomness ([`sign_data`]). The runtime verifies it against that key and the VRF output
//! ([`output`]) becomes the new randomness ([`Randomness`]).
//!
//! Why it cannot be steered:
//! - a VRF output is unique for a key and an input: the slot author cannot try several
//!   signatures and keep the one it likes (the input is fixed by the slot and the previous
//!   randomness, both known before it signs), and nobody without the key can predict it;
//! - a signature by any other key, over any other slot or previous value, is refused
//!   ([`Error::BadSignature`]), and so is a second one in a block ([`Error::AlreadySet`]).
//!
//! What remains: the slot author learns the value when it builds its block, so it can refuse to
//! publish the block (giving up the slot, its fees and rewards) if it dislikes the value; the
//! next author then draws a fresh one. Each withheld block is one more draw, at the price of a
//! slot. Consumers should therefore use randomness from a block *after* the one that fixed the
//! thing being drawn for (e.g. assign miners to a request in a later block than the request's),
//! so that the author who could see the request could not yet see the randomness.
//!
//! The slot author is `authorities[slot % n]` with the authorities *of the parent block*, as
//! the node's Aura chose it: in a block that changes the session, Aura's authorities change
//! during `on_initialize`, before the inherent. So the pallet keeps a copy of the authorities
//! as they were at the end of the previous block ([`ParentAuthorities`], refreshed in
//! `on_finalize` when they changed), whatever the order of the pallets' hooks.
//!
//! A block without the inherent is refused by importing nodes (the inherent is required); the
//! runtime itself does not panic without it: [`Pallet::fresh_randomness`] is then `None` for
//! that block, and consumers wait for a block that has it.

#![cfg_attr(not(feature = "std"), no_std)]
#![cfg_attr(
	not(test),
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

/// A key and a signature made ahead of time for the benchmark (the runtime cannot sign).
#[cfg(any(test, feature = "runtime-benchmarks"))]
pub(crate) mod benchmark_input;

pub use weights::WeightInfo;

use codec::{Decode, Encode};
use sp_core::sr25519::{
	vrf::{VrfInput, VrfSignData, VrfSignature, VrfTranscript},
	Public,
};
use sp_inherents::{InherentIdentifier, IsFatalError};

/// The inherent data of a block: the slot author's VRF signature ([`SlotVrf`]).
pub const INHERENT_IDENTIFIER: InherentIdentifier = *b"mdlrandm";

/// The transcript label of the signed input.
const TRANSCRIPT_LABEL: &[u8] = b"modelchain/slot-randomness";
/// The context the output bytes are derived under.
const OUTPUT_CONTEXT: &[u8] = b"modelchain/slot-randomness/output";

/// The VRF input of `slot` given the `previous` randomness.
pub fn vrf_input(slot: u64, previous: &[u8; 32]) -> VrfInput {
	VrfTranscript::new(
		TRANSCRIPT_LABEL,
		&[(b"slot", &slot.to_le_bytes()), (b"previous", previous.as_slice())],
	)
}

/// What the author of `slot` signs, given the `previous` randomness (the node's proposer signs
/// this with its Aura key; the runtime verifies it).
pub fn sign_data(slot: u64, previous: &[u8; 32]) -> VrfSignData {
	VrfSignData::new(vrf_input(slot, previous))
}

/// The randomness `signature` by `author` yields for `slot` after `previous`, if the signature
/// is that author's valid VRF signature of exactly that input.
pub fn output(
	author: &Public,
	slot: u64,
	previous: &[u8; 32],
	signature: &SlotVrf,
) -> Option<[u8; 32]> {
	use sp_core::crypto::VrfPublic;
	let signature = signature.signature()?;
	if !author.vrf_verify(&sign_data(slot, previous), &signature) {
		return None;
	}
	author.make_bytes::<32>(OUTPUT_CONTEXT, &vrf_input(slot, previous), &signature.pre_output).ok()
}

/// A VRF signature as a call carries it: the bytes of a [`VrfSignature`] (its pre-output, then
/// its proof), which must decode as one to be checked at all.
#[derive(
	Clone,
	PartialEq,
	Eq,
	Encode,
	Decode,
	codec::DecodeWithMemTracking,
	codec::MaxEncodedLen,
	scale_info::TypeInfo,
	Debug,
)]
pub struct SlotVrf {
	/// The VRF pre-output (what the randomness is derived from).
	pub pre_output: [u8; 32],
	/// The proof that the pre-output belongs to the key and the input.
	pub proof: [u8; 64],
}

impl SlotVrf {
	/// The signature these bytes encode, if they are one.
	pub fn signature(&self) -> Option<VrfSignature> {
		VrfSignature::decode(&mut &self.encode()[..]).ok()
	}
}

impl From<&VrfSignature> for SlotVrf {
	fn from(signature: &VrfSignature) -> Self {
		let bytes = signature.encode();
		let mut pre_output = [0u8; 32];
		let mut proof = [0u8; 64];
		// A signature encodes as 32 bytes of pre-output and 64 of proof.
		if let (Some(head), Some(tail)) = (bytes.get(..32), bytes.get(32..96)) {
			pre_output.copy_from_slice(head);
			proof.copy_from_slice(tail);
		}
		SlotVrf { pre_output, proof }
	}
}

/// The block-production authorities and the current block's slot (in the runtime, Aura's
/// `Authorities` and `CurrentSlot`).
pub trait SlotAuthorities {
	/// The current block's slot.
	fn current_slot() -> u64;
	/// The authorities as they are now (at the end of a block: those that choose the next
	/// block's author).
	fn authorities() -> alloc::vec::Vec<Public>;
}

/// Why a block's randomness inherent is refused.
#[derive(Encode, Debug)]
#[cfg_attr(feature = "std", derive(Decode))]
pub enum InherentError {
	/// The block carries no randomness inherent.
	Missing,
	/// The signature is not the slot author's VRF signature over the slot and the previous
	/// randomness.
	BadSignature,
}

impl IsFatalError for InherentError {
	fn is_fatal_error(&self) -> bool {
		true
	}
}

/// Sets up a slot author whose signature the benchmark can present.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper {
	/// Makes `author` the only authority and `slot` the current slot (the pallet's copy of
	/// the parent's authorities is refreshed by the benchmark).
	fn set_slot_author(slot: u64, author: Public);

	/// Makes `authorities` the current authorities.
	fn set_authorities(authorities: alloc::vec::Vec<Public>);
}

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::pallet_prelude::*;
	use frame_system::pallet_prelude::*;

	/// The randomness of a block and the block it was set in.
	#[derive(
		Clone, Copy, PartialEq, Eq, Encode, Decode, MaxEncodedLen, TypeInfo, Debug, Default,
	)]
	pub struct BlockRandomness<BlockNumber> {
		/// The VRF output of the block's author.
		pub value: [u8; 32],
		/// The block it was set in (zero until the first block sets one).
		pub block: BlockNumber,
	}

	/// The storage version (0: no migration yet). Bumped with every change of a stored type,
	/// with a migration in `migrations.rs`.
	pub const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// The authorities and the current slot.
		type SlotAuthorities: SlotAuthorities;
		/// Most authorities (the bound of the copy kept of the parent's).
		#[pallet::constant]
		type MaxAuthorities: Get<u32>;
		/// Weights of this pallet's calls.
		type WeightInfo: WeightInfo;
		/// Benchmark set-up.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper;
	}

	/// The latest randomness: the last block author's VRF output, and its block.
	#[pallet::storage]
	pub type Randomness<T: Config> =
		StorageValue<_, BlockRandomness<BlockNumberFor<T>>, ValueQuery>;

	/// The authorities at the end of the last block: those that chose this block's author (as
	/// the node's Aura did, at the parent's state), even when a session change replaces them
	/// during this block. Refreshed in `on_finalize` when they changed; empty until the first
	/// block ends (block 1 uses the authorities as they are).
	#[pallet::storage]
	pub type ParentAuthorities<T: Config> =
		StorageValue<_, BoundedVec<Public, T::MaxAuthorities>, ValueQuery>;

	#[pallet::error]
	pub enum Error<T> {
		/// This block already has its randomness.
		AlreadySet,
		/// There is no slot author (the parent block had no authorities): nobody can sign.
		NoSlotAuthor,
		/// The signature is not the slot author's VRF signature over the slot and the previous
		/// randomness.
		BadSignature,
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Sets this block's randomness from its slot author's VRF `signature` over the slot
		/// and the previous randomness (an inherent: the block's author adds it, unsigned, once
		/// per block). Refused unless the signature verifies against the slot author's key.
		#[pallet::call_index(0)]
		#[pallet::weight((T::WeightInfo::set_randomness(), DispatchClass::Mandatory))]
		pub fn set_randomness(origin: OriginFor<T>, signature: SlotVrf) -> DispatchResult {
			ensure_none(origin)?;
			let now = frame_system::Pallet::<T>::block_number();
			let previous = Randomness::<T>::get();
			ensure!(previous.block != now, Error::<T>::AlreadySet);
			let value = Self::verified(&previous.value, &signature)?;
			Randomness::<T>::put(BlockRandomness { value, block: now });
			Ok(())
		}
	}

	#[pallet::inherent]
	impl<T: Config> ProvideInherent for Pallet<T> {
		type Call = Call<T>;
		type Error = InherentError;
		const INHERENT_IDENTIFIER: InherentIdentifier = INHERENT_IDENTIFIER;

		fn create_inherent(data: &InherentData) -> Option<Self::Call> {
			let signature = data.get_data::<SlotVrf>(&INHERENT_IDENTIFIER).ok().flatten()?;
			Some(Call::set_randomness { signature })
		}

		fn is_inherent_required(_: &InherentData) -> Result<Option<Self::Error>, Self::Error> {
			Ok(Some(InherentError::Missing))
		}

		/// Checks, at the parent block's state, that the inherent carries a VRF signature at
		/// all. Whether it is the slot author's over the right input is checked when the block
		/// is executed: `set_randomness` is a mandatory call, so a refused signature makes the
		/// whole block invalid (`BadMandatory`). (The slot author is not known at the parent's
		/// state: this block's `on_initialize` has not run.)
		fn check_inherent(call: &Self::Call, _: &InherentData) -> Result<(), Self::Error> {
			let Call::set_randomness { signature } = call else { return Ok(()) };
			signature.signature().map(|_| ()).ok_or(InherentError::BadSignature)
		}

		fn is_inherent(call: &Self::Call) -> bool {
			matches!(call, Call::set_randomness { .. })
		}
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		/// Accounts for `on_finalize`'s refresh of the parent's authorities.
		fn on_initialize(_: BlockNumberFor<T>) -> Weight {
			T::WeightInfo::on_finalize()
		}

		/// Keeps the authorities that will choose the next block's author (written only when
		/// they changed, i.e. after a session change).
		fn on_finalize(_: BlockNumberFor<T>) {
			let now = BoundedVec::<_, T::MaxAuthorities>::truncate_from(
				T::SlotAuthorities::authorities(),
			);
			if ParentAuthorities::<T>::get() != now {
				ParentAuthorities::<T>::put(now);
			}
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	impl<T: Config> Pallet<T> {
		/// This block's randomness, if this block set one (from the inherent onwards: use it in
		/// `on_poll`, `on_finalize` or calls, not in `on_initialize`, which runs before).
		pub fn fresh_randomness() -> Option<[u8; 32]> {
			let latest = Randomness::<T>::get();
			let now = frame_system::Pallet::<T>::block_number();
			(latest.block == now && !now.is_zero()).then_some(latest.value)
		}

		/// The latest randomness: what the next block's author signs, with its slot (the
		/// runtime API the node's block author reads).
		pub fn randomness() -> [u8; 32] {
			Randomness::<T>::get().value
		}

		/// The current block's slot and the key that may sign for it: `authorities[slot % n]`
		/// of the parent's authorities (`None`: there were none).
		pub fn slot_author() -> Option<(u64, Public)> {
			let slot = T::SlotAuthorities::current_slot();
			let parents = ParentAuthorities::<T>::get();
			let authorities = if parents.is_empty() {
				T::SlotAuthorities::authorities()
			} else {
				parents.into_inner()
			};
			let index = slot.checked_rem(authorities.len() as u64)?;
			let author = authorities.get(usize::try_from(index).ok()?)?;
			Some((slot, *author))
		}

		/// The output of `signature` if it is the slot author's over `previous`.
		fn verified(previous: &[u8; 32], signature: &SlotVrf) -> Result<[u8; 32], Error<T>> {
			let (slot, author) = Self::slot_author().ok_or(Error::<T>::NoSlotAuthor)?;
			output(&author, slot, previous, signature).ok_or(Error::<T>::BadSignature)
		}

		/// Invariant: the randomness was set in a block that already exists.
		#[cfg(any(feature = "try-runtime", test))]
		pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
			let latest = Randomness::<T>::get();
			ensure!(
				latest.block <= frame_system::Pallet::<T>::block_number(),
				"randomness from a future block"
			);
			Ok(())
		}
	}
}

impl<T: Config> modelchain_primitives::FreshRandomness for Pallet<T> {
	fn fresh_randomness() -> Option<[u8; 32]> {
		Pallet::<T>::fresh_randomness()
	}
}
