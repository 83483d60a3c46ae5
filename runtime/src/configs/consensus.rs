//! Block production (Aura), finality (GRANDPA), time, the validator session and the validator
//! set (`pallet-validator-set`: root, i.e. a referendum, adds and removes validators).

use frame_support::{
	parameter_types,
	traits::{ConstBool, ConstU32, ConstU64, Get},
};
use frame_system::EnsureRoot;
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_runtime::traits::ConvertInto;

use crate::{
	units::{deposit, MINUTES, SLOT_DURATION},
	AccountId, Aura, Balance, Balances, BlockNumber, Runtime, RuntimeEvent, Session, SessionKeys,
	ValidatorSet,
};

/// The most validators the chain supports.
pub type MaxAuthorities = ConstU32<32>;

impl pallet_timestamp::Config for Runtime {
	/// Milliseconds since the Unix epoch.
	type Moment = u64;
	type OnTimestampSet = Aura;
	type MinimumPeriod = ConstU64<{ SLOT_DURATION / 2 }>;
	type WeightInfo = ();
}

impl pallet_aura::Config for Runtime {
	type AuthorityId = AuraId;
	type DisabledValidators = ();
	type MaxAuthorities = MaxAuthorities;
	type AllowMultipleBlocksPerSlot = ConstBool<false>;
	type SlotDuration = pallet_aura::MinimumPeriodTimesTwo<Runtime>;
}

/// Aura's authorities and the slot Aura's `on_initialize` took from the block's pre-runtime
/// digest: the slot author is `authorities[slot % n]` (of the parent's authorities, which
/// `pallet-slot-randomness` keeps), as the node's Aura decides who proposes.
pub struct AuraAuthorities;
impl pallet_slot_randomness::SlotAuthorities for AuraAuthorities {
	fn current_slot() -> u64 {
		*pallet_aura::CurrentSlot::<Runtime>::get()
	}
	fn authorities() -> alloc::vec::Vec<sp_core::sr25519::Public> {
		pallet_aura::Authorities::<Runtime>::get().into_iter().map(|key| key.into_inner()).collect()
	}
}

impl pallet_slot_randomness::Config for Runtime {
	type SlotAuthorities = AuraAuthorities;
	type MaxAuthorities = MaxAuthorities;
	type WeightInfo = pallet_slot_randomness::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = AuraAuthorities;
}

/// Makes the benchmark's key Aura's only authority at the benchmark's slot.
#[cfg(feature = "runtime-benchmarks")]
impl pallet_slot_randomness::BenchmarkHelper for AuraAuthorities {
	fn set_slot_author(slot: u64, author: sp_core::sr25519::Public) {
		let authorities = frame_support::BoundedVec::truncate_from(alloc::vec![author.into()]);
		pallet_aura::Authorities::<Runtime>::put(authorities);
		pallet_aura::CurrentSlot::<Runtime>::put(sp_consensus_aura::Slot::from(slot));
	}

	fn set_authorities(authorities: alloc::vec::Vec<sp_core::sr25519::Public>) {
		let authorities = authorities.into_iter().map(Into::into).collect::<alloc::vec::Vec<_>>();
		pallet_aura::Authorities::<Runtime>::put(frame_support::BoundedVec::truncate_from(
			authorities,
		));
	}
}

impl pallet_grandpa::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = ();
	type MaxAuthorities = MaxAuthorities;
	type MaxNominators = ConstU32<0>;
	type MaxSetIdSessionEntries = ConstU64<0>;
	type KeyOwnerProof = sp_core::Void;
	type EquivocationReportSystem = ();
}

parameter_types! {
	/// A session lasts ten minutes; validator-set changes and queued session keys take effect
	/// one to two sessions later. A `storage` parameter: root may change it with
	/// `system.setStorage` (key `twox128(":SessionPeriod:")`), e.g. to a few blocks on a dev chain.
	pub storage SessionPeriod: BlockNumber = 10 * MINUTES;
	pub const SessionOffset: BlockNumber = 0;
	/// Held from a validator's account while it has session keys registered.
	pub const SessionKeyDeposit: Balance = deposit(1, 64);
}

/// The shortest session: `SessionPeriod` is never taken below it (a period of 0 would divide by
/// zero in `PeriodicSessions`).
pub const MIN_SESSION_PERIOD: BlockNumber = 5;

/// `SessionPeriod`, at least `MIN_SESSION_PERIOD` blocks.
pub struct SessionLength;
impl Get<BlockNumber> for SessionLength {
	fn get() -> BlockNumber {
		SessionPeriod::get().max(MIN_SESSION_PERIOD)
	}
}

impl pallet_session::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type ValidatorId = AccountId;
	type ValidatorIdOf = ConvertInto;
	type ShouldEndSession = pallet_session::PeriodicSessions<SessionLength, SessionOffset>;
	type NextSessionRotation = pallet_session::PeriodicSessions<SessionLength, SessionOffset>;
	// `pallet-validator-set` decides the validators of each session.
	type SessionManager = ValidatorSet;
	type SessionHandler = <SessionKeys as sp_runtime::traits::OpaqueKeys>::KeyTypeIdProviders;
	type Keys = SessionKeys;
	type DisablingStrategy = pallet_session::disabling::UpToLimitDisablingStrategy;
	type WeightInfo = pallet_session::weights::SubstrateWeight<Runtime>;
	type Currency = Balances;
	type KeyDeposit = SessionKeyDeposit;
}

impl pallet_validator_set::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	/// Root: a democracy referendum (or sudo on dev and local chains).
	type AddRemoveOrigin = EnsureRoot<AccountId>;
	type Session = Session;
	type MaxValidators = MaxAuthorities;
	/// A chain may run on one validator (the dev chain does); never on none.
	type MinValidators = ConstU32<1>;
	type WeightInfo = pallet_validator_set::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = ValidatorSetBenchmarkHelper;
}

/// Gives accounts session keys for the validator-set benchmarks. The keys are written directly
/// (no ownership proof can be made for them); the calls only look them up.
#[cfg(feature = "runtime-benchmarks")]
pub struct ValidatorSetBenchmarkHelper;
#[cfg(feature = "runtime-benchmarks")]
impl pallet_validator_set::BenchmarkHelper<AccountId> for ValidatorSetBenchmarkHelper {
	fn register_session_keys(who: &AccountId) {
		use codec::Decode;
		use sp_runtime::traits::TrailingZeroInput;
		if let Ok(keys) = SessionKeys::decode(&mut TrailingZeroInput::new(who.as_ref())) {
			pallet_session::NextKeys::<Runtime>::insert(who, keys);
		}
	}
}
