//! # Query channels
//!
//! The second way to pay for inference, next to on-chain jobs: a requester pays one miner per
//! query off chain with signed vouchers, and the miner settles any number of queries with one
//! claim. The payment is split on chain exactly like a job's fee (the treasury's protocol fee,
//! the creator's royalty, the miner's part, the share holders' part through the shares pallet's
//! O(1) revenue deposit).
//!
//! ## Lifecycle
//! 1. [`Pallet::open_channel`]: the requester names a miner serving the model's active version
//!    (bonded, not chilled, not jailed) and the escrow it puts in; the model's access policy
//!    must allow it. The escrow is held ([`HoldReason::ChannelEscrow`]) with the storage
//!    deposit of the record ([`HoldReason::ChannelStorage`]). The version, the price and the
//!    split are fixed for the channel's life. At most `MaxChannelsPerRequester` channels per
//!    requester.
//! 2. Off chain, for each query the requester sends the miner a [`Voucher`] signed with its
//!    account key: the cumulative amount it owes (the previous one plus the price), the number
//!    of queries, and a commitment to the receipts it holds. The miner answers with the output
//!    and a receipt it signs.
//! 3. [`Pallet::claim`]: the miner submits the latest voucher. The pallet checks the signature
//!    (over the genesis hash and the voucher), pays `cumulative - claimed` from the escrow and
//!    splits it, in O(1) whatever the number of queries and holders. A voucher is never paid
//!    twice (only a higher cumulative amount pays anything), never pays more than its
//!    requester signed, never more than the escrow.
//! 4. [`Pallet::top_up`] adds escrow and may extend the channel's life.
//! 5. [`Pallet::close_channel`]: the miner closes at once (it gives up claiming); the requester
//!    asks to close and the miner keeps `ClaimGrace` blocks to claim the last voucher, after
//!    which either closes it. Once a channel expired and `ClaimGrace` passed, the requester
//!    closes it at once. Closing refunds the escrow left and releases the storage deposit.
//!
//! 6. [`Pallet::challenge`]: anyone holding a receipt the miner signed, its input and its output
//!    (the requester, typically) submits them with `ChallengeDeposit` while the channel is
//!    open. The validators re-execute the query (the inference pallet's checks: the same
//!    verifiers, verdicts and k-of-n rule as jobs). A wrong answer slashes the miner, refunds
//!    the query's price to the requester and rewards the challenger from the slash; a right
//!    one gives the challenger's deposit to the miner.
//! 7. Audits (see `audits.rs`): each claim's newly committed receipts are drawn from in a later
//!    block (`AuditDrawn`); the miner reveals each drawn receipt with [`Pallet::reveal_audit`]
//!    (input, output, Merkle proof under the root the requester signed) within
//!    `AuditRevealWindow` blocks or is slashed; the validators re-execute it like a challenge.
//!
//! Every refused call changes nothing and names its error.

#![cfg_attr(not(feature = "std"), no_std)]
#![cfg_attr(
	not(test),
	// `expect_used` is left out: FRAME's macro expansions use it.
	deny(
		clippy::unwrap_used,
		clippy::indexing_slicing,
		clippy::arithmetic_side_effects,
		clippy::panic
	)
)]

extern crate alloc;

pub use pallet::*;

mod audits;
#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod challenges;
mod functions;
#[cfg(any(feature = "try-runtime", test))]
mod invariants;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;
pub mod types;
pub mod weights;

pub use types::*;
pub use weights::WeightInfo;

/// Sets up what the benchmarks need from the other pallets.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId, Signature> {
	/// Registers an active model with issued shares and a bonded miner serving its active
	/// version, makes the model licensed and sells `requester` a licence (the access check's
	/// longest path); returns the model and the miner.
	fn model_with_miner(requester: &AccountId) -> (modelchain_primitives::ModelId, AccountId);

	/// A new account whose key [`Self::sign`] signs with.
	fn signer() -> AccountId;

	/// `signer`'s signature of `message` (`signer` from [`Self::signer`]).
	fn sign(signer: &AccountId, message: &[u8]) -> Signature;
}

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::{
		pallet_prelude::*,
		traits::{
			fungible::{Inspect, Mutate, MutateHold},
			Get,
		},
	};
	use frame_system::pallet_prelude::*;
	use modelchain_primitives::{
		AccessControl, Balance, ComputeStakingInterface, FreshRandomness, JobId, ModelId,
		ModelRegistryInterface, OutputChecks, RevenueSink,
	};
	use sp_core::H256;
	use sp_runtime::{
		traits::{IdentifyAccount, Verify},
		Perbill,
	};

	/// A channel with this runtime's types.
	pub type ChannelOf<T> = Channel<<T as frame_system::Config>::AccountId, BlockNumberFor<T>>;
	/// A claim's pending audit draw.
	pub type DrawOf<T> = Draw<<T as frame_system::Config>::AccountId, BlockNumberFor<T>>;
	/// An audit.
	pub type AuditOf<T> = Audit<<T as frame_system::Config>::AccountId, BlockNumberFor<T>>;

	/// The storage version (0: no migration yet). Bumped with every change of a stored type,
	/// with a migration in `migrations.rs`.
	pub const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// A channel's escrow: what its vouchers can still pay.
		ChannelEscrow,
		/// The storage deposit of a channel's record, until the channel closes.
		ChannelStorage,
		/// A challenger's deposit, until the validators decide its challenge.
		ChallengeDeposit,
	}

	#[pallet::config]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// The native currency: escrows, deposits and payments.
		type Currency: Inspect<Self::AccountId, Balance = Balance>
			+ Mutate<Self::AccountId>
			+ MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;
		/// The overarching hold reason.
		type RuntimeHoldReason: From<HoldReason>;
		/// Models: active version, price, creator and split, whether shares were issued.
		type Registry: ModelRegistryInterface<Self::AccountId, Balance>;
		/// Which miners serve a version now.
		type Staking: ComputeStakingInterface<Self::AccountId, Balance>;
		/// Access policies and licences, checked at opening.
		type Access: AccessControl<Self::AccountId>;
		/// Where the share holders' part of each payment goes.
		type Revenue: RevenueSink<Self::AccountId, Balance>;
		/// Receives the protocol fee.
		type Treasury: Get<Self::AccountId>;
		/// The protocol fee (the inference protocol fee governance sets).
		type ProtocolFee: Get<Perbill>;
		/// A signature of an account's key (the runtime's `MultiSignature`).
		type OffchainSignature: Verify<Signer = Self::OffchainPublic> + Parameter + MaxEncodedLen;
		/// The key a signature is checked with, identifying an account.
		type OffchainPublic: IdentifyAccount<AccountId = Self::AccountId>;
		/// Held from the requester for each channel's record.
		#[pallet::constant]
		type ChannelDeposit: Get<Balance>;
		/// Most channels one requester has open at once.
		#[pallet::constant]
		type MaxChannelsPerRequester: Get<u32>;
		/// Longest life of a channel from its opening or latest extension, in blocks.
		#[pallet::constant]
		type MaxLifetime: Get<BlockNumberFor<Self>>;
		/// Blocks the miner keeps to claim after the requester asked to close or the channel
		/// expired.
		#[pallet::constant]
		type ClaimGrace: Get<BlockNumberFor<Self>>;
		/// The validators' re-execution of a challenged answer (the inference pallet).
		type Checks: OutputChecks<Self::AccountId>;
		/// Held from a challenger until its challenge is decided; the miner's if the answer
		/// was right.
		#[pallet::constant]
		type ChallengeDeposit: Get<Balance>;
		/// Part of a wrong answer's slash paid to its challenger.
		#[pallet::constant]
		type ChallengerReward: Get<Perbill>;
		/// Longest input a challenge carries (the inference pallet's inline input bound).
		#[pallet::constant]
		type MaxInputLen: Get<u32>;
		/// Most values an output a challenge carries has (the inference pallet's bound).
		#[pallet::constant]
		type MaxOutputValues: Get<u32>;
		/// Randomness of the current block that nobody could choose (the slot author's VRF
		/// output): draws the audited receipts in a later block than the claim's.
		type Randomness: FreshRandomness;
		/// Most receipts one claim's draw audits.
		#[pallet::constant]
		type MaxAuditsPerClaim: Get<u32>;
		/// Blocks a miner has to reveal an audited receipt.
		#[pallet::constant]
		type AuditRevealWindow: Get<BlockNumberFor<Self>>;
		/// Most claims drawn, and most audits expired, per block.
		#[pallet::constant]
		type MaxAuditWorkPerBlock: Get<u32>;
		/// Most claims waiting for their draw; a claim beyond is refused until the queue
		/// drains.
		#[pallet::constant]
		type MaxPendingDraws: Get<u32>;
		/// The audit rate before governance sets one.
		#[pallet::constant]
		type DefaultAuditRate: Get<Perbill>;
		/// Who sets the audit rate (root or a passed referendum).
		type AuditOrigin: EnsureOrigin<Self::RuntimeOrigin>;
		/// Weights of the calls.
		type WeightInfo: WeightInfo;
		/// Sets up models, miners and signing keys for the benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper<Self::AccountId, Self::OffchainSignature>;
	}

	/// Open channels by id.
	#[pallet::storage]
	pub type Channels<T: Config> = StorageMap<_, Twox64Concat, ChannelId, ChannelOf<T>>;

	/// The id the next channel gets.
	#[pallet::storage]
	pub type NextChannelId<T: Config> = StorageValue<_, ChannelId, ValueQuery>;

	/// Receipts being challenged, by the id of the validators' check.
	#[pallet::storage]
	pub type Challenges<T: Config> = StorageMap<_, Twox64Concat, JobId, Challenge<T::AccountId>>;

	/// The check of each receipt being challenged, by `(channel, sequence)`: one challenge of a
	/// receipt at a time.
	#[pallet::storage]
	pub type ChallengedReceipts<T: Config> = StorageMap<_, Twox64Concat, (ChannelId, u64), JobId>;

	/// The part of each claim's newly committed receipts drawn for audit (rounded up, at most
	/// `MaxAuditsPerClaim`), set by governance.
	#[pallet::storage]
	pub type AuditRate<T: Config> = StorageValue<_, Perbill, ValueQuery, T::DefaultAuditRate>;

	/// Claims waiting for their audit draw, in claim order.
	#[pallet::storage]
	pub type Draws<T: Config> = StorageMap<_, Twox64Concat, u64, DrawOf<T>>;

	/// `(first, next)` ids of the draw queue.
	#[pallet::storage]
	pub type DrawBounds<T: Config> = StorageValue<_, (u64, u64), ValueQuery>;

	/// Audits drawn and not decided yet.
	#[pallet::storage]
	pub type Audits<T: Config> = StorageMap<_, Twox64Concat, AuditId, AuditOf<T>>;

	/// `(first audit that may still expire, next audit id)`: audits expire in id order.
	#[pallet::storage]
	pub type AuditBounds<T: Config> = StorageValue<_, (u64, u64), ValueQuery>;

	/// The audit each validators' check re-executes.
	#[pallet::storage]
	pub type AuditChecks<T: Config> = StorageMap<_, Twox64Concat, JobId, AuditId>;

	/// How many channels each requester has open.
	#[pallet::storage]
	pub type ChannelsOf<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, u32, ValueQuery>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// `requester` opened `channel` to `miner` for `model`'s active `version`: `deposit`
		/// is held as escrow (and the storage deposit with it), queries are served until
		/// `expires_at` at `price` each.
		ChannelOpened {
			channel: ChannelId,
			requester: T::AccountId,
			miner: T::AccountId,
			model: ModelId,
			version: u32,
			price: Balance,
			deposit: Balance,
			expires_at: BlockNumberFor<T>,
		},
		/// The requester added `amount` to the escrow (now `deposit` in all); the channel
		/// serves until `expires_at`.
		ChannelToppedUp {
			channel: ChannelId,
			amount: Balance,
			deposit: Balance,
			expires_at: BlockNumberFor<T>,
		},
		/// The miner claimed a voucher of `cumulative` for `queries` queries: `amount` (the
		/// part not claimed before) left the escrow, split among the treasury, the creator,
		/// the miner and the share holders; `refunded` of it could not be paid (below a
		/// recipient's existential deposit) and went back to the requester.
		Claimed {
			channel: ChannelId,
			miner: T::AccountId,
			cumulative: Balance,
			queries: u64,
			receipts_root: sp_core::H256,
			amount: Balance,
			treasury: Balance,
			creator: Balance,
			miner_part: Balance,
			holders: Balance,
			refunded: Balance,
		},
		/// The requester asked to close `channel`: the miner may claim until `closing_at`.
		ChannelClosing { channel: ChannelId, closing_at: BlockNumberFor<T> },
		/// `challenger` challenged the answer of query `sequence` of `channel`: the
		/// validators re-execute it in `check` (the inference pallet's `CheckOpened`).
		ReceiptChallenged {
			channel: ChannelId,
			sequence: u64,
			challenger: T::AccountId,
			check: JobId,
		},
		/// The validators found the challenged answer wrong: `miner` lost `slashed`; the
		/// challenger got `reward` and its deposit back (`deposit_back`), the requester
		/// `refund` (the query's price), both out of the slash.
		ChallengeUpheld {
			check: JobId,
			channel: ChannelId,
			sequence: u64,
			miner: T::AccountId,
			slashed: Balance,
			reward: Balance,
			refund: Balance,
			deposit_back: Balance,
		},
		/// The validators found the challenged answer right: the challenger's deposit,
		/// `forfeited`, went to the miner.
		ChallengeRejected {
			check: JobId,
			channel: ChannelId,
			sequence: u64,
			challenger: T::AccountId,
			forfeited: Balance,
		},
		/// No majority of validators decided in time: the deposit went back.
		ChallengeUndecided {
			check: JobId,
			channel: ChannelId,
			sequence: u64,
			deposit_back: Balance,
		},
		/// Governance set the audit rate.
		AuditRateSet { rate: Perbill },
		/// Receipt `index` (query `index + 1`) of the `count` a claim of `channel` committed
		/// to is audited: `miner` must reveal it before `deadline` (`revealAudit`).
		AuditDrawn {
			audit: AuditId,
			channel: ChannelId,
			miner: T::AccountId,
			index: u64,
			count: u64,
			deadline: BlockNumberFor<T>,
		},
		/// The miner revealed the audited receipt; the validators re-execute it in `check`.
		AuditRevealed { audit: AuditId, check: JobId },
		/// The validators found the audited answer right.
		AuditPassed { audit: AuditId, channel: ChannelId },
		/// The validators found the audited answer wrong: `miner` lost `slashed`, the
		/// requester got the query's price back (`refund`) out of it.
		AuditFailed {
			audit: AuditId,
			channel: ChannelId,
			miner: T::AccountId,
			slashed: Balance,
			refund: Balance,
		},
		/// No majority of validators decided the audit in time: nobody is slashed.
		AuditUndecided { audit: AuditId, channel: ChannelId },
		/// The miner did not reveal an audited receipt in time and lost `slashed`.
		AuditMissed { audit: AuditId, channel: ChannelId, miner: T::AccountId, slashed: Balance },
		/// `channel` closed: the escrow left, `refunded`, and the storage deposit went back to
		/// the requester.
		ChannelClosed {
			channel: ChannelId,
			requester: T::AccountId,
			claimed: Balance,
			refunded: Balance,
			deposit_released: Balance,
		},
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The model does not exist or does not serve requests.
		ModelNotServing,
		/// The miner does not serve the model's active version now (not a miner of it, bonded
		/// below the minimum, chilled or jailed).
		MinerNotServing,
		/// The escrow does not pay for even one query.
		DepositBelowPrice,
		/// The lifetime is zero or longer than `MaxLifetime`.
		BadLifetime,
		/// The requester has `MaxChannelsPerRequester` channels open.
		TooManyChannels,
		/// The requester cannot hold the escrow and the storage deposit.
		InsufficientBalance,
		/// No open channel has this id.
		UnknownChannel,
		/// Only the channel's requester may do this.
		NotRequester,
		/// Only the channel's miner may claim.
		NotMiner,
		/// Only the channel's requester or miner may close it.
		NotParticipant,
		/// The voucher is for another channel.
		WrongChannel,
		/// The voucher's signature is not the requester's over this chain's voucher message.
		BadSignature,
		/// The voucher pays nothing that was not claimed already.
		VoucherNotNewer,
		/// The voucher pays for fewer queries than one claimed before.
		FewerQueries,
		/// The voucher owes more than the escrow ever held.
		VoucherAboveDeposit,
		/// The miner's time to claim is over (the channel expired or is closing, and the
		/// grace passed).
		ClaimWindowOver,
		/// The requester asked to close the channel: no top-ups.
		ChannelClosing,
		/// The channel expired: open a new one.
		ChannelExpired,
		/// The miner's grace to claim has not passed yet.
		GraceNotOver,
		/// A top-up of nothing.
		ZeroAmount,
		/// The receipt is not of the channel's model version or does not match the input
		/// and output given (their hashes), or its query number is 0.
		ReceiptMismatch,
		/// This receipt is being challenged already.
		AlreadyChallenged,
		/// The claim settles more new queries than one claim may (`MaxAuditsPerClaim /
		/// AuditRate`): claim an earlier voucher first.
		ClaimTooLarge,
		/// Too many claims wait for their audit draw; try again in a few blocks.
		TooManyPendingDraws,
		/// No such audit (never drawn, or decided).
		UnknownAudit,
		/// The audit was revealed already, or its reveal window passed.
		AuditClosed,
		/// The Merkle proof does not put the receipt under the claimed root at its index.
		BadProof,
		/// An id or amount overflowed.
		Overflow,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn integrity_test() {
			use sp_runtime::traits::Zero;
			assert!(!T::MaxLifetime::get().is_zero(), "MaxLifetime must be at least one block");
			assert!(T::MaxChannelsPerRequester::get() >= 1, "MaxChannelsPerRequester must be >= 1");
			assert!(T::MaxAuditsPerClaim::get() >= 1, "MaxAuditsPerClaim must be >= 1");
			assert!(!T::AuditRevealWindow::get().is_zero(), "AuditRevealWindow must be >= 1");
			assert!(T::MaxAuditWorkPerBlock::get() >= 1, "MaxAuditWorkPerBlock must be >= 1");
		}

		fn on_initialize(now: BlockNumberFor<T>) -> Weight {
			let work = Self::expire_audits(now);
			Self::expiries_weight(&work)
		}

		/// Audit draws need the block's fresh randomness, set by its inherent: after
		/// `on_initialize`.
		fn on_poll(now: BlockNumberFor<T>, meter: &mut frame_support::weights::WeightMeter) {
			Self::draw_pending(now, meter);
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Opens a query channel to `miner` for `model`'s active version, holding `deposit` as
		/// escrow and the channel's storage deposit; the channel serves for `lifetime` blocks
		/// (at most `MaxLifetime`).
		///
		/// Fails, holding nothing, if the model is not serving, `miner` does not serve its
		/// active version now, the model's access policy refuses the signer, `deposit` is
		/// below one query's price, the lifetime is zero or too long, or the signer has
		/// `MaxChannelsPerRequester` channels open. Emits `ChannelOpened`.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::open_channel())]
		pub fn open_channel(
			origin: OriginFor<T>,
			miner: T::AccountId,
			model: ModelId,
			deposit: Balance,
			lifetime: BlockNumberFor<T>,
		) -> DispatchResult {
			let requester = ensure_signed(origin)?;
			Self::do_open_channel(requester, miner, model, deposit, lifetime)
		}

		/// Adds `amount` to `channel`'s escrow; with `lifetime`, the channel then serves until
		/// `lifetime` blocks from now (at most `MaxLifetime`, never shorter than before).
		///
		/// Only the requester, before the channel expires and unless it asked to close.
		/// Emits `ChannelToppedUp`.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::top_up())]
		pub fn top_up(
			origin: OriginFor<T>,
			channel: ChannelId,
			amount: Balance,
			lifetime: Option<BlockNumberFor<T>>,
		) -> DispatchResult {
			let requester = ensure_signed(origin)?;
			Self::do_top_up(requester, channel, amount, lifetime)
		}

		/// Claims `voucher`, signed by the channel's requester: pays what it owes beyond what
		/// was claimed before out of the escrow, split among the treasury, the creator, the
		/// miner and the share holders.
		///
		/// Only the channel's miner, until the channel expired or closing and `ClaimGrace`
		/// passed. Refused if the signature is not the requester's over this chain's voucher
		/// message, the voucher is for another channel, pays nothing new, counts fewer queries
		/// than a claimed one, or owes more than the escrow ever held. The new queries are
		/// counted against the requester's licence of a licensed model (at most what it has
		/// left; the access pallet's `LicenceQueriesUsed`). Emits `Claimed`.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::claim().saturating_add(T::Access::use_queries_weight()))]
		pub fn claim(
			origin: OriginFor<T>,
			channel: ChannelId,
			voucher: Voucher,
			signature: T::OffchainSignature,
		) -> DispatchResult {
			let miner = ensure_signed(origin)?;
			Self::do_claim(miner, channel, voucher, signature)
		}

		/// Challenges the answer a miner gave: `receipt`, signed by the channel's miner
		/// (`signature`, over `SCALE(b"modelchain/receipt", genesis_hash, receipt)`), with the
		/// query's `input` and the `output` it was answered. Holds `ChallengeDeposit`; the
		/// validators re-execute the query and decide (see the pallet's documentation).
		///
		/// Anyone may challenge, while the channel is open or closing. Refused if the receipt
		/// is not of the channel's version, does not match the input and output, is not signed
		/// by the channel's miner, or is being challenged already. Emits `ReceiptChallenged`.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::challenge())]
		pub fn challenge(
			origin: OriginFor<T>,
			receipt: Receipt,
			signature: T::OffchainSignature,
			input: BoundedVec<u8, T::MaxInputLen>,
			output: BoundedVec<i64, T::MaxOutputValues>,
		) -> DispatchResult {
			let challenger = ensure_signed(origin)?;
			Self::do_challenge(
				challenger,
				receipt,
				signature,
				input.into_inner(),
				output.into_inner(),
			)
			.map(|_| ())
		}

		/// Reveals audited receipt `audit`: the `receipt` (query `index + 1` of the audited
		/// claim), its `input` and `output`, and the Merkle `proof` (siblings from the leaf up,
		/// 32 of them) that it is under the receipts root the requester signed. The validators
		/// then re-execute it (`AuditRevealed`; `AuditPassed` or `AuditFailed` follows).
		///
		/// Only the audited miner, before the audit's deadline, once. Refused if the receipt is
		/// not the audited one or does not match the input and output, or the proof fails.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::reveal_audit())]
		pub fn reveal_audit(
			origin: OriginFor<T>,
			audit: AuditId,
			receipt: Receipt,
			input: BoundedVec<u8, T::MaxInputLen>,
			output: BoundedVec<i64, T::MaxOutputValues>,
			proof: BoundedVec<H256, ConstU32<{ modelchain_query_protocol::TREE_DEPTH as u32 }>>,
		) -> DispatchResult {
			let miner = ensure_signed(origin)?;
			Self::do_reveal_audit(
				miner,
				audit,
				receipt,
				input.into_inner(),
				output.into_inner(),
				proof.into_inner(),
			)
		}

		/// Sets the audit rate: the part of each claim's newly committed receipts drawn for
		/// audit. `AuditOrigin` only. Emits `AuditRateSet`.
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::set_audit_rate())]
		pub fn set_audit_rate(origin: OriginFor<T>, rate: Perbill) -> DispatchResult {
			T::AuditOrigin::ensure_origin(origin)?;
			Self::do_set_audit_rate(rate)
		}

		/// Closes `channel`, or asks to.
		///
		/// The miner closes at once (giving up its claims). The requester closes at once once
		/// the channel expired and `ClaimGrace` passed, or `ClaimGrace` after asking to close;
		/// otherwise its call asks to close (`ChannelClosing`) and the miner keeps `ClaimGrace`
		/// blocks to claim. Closing refunds the escrow left and releases the storage deposit
		/// (`ChannelClosed`).
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::close_channel())]
		pub fn close_channel(origin: OriginFor<T>, channel: ChannelId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_close_channel(who, channel)
		}
	}
}
