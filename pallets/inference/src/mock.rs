//! A test runtime with System, Balances and this pallet; the model registry, compute staking
//! and the shares pallet are stand-ins backed by thread-local state that move real balances
//! (slashes to the treasury, revenue to a holders' pot), so money is accounted end to end.

use crate as pallet_inference;
use codec::Encode;
use core::cell::RefCell;
use frame_support::{
	derive_impl, parameter_types,
	traits::{
		fungible::{Inspect, Mutate},
		tokens::Preservation,
		ConstU128, ConstU32, ConstU64, Hooks,
	},
};
use modelchain_primitives::{
	Balance, ComputeStakingInterface, ModelId, ModelRegistryInterface, ModelVersionRef,
	RevenueSink, ServingInfo, SlashReason, WorkerRole,
};
use sp_runtime::{testing::UintAuthorityId, BuildStorage, DispatchError, Perbill};
use std::collections::{BTreeMap, BTreeSet};

type Block = frame_system::mocking::MockBlock<Test>;
pub type AccountId = u64;

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
	pub type Inference = pallet_inference;
}

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountData = pallet_balances::AccountData<Balance>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type Balance = Balance;
	type ExistentialDeposit = ConstU128<ED>;
	type AccountStore = System;
	type RuntimeHoldReason = RuntimeHoldReason;
}

/// The extension of authorized transactions (verdicts) in this test runtime.
pub type TxExtension = (frame_system::AuthorizeCall<Test>,);
/// The transaction type the off-chain worker submits.
pub type Extrinsic = sp_runtime::generic::UncheckedExtrinsic<u64, RuntimeCall, (), TxExtension>;

impl<C> frame_system::offchain::CreateTransactionBase<C> for Test
where
	RuntimeCall: From<C>,
{
	type RuntimeCall = RuntimeCall;
	type Extrinsic = Extrinsic;
}

impl<C> frame_system::offchain::CreateTransaction<C> for Test
where
	RuntimeCall: From<C>,
{
	type Extension = TxExtension;
	fn create_transaction(call: RuntimeCall, extension: TxExtension) -> Extrinsic {
		Extrinsic::new_transaction(call, extension)
	}
}

impl<C> frame_system::offchain::CreateAuthorizedTransaction<C> for Test
where
	RuntimeCall: From<C>,
{
	fn create_extension() -> TxExtension {
		(frame_system::AuthorizeCall::<Test>::new(),)
	}
}

pub const ED: Balance = 10;
pub const ALICE: AccountId = 1;
pub const BOB: AccountId = 2;
/// An account with less than one fee.
pub const POOR: AccountId = 3;
/// The model's creator.
pub const CREATOR: AccountId = 5;
/// Miners 10..=16; stakes 1_000 each unless a test changes them.
pub const MINERS: [AccountId; 7] = [10, 11, 12, 13, 14, 15, 16];
pub const TREASURY: AccountId = 999;
/// Where the stand-in shares pallet keeps the holders' revenue.
pub const HOLDERS_POT: AccountId = 900;
pub const ENDOWMENT: Balance = 1_000_000;
pub const STAKE: Balance = 1_000;
pub const PRICE: Balance = 1_000;
/// Model 0 is served (version 0.0); model 1 exists but is paused.
pub const MODEL: ModelId = 0;
pub const VERSION: ModelVersionRef = ModelVersionRef { model: 0, version: 0 };
pub const COMMIT_PERIOD: u64 = 5;
pub const REVEAL_PERIOD: u64 = 5;
pub const CHALLENGE_PERIOD: u64 = 5;
pub const RETENTION: u64 = 20;
pub const MAX_ACTIVE_JOBS: u32 = 50;
pub const MAX_JOBS_PER_REQUESTER: u32 = 30;
pub const MAX_ACTIVE_CHALLENGES: u32 = 4;
pub const MAX_DEADLINES_PER_BLOCK: u32 = 8;
/// Most answers of one `commit_results` or `reveal_results`.
pub const MAX_ANSWERS_PER_CALL: u32 = 8;

parameter_types! {
	pub const TreasuryAccount: AccountId = TREASURY;
	/// The quorum deposit; zero unless a test sets it.
	pub static TestQuorumDeposit: Balance = 0;
	/// The storage deposit of a job record, and per input byte; zero unless a test sets them.
	pub static TestJobDepositBase: Balance = 0;
	pub static TestJobDepositPerByte: Balance = 0;
	/// Whether blocks carry slot randomness (as every real block does); a test may turn it
	/// off to stand for blocks without it.
	pub static RandomnessInBlocks: bool = true;
	/// Mixed into every block's randomness: a test changes it to stand for another draw of
	/// the assigning block's author.
	pub static RandomnessSalt: u8 = 0;
	/// `MaxDeadlineWeight`: unlimited unless a test bounds it.
	pub static DeadlineWeightLimit: frame_support::weights::Weight =
		frame_support::weights::Weight::MAX;
}

/// The slot-randomness stand-in: each block's randomness is a hash of its number (fresh in
/// every block, unless a test turns it off).
pub struct MockRandomness;
impl modelchain_primitives::FreshRandomness for MockRandomness {
	fn fresh_randomness() -> Option<[u8; 32]> {
		RandomnessInBlocks::get().then(|| {
			let input = (b"mock-randomness", RandomnessSalt::get(), System::block_number());
			sp_io::hashing::blake2_256(&input.encode())
		})
	}
}

#[derive(Clone, Debug)]
pub struct MockWorker {
	pub versions: Vec<ModelVersionRef>,
	pub stake: Balance,
	pub endpoint: Vec<u8>,
	pub jailed: bool,
}

thread_local! {
	pub static WORKERS: RefCell<BTreeMap<AccountId, MockWorker>> = const { RefCell::new(BTreeMap::new()) };
	pub static SLASHES: RefCell<Vec<(AccountId, SlashReason, Balance)>> = const { RefCell::new(Vec::new()) };
	pub static REPUTATION: RefCell<BTreeMap<AccountId, u32>> = const { RefCell::new(BTreeMap::new()) };
	/// Miners the staking stand-in was told missed a job, in order.
	pub static MISSED: RefCell<Vec<AccountId>> = const { RefCell::new(Vec::new()) };
	pub static REVENUE: RefCell<BTreeMap<ModelId, Balance>> = const { RefCell::new(BTreeMap::new()) };
	/// Accounts the access stand-in refuses.
	pub static DENIED: RefCell<BTreeSet<AccountId>> = const { RefCell::new(BTreeSet::new()) };
	/// Accesses the access stand-in recorded: (requester, version, job).
	pub static ACCESSES: RefCell<Vec<(AccountId, ModelVersionRef, u64)>> = const { RefCell::new(Vec::new()) };
	/// Checks the observer stand-in was told about, in order.
	pub static CHECKS_DECIDED: RefCell<Vec<(u64, modelchain_primitives::CheckOutcome)>> = const { RefCell::new(Vec::new()) };
	/// Requesters holding a licence (licence id 1) of every model.
	pub static LICENSED: RefCell<BTreeSet<AccountId>> = const { RefCell::new(BTreeSet::new()) };
}

/// The model registry stand-in.
pub type MockRegistry = modelchain_test_support::registry::StubRegistry<AccountId>;

/// Serves the test model on `info`, its shares issued.
pub fn serve_model(info: ServingInfo<AccountId, Balance>) {
	MockRegistry::set_serving(MODEL, info);
	MockRegistry::set_shares_issued(MODEL, true);
}

/// The compute staking stand-in: stakes are free balance of the miners; a slash moves the
/// slashed part of the stake to the treasury.
pub struct MockStaking;
impl ComputeStakingInterface<AccountId, Balance> for MockStaking {
	fn eligible_workers(
		version: &ModelVersionRef,
		role: WorkerRole,
		max: u32,
	) -> Vec<(AccountId, Balance)> {
		assert_eq!(role, WorkerRole::Miner);
		WORKERS.with(|w| {
			w.borrow()
				.iter()
				.filter(|(_, worker)| worker.versions.contains(version) && !worker.jailed)
				.map(|(who, worker)| (*who, worker.stake))
				.take(max as usize)
				.collect()
		})
	}
	fn serving_stake(miner: &AccountId, version: &ModelVersionRef) -> Option<Balance> {
		WORKERS.with(|w| {
			w.borrow()
				.get(miner)
				.filter(|worker| worker.versions.contains(version) && !worker.jailed)
				.map(|worker| worker.stake)
		})
	}
	fn slash(worker: &AccountId, fraction: Perbill, reason: SlashReason) -> Balance {
		let Some(stake) = WORKERS.with(|w| w.borrow().get(worker).map(|w| w.stake)) else {
			return 0;
		};
		let amount = fraction.mul_floor(stake);
		Balances::transfer(worker, &TREASURY, amount, Preservation::Expendable)
			.expect("a miner holds its stake");
		WORKERS.with(|w| {
			if let Some(w) = w.borrow_mut().get_mut(worker) {
				w.stake -= amount;
				w.jailed = true;
			}
		});
		SLASHES.with(|s| s.borrow_mut().push((*worker, reason, amount)));
		amount
	}
	fn slash_fraction(reason: SlashReason) -> Perbill {
		match reason {
			SlashReason::MissedReveal => Perbill::from_percent(5),
			_ => Perbill::from_percent(10),
		}
	}
	fn endpoint(worker: &AccountId) -> Option<Vec<u8>> {
		WORKERS.with(|w| w.borrow().get(worker).map(|w| w.endpoint.clone()))
	}
	fn jail(worker: &AccountId) {
		WORKERS.with(|w| {
			if let Some(w) = w.borrow_mut().get_mut(worker) {
				w.jailed = true;
			}
		});
	}
	fn reward_reputation(worker: &AccountId, points: u32) {
		REPUTATION.with(|r| *r.borrow_mut().entry(*worker).or_default() += points);
	}
	fn note_missed_job(worker: &AccountId) {
		MISSED.with(|m| m.borrow_mut().push(*worker));
	}
	fn unbonding_period() -> u32 {
		UNBONDING_PERIOD
	}
}

/// Compute staking's unbonding period in the mock: longer than the default job lifetime.
pub const UNBONDING_PERIOD: u32 = 1_000;

/// The shares pallet stand-in: revenue moves to `HOLDERS_POT`.
pub struct MockRevenue;
impl RevenueSink<AccountId, Balance> for MockRevenue {
	fn deposit_revenue(
		model: ModelId,
		from: &AccountId,
		amount: Balance,
	) -> sp_runtime::DispatchResult {
		if !MockRegistry::shares_issued(model) {
			return Err(DispatchError::Other("no shares"));
		}
		Balances::transfer(from, &HOLDERS_POT, amount, Preservation::Expendable)?;
		REVENUE.with(|r| *r.borrow_mut().entry(model).or_default() += amount);
		Ok(())
	}
	fn revenue_account() -> AccountId {
		HOLDERS_POT
	}
	fn note_revenue(model: ModelId, amount: Balance) -> sp_runtime::DispatchResult {
		if !MockRegistry::shares_issued(model) {
			return Err(DispatchError::Other("no shares"));
		}
		REVENUE.with(|r| *r.borrow_mut().entry(model).or_default() += amount);
		Ok(())
	}
}

/// The access pallet stand-in: refuses the accounts in `DENIED` and records the others (those
/// in `LICENSED` use licence 1).
pub struct MockAccess;
impl modelchain_primitives::AccessControl<AccountId> for MockAccess {
	fn use_access(
		who: &AccountId,
		version: &ModelVersionRef,
		job: u64,
	) -> Result<Option<u64>, DispatchError> {
		if DENIED.with(|d| d.borrow().contains(who)) {
			return Err(DispatchError::Other("access denied"));
		}
		ACCESSES.with(|a| a.borrow_mut().push((*who, *version, job)));
		Ok(LICENSED.with(|l| l.borrow().contains(who)).then_some(1))
	}
	fn may_use(who: &AccountId, _model: ModelId) -> sp_runtime::DispatchResult {
		if DENIED.with(|d| d.borrow().contains(who)) {
			return Err(DispatchError::Other("access denied"));
		}
		Ok(())
	}
	fn use_queries(_who: &AccountId, _model: ModelId, _queries: u64) -> Option<(u64, u32)> {
		None
	}
	fn use_queries_weight() -> frame_support::weights::Weight {
		frame_support::weights::Weight::zero()
	}
}

/// Records each check's outcome.
pub struct MockCheckObserver;
impl modelchain_primitives::CheckObserver for MockCheckObserver {
	fn check_decided(check: u64, outcome: modelchain_primitives::CheckOutcome) {
		CHECKS_DECIDED.with(|c| c.borrow_mut().push((check, outcome)));
	}
	fn check_decided_weight() -> frame_support::weights::Weight {
		frame_support::weights::Weight::from_parts(1_000, 0)
	}
}

impl pallet_inference::Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Registry = MockRegistry;
	type Staking = MockStaking;
	type Revenue = MockRevenue;
	type Access = MockAccess;
	type Randomness = MockRandomness;
	type CheckObserver = MockCheckObserver;
	type Treasury = TreasuryAccount;
	type ParametersOrigin = frame_system::EnsureRoot<AccountId>;
	type AuthorityId = UintAuthorityId;
	type MaxInputLen = ConstU32<64>;
	type MaxUriLen = ConstU32<32>;
	type MaxOutputValues = ConstU32<10>;
	type MaxRedundancy = ConstU32<7>;
	type MaxCandidates = ConstU32<16>;
	type MaxActiveJobs = ConstU32<MAX_ACTIVE_JOBS>;
	type MaxActiveJobsPerRequester = ConstU32<MAX_JOBS_PER_REQUESTER>;
	type MaxActiveChallenges = ConstU32<MAX_ACTIVE_CHALLENGES>;
	type MaxDeadlinesPerBlock = ConstU32<MAX_DEADLINES_PER_BLOCK>;
	type MaxDeadlineWeight = DeadlineWeightLimit;
	type MaxAuthorities = ConstU32<4>;
	type MaxAnswersPerCall = ConstU32<MAX_ANSWERS_PER_CALL>;
	type VerdictPriority = ConstU64<{ u64::MAX / 2 }>;
	type AnswerPriority = ConstU64<{ u64::MAX / 2 }>;
	type QuorumDeposit = TestQuorumDeposit;
	type JobDepositBase = TestJobDepositBase;
	type JobDepositPerByte = TestJobDepositPerByte;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = MockBenchmarkHelper;
}

/// Serves the test model with `redundancy` and `miners` fresh miners.
#[cfg(feature = "runtime-benchmarks")]
pub struct MockBenchmarkHelper;
#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper<AccountId> for MockBenchmarkHelper {
	fn setup_model(redundancy: u8, miners: u32) -> (ModelId, Vec<AccountId>) {
		use frame_support::traits::fungible::Mutate;
		serve_model(serving(redundancy));
		// Licences of an earlier run of the benchmark, whose storage was reverted, are gone.
		LICENSED.with(|l| l.borrow_mut().clear());
		WORKERS.with(|w| {
			let mut w = w.borrow_mut();
			// Only the benchmark's miners serve; each call adds fresh ones (the jobs of a
			// benchmark have distinct miners). Those of an earlier run of the benchmark, whose
			// storage was reverted, are gone.
			w.retain(|miner, _| *miner >= 1_000 && Balances::total_balance(miner) > 0);
			let first = 1_000 + w.len() as u64;
			let accounts: Vec<AccountId> = (first..first + miners as u64).collect();
			for miner in &accounts {
				Balances::set_balance(miner, ENDOWMENT);
				w.insert(
					*miner,
					MockWorker {
						versions: vec![VERSION],
						stake: STAKE,
						endpoint: b"http://miner.test".to_vec(),
						jailed: false,
					},
				);
			}
			(MODEL, accounts)
		})
	}

	fn misses_before_jail() -> u32 {
		3
	}

	fn licence_last_query(_model: ModelId, requester: &AccountId) {
		LICENSED.with(|l| l.borrow_mut().insert(*requester));
	}
}

pub fn test_parameters() -> crate::ParametersOf<Test> {
	crate::InferenceParameters {
		protocol_fee: Perbill::from_percent(5),
		commit_period: COMMIT_PERIOD,
		reveal_period: REVEAL_PERIOD,
		challenge_period: CHALLENGE_PERIOD,
		verification_sample: Perbill::from_percent(10),
		retention_period: RETENTION,
	}
}

/// Serving info of the test model with `redundancy` miners.
pub fn serving(redundancy: u8) -> ServingInfo<AccountId, Balance> {
	ServingInfo {
		creator: CREATOR,
		version: VERSION,
		price: PRICE,
		output_precision: 4,
		creator_royalty: Perbill::from_percent(5),
		miners_share: Perbill::from_percent(30),
		redundancy,
	}
}

/// Test externalities that check the pallet's invariants (`do_try_state`) after every
/// `execute_with`.
pub type TestExt = modelchain_test_support::CheckedExt;

/// Externalities with funded accounts, model 0 served by the seven miners with redundancy 3,
/// its shares issued, and validators 1 and 2 holding inference keys.
pub fn new_test_ext() -> TestExt {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	let mut balances = vec![
		(ALICE, ENDOWMENT),
		(BOB, ENDOWMENT),
		(POOR, 500),
		(CREATOR, ENDOWMENT),
		(TREASURY, ED),
		(HOLDERS_POT, ED),
	];
	balances.extend(MINERS.iter().map(|miner| (*miner, ENDOWMENT)));
	pallet_balances::GenesisConfig::<Test> { balances, ..Default::default() }
		.assimilate_storage(&mut storage)
		.unwrap();
	pallet_inference::GenesisConfig::<Test> { parameters: Some(test_parameters()) }
		.assimilate_storage(&mut storage)
		.unwrap();
	MockRegistry::clear();
	serve_model(serving(3));
	WORKERS.with(|w| {
		let mut w = w.borrow_mut();
		w.clear();
		for miner in MINERS {
			w.insert(
				miner,
				MockWorker {
					versions: vec![VERSION],
					stake: STAKE,
					endpoint: format!("http://miner{miner}.test").into_bytes(),
					jailed: false,
				},
			);
		}
	});
	SLASHES.with(|s| s.borrow_mut().clear());
	REPUTATION.with(|r| r.borrow_mut().clear());
	MISSED.with(|m| m.borrow_mut().clear());
	TestQuorumDeposit::set(0);
	TestJobDepositBase::set(0);
	TestJobDepositPerByte::set(0);
	REVENUE.with(|r| r.borrow_mut().clear());
	DENIED.with(|d| d.borrow_mut().clear());
	ACCESSES.with(|a| a.borrow_mut().clear());
	LICENSED.with(|l| l.borrow_mut().clear());
	CHECKS_DECIDED.with(|c| c.borrow_mut().clear());
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| {
		System::set_block_number(1);
		Inference::set_authorities(vec![UintAuthorityId(1), UintAuthorityId(2)]);
	});
	TestExt::new(ext, Inference::do_try_state)
}

/// Runs blocks up to `n`, calling the pallet's `on_initialize` and (after the randomness,
/// as the executive does after the inherents) `on_poll` on each.
pub fn run_to_block(n: u64) {
	while System::block_number() < n {
		let next = System::block_number() + 1;
		System::set_block_number(next);
		Inference::on_initialize(next);
		Inference::on_poll(next, &mut frame_support::weights::WeightMeter::new());
	}
}

/// Sum of all balances of the accounts the tests use (constant: nothing minted or burnt).
pub fn total_of_known_accounts() -> Balance {
	let mut accounts = vec![ALICE, BOB, POOR, CREATOR, TREASURY, HOLDERS_POT];
	accounts.extend(MINERS);
	accounts.iter().map(Balances::total_balance).sum()
}
