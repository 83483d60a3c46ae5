//! Authentication between a validator node and its verifier.
//!
//! The node (`--inference-verifier-secret-file`) and the verifier (`--verifier-secret-file`)
//! share a 32-byte secret. Every `/v1/verify` request carries, in the `x-modelchain-mac`
//! header, `blake2_256(secret ‖ "modelchain/verify-request" ‖ body)`; the verifier answers
//! only requests whose MAC is right (anyone else gets 401 and no model run), and signs its
//! answer with `blake2_256(secret ‖ "modelchain/verify-response" ‖ request MAC ‖ body)`, which
//! the node checks before it signs a verdict. So a man in the middle of plain HTTP can
//! neither make the verifier work for it nor forge an answer, and an answer cannot be
//! replayed for another request. (BLAKE2 is safe as a prefix MAC: it has no length
//! extension.) The same definition is in pallet-inference's off-chain worker
//! (`ocw::request_mac`, `ocw::response_mac`); both test the same vector.

use std::path::Path;

use anyhow::{bail, Context, Result};

/// The header that carries a MAC, as `0x`-prefixed hex.
pub const MAC_HEADER: &str = "x-modelchain-mac";
const REQUEST_CONTEXT: &[u8] = b"modelchain/verify-request";
const RESPONSE_CONTEXT: &[u8] = b"modelchain/verify-response";

/// The secret shared with the node.
#[derive(Clone)]
pub struct Secret([u8; 32]);

impl std::fmt::Debug for Secret {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		f.write_str("Secret(..)")
	}
}

/// Why a request is not authenticated.
#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
	/// No `x-modelchain-mac` header.
	Missing,
	/// The header is not 32 bytes of hex, or not the body's MAC under the secret.
	Wrong,
}

impl std::fmt::Display for Refused {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		f.write_str(match self {
			Refused::Missing => "no x-modelchain-mac header: only the validator's node may ask",
			Refused::Wrong => "wrong x-modelchain-mac: not signed with this verifier's secret",
		})
	}
}

impl Secret {
	/// A secret written as 64 hex digits (`0x` and surrounding whitespace allowed).
	pub fn parse(text: &str) -> Result<Self> {
		let text = text.trim();
		let bytes = hex::decode(text.strip_prefix("0x").unwrap_or(text))
			.context("the verifier secret is not hex")?;
		match <[u8; 32]>::try_from(bytes) {
			Ok(secret) => Ok(Self(secret)),
			Err(bytes) => bail!("the verifier secret is {} bytes; it must be 32", bytes.len()),
		}
	}

	/// Reads a secret file (see [`Secret::parse`]).
	pub fn load(path: &Path) -> Result<Self> {
		let text = std::fs::read_to_string(path)
			.with_context(|| format!("reading the verifier secret {}", path.display()))?;
		Self::parse(&text).with_context(|| format!("in {}", path.display()))
	}

	/// The MAC of a request body.
	pub fn request_mac(&self, body: &[u8]) -> [u8; 32] {
		sp_crypto_hashing::blake2_256(&[&self.0[..], REQUEST_CONTEXT, body].concat())
	}

	/// The MAC of an answer `body` to the request whose MAC was `request_mac`.
	pub fn response_mac(&self, request_mac: &[u8; 32], body: &[u8]) -> [u8; 32] {
		sp_crypto_hashing::blake2_256(&[&self.0[..], RESPONSE_CONTEXT, request_mac, body].concat())
	}

	/// Checks a request's MAC header; returns the MAC (to bind the answer to it).
	pub fn check_request(&self, header: Option<&str>, body: &[u8]) -> Result<[u8; 32], Refused> {
		let header = header.ok_or(Refused::Missing)?;
		let given = hex::decode(header.trim().trim_start_matches("0x"))
			.ok()
			.and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
			.ok_or(Refused::Wrong)?;
		let expected = self.request_mac(body);
		// Constant time: the comparison does not stop at the first differing byte.
		let difference = given.iter().zip(&expected).fold(0u8, |acc, (a, b)| acc | (a ^ b));
		if difference == 0 {
			Ok(expected)
		} else {
			Err(Refused::Wrong)
		}
	}
}

/// `0x`-prefixed lowercase hex, as the MAC header carries it.
pub fn header_value(mac: &[u8; 32]) -> String {
	format!("0x{}", hex::encode(mac))
}

#[cfg(test)]
mod tests {
	use super::*;

	/// The vector pallet-inference's off-chain worker tests too.
	#[test]
	fn macs_match_the_nodes_definition() {
		let secret = Secret([7; 32]);
		let request = secret.request_mac(br#"{"job":1}"#);
		assert_eq!(
			hex::encode(request),
			"3c443cb4708db64e84cb087d1cda93073c38b14c3f31f98058dcb32536306f14"
		);
		assert_eq!(
			hex::encode(secret.response_mac(&request, br#"{"output":[1]}"#)),
			"9226e85fb060367b3280a60bce821e6ceed4ce77fff89f7c5ddda4f4ef0ef3c8"
		);
	}

	#[test]
	fn only_the_right_mac_of_the_exact_body_is_accepted() {
		let secret = Secret([7; 32]);
		let body = br#"{"job":1}"#;
		let mac = header_value(&secret.request_mac(body));
		assert_eq!(secret.check_request(Some(&mac), body), Ok(secret.request_mac(body)));
		assert_eq!(secret.check_request(None, body), Err(Refused::Missing));
		assert_eq!(secret.check_request(Some(&mac), br#"{"job":2}"#), Err(Refused::Wrong));
		assert_eq!(secret.check_request(Some("0x1234"), body), Err(Refused::Wrong));
		let other = Secret([8; 32]);
		assert_eq!(other.check_request(Some(&mac), body), Err(Refused::Wrong));
	}

	#[test]
	fn secrets_are_32_bytes_of_hex() {
		let hex32 = "07".repeat(32);
		assert!(Secret::parse(&format!(" 0x{hex32}\n")).is_ok());
		assert!(Secret::parse(&hex32).is_ok());
		assert!(Secret::parse("0x1234").is_err());
		assert!(Secret::parse("not hex").is_err());
		assert_eq!(format!("{:?}", Secret([7; 32])), "Secret(..)", "never printed");
	}
}
