//! Types of the access pallet: policies, licence offers, licences and access records.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use modelchain_primitives::{JobId, LicenceId, ModelId, ModelVersionRef};
use scale_info::TypeInfo;

/// Identifier of a licence offer, counted per model.
pub type OfferId = u32;

pub use modelchain_primitives::AccessPolicy;

/// What a licence bought from an offer grants. At least one of `duration` and `queries` is set.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
)]
pub struct LicenceTerms<Balance, BlockNumber> {
	/// Paid once by the buyer, split like an inference fee: the protocol fee to the treasury,
	/// the creator's royalty, the rest to the share holders (to the creator if no shares).
	pub price: Balance,
	/// Blocks the licence is valid for from its purchase (`None`: until its queries are used).
	pub duration: Option<BlockNumber>,
	/// Requests the licence allows (`None`: unlimited until it expires).
	pub queries: Option<u32>,
	/// Whether its holder may give it to another account.
	pub transferable: bool,
}

/// A licence offer of a model, defined by its owner.
#[derive(
	Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug,
)]
pub struct LicenceOffer<AccountId, Balance, BlockNumber> {
	/// What a licence of this offer grants and costs.
	pub terms: LicenceTerms<Balance, BlockNumber>,
	/// Who created the offer and holds its deposit.
	pub depositor: AccountId,
	/// Held from `depositor` until the offer is withdrawn.
	pub deposit: Balance,
	/// Licences sold so far.
	pub sold: u32,
}

/// A licence: the right of `holder` to request inference of `model`.
#[derive(
	Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug,
)]
pub struct Licence<AccountId, Balance, BlockNumber> {
	/// The licence's id, named in every access made with it.
	pub id: LicenceId,
	/// The licensed model.
	pub model: ModelId,
	/// The offer it was bought from.
	pub offer: OfferId,
	/// Who may use it.
	pub holder: AccountId,
	/// From this block on it can no longer be used (`None`: never expires).
	pub expires_at: Option<BlockNumber>,
	/// Requests left (`None`: unlimited until it expires). A licence whose last query is used
	/// is removed at once.
	pub queries_left: Option<u32>,
	/// Whether the holder may give it to another account.
	pub transferable: bool,
	/// Who paid the licence's storage deposit (the buyer; it stays theirs after a transfer).
	pub depositor: AccountId,
	/// Held from `depositor` until the licence ends (expires, is used up or is dropped).
	pub deposit: Balance,
	/// The block it was bought in.
	pub bought_at: BlockNumber,
}

impl<AccountId, Balance, BlockNumber: PartialOrd> Licence<AccountId, Balance, BlockNumber> {
	/// Whether the licence can be used at block `now`: not expired and with queries left.
	pub fn usable_at(&self, now: &BlockNumber) -> bool {
		self.expires_at.as_ref().is_none_or(|end| now < end) && self.queries_left != Some(0)
	}
}

/// One access to a model: a request of inference, kept in the model's recent window.
#[derive(
	Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug,
)]
pub struct AccessRecord<AccountId, BlockNumber> {
	/// Who requested.
	pub requester: AccountId,
	/// The version the request runs.
	pub version: ModelVersionRef,
	/// The licence it used, on a licensed model.
	pub licence: Option<LicenceId>,
	/// The job it created.
	pub job: JobId,
	/// The block of the request.
	pub at: BlockNumber,
}
