//! Inference: pay-per-query jobs, commit-reveal quorum, verification by validators' off-chain
//! workers and the fee split (`pallet-inference`), plus what an off-chain worker needs to submit
//! transactions (verdicts are authorized transactions: no signer, no fee, validated by the
//! pallet's `authorize` function through `frame_system::AuthorizeCall`).

use frame_support::traits::{ConstU128, ConstU32, ConstU64};
use sp_runtime::{generic, transaction_validity::TransactionPriority};

use crate::{
	configs::governance::TreasuryAccount, AccountId, Balances, ComputeStaking, ModelRegistry,
	ModelShares, Runtime, RuntimeCall, RuntimeHoldReason, TxExtension, UncheckedExtrinsic,
};

frame_support::parameter_types! {
	/// Longest input kept on chain (a job's, a challenged query's).
	pub const MaxInlineInput: u32 = 4096;
	/// Most values of an output: class scores, a small embedding, or a language model's
	/// completion of up to 128 tokens (`modelchain-llm/1`).
	pub const MaxOutputValues: u32 = 128;
	/// Most weight the inference hook spends on deadlines in one block.
	pub MaxDeadlineWeight: frame_support::weights::Weight =
		sp_runtime::Perbill::from_percent(25) * crate::configs::system::RuntimeBlockWeights::get().max_block;
}

/// The protocol fee governance sets for inference (`inference.setParameters`): taken from job
/// fees, query channel payments and licence sales alike.
pub struct InferenceProtocolFee;
impl frame_support::traits::Get<sp_runtime::Perbill> for InferenceProtocolFee {
	fn get() -> sp_runtime::Perbill {
		pallet_inference::Parameters::<Runtime>::get().protocol_fee
	}
}

impl pallet_inference::Config for Runtime {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Registry = ModelRegistry;
	type Staking = ComputeStaking;
	type Revenue = ModelShares;
	/// Access policies and licences; every request is recorded in the model's audit trail.
	type Access = crate::ModelAccess;
	type Randomness = crate::SlotRandomness;
	/// Checks are opened by query channels' challenges, which they settle.
	type CheckObserver = crate::QueryChannels;
	type Treasury = TreasuryAccount;
	type ParametersOrigin = frame_system::EnsureRoot<AccountId>;
	/// Validators sign verdicts with the `inference` key of their session keys.
	type AuthorityId = pallet_inference::sr25519::AuthorityId;
	/// Up to 4 KiB of input on chain; larger inputs by URI and hash.
	type MaxInputLen = MaxInlineInput;
	type MaxUriLen = ConstU32<256>;
	/// Enough for class probabilities, a small embedding or a 128-token completion.
	type MaxOutputValues = MaxOutputValues;
	type MaxRedundancy = ConstU32<7>;
	/// Every miner holding a slot of the version is a candidate (H-2: not a slice of them).
	type MaxCandidates = crate::configs::compute::MaxMinersPerVersion;
	type MaxActiveJobs = ConstU32<10_000>;
	/// One account holds at most a tenth of the chain's unfinished jobs.
	type MaxActiveJobsPerRequester = ConstU32<1_000>;
	/// Each challenge holds a 1 MDL deposit while its check is open; audits' checks are not
	/// bounded here (one per audit, and audits are bounded by the query-channels pallet).
	type MaxActiveChallenges = ConstU32<10_000>;
	/// A sustained 10 job lifecycles per second end a challenge window and a retention
	/// period each for 30 jobs per block (and assign 30): 128 leaves room for bursts, and
	/// `MaxDeadlineWeight` bounds what they cost.
	type MaxDeadlinesPerBlock = ConstU32<128>;
	/// A quarter of a block: about 55 settlements (4.6 ms each at the benchmarked worst case
	/// with the database weights), 51 reveal phases ending with every miner slashed, or 270
	/// prunes.
	type MaxDeadlineWeight = MaxDeadlineWeight;
	type MaxAuthorities = crate::configs::consensus::MaxAuthorities;
	/// A miner answers up to 64 jobs with one `commit_results` or `reveal_results`.
	type MaxAnswersPerCall = ConstU32<64>;
	type VerdictPriority = ConstU64<{ TransactionPriority::MAX / 2 }>;
	type AnswerPriority = ConstU64<{ TransactionPriority::MAX / 2 }>;
	/// A hundredth of a unit per request, kept if the job ends without a quorum: filling
	/// `MaxActiveJobs` with jobs designed to fail costs 100 units each time (H-1).
	type QuorumDeposit = ConstU128<{ crate::units::MILLI_UNIT * 10 }>;
	/// A job's record is kept `retention_period` blocks after it ends (M-8): its requester
	/// holds a hundredth of a unit for the record and 10 µMDL per input byte (at most
	/// 0.051 MDL for a 4 KiB input) until it is pruned. Filling the chain's state with a
	/// gigabyte of job records takes about 10,000 MDL held for the retention period.
	type JobDepositBase = ConstU128<{ crate::units::MILLI_UNIT * 10 }>;
	type JobDepositPerByte = ConstU128<{ crate::units::MICRO_UNIT * 10 }>;
	type WeightInfo = pallet_inference::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = InferenceBenchmarkHelper;
}

impl<C> frame_system::offchain::CreateTransactionBase<C> for Runtime
where
	RuntimeCall: From<C>,
{
	type RuntimeCall = RuntimeCall;
	type Extrinsic = UncheckedExtrinsic;
}

impl<C> frame_system::offchain::CreateTransaction<C> for Runtime
where
	RuntimeCall: From<C>,
{
	type Extension = TxExtension;

	fn create_transaction(call: RuntimeCall, extension: TxExtension) -> UncheckedExtrinsic {
		UncheckedExtrinsic::new_transaction(call, extension)
	}
}

impl<C> frame_system::offchain::CreateAuthorizedTransaction<C> for Runtime
where
	RuntimeCall: From<C>,
{
	/// The extensions of an authorized (signer-less) transaction: `AuthorizeCall` does the
	/// validation; the rest carry no account (nonce 0, no tip, immortal).
	fn create_extension() -> TxExtension {
		(
			frame_system::AuthorizeCall::<Runtime>::new(),
			frame_system::CheckNonZeroSender::<Runtime>::new(),
			frame_system::CheckSpecVersion::<Runtime>::new(),
			frame_system::CheckTxVersion::<Runtime>::new(),
			frame_system::CheckGenesis::<Runtime>::new(),
			frame_system::CheckEra::<Runtime>::from(generic::Era::Immortal),
			frame_system::CheckNonce::<Runtime>::from(0),
			frame_system::CheckWeight::<Runtime>::new(),
			pallet_transaction_payment::ChargeTransactionPayment::<Runtime>::from(0),
			pallet_inference::PrioritizeAnswers::<Runtime>::new(),
			frame_metadata_hash_extension::CheckMetadataHash::<Runtime>::new(false),
			frame_system::WeightReclaim::<Runtime>::new(),
		)
	}
}

/// Registers a served model with issued shares and bonded miners for the inference benchmarks.
#[cfg(feature = "runtime-benchmarks")]
pub struct InferenceBenchmarkHelper;
#[cfg(feature = "runtime-benchmarks")]
impl pallet_inference::BenchmarkHelper<AccountId> for InferenceBenchmarkHelper {
	fn setup_model(
		redundancy: u8,
		miners: u32,
	) -> (modelchain_primitives::ModelId, alloc::vec::Vec<AccountId>) {
		use crate::{units::UNIT, RuntimeOrigin};
		use frame_support::traits::fungible::Mutate;
		use modelchain_primitives::{ModelVersionRef, WorkerRole};

		// Each model its own owner (its creator), so that no two benchmarked jobs share one.
		let model = pallet_model_registry::NextModelId::<Runtime>::get();
		let owner: AccountId = frame_benchmarking::account("model-owner", model, 0);
		let _ = Balances::mint_into(&owner, 1_000_000 * UNIT);
		let _ = crate::configs::models::register_benchmark_model(&owner, redundancy);
		let _ = ModelShares::issue_shares(RuntimeOrigin::signed(owner), model, 1_000_000);
		let served = ModelVersionRef { model, version: 0 };
		let accounts: alloc::vec::Vec<AccountId> = (0..miners)
			.map(|index| {
				let miner: AccountId = frame_benchmarking::account("miner", index, model);
				let _ = Balances::mint_into(&miner, 100_000 * UNIT);
				let _ = ComputeStaking::register_worker(
					RuntimeOrigin::signed(miner.clone()),
					WorkerRole::Miner,
					b"http://127.0.0.1:7070".to_vec(),
					b"cpu".to_vec(),
					alloc::vec![served],
				);
				let _ = ComputeStaking::bond(RuntimeOrigin::signed(miner.clone()), 10_000 * UNIT);
				miner
			})
			.collect();
		(model, accounts)
	}

	fn misses_before_jail() -> u32 {
		<<Runtime as pallet_compute_staking::Config>::MissedJobsBeforeJail as frame_support::traits::Get<u32>>::get()
	}

	fn licence_last_query(model: modelchain_primitives::ModelId, requester: &AccountId) {
		use crate::{units::UNIT, ModelAccess, RuntimeOrigin};
		use frame_support::traits::fungible::Mutate;
		use pallet_model_access::{AccessPolicy, LicenceTerms};

		// The owner `setup_model` registered the model with.
		let owner: AccountId = frame_benchmarking::account("model-owner", model, 0);
		let offer = pallet_model_access::NextOfferId::<Runtime>::get(model);
		// The model has shares: its holders' vote sets the policy.
		let _ =
			<ModelAccess as modelchain_primitives::AccessPolicyAdmin<crate::Balance>>::enact_policy(
				model,
				AccessPolicy::Licensed,
			);
		let _ = ModelAccess::create_offer(
			RuntimeOrigin::signed(owner),
			model,
			LicenceTerms { price: UNIT, duration: Some(100), queries: Some(1), transferable: true },
		);
		// The licence is queued in the last expiry slot a purchase tries, so that its last
		// query looks through every slot to remove it: the worst case of `use_access`.
		let _ =
			pallet_model_access::benchmarking::fill_expiry_slots::<Runtime>(model, offer, "filler");
		let _ = Balances::mint_into(requester, 1_000 * UNIT);
		let _ = ModelAccess::buy_licence(RuntimeOrigin::signed(requester.clone()), model, offer);
		// A full window: the request's access pushes the oldest one out.
		let length: u32 = <Runtime as pallet_model_access::Config>::AccessLogLength::get();
		pallet_model_access::AccessLogBounds::<Runtime>::insert(model, (0, u64::from(length)));
	}
}
