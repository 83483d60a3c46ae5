//! `pallet-assets`: fungible assets. Model shares (a later issue) are assets created by the
//! shares pallet; anyone may also create their own asset with a deposit.

use frame_support::{
	parameter_types,
	traits::{AsEnsureOriginWithArg, ConstU32},
};
use frame_system::{EnsureRoot, EnsureSigned};

use crate::{
	units::{deposit, EXISTENTIAL_DEPOSIT, UNIT},
	AccountId, Balance, Balances, Runtime, RuntimeEvent,
};

/// The id of an asset.
pub type AssetId = u32;

/// Asset ids from here on are reserved for model shares: model `m`'s shares are asset
/// `SHARE_ASSET_ID_BASE + m`. Nobody may create an asset in this range through `pallet-assets`.
pub const SHARE_ASSET_ID_BASE: AssetId = 1 << 31;

/// Whether `id` is (or would be) a model-share asset.
pub fn is_share_asset(id: AssetId) -> bool {
	id >= SHARE_ASSET_ID_BASE
}

/// The asset of a model's shares.
pub struct ShareAssetId;
impl sp_runtime::traits::Convert<modelchain_primitives::ModelId, AssetId> for ShareAssetId {
	fn convert(model: modelchain_primitives::ModelId) -> AssetId {
		SHARE_ASSET_ID_BASE.saturating_add(model)
	}
}

/// The asset a `pallet-assets` call acts on.
pub fn asset_of_call(call: &pallet_assets::Call<Runtime>) -> Option<AssetId> {
	use pallet_assets::Call as C;
	let id = match call {
		C::create { id, .. }
		| C::force_create { id, .. }
		| C::start_destroy { id, .. }
		| C::destroy_accounts { id, .. }
		| C::destroy_approvals { id, .. }
		| C::finish_destroy { id, .. }
		| C::mint { id, .. }
		| C::burn { id, .. }
		| C::transfer { id, .. }
		| C::transfer_keep_alive { id, .. }
		| C::force_transfer { id, .. }
		| C::freeze { id, .. }
		| C::thaw { id, .. }
		| C::freeze_asset { id, .. }
		| C::thaw_asset { id, .. }
		| C::transfer_ownership { id, .. }
		| C::set_team { id, .. }
		| C::set_metadata { id, .. }
		| C::clear_metadata { id, .. }
		| C::force_set_metadata { id, .. }
		| C::force_clear_metadata { id, .. }
		| C::force_asset_status { id, .. }
		| C::approve_transfer { id, .. }
		| C::cancel_approval { id, .. }
		| C::force_cancel_approval { id, .. }
		| C::transfer_approved { id, .. }
		| C::touch { id, .. }
		| C::refund { id, .. }
		| C::set_min_balance { id, .. }
		| C::touch_other { id, .. }
		| C::refund_other { id, .. }
		| C::block { id, .. }
		| C::transfer_all { id, .. }
		| C::set_reserves { id, .. } => id,
		_ => return None,
	};
	Some(id.0)
}

parameter_types! {
	pub const AssetDeposit: Balance = 10 * UNIT;
	pub const AssetAccountDeposit: Balance = deposit(1, 16);
	pub const ApprovalDeposit: Balance = EXISTENTIAL_DEPOSIT;
	pub const MetadataDepositBase: Balance = deposit(1, 68);
	pub const MetadataDepositPerByte: Balance = deposit(0, 1);
}

impl pallet_assets::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type Balance = Balance;
	type RemoveItemsLimit = ConstU32<1000>;
	type AssetId = AssetId;
	type AssetIdParameter = codec::Compact<AssetId>;
	type ReserveData = ();
	type Currency = Balances;
	type CreateOrigin = AsEnsureOriginWithArg<EnsureSigned<AccountId>>;
	type ForceOrigin = EnsureRoot<AccountId>;
	type AssetDeposit = AssetDeposit;
	type AssetAccountDeposit = AssetAccountDeposit;
	type MetadataDepositBase = MetadataDepositBase;
	type MetadataDepositPerByte = MetadataDepositPerByte;
	type ApprovalDeposit = ApprovalDeposit;
	type StringLimit = ConstU32<50>;
	type Freezer = ();
	type Holder = ();
	type Extra = ();
	type CallbackHandle = ();
	type AssetIdAllocator = ();
	type WeightInfo = pallet_assets::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = ();
}
