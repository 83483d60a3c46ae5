//! The off-chain protocol of paid queries: what a requester signs for each query (a
//! [`Voucher`]), what a miner signs for each answer (a [`Receipt`]), and the Merkle tree of
//! receipts that a voucher commits to.
//!
//! One crate for the places that must agree byte for byte: the runtime (claims check voucher
//! signatures; audits check a revealed receipt against a claimed root), the worker (checks
//! vouchers, signs receipts, checks every voucher's root against the receipts it gave) and the
//! requester's client.
//!
//! # Encodings
//!
//! * A [`Voucher`] is SCALE-encoded in field order: `channel: u64, cumulative: u128,
//!   queries: u64, receipts_root: [u8; 32]`. The requester signs [`voucher_message`]:
//!   `SCALE(b"modelchain/voucher", genesis_hash, voucher)` (test vector in the query-channels
//!   pallet's tests and in docs/architecture.md).
//! * A [`Receipt`] is SCALE-encoded in field order: `channel: u64, sequence: u64, model: u32,
//!   version: u32, input_hash: [u8; 32], output_hash: [u8; 32], cumulative: u128`.
//! * The miner signs (sr25519) [`Receipt::message`]: `SCALE(b"modelchain/receipt",
//!   genesis_hash, receipt)` — the context with its compact length prefix (`0x48`), so that a
//!   receipt of another chain, or any other message, does not verify.
//! * `input_hash = blake2_256(input bytes)`; `output_hash = blake2_256(SCALE(output))` with the
//!   output a `Vec<i64>` (compact length, then each value little-endian).
//! * A receipt's leaf is `blake2_256(SCALE(receipt))`.
//! * The receipts of a channel, in sequence order, are the leaves of a binary Merkle tree of
//!   depth [`TREE_DEPTH`] padded with zero leaves; an inner node is `blake2_256(left ++ right)`.
//!   The receipts root is `blake2_256(SCALE(tree_root, count: u64))`: the count is part of it,
//!   so a root for `n` receipts never equals one for `n + 1`.
//! * The voucher for query `n` (which pays for `n` queries) commits to the root of receipts
//!   `1..n-1`, the ones the requester holds when it signs: the first voucher commits to
//!   [`ReceiptsTree::new`]'s root, the root of no receipts.
//!
//! # Test vector
//!
//! Genesis `0x11…11`, receipt `{ channel: 7, sequence: 3, model: 0, version: 1, input_hash:
//! 0x22…22, output_hash: 0x33…33, cumulative: 3_000_000_000 }`:
//! * message: `0x486d6f64656c636861696e2f72656365697074` `11`×32 `0700000000000000`
//!   `0300000000000000` `00000000` `01000000` `22`×32 `33`×32
//!   `005ed0b2000000000000000000000000`;
//! * leaf: `0x26b06c71a9f5fc23ee85dac80170a72a1ed4dde558224b709eb2cfc1c4b3499f`;
//! * root of no receipts: `0x4a0b17416e47d8e7664e31ac23a96e762ab4a63a493001a0be1ab74f7ec55dde`;
//! * root of this receipt alone: `0xf9cef2dd11050d9a8e7a0447faa2809c2beef84f43cb0b220e05a55988932706`.
//!
//! `the_documented_test_vector` below checks them, and the JavaScript tests check the same.

#![cfg_attr(not(feature = "std"), no_std)]
#![cfg_attr(
	test,
	allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::arithmetic_side_effects)
)]

extern crate alloc;

use alloc::vec::Vec;
use codec::{Decode, Encode};
use sp_crypto_hashing::blake2_256;

/// A 32-byte hash.
pub type Hash = [u8; 32];

/// Prefix of what a voucher signature covers.
pub const VOUCHER_CONTEXT: &[u8] = b"modelchain/voucher";

/// Prefix of what a receipt signature covers.
pub const RECEIPT_CONTEXT: &[u8] = b"modelchain/receipt";

/// Depth of the receipts tree: up to 2^32 receipts per channel.
pub const TREE_DEPTH: usize = 32;

/// What a requester signs for each query: "on `channel` I owe `cumulative` in all, for
/// `queries` queries, and the receipts I was given for the earlier ones have root
/// `receipts_root`". Cumulative, so that only the latest one matters and a lost one loses
/// nothing.
#[derive(Clone, PartialEq, Eq, Encode, Decode, Debug)]
pub struct Voucher {
	/// The channel it pays into.
	pub channel: u64,
	/// Everything the requester owes the miner on this channel, this query included.
	pub cumulative: u128,
	/// The number of queries `cumulative` pays for (this query is number `queries`).
	pub queries: u64,
	/// Root of the receipts of queries `1..queries` (see [`ReceiptsTree::root`]).
	pub receipts_root: Hash,
}

/// What the requester signs for `voucher` on the chain whose genesis hash is `genesis_hash`:
/// `SCALE(VOUCHER_CONTEXT, genesis_hash, voucher)`.
pub fn voucher_message(genesis_hash: &Hash, voucher: &Voucher) -> Vec<u8> {
	(VOUCHER_CONTEXT, genesis_hash, voucher).encode()
}

/// What the miner signs for one paid query it answered.
#[derive(Clone, PartialEq, Eq, Encode, Decode, Debug)]
pub struct Receipt {
	/// The channel the query was paid on.
	pub channel: u64,
	/// The query's number on the channel, from 1 (the `queries` of the voucher that paid it).
	pub sequence: u64,
	/// The model run.
	pub model: u32,
	/// The model version run.
	pub version: u32,
	/// `blake2_256` of the input.
	pub input_hash: Hash,
	/// `blake2_256(SCALE(output))`.
	pub output_hash: Hash,
	/// The voucher's cumulative amount that paid for the query.
	pub cumulative: u128,
}

impl Receipt {
	/// What the miner signs: `SCALE(RECEIPT_CONTEXT, genesis_hash, receipt)`.
	pub fn message(&self, genesis_hash: &Hash) -> Vec<u8> {
		(RECEIPT_CONTEXT, genesis_hash, self).encode()
	}

	/// The receipt's leaf in its channel's receipts tree.
	pub fn leaf(&self) -> Hash {
		blake2_256(&self.encode())
	}
}

/// `blake2_256` of a query's input.
pub fn input_hash(input: &[u8]) -> Hash {
	blake2_256(input)
}

/// `blake2_256(SCALE(output))`.
pub fn output_hash(output: &[i64]) -> Hash {
	blake2_256(&output.encode())
}

/// The channel has 2^[`TREE_DEPTH`] receipts already.
#[derive(Debug, PartialEq, Eq)]
pub struct TreeFull;

/// An append-only Merkle tree of receipts, kept as its right frontier: O(depth) memory, O(depth)
/// hashes per leaf and per root, whatever the number of receipts.
#[derive(Clone, PartialEq, Eq, Encode, Decode, Debug)]
pub struct ReceiptsTree {
	count: u64,
	/// `frontier[h]`: the last complete left subtree of height `h` still waiting for its right
	/// sibling.
	frontier: [Hash; TREE_DEPTH],
}

impl Default for ReceiptsTree {
	fn default() -> Self {
		Self::new()
	}
}

impl ReceiptsTree {
	/// A tree of no receipts.
	pub fn new() -> Self {
		Self { count: 0, frontier: [[0; 32]; TREE_DEPTH] }
	}

	/// How many receipts it holds.
	pub fn len(&self) -> u64 {
		self.count
	}

	/// Whether it holds no receipt.
	pub fn is_empty(&self) -> bool {
		self.count == 0
	}

	/// Appends a leaf.
	pub fn push(&mut self, leaf: Hash) -> Result<(), TreeFull> {
		if self.count >= 1u64 << TREE_DEPTH {
			return Err(TreeFull);
		}
		let mut node = leaf;
		let mut index = self.count;
		for slot in self.frontier.iter_mut() {
			if index & 1 == 0 {
				*slot = node;
				break;
			}
			node = inner(slot, &node);
			index >>= 1;
		}
		self.count = self.count.saturating_add(1);
		Ok(())
	}

	/// The receipts root: `blake2_256(SCALE(tree_root, count))`.
	pub fn root(&self) -> Hash {
		let mut node = [0u8; 32];
		let mut zero = [0u8; 32];
		let mut size = self.count;
		for left in self.frontier.iter() {
			node = if size & 1 == 1 { inner(left, &node) } else { inner(&node, &zero) };
			zero = inner(&zero, &zero);
			size >>= 1;
		}
		mix_count(&node, self.count)
	}
}

/// The siblings, from the leaf up, that prove `leaves[index]` under the root of `leaves`;
/// `None` if `index` is out of range. O(number of leaves): for the one who kept them all (the
/// miner answering an audit).
pub fn proof(leaves: &[Hash], index: u64) -> Option<Vec<Hash>> {
	let mut position = usize::try_from(index).ok()?;
	if position >= leaves.len() {
		return None;
	}
	let mut level: Vec<Hash> = leaves.to_vec();
	let mut zero = [0u8; 32];
	let mut siblings = Vec::with_capacity(TREE_DEPTH);
	for _ in 0..TREE_DEPTH {
		siblings.push(level.get(position ^ 1).copied().unwrap_or(zero));
		level = level
			.chunks(2)
			.map(|pair| match pair {
				[left, right] => inner(left, right),
				[left] => inner(left, &zero),
				_ => zero,
			})
			.collect();
		zero = inner(&zero, &zero);
		position >>= 1;
	}
	Some(siblings)
}

/// Whether `siblings` prove that the receipt with leaf `leaf` is number `index` (from 0) of the
/// `count` receipts whose root is `root`.
pub fn verify(root: &Hash, count: u64, index: u64, leaf: &Hash, siblings: &[Hash]) -> bool {
	if index >= count || siblings.len() != TREE_DEPTH {
		return false;
	}
	let mut node = *leaf;
	let mut position = index;
	for sibling in siblings {
		node = if position & 1 == 0 { inner(&node, sibling) } else { inner(sibling, &node) };
		position >>= 1;
	}
	mix_count(&node, count) == *root
}

fn inner(left: &Hash, right: &Hash) -> Hash {
	let mut both = [0u8; 64];
	let (first, second) = both.split_at_mut(32);
	first.copy_from_slice(left);
	second.copy_from_slice(right);
	blake2_256(&both)
}

fn mix_count(tree_root: &Hash, count: u64) -> Hash {
	blake2_256(&(tree_root, count).encode())
}

#[cfg(test)]
mod tests {
	use super::*;

	fn receipt(sequence: u64) -> Receipt {
		Receipt {
			channel: 7,
			sequence,
			model: 0,
			version: 1,
			input_hash: [0x22; 32],
			output_hash: [0x33; 32],
			cumulative: 1_000_000_000u128.saturating_mul(u128::from(sequence)),
		}
	}

	/// The root of `leaves`, computed the slow way (the whole padded tree, level by level).
	fn naive_root(leaves: &[Hash]) -> Hash {
		let mut level = leaves.to_vec();
		let mut zero = [0u8; 32];
		for _ in 0..TREE_DEPTH {
			if level.is_empty() {
				level.push(zero);
			}
			level =
				level.chunks(2).map(|pair| inner(&pair[0], pair.get(1).unwrap_or(&zero))).collect();
			zero = inner(&zero, &zero);
		}
		mix_count(&level[0], leaves.len() as u64)
	}

	#[test]
	fn the_voucher_message_is_the_pallets() {
		let voucher = Voucher {
			channel: 7,
			cumulative: 3_000_000_000,
			queries: 3,
			receipts_root: [0xab; 32],
		};
		let expected = [
			"486d6f64656c636861696e2f766f7563686572",
			&"11".repeat(32),
			"0700000000000000",
			"005ed0b2000000000000000000000000",
			"0300000000000000",
			&"ab".repeat(32),
		]
		.concat();
		assert_eq!(hex(&voucher_message(&[0x11; 32], &voucher)), expected);
	}

	#[test]
	fn the_documented_test_vector() {
		let receipt = receipt(3);
		let message = receipt.message(&[0x11; 32]);
		let expected = [
			"486d6f64656c636861696e2f72656365697074",
			&"11".repeat(32),
			"0700000000000000",
			"0300000000000000",
			"00000000",
			"01000000",
			&"22".repeat(32),
			&"33".repeat(32),
			"005ed0b2000000000000000000000000",
		]
		.concat();
		assert_eq!(hex(&message), expected);
		assert_eq!(receipt.leaf(), blake2_256(&message[19 + 32..]));
		let mut tree = ReceiptsTree::new();
		assert_eq!(
			hex(&tree.root()),
			"4a0b17416e47d8e7664e31ac23a96e762ab4a63a493001a0be1ab74f7ec55dde"
		);
		tree.push(receipt.leaf()).unwrap();
		// Shared with the worker's and the JavaScript tests.
		assert_eq!(
			hex(&receipt.leaf()),
			"26b06c71a9f5fc23ee85dac80170a72a1ed4dde558224b709eb2cfc1c4b3499f"
		);
		assert_eq!(
			hex(&tree.root()),
			"f9cef2dd11050d9a8e7a0447faa2809c2beef84f43cb0b220e05a55988932706"
		);
	}

	#[test]
	fn the_output_hash_is_the_scale_of_the_output() {
		// Two values: compact length 2 (0x08), then each i64 little-endian. The JavaScript
		// tests check the same hash.
		let mut bytes = vec![0x08];
		bytes.extend(3i64.to_le_bytes());
		bytes.extend((-1i64).to_le_bytes());
		assert_eq!(output_hash(&[3, -1]), blake2_256(&bytes));
		assert_eq!(
			hex(&output_hash(&[3, -1])),
			"77a5456ab6b0c4a77cef5b9413a572c05b3cc9e1986c65d9a472a287d5b1805c"
		);
	}

	#[test]
	fn the_frontier_root_is_the_whole_trees_root() {
		let mut tree = ReceiptsTree::new();
		let mut leaves = Vec::new();
		assert_eq!(tree.root(), naive_root(&leaves));
		for sequence in 1..=70 {
			let leaf = receipt(sequence).leaf();
			tree.push(leaf).unwrap();
			leaves.push(leaf);
			assert_eq!(tree.root(), naive_root(&leaves), "after {sequence} receipts");
		}
	}

	#[test]
	fn every_leaf_proves_and_nothing_else_does() {
		let leaves: Vec<Hash> = (1..=13).map(|sequence| receipt(sequence).leaf()).collect();
		let mut tree = ReceiptsTree::new();
		leaves.iter().for_each(|leaf| tree.push(*leaf).unwrap());
		let root = tree.root();
		let count = leaves.len() as u64;
		for (index, leaf) in leaves.iter().enumerate() {
			let index = index as u64;
			let siblings = proof(&leaves, index).unwrap();
			assert!(verify(&root, count, index, leaf, &siblings));
			assert!(!verify(&root, count, index ^ 1, leaf, &siblings), "another position");
			assert!(!verify(&root, count + 1, index, leaf, &siblings), "another count");
			assert!(!verify(&root, count, index, &[9; 32], &siblings), "another leaf");
			assert!(!verify(&root, count, index, leaf, &siblings[1..]), "a short proof");
		}
		assert_eq!(proof(&leaves, count), None);
		assert!(!verify(&root, count, count, &leaves[0], &proof(&leaves, 0).unwrap()));
	}

	#[test]
	fn a_root_depends_on_the_count() {
		let mut tree = ReceiptsTree::new();
		let empty = tree.root();
		tree.push([0; 32]).unwrap();
		assert_ne!(tree.root(), empty, "a zero leaf is not the same as no leaf");
	}

	fn hex(bytes: &[u8]) -> String {
		bytes.iter().map(|byte| format!("{byte:02x}")).collect()
	}
}
