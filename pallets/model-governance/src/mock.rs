//! A test runtime with System, Balances, Assets, the real shares pallet (its vote locks are
//! what this pallet relies on), a stub model registry and this pallet.

use crate as pallet_model_governance;
use crate::VotingParams;
use frame_support::{
	derive_impl, parameter_types,
	traits::{AsEnsureOriginWithArg, ConstU128, ConstU32, ConstU64},
	PalletId,
};
use modelchain_primitives::{
	AccessPolicy, AccessPolicyAdmin, ModelId, ModelVersionRef, ServingMiners,
};
use sp_runtime::{BuildStorage, DispatchError, DispatchResult, Perbill};
use std::cell::RefCell;

type Block = frame_system::mocking::MockBlock<Test>;
pub type AccountId = u64;
pub type Balance = u128;

#[frame_support::runtime]
mod runtime {
	#[runtime::runtime]
	#[runtime::derive(
		RuntimeCall,
		RuntimeEvent,
		RuntimeError,
		RuntimeOrigin,
		RuntimeFreezeReason,
		RuntimeHoldReason,
		RuntimeSlashReason,
		RuntimeLockId,
		RuntimeTask,
		RuntimeViewFunction
	)]
	pub struct Test;

	#[runtime::pallet_index(0)]
	pub type System = frame_system;
	#[runtime::pallet_index(1)]
	pub type Balances = pallet_balances;
	#[runtime::pallet_index(2)]
	pub type Assets = pallet_assets;
	#[runtime::pallet_index(3)]
	pub type Shares = pallet_model_shares;
	#[runtime::pallet_index(4)]
	pub type Governance = pallet_model_governance;
}

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountData = pallet_balances::AccountData<Balance>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type Balance = Balance;
	type AccountStore = System;
	type RuntimeHoldReason = RuntimeHoldReason;
	type ExistentialDeposit = ConstU128<1>;
}

#[derive_impl(pallet_assets::config_preludes::TestDefaultConfig)]
impl pallet_assets::Config for Test {
	type Balance = Balance;
	type Currency = Balances;
	type CreateOrigin = AsEnsureOriginWithArg<frame_system::EnsureSigned<AccountId>>;
	type ForceOrigin = frame_system::EnsureRoot<AccountId>;
	type AssetDeposit = ConstU128<1>;
	type AssetAccountDeposit = ConstU128<1>;
	type MetadataDepositBase = ConstU128<3>;
	type MetadataDepositPerByte = ConstU128<1>;
	type ApprovalDeposit = ConstU128<1>;
	type Freezer = ();
	type Holder = ();
	type CallbackHandle = ();
}

thread_local! {
	/// Miners serving each version (any version not listed: `REDUNDANCY`).
	pub static SERVING: RefCell<std::collections::BTreeMap<(ModelId, u32), u32>> =
		const { RefCell::new(std::collections::BTreeMap::new()) };
	/// Access policies the holders enacted.
	pub static POLICIES: RefCell<std::collections::BTreeMap<ModelId, AccessPolicy<Balance>>> =
		const { RefCell::new(std::collections::BTreeMap::new()) };
}

/// Every model's redundancy: the miners a version needs to be enacted.
pub const REDUNDANCY: u8 = 3;

/// Sets how many miners serve `version` of `model`.
pub fn set_serving(model: ModelId, version: u32, miners: u32) {
	SERVING.with(|s| s.borrow_mut().insert((model, version), miners));
}

/// Counts miners as `set_serving` said.
pub struct StubServing;
impl ServingMiners for StubServing {
	fn serving_miners(version: &ModelVersionRef, at_least: u32) -> u32 {
		SERVING
			.with(|s| s.borrow().get(&(version.model, version.version)).copied())
			.unwrap_or(u32::from(REDUNDANCY))
			.min(at_least)
	}
}

/// Records enacted policies; refuses a `HoldersOnly` minimum of zero.
pub struct StubAccess;
impl AccessPolicyAdmin<Balance> for StubAccess {
	fn check_policy(_model: ModelId, policy: &AccessPolicy<Balance>) -> DispatchResult {
		match policy {
			AccessPolicy::HoldersOnly { min_shares: 0 } => Err(DispatchError::Other("invalid")),
			_ => Ok(()),
		}
	}
	fn enact_policy(model: ModelId, policy: AccessPolicy<Balance>) -> DispatchResult {
		Self::check_policy(model, &policy)?;
		POLICIES.with(|p| p.borrow_mut().insert(model, policy));
		Ok(())
	}
}

/// The registry the tests control.
pub type StubRegistry = modelchain_test_support::registry::StubRegistry<AccountId>;

/// Adds a model with `versions` versions (version 0 active) and returns its id.
pub fn add_model(owner: AccountId, versions: u32) -> ModelId {
	let model = StubRegistry::register(owner, versions);
	StubRegistry::modify(model, |stub| stub.serving.redundancy = REDUNDANCY);
	model
}

pub fn active_version(id: ModelId) -> u32 {
	StubRegistry::get(id).expect("a model").serving.version.version
}

pub fn retire(id: ModelId) {
	StubRegistry::set_active(id, false);
}

/// Activates a version behind governance's back (as root could through the registry).
pub fn force_activate(id: ModelId, version: u32) {
	StubRegistry::force_activate(id, version);
}

pub const SHARE_ASSET_BASE: u32 = 1_000;
pub struct ShareAssetId;
impl sp_runtime::traits::Convert<ModelId, u32> for ShareAssetId {
	fn convert(model: ModelId) -> u32 {
		SHARE_ASSET_BASE + model
	}
}

pub const ALICE: AccountId = 1;
pub const BOB: AccountId = 2;
pub const CHARLIE: AccountId = 3;
pub const DAVE: AccountId = 4;
pub const EVE: AccountId = 5;
pub const ENDOWMENT: Balance = 1_000_000_000;
pub const PROPOSAL_DEPOSIT: Balance = 50;
pub const MAX_OPEN: u32 = 3;
pub const VOTING_PERIOD: u64 = 10;
pub const MAX_REAPED: u32 = 4;
/// The shortest voting period an owner may set.
pub const OWNER_MIN_PERIOD: u64 = 20;
pub const TREASURY: AccountId = 99;

parameter_types! {
	pub const SharesPalletId: PalletId = PalletId(*b"mc/share");
	pub const TreasuryAccount: AccountId = TREASURY;
	pub const MinTurnout: Perbill = Perbill::from_percent(10);
	pub const DefaultParams: VotingParams<u64> = VotingParams {
		voting_period: VOTING_PERIOD,
		min_turnout: Perbill::from_percent(20),
		approval_threshold: Perbill::from_percent(50),
	};
}

#[cfg(feature = "runtime-benchmarks")]
pub struct SharesBenchmarkHelper;
#[cfg(feature = "runtime-benchmarks")]
impl pallet_model_shares::BenchmarkHelper<AccountId> for SharesBenchmarkHelper {
	fn register_model(owner: &AccountId) -> ModelId {
		add_model(*owner, 1)
	}
}

impl pallet_model_shares::Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Assets = Assets;
	type Registry = StubRegistry;
	type ShareAssetId = ShareAssetId;
	type PalletId = SharesPalletId;
	type MinSupply = ConstU128<100>;
	type MaxSupply = ConstU128<1_000_000_000_000>;
	type OrderDeposit = ConstU128<5>;
	type HoldingDeposit = ConstU128<7>;
	type MaxOrdersPerAccount = ConstU32<4>;
	type LockStatus = Governance;
	type MaxLocks = ConstU32<MAX_OPEN>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = SharesBenchmarkHelper;
}

#[cfg(feature = "runtime-benchmarks")]
pub struct BenchmarkHelper;
#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper<AccountId> for BenchmarkHelper {
	fn model_with_candidates(owner: &AccountId, candidates: u32) -> ModelId {
		let model = add_model(*owner, candidates + 1);
		Shares::issue_shares(RuntimeOrigin::signed(*owner), model, 1_000_000)
			.expect("shares issued");
		model
	}
	fn serve(version: ModelVersionRef, miners: u32) {
		set_serving(version.model, version.version, miners);
	}
	fn give_shares(model: ModelId, from: &AccountId, to: &AccountId, amount: Balance) {
		Shares::transfer_shares(RuntimeOrigin::signed(*from), model, *to, amount)
			.expect("shares given");
	}
}

impl pallet_model_governance::Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Registry = StubRegistry;
	type Shares = Shares;
	type Access = StubAccess;
	type Serving = StubServing;
	type Treasury = TreasuryAccount;
	type MinTurnout = MinTurnout;
	type MinOwnerVotingPeriod = ConstU64<OWNER_MIN_PERIOD>;
	type ParamsOrigin = frame_system::EnsureRoot<AccountId>;
	type ProposalDeposit = ConstU128<PROPOSAL_DEPOSIT>;
	type MaxOpenProposals = ConstU32<MAX_OPEN>;
	type DefaultVotingParams = DefaultParams;
	type MinVotingPeriod = ConstU64<5>;
	type MaxVotingPeriod = ConstU64<1_000>;
	type MaxVotesReapedPerBlock = ConstU32<MAX_REAPED>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = BenchmarkHelper;
}

/// Test externalities that check the pallet's invariants (`do_try_state`) after every
/// `execute_with`, so every test also checks them at its end.
pub type TestExt = modelchain_test_support::CheckedExt;

pub fn new_test_ext() -> TestExt {
	StubRegistry::clear();
	SERVING.with(|s| s.borrow_mut().clear());
	POLICIES.with(|p| p.borrow_mut().clear());
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: [ALICE, BOB, CHARLIE, DAVE, EVE].map(|who| (who, ENDOWMENT)).to_vec(),
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| System::set_block_number(1));
	TestExt::new(ext, Governance::do_try_state)
}
