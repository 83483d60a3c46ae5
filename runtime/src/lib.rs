//! # ModelChain runtime
//!
//! The state transition function of ModelChain: an app-chain on which AI models are registered
//! with verifiable provenance, owned in fractional shares, served by staked miners and paid for
//! per query.
//!
//! Configuration is split by concern under [`configs`]; the runtime APIs live in [`apis`] and the
//! genesis presets (`development`, `local_testnet`, `local_4validators`) in
//! [`genesis_config_presets`].

#![cfg_attr(not(feature = "std"), no_std)]
// `construct_runtime!` needs a large recursion limit.
#![recursion_limit = "256"]

#[cfg(feature = "std")]
include!(concat!(env!("OUT_DIR"), "/wasm_binary.rs"));

extern crate alloc;

pub mod apis;
#[cfg(feature = "runtime-benchmarks")]
mod benchmarks;
pub mod configs;
pub mod genesis_config_presets;
pub mod migrations;
pub mod weights;

use alloc::vec::Vec;
use sp_runtime::{generic, impl_opaque_keys, traits::BlakeTwo256, MultiAddress};
use sp_version::RuntimeVersion;

pub use frame_system::Call as SystemCall;
pub use pallet_balances::Call as BalancesCall;
pub use pallet_timestamp::Call as TimestampCall;
#[cfg(any(feature = "std", test))]
pub use sp_runtime::BuildStorage;

pub use modelchain_primitives::{AccountId, Balance, BlockNumber, Hash, Nonce, Signature};

/// Token and time units, shared with the node and the tests.
pub mod units {
	use super::{Balance, BlockNumber};

	/// Number of decimals of the native token (MDL).
	pub const TOKEN_DECIMALS: u8 = 12;
	/// The native token's symbol, shown by wallets.
	pub const TOKEN_SYMBOL: &str = "MDL";
	/// One whole MDL in its smallest unit (planck).
	pub const UNIT: Balance = 1_000_000_000_000;
	/// One thousandth of an MDL.
	pub const MILLI_UNIT: Balance = 1_000_000_000;
	/// One millionth of an MDL.
	pub const MICRO_UNIT: Balance = 1_000_000;
	/// The smallest balance an account may hold; below it the account is reaped.
	pub const EXISTENTIAL_DEPOSIT: Balance = MILLI_UNIT;

	/// Target block time. Aura produces one block per slot of this length.
	pub const MILLI_SECS_PER_BLOCK: u64 = 3000;
	/// Slot duration; it cannot change once the chain has started.
	pub const SLOT_DURATION: u64 = MILLI_SECS_PER_BLOCK;
	/// Blocks per minute, hour and day at the target block time.
	pub const MINUTES: BlockNumber = 60_000 / (MILLI_SECS_PER_BLOCK as BlockNumber);
	pub const HOURS: BlockNumber = MINUTES * 60;
	pub const DAYS: BlockNumber = HOURS * 24;

	/// Deposit for a storage item of `items` entries and `bytes` bytes.
	pub const fn deposit(items: u32, bytes: u32) -> Balance {
		(items as Balance) * 20 * UNIT / 100 + (bytes as Balance) * MILLI_UNIT
	}
}

/// Opaque types used by the node, independent of the runtime's extrinsic format.
pub mod opaque {
	use super::*;
	pub use sp_runtime::OpaqueExtrinsic as UncheckedExtrinsic;

	/// Opaque block header type.
	pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
	/// Opaque block type.
	pub type Block = generic::Block<Header, UncheckedExtrinsic>;
	/// Opaque block identifier type.
	pub type BlockId = generic::BlockId<Block>;
}

impl_opaque_keys! {
	/// The session keys of a validator: Aura for block production, GRANDPA for finality, and
	/// the inference key with which its off-chain worker signs verdicts on inference jobs.
	pub struct SessionKeys {
		pub aura: Aura,
		pub grandpa: Grandpa,
		pub inference: Inference,
	}
}

/// The runtime version. Bump `spec_version` on every runtime upgrade and `transaction_version`
/// whenever the call or extension encoding changes.
#[sp_version::runtime_version]
pub const VERSION: RuntimeVersion = RuntimeVersion {
	spec_name: alloc::borrow::Cow::Borrowed("modelchain"),
	impl_name: alloc::borrow::Cow::Borrowed("modelchain-node"),
	authoring_version: 1,
	spec_version: 108,
	impl_version: 1,
	apis: apis::RUNTIME_API_VERSIONS,
	transaction_version: 2,
	system_version: 1,
};

/// The address format for describing accounts.
pub type Address = MultiAddress<AccountId, ()>;
/// Block header type as expected by this runtime.
pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
/// Block type as expected by this runtime.
pub type Block = generic::Block<Header, UncheckedExtrinsic>;
/// A block as the node sees it: header plus extrinsics.
pub type SignedBlock = generic::SignedBlock<Block>;

/// The transaction extensions checked for every transaction, in order.
pub type TxExtension = (
	frame_system::AuthorizeCall<Runtime>,
	frame_system::CheckNonZeroSender<Runtime>,
	frame_system::CheckSpecVersion<Runtime>,
	frame_system::CheckTxVersion<Runtime>,
	frame_system::CheckGenesis<Runtime>,
	frame_system::CheckEra<Runtime>,
	frame_system::CheckNonce<Runtime>,
	frame_system::CheckWeight<Runtime>,
	pallet_transaction_payment::ChargeTransactionPayment<Runtime>,
	// Assigned miners' commits and reveals, checked in the pool and put ahead of spam.
	pallet_inference::PrioritizeAnswers<Runtime>,
	frame_metadata_hash_extension::CheckMetadataHash<Runtime>,
	frame_system::WeightReclaim<Runtime>,
);

/// Unchecked extrinsic type as expected by this runtime.
pub type UncheckedExtrinsic =
	generic::UncheckedExtrinsic<Address, RuntimeCall, Signature, TxExtension>;
/// The payload being signed in transactions.
pub type SignedPayload = generic::SignedPayload<RuntimeCall, TxExtension>;

/// Migrations to run on the next runtime upgrade, beyond the pallets' own. Each checks its
/// pallet's storage version, so a chain started from a newer genesis skips it.
type Migrations = (
	// spec 101: share revenue remainders in the accumulator's units (issue 22).
	pallet_model_shares::migrations::v1::MigrateToV1<Runtime>,
	// spec 101: the version index holds only the miners that may be assigned jobs (issue 17).
	pallet_compute_staking::migrations::v1::MigrateToV1<Runtime>,
	// spec 108: model shares move to their own `pallet-assets` instance, which has no calls
	// (issue 20: M-2, L-11, H-5).
	migrations::MoveSharesToShareAssets,
	// spec 108: a governance proposal stores its action (an upgrade or an access policy).
	pallet_model_governance::migrations::v1::MigrateToV1<Runtime>,
	// spec 108: the staked verifier role is gone; verifiers are deregistered and released
	// (issue 20: L-10).
	pallet_compute_staking::migrations::v2::MigrateToV2<Runtime>,
	// spec 108: each model's access window is cut to the new bound its deposit pays for
	// (issue 20: L-14).
	pallet_model_access::migrations::v1::MigrateToV1<Runtime>,
);

/// An inference job as the inference runtime API returns it.
pub type InferenceJob = pallet_inference::JobOf<Runtime>;
/// A job's agreed output as the inference runtime API returns it.
pub type InferenceOutput = pallet_inference::Output<Runtime>;

/// Executive: dispatches calls to the pallets.
pub type Executive = frame_executive::Executive<
	Runtime,
	Block,
	frame_system::ChainContext<Runtime>,
	Runtime,
	AllPalletsWithSystem,
	Migrations,
>;

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
	pub struct Runtime;

	#[runtime::pallet_index(0)]
	pub type System = frame_system;
	#[runtime::pallet_index(1)]
	pub type Timestamp = pallet_timestamp;
	#[runtime::pallet_index(2)]
	pub type Aura = pallet_aura;
	// After Aura (whose `on_initialize` sets the block's slot) and before Session (whose
	// `on_initialize` may replace Aura's authorities): the slot author is taken in between.
	#[runtime::pallet_index(9)]
	pub type SlotRandomness = pallet_slot_randomness;
	#[runtime::pallet_index(3)]
	pub type Grandpa = pallet_grandpa;
	#[runtime::pallet_index(4)]
	pub type Balances = pallet_balances;
	#[runtime::pallet_index(5)]
	pub type TransactionPayment = pallet_transaction_payment;
	#[runtime::pallet_index(6)]
	pub type Sudo = pallet_sudo;
	// The validator set comes before Session (its genesis is read by Session's), and Session
	// after Aura and Grandpa so that its genesis sets their authorities.
	#[runtime::pallet_index(8)]
	pub type ValidatorSet = pallet_validator_set;
	#[runtime::pallet_index(7)]
	pub type Session = pallet_session;

	#[runtime::pallet_index(10)]
	pub type Assets = pallet_assets;
	/// Model shares: no calls, only `ModelShares` moves them.
	#[runtime::pallet_index(11)]
	#[runtime::disable_call]
	pub type ShareAssets = pallet_assets<Instance2>;

	#[runtime::pallet_index(20)]
	pub type Preimage = pallet_preimage;
	#[runtime::pallet_index(21)]
	pub type Scheduler = pallet_scheduler;
	#[runtime::pallet_index(22)]
	pub type Democracy = pallet_democracy;
	#[runtime::pallet_index(23)]
	pub type Treasury = pallet_treasury;

	#[runtime::pallet_index(30)]
	pub type ModelRegistry = pallet_model_registry;
	#[runtime::pallet_index(31)]
	pub type ModelShares = pallet_model_shares;
	#[runtime::pallet_index(32)]
	pub type ComputeStaking = pallet_compute_staking;
	#[runtime::pallet_index(33)]
	pub type Inference = pallet_inference;
	#[runtime::pallet_index(34)]
	pub type ModelGovernance = pallet_model_governance;
	#[runtime::pallet_index(35)]
	pub type ModelAccess = pallet_model_access;
	#[runtime::pallet_index(36)]
	pub type QueryChannels = pallet_query_channels;
}
