//! # ModelChain primitives
//!
//! The ids, basic types and cross-pallet traits shared by the runtime, the node and the pallets.
//! Pallets never reach into each other's storage: they talk through the traits defined here, and
//! the runtime wires the implementations together.

#![cfg_attr(not(feature = "std"), no_std)]

use sp_runtime::{
	traits::{IdentifyAccount, Verify},
	MultiSignature,
};

/// An index to a block.
pub type BlockNumber = u32;

/// Signature type used by accounts: sr25519, ed25519 or ecdsa.
pub type Signature = MultiSignature;

/// An account on the chain: the public key of its signing scheme.
pub type AccountId = <<Signature as Verify>::Signer as IdentifyAccount>::AccountId;

/// Balance of an account, in the smallest unit of the native token (12 decimals).
pub type Balance = u128;

/// Index of a transaction of an account.
pub type Nonce = u32;

/// A hash of some data used by the chain.
pub type Hash = sp_core::H256;
