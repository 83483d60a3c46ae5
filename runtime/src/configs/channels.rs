//! Query channels (`pallet-query-channels`): requesters pay a miner per off-chain query with
//! signed vouchers; the miner settles any number of queries with one claim, split like a job's
//! fee.

use frame_support::{parameter_types, traits::ConstU32};
use sp_runtime::Perbill;

use crate::{
	configs::{
		governance::TreasuryAccount,
		inference::{InferenceProtocolFee, MaxInlineInput, MaxOutputValues},
	},
	units::{deposit, DAYS, MINUTES, UNIT},
	Balance, Balances, BlockNumber, ComputeStaking, Inference, ModelAccess, ModelRegistry,
	ModelShares, Runtime, RuntimeHoldReason, Signature,
};

parameter_types! {
	/// Held for each channel's record (~230 bytes).
	pub const ChannelDeposit: Balance = deposit(1, 232);
	/// A channel serves for at most a week from its opening or latest top-up.
	pub const MaxChannelLifetime: BlockNumber = 7 * DAYS;
	/// The miner keeps ten minutes to claim the last voucher after a close request or expiry.
	pub const ClaimGrace: BlockNumber = 10 * MINUTES;
	/// A challenger holds one unit until its challenge is decided (the miner's if the answer
	/// was right): a false challenge costs more than the validators' re-execution.
	pub const ChallengeDeposit: Balance = UNIT;
	/// A fifth of a wrong answer's slash goes to whoever proved it.
	pub const ChallengerReward: Perbill = Perbill::from_percent(20);
	/// 2% of every claim's new receipts are audited (rounded up: every claim is audited at
	/// least once), at most 20 per claim; a claim therefore settles at most 1,000 new queries.
	pub const DefaultAuditRate: Perbill = Perbill::from_percent(2);
	/// A miner has ten minutes to reveal an audited receipt.
	pub const AuditRevealWindow: BlockNumber = 10 * MINUTES;
}

impl pallet_query_channels::Config for Runtime {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Registry = ModelRegistry;
	type Staking = ComputeStaking;
	type Access = ModelAccess;
	type Revenue = ModelShares;
	type Treasury = TreasuryAccount;
	type ProtocolFee = InferenceProtocolFee;
	type OffchainSignature = Signature;
	type OffchainPublic = <Signature as sp_runtime::traits::Verify>::Signer;
	type ChannelDeposit = ChannelDeposit;
	type MaxChannelsPerRequester = ConstU32<16>;
	type MaxLifetime = MaxChannelLifetime;
	type ClaimGrace = ClaimGrace;
	/// Challenged answers are re-executed by the validators like jobs (`Inference` checks).
	type Checks = Inference;
	type ChallengeDeposit = ChallengeDeposit;
	type ChallengerReward = ChallengerReward;
	type MaxInputLen = MaxInlineInput;
	type MaxOutputValues = MaxOutputValues;
	type Randomness = crate::SlotRandomness;
	type MaxAuditsPerClaim = ConstU32<20>;
	type AuditRevealWindow = AuditRevealWindow;
	type MaxAuditWorkPerBlock = ConstU32<32>;
	type MaxPendingDraws = ConstU32<10_000>;
	type DefaultAuditRate = DefaultAuditRate;
	type AuditOrigin = frame_system::EnsureRoot<crate::AccountId>;
	type WeightInfo = pallet_query_channels::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = ChannelsBenchmarkHelper;
}

/// Registers a licensed model with shares and a miner, and signs with a key in the benchmark
/// keystore.
#[cfg(feature = "runtime-benchmarks")]
pub struct ChannelsBenchmarkHelper;
#[cfg(feature = "runtime-benchmarks")]
use crate::AccountId;
/// The keystore key type of the benchmark's requester keys.
#[cfg(feature = "runtime-benchmarks")]
const BENCHMARK_KEY: sp_core::crypto::KeyTypeId = sp_core::crypto::KeyTypeId(*b"mcqc");
#[cfg(feature = "runtime-benchmarks")]
impl pallet_query_channels::BenchmarkHelper<AccountId, Signature> for ChannelsBenchmarkHelper {
	fn model_with_miner(requester: &AccountId) -> (modelchain_primitives::ModelId, AccountId) {
		use crate::configs::inference::InferenceBenchmarkHelper;
		use pallet_inference::BenchmarkHelper;
		let (model, miners) = InferenceBenchmarkHelper::setup_model(1, 1);
		InferenceBenchmarkHelper::licence_last_query(model, requester);
		let miner = miners.into_iter().next().unwrap_or_else(|| requester.clone());
		(model, miner)
	}

	fn signer() -> AccountId {
		use sp_runtime::{app_crypto::RuntimePublic, traits::IdentifyAccount};
		let public = sp_core::sr25519::Public::generate_pair(BENCHMARK_KEY, None);
		sp_runtime::MultiSigner::from(public).into_account()
	}

	fn sign(signer: &AccountId, message: &[u8]) -> Signature {
		use sp_runtime::app_crypto::RuntimePublic;
		let public = sp_core::sr25519::Public::from_raw(*signer.as_ref());
		// A key the benchmark keystore lacks signs nothing: the claim is then refused with
		// `BadSignature` and the benchmark fails, as it should.
		public
			.sign(BENCHMARK_KEY, &message)
			.map(Signature::from)
			.unwrap_or_else(|| Signature::from(sp_core::sr25519::Signature::from_raw([0; 64])))
	}
}
