//! A channel's record, the terms a requester pays by, and the voucher a requester signs.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use modelchain_primitives::{Balance, FeeSplit, ModelVersionRef};
use scale_info::TypeInfo;
use sp_core::H256;
use sp_runtime::Perbill;

/// Identifier of a query channel.
pub type ChannelId = u64;

pub use modelchain_query_protocol::VOUCHER_CONTEXT;

/// The price of a query and how a payment is split, fixed when the channel opens (a later
/// price change or governance vote does not change what the requester agreed to pay).
#[derive(
	Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug,
)]
pub struct ChannelTerms<AccountId> {
	/// Price of one query (the version's price at opening).
	pub price: Balance,
	/// Receives the creator's royalty.
	pub creator: AccountId,
	/// Part of each payment to the creator.
	pub creator_royalty: Perbill,
	/// Part of each payment to the miner.
	pub miners_share: Perbill,
	/// Part of each payment to the treasury.
	pub protocol_fee: Perbill,
}

impl<AccountId> ChannelTerms<AccountId> {
	/// How `amount` paid to the channel's miner is split: the same rule as a job's fee with
	/// one agreeing miner.
	pub fn split(&self, amount: Balance) -> FeeSplit {
		FeeSplit::new(amount, self.protocol_fee, self.creator_royalty, self.miners_share, 1)
	}
}

/// An open query channel: a requester's escrow for one miner's queries of one model version.
#[derive(
	Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug,
)]
pub struct Channel<AccountId, BlockNumber> {
	/// Who pays: its escrow and storage deposit are held.
	pub requester: AccountId,
	/// Who serves the queries and claims the vouchers.
	pub miner: AccountId,
	/// The model version the queries run (the model's active version at opening).
	pub version: ModelVersionRef,
	/// Price and split, fixed at opening.
	pub terms: ChannelTerms<AccountId>,
	/// All the escrow the requester put in (opening and top-ups). A voucher pays at most this.
	pub deposit: Balance,
	/// What the miner's claims paid so far: the highest voucher claimed. The escrow still held
	/// is `deposit - claimed`.
	pub claimed: Balance,
	/// The queries the highest claimed voucher paid for.
	pub queries_claimed: u64,
	/// The receipts commitment of the highest claimed voucher.
	pub receipts_root: H256,
	/// Held from the requester for this record until the channel closes.
	pub storage_deposit: Balance,
	/// Queries are served until this block (the requester can extend it with a top-up).
	pub expires_at: BlockNumber,
	/// Set when the requester asked to close: the miner may claim until this block, then the
	/// channel can be closed and the rest refunded.
	pub closing_at: Option<BlockNumber>,
}

impl<AccountId, BlockNumber> Channel<AccountId, BlockNumber> {
	/// The escrow still held: what a voucher can still pay.
	pub fn escrow_left(&self) -> Balance {
		self.deposit.saturating_sub(self.claimed)
	}
}

/// What a requester signs for each query: "for `channel` I owe `cumulative` in total, for
/// `queries` queries, whose receipts commit to `receipts_root`". Cumulative, so the miner only
/// ever needs the latest one and a lost voucher loses nothing.
///
/// The signed message is `SCALE(VOUCHER_CONTEXT, genesis_hash, voucher)` (see
/// `Pallet::voucher_message`): a voucher of another chain or another channel does not verify.
#[derive(
	Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug,
)]
pub struct Voucher {
	/// The channel it pays into.
	pub channel: ChannelId,
	/// Everything the requester owes the miner on this channel, this query included.
	pub cumulative: Balance,
	/// The number of queries `cumulative` pays for.
	pub queries: u64,
	/// The requester's commitment to the receipts of the queries it was answered (the root
	/// audits and challenges are checked against).
	pub receipts_root: H256,
}

/// What a miner signs for each paid query it answers (the bytes are
/// `modelchain_query_protocol::Receipt`'s: the same fields in the same order).
#[derive(
	Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug,
)]
pub struct Receipt {
	/// The channel the query was paid on.
	pub channel: ChannelId,
	/// The query's number on the channel, from 1.
	pub sequence: u64,
	/// The model run.
	pub model: u32,
	/// The version run.
	pub version: u32,
	/// `blake2_256` of the input.
	pub input_hash: H256,
	/// `blake2_256(SCALE(output))`.
	pub output_hash: H256,
	/// The voucher amount that paid for it.
	pub cumulative: Balance,
}

impl From<&Receipt> for modelchain_query_protocol::Receipt {
	fn from(receipt: &Receipt) -> Self {
		Self {
			channel: receipt.channel,
			sequence: receipt.sequence,
			model: receipt.model,
			version: receipt.version,
			input_hash: receipt.input_hash.0,
			output_hash: receipt.output_hash.0,
			cumulative: receipt.cumulative,
		}
	}
}

/// A receipt challenged as a wrong answer, while the validators check it.
#[derive(
	Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug,
)]
pub struct Challenge<AccountId> {
	/// Who challenged: its deposit is held.
	pub challenger: AccountId,
	/// The channel of the receipt.
	pub channel: ChannelId,
	/// The receipt's query number.
	pub sequence: u64,
	/// The miner that signed the receipt.
	pub miner: AccountId,
	/// The channel's requester, refunded the query's price if the answer was wrong.
	pub requester: AccountId,
	/// The query's price.
	pub price: Balance,
	/// The challenger's deposit.
	pub deposit: Balance,
}

/// Identifier of an audit.
pub type AuditId = u64;

/// The receipts a claim committed to, waiting for their audit draw (in a later block, from
/// randomness the miner cannot know when it claims).
#[derive(
	Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug,
)]
pub struct Draw<AccountId, BlockNumber> {
	/// The channel claimed.
	pub channel: ChannelId,
	/// Who claimed, and must answer the audits.
	pub miner: AccountId,
	/// The requester, refunded a query whose answer an audit proves wrong.
	pub requester: AccountId,
	/// The version the queries ran.
	pub version: ModelVersionRef,
	/// The query price.
	pub price: Balance,
	/// The receipts root the claimed voucher signed.
	pub root: H256,
	/// How many receipts the root commits to.
	pub count: u64,
	/// The first receipt (index from 0) not committed by an earlier claim: the draw picks
	/// among `from..count`.
	pub from: u64,
	/// The claim's block.
	pub claimed_at: BlockNumber,
}

/// A receipt drawn for audit: the miner must reveal it (with its input, output and Merkle
/// proof) before `deadline`; the validators then re-execute it.
#[derive(
	Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug,
)]
pub struct Audit<AccountId, BlockNumber> {
	/// The receipt's claim.
	pub draw: Draw<AccountId, BlockNumber>,
	/// The receipt drawn (index from 0; its query number is `index + 1`).
	pub index: u64,
	/// The miner reveals before this block, or is slashed.
	pub deadline: BlockNumber,
	/// The validators' check of the revealed answer, once revealed.
	pub check: Option<modelchain_primitives::JobId>,
}
