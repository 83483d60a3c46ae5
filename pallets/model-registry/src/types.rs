//! Types of the model registry.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{traits::Get, BoundedVec, CloneNoBound, EqNoBound, PartialEqNoBound};
use modelchain_primitives::{ModelStatus, VersionIndex};
use scale_info::TypeInfo;
use sp_runtime::Perbill;

/// File format of a model's weights.
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
pub enum WeightsFormat {
	/// ONNX graph with weights.
	Onnx,
	/// safetensors tensors.
	Safetensors,
	/// GGUF (llama.cpp / candle quantized models).
	Gguf,
}

/// A version as submitted by its owner.
#[derive(Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo, Debug)]
pub struct VersionInput<Balance> {
	/// blake2-256 (or sha-256) hash of the weights file: workers refuse weights that differ.
	pub weights_hash: [u8; 32],
	/// Where the weights can be fetched (URL or content id).
	pub weights_uri: alloc::vec::Vec<u8>,
	/// File format of the weights.
	pub format: WeightsFormat,
	/// Architecture tag, e.g. `mlp-64-32-10` or `llama`.
	pub architecture: alloc::vec::Vec<u8>,
	/// Hash of the training data set (its fingerprint).
	pub dataset_fingerprint: [u8; 32],
	/// Licence identifier, e.g. `Apache-2.0`.
	pub licence: alloc::vec::Vec<u8>,
	/// Decimals to which outputs are rounded before miners' results are compared (0..=18).
	pub output_precision: u8,
	/// Price of one inference with this version.
	pub price_per_inference: Balance,
}

/// A version as stored: the append-only provenance record.
#[derive(
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	frame_support::DebugNoBound,
)]
#[scale_info(skip_type_params(MaxUriLen, MaxTagLen))]
#[codec(mel_bound(Balance: MaxEncodedLen, BlockNumber: MaxEncodedLen))]
// The derives repeat the inline bounds in their where clauses.
#[allow(clippy::multiple_bound_locations)]
pub struct ModelVersion<
	Balance: Clone + PartialEq + Eq + core::fmt::Debug,
	BlockNumber: Clone + PartialEq + Eq + core::fmt::Debug,
	MaxUriLen: Get<u32>,
	MaxTagLen: Get<u32>,
> {
	/// Hash of the weights file.
	pub weights_hash: [u8; 32],
	/// Where the weights can be fetched.
	pub weights_uri: BoundedVec<u8, MaxUriLen>,
	/// File format of the weights.
	pub format: WeightsFormat,
	/// Architecture tag.
	pub architecture: BoundedVec<u8, MaxTagLen>,
	/// Hash of the training data set.
	pub dataset_fingerprint: [u8; 32],
	/// Licence identifier.
	pub licence: BoundedVec<u8, MaxTagLen>,
	/// Output precision in decimals.
	pub output_precision: u8,
	/// Price of one inference.
	pub price_per_inference: Balance,
	/// Block at which the version was registered.
	pub registered_at: BlockNumber,
}

/// How a model's inference fees are split and served, set by its owner at registration.
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
pub struct ModelEconomics {
	/// Part of each fee paid to the creator (at most `MaxCreatorRoyalty`).
	pub creator_royalty: Perbill,
	/// Part of each fee split among the miners whose result won.
	pub miners_share: Perbill,
	/// Miners assigned to each job (1..=7).
	pub redundancy: u8,
}

/// A registered model.
#[derive(
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	frame_support::DebugNoBound,
)]
#[scale_info(skip_type_params(MaxNameLen, MaxSymbolLen, MaxUriLen))]
#[codec(mel_bound(AccountId: MaxEncodedLen, Balance: MaxEncodedLen, BlockNumber: MaxEncodedLen))]
// The derives repeat the inline bounds in their where clauses.
#[allow(clippy::multiple_bound_locations)]
pub struct ModelInfo<
	AccountId: Clone + PartialEq + Eq + core::fmt::Debug,
	Balance: Clone + PartialEq + Eq + core::fmt::Debug,
	BlockNumber: Clone + PartialEq + Eq + core::fmt::Debug,
	MaxNameLen: Get<u32>,
	MaxSymbolLen: Get<u32>,
	MaxUriLen: Get<u32>,
> {
	/// The creator: changes the model until its shares are issued, receives the royalty.
	pub owner: AccountId,
	/// Human-readable name (also the share asset's name).
	pub name: BoundedVec<u8, MaxNameLen>,
	/// Ticker (also the share asset's symbol).
	pub symbol: BoundedVec<u8, MaxSymbolLen>,
	/// Where a description of the model lives.
	pub metadata_uri: BoundedVec<u8, MaxUriLen>,
	/// Active, paused or retired.
	pub status: ModelStatus,
	/// Index of the version that serves requests.
	pub active_version: VersionIndex,
	/// Number of versions registered so far (the next version's index).
	pub version_count: VersionIndex,
	/// Fee split and redundancy.
	pub economics: ModelEconomics,
	/// Whether shares were issued (then only governance changes the model).
	pub shares_issued: bool,
	/// Storage deposit held from the owner (model plus versions).
	pub deposit: Balance,
	/// Block of registration.
	pub registered_at: BlockNumber,
}
