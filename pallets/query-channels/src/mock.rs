//! A test runtime with System, Balances and this pallet; the model registry, compute staking,
//! access and the shares pallet are stand-ins backed by thread-local state. Revenue moves real
//! balances to a holders' pot, so money is accounted end to end. Requesters have sr25519 keys
//! and sign real vouchers.

use crate as pallet_query_channels;
use core::cell::RefCell;
use frame_support::{
	derive_impl, parameter_types,
	traits::{fungible::Mutate, tokens::Preservation, ConstU128, ConstU32, ConstU64},
};
use modelchain_primitives::{
	AccessControl, Balance, ComputeStakingInterface, LicenceId, ModelId, ModelRegistryInterface,
	ModelVersionRef, RevenueSink, ServingInfo, SlashReason, WorkerRole,
};
use sp_core::{sr25519, Pair, H256};
use sp_runtime::{
	traits::IdentifyAccount, AccountId32, BuildStorage, DispatchError, MultiSignature, MultiSigner,
	Perbill,
};
use std::collections::{BTreeMap, BTreeSet};

type Block = frame_system::mocking::MockBlock<Test>;
pub type AccountId = AccountId32;

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
	pub type QueryChannels = pallet_query_channels;
}

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountId = AccountId;
	type Lookup = sp_runtime::traits::IdentityLookup<AccountId>;
	type AccountData = pallet_balances::AccountData<Balance>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type Balance = Balance;
	type ExistentialDeposit = ConstU128<ED>;
	type AccountStore = System;
	type RuntimeHoldReason = RuntimeHoldReason;
}

pub const ED: Balance = 10;
pub const ENDOWMENT: Balance = 10_000_000;
pub const PRICE: Balance = 1_000;
pub const CHANNEL_DEPOSIT: Balance = 500;
pub const MAX_CHANNELS: u32 = 3;
pub const MAX_LIFETIME: u64 = 1_000;
pub const GRACE: u64 = 10;
/// Model 0 is served (version 0.2) and its shares were issued; model 1 is served without
/// shares; model 2 does not serve.
pub const MODEL: ModelId = 0;
pub const VERSION: ModelVersionRef = ModelVersionRef { model: 0, version: 2 };
pub const UNSHARED_MODEL: ModelId = 1;

/// The sr25519 key of a test account.
pub fn pair(name: &str) -> sr25519::Pair {
	sr25519::Pair::from_string(&format!("//{name}"), None).expect("a valid derivation")
}

/// The account of a test key.
pub fn account(name: &str) -> AccountId {
	MultiSigner::from(pair(name).public()).into_account()
}

/// An account without a key (creators, miners, the treasury, the holders' pot).
pub fn plain(n: u8) -> AccountId {
	AccountId32::new([n; 32])
}

pub fn alice() -> AccountId {
	account("Alice")
}
pub fn bob() -> AccountId {
	account("Bob")
}
pub fn creator() -> AccountId {
	plain(5)
}
/// The miner: it has a key, to sign receipts.
pub fn miner() -> AccountId {
	account("Miner")
}
/// A second miner of the model.
pub fn other_miner() -> AccountId {
	plain(11)
}
pub fn treasury() -> AccountId {
	plain(99)
}
/// Where the stand-in shares pallet keeps the holders' revenue.
pub fn holders_pot() -> AccountId {
	plain(90)
}

parameter_types! {
	pub TreasuryAccount: AccountId = treasury();
	pub const ProtocolFee: Perbill = Perbill::from_percent(5);
	pub const ChallengerReward: Perbill = Perbill::from_percent(20);
	pub const NoAudits: Perbill = Perbill::zero();
}

thread_local! {
	/// Miners serving each version now.
	pub static SERVING_MINERS: RefCell<BTreeSet<(AccountId, ModelVersionRef)>> =
		const { RefCell::new(BTreeSet::new()) };
	/// Accounts the access stand-in refuses.
	pub static DENIED: RefCell<BTreeSet<AccountId>> = const { RefCell::new(BTreeSet::new()) };
	/// Requesters holding a licence (licence 1) of every model.
	pub static LICENSED: RefCell<BTreeSet<AccountId>> = const { RefCell::new(BTreeSet::new()) };
	/// Claimed queries counted against licences: `(requester, model, queries)`.
	pub static LICENCE_QUERIES: RefCell<Vec<(AccountId, ModelId, u64)>> = const { RefCell::new(Vec::new()) };
	pub static REVENUE: RefCell<BTreeMap<ModelId, Balance>> = const { RefCell::new(BTreeMap::new()) };
	/// This block's randomness (`None`: a block without any).
	pub static RANDOMNESS: RefCell<Option<[u8; 32]>> = const { RefCell::new(Some([1; 32])) };
	/// Slashes the staking stand-in made: (worker, reason, amount).
	pub static SLASHES: RefCell<Vec<(AccountId, SlashReason, Balance)>> = const { RefCell::new(Vec::new()) };
	/// Checks opened with the checks stand-in: (requester, version, input, claimed output).
	pub static CHECKS: RefCell<Vec<OpenedCheck>> = const { RefCell::new(Vec::new()) };
}

/// Blocks a miner has to reveal an audited receipt.
pub const REVEAL_WINDOW: u64 = 5;

/// The slot randomness stand-in: `RANDOMNESS` (fresh in every block unless set to `None`).
pub struct MockRandomness;
impl modelchain_primitives::FreshRandomness for MockRandomness {
	fn fresh_randomness() -> Option<[u8; 32]> {
		RANDOMNESS.with(|r| *r.borrow())
	}
}

/// A check the stand-in opened: (requester, version, input, claimed output).
pub type OpenedCheck = (AccountId, ModelVersionRef, Vec<u8>, Vec<i64>);

/// A miner's stake in the staking stand-in.
pub const STAKE: Balance = 100_000;
pub const CHALLENGE_DEPOSIT: Balance = 2_000;
/// The first id the checks stand-in gives.
pub const FIRST_CHECK: u64 = 500;

/// The inference pallet's checks, stood in: records each check; the tests decide them by
/// calling the pallet's `CheckObserver`.
pub struct MockChecks;
impl modelchain_primitives::OutputChecks<AccountId> for MockChecks {
	fn open_check(
		requester: &AccountId,
		version: &ModelVersionRef,
		input: Vec<u8>,
		claimed: Vec<i64>,
		_reason: modelchain_primitives::CheckReason,
	) -> Result<u64, DispatchError> {
		Ok(CHECKS.with(|c| {
			let mut c = c.borrow_mut();
			c.push((requester.clone(), *version, input, claimed));
			FIRST_CHECK + c.len() as u64 - 1
		}))
	}
}

/// The model registry stand-in.
pub type MockRegistry = modelchain_test_support::registry::StubRegistry<AccountId>;

/// The compute staking stand-in: the miners in `SERVING_MINERS` serve.
pub struct MockStaking;
impl ComputeStakingInterface<AccountId, Balance> for MockStaking {
	fn eligible_workers(
		version: &ModelVersionRef,
		_role: WorkerRole,
		_max: u32,
	) -> Vec<(AccountId, Balance)> {
		SERVING_MINERS.with(|m| {
			m.borrow()
				.iter()
				.filter(|(_, served)| served == version)
				.map(|(miner, _)| (miner.clone(), 1_000))
				.collect()
		})
	}
	fn serving_stake(miner: &AccountId, version: &ModelVersionRef) -> Option<Balance> {
		SERVING_MINERS.with(|m| m.borrow().contains(&(miner.clone(), *version))).then_some(1_000)
	}
	/// Moves `fraction` of a stake of `STAKE` from the worker's balance to the treasury.
	fn slash(worker: &AccountId, fraction: Perbill, reason: SlashReason) -> Balance {
		let amount = fraction.mul_floor(STAKE);
		let slashed = Balances::transfer(worker, &treasury(), amount, Preservation::Expendable)
			.map_or(0, |_| amount);
		SLASHES.with(|s| s.borrow_mut().push((worker.clone(), reason, slashed)));
		slashed
	}
	fn slash_fraction(_reason: SlashReason) -> Perbill {
		Perbill::from_percent(50)
	}
	fn endpoint(_worker: &AccountId) -> Option<Vec<u8>> {
		None
	}
	fn jail(_worker: &AccountId) {}
	fn reward_reputation(_worker: &AccountId, _points: u32) {}
	fn note_missed_job(_worker: &AccountId) {}
	fn unbonding_period() -> u32 {
		10_000
	}
}

/// The access stand-in: refuses the accounts in `DENIED`.
pub struct MockAccess;
impl AccessControl<AccountId> for MockAccess {
	fn use_access(
		who: &AccountId,
		version: &ModelVersionRef,
		_job: u64,
	) -> Result<Option<LicenceId>, DispatchError> {
		Self::may_use(who, version.model).map(|_| None)
	}
	fn may_use(who: &AccountId, _model: ModelId) -> sp_runtime::DispatchResult {
		if DENIED.with(|d| d.borrow().contains(who)) {
			return Err(DispatchError::Other("access denied"));
		}
		Ok(())
	}
	/// Licensed requesters (`LICENSED`, licence 1) have their claimed queries recorded in
	/// `LICENCE_QUERIES`.
	fn use_queries(who: &AccountId, model: ModelId, queries: u64) -> Option<(LicenceId, u32)> {
		if !LICENSED.with(|l| l.borrow().contains(who)) {
			return None;
		}
		LICENCE_QUERIES.with(|q| q.borrow_mut().push((who.clone(), model, queries)));
		Some((1, u32::try_from(queries).unwrap_or(u32::MAX)))
	}
	fn use_queries_weight() -> frame_support::weights::Weight {
		frame_support::weights::Weight::from_parts(1_000, 0)
	}
}

/// The shares pallet stand-in: revenue is kept in `holders_pot()` and booked per model.
pub struct MockRevenue;
impl RevenueSink<AccountId, Balance> for MockRevenue {
	fn deposit_revenue(
		model: ModelId,
		from: &AccountId,
		amount: Balance,
	) -> sp_runtime::DispatchResult {
		Balances::transfer(from, &holders_pot(), amount, Preservation::Expendable)?;
		Self::note_revenue(model, amount)
	}
	fn revenue_account() -> AccountId {
		holders_pot()
	}
	fn note_revenue(model: ModelId, amount: Balance) -> sp_runtime::DispatchResult {
		if !MockRegistry::shares_issued(model) {
			return Err(DispatchError::Other("no shares"));
		}
		REVENUE.with(|r| *r.borrow_mut().entry(model).or_default() += amount);
		Ok(())
	}
}

impl pallet_query_channels::Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Registry = MockRegistry;
	type Staking = MockStaking;
	type Access = MockAccess;
	type Revenue = MockRevenue;
	type Treasury = TreasuryAccount;
	type ProtocolFee = ProtocolFee;
	type OffchainSignature = MultiSignature;
	type OffchainPublic = MultiSigner;
	type ChannelDeposit = ConstU128<CHANNEL_DEPOSIT>;
	type MaxChannelsPerRequester = ConstU32<MAX_CHANNELS>;
	type MaxLifetime = ConstU64<MAX_LIFETIME>;
	type ClaimGrace = ConstU64<GRACE>;
	type Checks = MockChecks;
	type ChallengeDeposit = ConstU128<CHALLENGE_DEPOSIT>;
	type ChallengerReward = ChallengerReward;
	type MaxInputLen = ConstU32<64>;
	type MaxOutputValues = ConstU32<11>;
	type Randomness = MockRandomness;
	type MaxAuditsPerClaim = ConstU32<4>;
	type AuditRevealWindow = ConstU64<REVEAL_WINDOW>;
	type MaxAuditWorkPerBlock = ConstU32<8>;
	type MaxPendingDraws = ConstU32<16>;
	/// No audits unless a test sets a rate.
	type DefaultAuditRate = NoAudits;
	type AuditOrigin = frame_system::EnsureRoot<AccountId>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = MockBenchmarkHelper;
}

/// Serves the test model with a fresh miner and signs with keys derived from a counter.
#[cfg(feature = "runtime-benchmarks")]
pub struct MockBenchmarkHelper;
#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper<AccountId, MultiSignature> for MockBenchmarkHelper {
	fn model_with_miner(_requester: &AccountId) -> (ModelId, AccountId) {
		let miner = plain(42);
		SERVING_MINERS.with(|m| m.borrow_mut().insert((miner.clone(), VERSION)));
		(MODEL, miner)
	}
	fn signer() -> AccountId {
		account("bench-signer")
	}
	fn sign(_signer: &AccountId, message: &[u8]) -> MultiSignature {
		pair("bench-signer").sign(message).into()
	}
}

/// Serving info of a model with `creator`.
pub fn serving(version: ModelVersionRef) -> ServingInfo<AccountId, Balance> {
	ServingInfo {
		creator: creator(),
		version,
		price: PRICE,
		output_precision: 4,
		creator_royalty: Perbill::from_percent(10),
		miners_share: Perbill::from_percent(50),
		redundancy: 3,
	}
}

/// Test externalities that check the pallet's invariants after every test.
pub type TestExt = modelchain_test_support::CheckedExt;

pub fn new_test_ext() -> TestExt {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	let funded =
		[alice(), bob(), account("Carol"), account("bench-signer"), miner(), other_miner()];
	pallet_balances::GenesisConfig::<Test> {
		balances: funded.iter().map(|who| (who.clone(), ENDOWMENT)).collect(),
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	MockRegistry::clear();
	MockRegistry::set_serving(MODEL, serving(VERSION));
	MockRegistry::set_shares_issued(MODEL, true);
	MockRegistry::set_serving(
		UNSHARED_MODEL,
		serving(ModelVersionRef { model: UNSHARED_MODEL, version: 0 }),
	);
	SERVING_MINERS.with(|m| {
		let mut m = m.borrow_mut();
		m.clear();
		for who in [miner(), other_miner()] {
			m.insert((who.clone(), VERSION));
			m.insert((who, ModelVersionRef { model: UNSHARED_MODEL, version: 0 }));
		}
	});
	DENIED.with(|d| d.borrow_mut().clear());
	REVENUE.with(|r| r.borrow_mut().clear());
	SLASHES.with(|s| s.borrow_mut().clear());
	CHECKS.with(|c| c.borrow_mut().clear());
	RANDOMNESS.with(|r| *r.borrow_mut() = Some([1; 32]));
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| System::set_block_number(1));
	TestExt::new(ext, QueryChannels::do_try_state)
}

/// Moves to block `n`.
pub fn run_to_block(n: u64) {
	System::set_block_number(n);
}

/// Moves to the next block and runs the pallet's `on_initialize` (audit draws and expiries).
pub fn next_block() {
	use frame_support::traits::Hooks;
	let n = System::block_number() + 1;
	System::set_block_number(n);
	QueryChannels::on_initialize(n);
	QueryChannels::on_poll(n, &mut frame_support::weights::WeightMeter::new());
}

/// A voucher of `requester` (by key name) for `channel`, signed over this chain's message.
pub fn signed_voucher(
	signer: &str,
	channel: u64,
	cumulative: Balance,
	queries: u64,
) -> (crate::Voucher, MultiSignature) {
	let voucher = crate::Voucher {
		channel,
		cumulative,
		queries,
		receipts_root: H256::repeat_byte(queries as u8),
	};
	let message = crate::Pallet::<Test>::voucher_message(&voucher);
	let signature = pair(signer).sign(&message).into();
	(voucher, signature)
}

/// The sum of the balances of every account the tests use (constant: nothing minted or burnt).
pub fn total_issuance_of_known_accounts() -> Balance {
	use frame_support::traits::fungible::Inspect;
	[alice(), bob(), account("Carol"), miner(), other_miner(), creator(), treasury(), holders_pot()]
		.iter()
		.map(Balances::total_balance)
		.sum()
}
