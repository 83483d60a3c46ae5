//! `//Alice`'s key and her VRF signature over slot 1 after the zero randomness, made once with
//! `sp_core::sr25519::Pair::vrf_sign` (the runtime cannot sign; the test
//! `benchmark_input_is_alices_signature_of_slot_1` checks them).

use crate::SlotVrf;

/// `//Alice`'s sr25519 public key.
pub const ALICE: [u8; 32] = [
	212, 53, 147, 199, 21, 253, 211, 28, 97, 20, 26, 189, 4, 169, 159, 214, 130, 44, 133, 88, 133,
	76, 205, 227, 154, 86, 132, 231, 165, 109, 162, 125,
];

/// `//Alice`'s VRF signature over slot 1 after the zero randomness.
pub const SIGNATURE: SlotVrf = SlotVrf {
	pre_output: [
		104, 115, 210, 27, 106, 112, 242, 237, 185, 17, 249, 107, 6, 203, 115, 211, 206, 63, 154,
		189, 187, 3, 76, 109, 186, 143, 105, 141, 220, 42, 224, 75,
	],
	proof: [
		135, 12, 201, 159, 2, 84, 34, 95, 7, 213, 205, 61, 177, 185, 69, 59, 239, 168, 116, 189,
		93, 107, 203, 203, 78, 19, 2, 78, 229, 153, 253, 4, 218, 234, 204, 245, 64, 215, 168, 204,
		242, 202, 93, 145, 113, 219, 150, 15, 188, 168, 250, 77, 47, 18, 1, 199, 96, 171, 220, 103,
		233, 145, 15, 2,
	],
};
