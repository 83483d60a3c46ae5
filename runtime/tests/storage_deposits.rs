//! What a user stores is paid for by a deposit at least as large as the chain's storage price
//! (`units::deposit`) for it (L-14). Sizes are the types' `MaxEncodedLen` plus their keys.

use codec::MaxEncodedLen;
use modelchain_runtime::{
	configs::{access::AccessLogLength, models},
	units::deposit,
	AccountId, Runtime,
};

/// A `Blake2_128Concat` key part: a 16-byte hash and the key itself.
fn blake2_128_concat(key_len: usize) -> usize {
	16 + key_len
}

/// A `Twox64Concat` key part: an 8-byte hash and the key itself.
fn twox_64_concat(key_len: usize) -> usize {
	8 + key_len
}

/// The storage prefix of every key (pallet and item hashes).
const PREFIX: usize = 32;

fn price(items: usize, bytes: usize) -> u128 {
	deposit(items as u32, bytes as u32)
}

/// A model's deposit pays for its record and for a full window of its last accesses (the
/// window is bounded by `AccessLogLength`; older accesses are in the events).
#[test]
fn a_models_deposit_pays_for_its_record_and_its_full_access_window() {
	let model_id = 4;
	let record = PREFIX
		+ blake2_128_concat(model_id)
		+ pallet_model_registry::ModelInfoOf::<Runtime>::max_encoded_len();
	let access = PREFIX
		+ twox_64_concat(model_id)
		+ twox_64_concat(8)
		+ pallet_model_access::AccessRecordOf::<Runtime>::max_encoded_len();
	let window = AccessLogLength::get() as usize;
	let needed = price(1, record) + price(window, window * access);
	let held = models::ModelDeposit::get();
	assert!(held >= needed, "the model deposit {held} is below the {needed} its storage costs");
}

/// A holding opened by a transfer or a purchase stores the share account, the holder's
/// revenue record and the deposit's own record; `HoldingDeposit` pays for all three.
#[test]
fn a_holding_deposit_pays_for_what_a_holding_stores() {
	let (model_id, account, asset_id) = (4, AccountId::max_encoded_len(), 4);
	let share_account = PREFIX
		+ blake2_128_concat(asset_id)
		+ blake2_128_concat(account)
		+ pallet_assets::AssetAccountOf::<Runtime, pallet_assets::Instance2>::max_encoded_len();
	let revenue = PREFIX
		+ blake2_128_concat(model_id)
		+ blake2_128_concat(account)
		+ pallet_model_shares::HolderRevenue::max_encoded_len();
	let record = PREFIX
		+ blake2_128_concat(model_id)
		+ blake2_128_concat(account)
		+ pallet_model_shares::HoldingDeposit::<AccountId, u128>::max_encoded_len();
	let needed = price(3, share_account + revenue + record);
	let held = models::HoldingDeposit::get();
	assert!(held >= needed, "the holding deposit {held} is below the {needed} its storage costs");
}
