//! Types of the model-shares pallet.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use modelchain_primitives::ModelId;
use scale_info::TypeInfo;

/// Fixed-point scale of `acc_revenue_per_share`: revenue per share is kept in units of 1e-12.
pub const ACC_PRECISION: u128 = 1_000_000_000_000;

/// Identifier of a sell order.
pub type OrderId = u64;

/// The shares of one model and its revenue accumulator.
#[derive(
	Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug,
)]
pub struct ShareClass<AssetId, Balance> {
	/// The pallet-assets asset that holds the share balances.
	pub asset: AssetId,
	/// Number of shares; constant after issuance.
	pub supply: Balance,
	/// Revenue per share ever deposited, scaled by [`ACC_PRECISION`]. Only grows.
	pub acc_revenue_per_share: u128,
	/// Revenue ever deposited for the holders.
	pub total_deposited: Balance,
	/// Revenue ever paid out by `claim`.
	pub total_claimed: Balance,
	/// Revenue deposited but not yet credited to any share, in units of `1 / ACC_PRECISION`
	/// (always below `supply` units, i.e. below `supply / ACC_PRECISION` planck): the rounding
	/// remainder of the deposits so far, spread with the next one.
	pub dust_scaled: u128,
}

/// Revenue bookkeeping of one holder of one model's shares.
#[derive(
	Clone,
	Default,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
)]
pub struct HolderRevenue {
	/// `entitled_shares * acc_revenue_per_share` at the last settlement, in units of
	/// `1 / ACC_PRECISION` (unrounded, so fractions are never lost between settlements).
	pub debt: u128,
	/// Revenue settled and not yet claimed, in units of `1 / ACC_PRECISION`; `claim` pays the
	/// whole units and keeps the fraction.
	pub unclaimed_scaled: u128,
}

/// A sell order: `remaining` shares escrowed by the pallet, sold at `price_per_share`.
#[derive(
	Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug,
)]
pub struct SellOrder<AccountId, Balance> {
	/// Who sells (and keeps earning revenue on the escrowed shares until they are sold).
	pub seller: AccountId,
	/// Whose shares.
	pub model: ModelId,
	/// Shares still for sale.
	pub remaining: Balance,
	/// Price of one share in the native token.
	pub price_per_share: Balance,
	/// Storage deposit held from the seller until the order is filled or cancelled.
	pub deposit: Balance,
}

/// The deposit paid for a holding opened by a transfer or a purchase (see `holdings.rs`).
#[derive(
	Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug,
)]
pub struct HoldingDeposit<AccountId, Balance> {
	/// Who paid it, and gets it back when the holding closes.
	pub depositor: AccountId,
	/// How much is held from the depositor.
	pub amount: Balance,
}
