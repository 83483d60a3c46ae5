//! The block author's part of the chain's slot randomness (`pallet-slot-randomness`): when
//! this node proposes a block, its Aura key signs the slot and the chain's latest randomness
//! with its VRF, and the signature goes into the block's inherent data. The runtime checks it
//! against the slot's author and makes its output the block's randomness.

use modelchain_primitives::SlotRandomnessApi;
use modelchain_runtime::opaque::Block;
use pallet_slot_randomness::{sign_data, InherentError, SlotVrf, INHERENT_IDENTIFIER};
use sp_api::ProvideRuntimeApi;
use sp_consensus_aura::{sr25519::AuthorityId as AuraId, AuraApi, Slot};
use sp_core::{crypto::KeyTypeId, ByteArray};
use sp_inherents::{InherentData, InherentIdentifier};
use sp_keystore::KeystorePtr;
use sp_runtime::traits::Block as BlockT;

/// Aura's key type: the randomness is signed with the author's Aura key.
const AURA: KeyTypeId = sp_core::crypto::key_types::AURA;

/// The randomness inherent of a block this node may propose: its Aura key's VRF signature for
/// the slot, if the keystore holds the key that owns the slot (otherwise nothing: this node is
/// not the slot's author and proposes nothing).
pub struct SlotRandomnessProvider {
	signature: Option<SlotVrf>,
}

impl SlotRandomnessProvider {
	/// Signs `slot` on top of `parent` if this node holds the slot author's Aura key: the
	/// author is `authorities[slot % n]` of the parent's state, as Aura decides who proposes.
	pub fn new<C>(
		client: &C,
		keystore: &KeystorePtr,
		parent: <Block as BlockT>::Hash,
		slot: Slot,
	) -> Self
	where
		C: ProvideRuntimeApi<Block>,
		C::Api: AuraApi<Block, AuraId> + SlotRandomnessApi<Block>,
	{
		let signature = Self::sign(client, keystore, parent, *slot).unwrap_or_else(|error| {
			log::warn!(target: "slot-randomness", "cannot sign slot {}: {error}", *slot);
			None
		});
		Self { signature }
	}

	fn sign<C>(
		client: &C,
		keystore: &KeystorePtr,
		parent: <Block as BlockT>::Hash,
		slot: u64,
	) -> Result<Option<SlotVrf>, String>
	where
		C: ProvideRuntimeApi<Block>,
		C::Api: AuraApi<Block, AuraId> + SlotRandomnessApi<Block>,
	{
		let api = client.runtime_api();
		let authorities = api.authorities(parent).map_err(|e| e.to_string())?;
		let Some(index) = slot.checked_rem(authorities.len() as u64) else { return Ok(None) };
		let Some(author) = usize::try_from(index).ok().and_then(|i| authorities.get(i)) else {
			return Ok(None);
		};
		let author = author.clone().into_inner();
		if !keystore.has_keys(&[(author.to_raw_vec(), AURA)]) {
			return Ok(None);
		}
		let previous = api.randomness(parent).map_err(|e| e.to_string())?;
		let signature = keystore
			.sr25519_vrf_sign(AURA, &author, &sign_data(slot, &previous))
			.map_err(|e| e.to_string())?;
		Ok(signature.as_ref().map(SlotVrf::from))
	}
}

#[async_trait::async_trait]
impl sp_inherents::InherentDataProvider for SlotRandomnessProvider {
	async fn provide_inherent_data(
		&self,
		inherent_data: &mut InherentData,
	) -> Result<(), sp_inherents::Error> {
		match &self.signature {
			Some(signature) => inherent_data.put_data(INHERENT_IDENTIFIER, signature),
			None => Ok(()),
		}
	}

	async fn try_handle_error(
		&self,
		identifier: &InherentIdentifier,
		error: &[u8],
	) -> Option<Result<(), sp_inherents::Error>> {
		if *identifier != INHERENT_IDENTIFIER {
			return None;
		}
		let error = <InherentError as codec::Decode>::decode(&mut &error[..]);
		Some(Err(sp_inherents::Error::Application(Box::from(format!(
			"slot randomness: {error:?}"
		)))))
	}
}
