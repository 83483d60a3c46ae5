//! `pallet-assets`, twice: `Assets`, where anyone may create their own asset with a deposit,
//! and `ShareAssets`, which holds model shares and nothing else.
//!
//! Share balances must move only through `pallet-model-shares`, which settles revenue on every
//! move. `ShareAssets` therefore has no calls at all (`#[runtime::disable_call]`): no signed
//! account, proxy, batch, multisig, `sudo.sudoAs`, referendum or scheduled call can reach it,
//! including calls a future `pallet-assets` adds, and its force and create origins are
//! `EnsureNever`. Share assets are sufficient, so holding shares of any number of models takes
//! no consumer reference.

use frame_support::{
	parameter_types,
	traits::{AsEnsureOriginWithArg, ConstU32},
};
use frame_system::{EnsureNever, EnsureRoot, EnsureSigned};

use crate::{
	units::{deposit, EXISTENTIAL_DEPOSIT, UNIT},
	AccountId, Balance, Balances, Runtime, RuntimeEvent,
};

/// The id of an asset.
pub type AssetId = u32;

/// Model `m`'s shares are asset `SHARE_ASSET_ID_BASE + m` of `ShareAssets` (the base keeps the
/// ids they had when shares lived in `Assets`).
pub const SHARE_ASSET_ID_BASE: AssetId = 1 << 31;

/// The `pallet-assets` instance of model shares.
pub type ShareAssetsInstance = pallet_assets::Instance2;

/// The asset of a model's shares.
pub struct ShareAssetId;
impl sp_runtime::traits::Convert<modelchain_primitives::ModelId, AssetId> for ShareAssetId {
	fn convert(model: modelchain_primitives::ModelId) -> AssetId {
		SHARE_ASSET_ID_BASE.saturating_add(model)
	}
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

/// Model shares: created and moved only by `pallet-model-shares` (this instance has no calls).
impl pallet_assets::Config<ShareAssetsInstance> for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type Balance = Balance;
	type RemoveItemsLimit = ConstU32<1000>;
	type AssetId = AssetId;
	type AssetIdParameter = codec::Compact<AssetId>;
	type ReserveData = ();
	type Currency = Balances;
	type CreateOrigin = AsEnsureOriginWithArg<EnsureNever<AccountId>>;
	type ForceOrigin = EnsureNever<AccountId>;
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
