//! Paid queries, the miner's book: the query channels it serves, the checks every voucher
//! passes, and the durable log of what it answered.
//!
//! Every answered query is appended to its channel's log (`<state dir>/channels/<id>.log`:
//! records of a little-endian `u32` length and the SCALE bytes of [`Served`]) before the answer
//! leaves; the logs are fsynced together every [`crate::queries::FLUSH_EVERY`] (a group commit)
//! and a claim only ever uses a voucher whose record is on disk. A restart replays the logs:
//! the latest voucher, the receipts tree and the query count come back, so a restarted miner
//! claims everything it served and goes on serving the channel where it stopped. A record cut
//! short by a crash is dropped (the query it answered was not yet claimable).

use std::{
	collections::BTreeMap,
	fs::{File, OpenOptions},
	io::{Read, Write},
	path::{Path, PathBuf},
	sync::Arc,
};

use anyhow::{bail, Context, Result};
use codec::{Decode, Encode};
use modelchain_query_protocol::{voucher_message, Receipt, ReceiptsTree, Voucher};
use scale_decode::DecodeAsType;
use subxt::utils::AccountId32;
use subxt_signer::sr25519;

use crate::chain::VersionRef;

/// A channel id.
pub type ChannelId = u64;

/// The most channels a miner keeps in memory and on disk at once; a voucher of one more new
/// channel is refused until older ones close.
pub const MAX_CHANNELS: usize = 10_000;

/// The price and split of a channel, as the worker reads them.
#[derive(Debug, Clone, DecodeAsType)]
pub struct TermsView {
	/// Price of one query.
	pub price: u128,
}

/// The fields of `QueryChannels::Channels` the worker reads.
#[derive(Debug, Clone, DecodeAsType)]
pub struct ChannelView {
	/// Who pays and signs the vouchers.
	pub requester: AccountId32,
	/// Who serves and claims.
	pub miner: AccountId32,
	/// The model version the queries run.
	pub version: VersionRef,
	/// Price, fixed at opening.
	pub terms: TermsView,
	/// All the escrow put in.
	pub deposit: u128,
	/// What claims paid so far.
	pub claimed: u128,
	/// The queries the last claim paid for.
	pub queries_claimed: u64,
	/// Queries are served until this block.
	pub expires_at: u64,
	/// Set when the requester asked to close: claims end at this block.
	pub closing_at: Option<u64>,
	/// What the requester's licence allows, where the model needs one (read with the channel
	/// by [`crate::chain::Chain::channel`]; not part of the channel's record).
	#[decode_as_type(skip)]
	pub licence: LicenceAllowance,
}

/// What the requester's licence of a channel's model allows, as last read: each claim counts
/// the queries it settles against the licence, so the miner serves no more than it has left
/// beyond the queries claimed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum LicenceAllowance {
	/// The model is not licensed, or the requester owns it.
	#[default]
	NotNeeded,
	/// The model is licensed and the requester holds no licence of it.
	Missing,
	/// The requester's licence.
	Held {
		/// Queries it has left beyond the channel's claimed ones (`None`: not counted).
		queries_left: Option<u32>,
		/// The block it stops being usable at (`None`: never).
		expires_at: Option<u64>,
	},
}

/// Why a paid query was refused: its HTTP status, a metric label, and a message for the
/// requester. Nothing is recorded and nothing run for a refused query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
	/// HTTP status.
	pub status: u16,
	/// Short machine-readable reason (also the metric label).
	pub reason: &'static str,
	/// What went wrong, for people.
	pub message: String,
}

impl Refusal {
	fn new(status: u16, reason: &'static str, message: impl Into<String>) -> Self {
		Self { status, reason, message: message.into() }
	}
}

/// What the miner checks a voucher against, besides the channel.
pub struct Serving<'a> {
	/// This miner.
	pub me: &'a AccountId32,
	/// The version this worker serves.
	pub version: VersionRef,
	/// The chain's genesis hash (vouchers of other chains do not verify).
	pub genesis: [u8; 32],
	/// The best block seen.
	pub best: u64,
}

/// What the miner knows of one channel: the latest voucher it accepted and the receipts it
/// gave. Replayed from the channel's log on start.
pub struct ChannelBook {
	/// The channel.
	pub id: ChannelId,
	/// The channel's record on chain, as last read (`None`: not read yet since the start).
	pub view: Option<ChannelView>,
	/// The receipts given so far.
	tree: ReceiptsTree,
	/// The latest voucher accepted, and its signature.
	latest: Option<(Voucher, [u8; 64])>,
	/// The latest voucher whose record is on disk (fsynced): what a claim may use.
	pub durable: Option<(Voucher, [u8; 64])>,
	/// Records appended since the last fsync.
	pub dirty: bool,
	log: Arc<File>,
	path: PathBuf,
}

/// One answered query as logged: enough to rebuild the receipt, answer an audit (input and
/// output) and claim (the voucher and its signature).
#[derive(Encode, Decode, Clone, Debug, PartialEq, Eq)]
pub struct Served {
	/// The voucher that paid for it.
	pub voucher: Voucher,
	/// The requester's sr25519 signature of the voucher.
	pub signature: [u8; 64],
	/// The model version run.
	pub model: u32,
	/// The model version run.
	pub version: u32,
	/// The input.
	pub input: Vec<u8>,
	/// The output.
	pub output: Vec<i64>,
}

impl Served {
	/// The receipt the miner signed for this query.
	pub fn receipt(&self) -> Receipt {
		Receipt {
			channel: self.voucher.channel,
			sequence: self.voucher.queries,
			model: self.model,
			version: self.version,
			input_hash: modelchain_query_protocol::input_hash(&self.input),
			output_hash: modelchain_query_protocol::output_hash(&self.output),
			cumulative: self.voucher.cumulative,
		}
	}
}

/// A receipt as `/v1/query` answers it (hashes as 0x-hex, the amount as a decimal string).
pub fn receipt_json(receipt: &Receipt) -> serde_json::Value {
	serde_json::json!({
		"channel": receipt.channel,
		"sequence": receipt.sequence,
		"model": receipt.model,
		"version": receipt.version,
		"inputHash": format!("0x{}", hex::encode(receipt.input_hash)),
		"outputHash": format!("0x{}", hex::encode(receipt.output_hash)),
		"cumulative": receipt.cumulative.to_string(),
	})
}

/// The directory of the channel logs under the worker's state directory.
pub fn logs_dir(state_dir: &Path) -> PathBuf {
	state_dir.join("channels")
}

impl ChannelBook {
	/// Opens (or creates) channel `id`'s log under `dir` and replays it.
	pub fn open(dir: &Path, id: ChannelId) -> Result<Self> {
		std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
		let path = dir.join(format!("{id}.log"));
		let mut file = OpenOptions::new()
			.create(true)
			.read(true)
			.append(true)
			.open(&path)
			.with_context(|| format!("opening {}", path.display()))?;
		let mut bytes = Vec::new();
		file.read_to_end(&mut bytes).with_context(|| format!("reading {}", path.display()))?;
		let mut book = Self {
			id,
			view: None,
			tree: ReceiptsTree::new(),
			latest: None,
			durable: None,
			dirty: false,
			log: Arc::new(file),
			path: path.clone(),
		};
		let mut rest = bytes.as_slice();
		let mut good = 0usize;
		while let Some(served) = next_record(&mut rest) {
			let served = served.with_context(|| format!("{} is corrupt", path.display()))?;
			if served.voucher.channel != id || served.voucher.queries != book.tree.len() + 1 {
				bail!(
					"{} is corrupt: query {} out of order",
					path.display(),
					served.voucher.queries
				);
			}
			book.apply(&served)?;
			good = bytes.len() - rest.len();
		}
		if good < bytes.len() {
			log::warn!(
				"{}: dropping {} bytes of a record cut short (a crash before it was on disk)",
				path.display(),
				bytes.len() - good
			);
			book.log.set_len(good as u64).context("truncating the cut record")?;
		}
		book.durable = book.latest.clone();
		Ok(book)
	}

	/// The number of queries answered on this channel.
	pub fn queries(&self) -> u64 {
		self.tree.len()
	}

	/// The latest voucher accepted.
	pub fn latest(&self) -> Option<&Voucher> {
		self.latest.as_ref().map(|(voucher, _)| voucher)
	}

	/// The root the next voucher must commit to.
	pub fn receipts_root(&self) -> [u8; 32] {
		self.tree.root()
	}

	/// The log, for an fsync outside the channel's lock.
	pub fn log(&self) -> Arc<File> {
		self.log.clone()
	}

	/// Where the log is.
	pub fn path(&self) -> &Path {
		&self.path
	}

	/// Checks a voucher for the next query on this channel, against the channel's record
	/// (`self.view`, which the caller has read). Changes nothing.
	pub fn check(
		&self,
		context: &Serving<'_>,
		voucher: &Voucher,
		signature: &[u8; 64],
	) -> Result<(), Refusal> {
		let Some(view) = &self.view else {
			return Err(Refusal::new(
				404,
				"unknown_channel",
				format!("no open channel {}", self.id),
			));
		};
		if &view.miner != context.me {
			return Err(Refusal::new(
				403,
				"not_this_miner",
				format!("channel {} is served by {}, not by this miner", self.id, view.miner),
			));
		}
		if view.version != context.version {
			return Err(Refusal::new(
				409,
				"wrong_version",
				format!(
					"channel {} runs model {} version {}; this worker serves version {}",
					self.id, view.version.model, view.version.version, context.version.version
				),
			));
		}
		if view.closing_at.is_some() {
			return Err(Refusal::new(
				410,
				"channel_closing",
				"the requester asked to close the channel",
			));
		}
		if context.best >= view.expires_at {
			return Err(Refusal::new(
				410,
				"channel_expired",
				format!("the channel expired at block {}", view.expires_at),
			));
		}
		Self::check_licence(view, context.best, voucher.queries)?;
		let public = sr25519::PublicKey(view.requester.0);
		let message = voucher_message(&context.genesis, voucher);
		if !sr25519::verify(&sr25519::Signature(*signature), &message, &public) {
			return Err(Refusal::new(
				401,
				"bad_signature",
				format!(
					"the signature is not {}'s sr25519 signature of this voucher on the chain with genesis 0x{}",
					view.requester,
					hex::encode(context.genesis)
				),
			));
		}
		let (served, paid) = self.latest().map_or((0, 0), |last| (last.queries, last.cumulative));
		if served == 0 && view.queries_claimed > 0 {
			return Err(Refusal::new(
				409,
				"receipts_lost",
				"this miner no longer has the channel's earlier receipts; open a new channel",
			));
		}
		let next = served.saturating_add(1);
		if voucher.queries <= served {
			return Err(Refusal::new(
				409,
				"replayed",
				format!(
					"query {} of this channel was answered already; the next is {next}",
					voucher.queries
				),
			));
		}
		if voucher.queries != next {
			return Err(Refusal::new(
				409,
				"out_of_order",
				format!("the voucher is for query {}; the next is {next}", voucher.queries),
			));
		}
		let least = paid.saturating_add(view.terms.price);
		if voucher.cumulative < least {
			return Err(Refusal::new(
				402,
				"amount_too_low",
				format!("the voucher owes {}; at least {least} is due (previous voucher plus the price)", voucher.cumulative),
			));
		}
		if voucher.cumulative > view.deposit {
			return Err(Refusal::new(
				402,
				"deposit_exhausted",
				format!(
					"the voucher owes {} but the channel holds {} in all; top it up",
					voucher.cumulative, view.deposit
				),
			));
		}
		if voucher.receipts_root != self.receipts_root() {
			return Err(Refusal::new(
				409,
				"wrong_receipts_root",
				format!(
					"the voucher commits to receipts root 0x{}; the {served} receipts given on this channel have root 0x{}",
					hex::encode(voucher.receipts_root),
					hex::encode(self.receipts_root())
				),
			));
		}
		Ok(())
	}

	/// Refuses query number `queries` of a channel whose requester's licence does not cover
	/// it at block `best`: none held, expired, or fewer queries left than the channel serves
	/// beyond its claimed ones.
	fn check_licence(view: &ChannelView, best: u64, queries: u64) -> Result<(), Refusal> {
		match &view.licence {
			LicenceAllowance::NotNeeded => Ok(()),
			LicenceAllowance::Missing => Err(Refusal::new(
				403,
				"no_licence",
				format!(
					"model {} is licensed and {} holds no licence of it; buy one",
					view.version.model, view.requester
				),
			)),
			LicenceAllowance::Held { expires_at: Some(end), .. } if best >= *end => Err(
				Refusal::new(403, "licence_expired", format!("the licence expired at block {end}")),
			),
			LicenceAllowance::Held { queries_left: Some(left), .. }
				if queries > view.queries_claimed.saturating_add(u64::from(*left)) =>
			{
				Err(Refusal::new(
					403,
					"licence_exhausted",
					format!(
						"the licence allows {left} queries beyond the {} claimed; this is query {queries}",
						view.queries_claimed
					),
				))
			}
			LicenceAllowance::Held { .. } => Ok(()),
		}
	}

	/// Appends an answered query to the log (written, not yet fsynced) and to the book.
	pub fn record(&mut self, served: &Served) -> Result<()> {
		let bytes = served.encode();
		let length = u32::try_from(bytes.len()).context("record too large")?;
		let mut framed = Vec::with_capacity(bytes.len() + 4);
		framed.extend(length.to_le_bytes());
		framed.extend(bytes);
		(&*self.log)
			.write_all(&framed)
			.with_context(|| format!("appending to {}", self.path.display()))?;
		self.apply(served)?;
		self.dirty = true;
		Ok(())
	}

	fn apply(&mut self, served: &Served) -> Result<()> {
		self.tree
			.push(served.receipt().leaf())
			.map_err(|_| anyhow::anyhow!("channel {} has 2^32 receipts", self.id))?;
		self.latest = Some((served.voucher.clone(), served.signature));
		Ok(())
	}

	/// The latest voucher (for marking it durable once the log is fsynced).
	pub fn latest_signed(&self) -> Option<(Voucher, [u8; 64])> {
		self.latest.clone()
	}

	/// Every query logged on this channel, in order.
	#[cfg(test)]
	pub fn read_all(&self) -> Result<Vec<Served>> {
		let mut all = Vec::new();
		self.each_logged(|served| {
			all.push(served);
			true
		})?;
		Ok(all)
	}

	/// The query logged with sequence number `queries` (its voucher's count), if any: read
	/// record by record, stopping there.
	pub fn served_at(&self, queries: u64) -> Result<Option<Served>> {
		let mut found = None;
		self.each_logged(|served| {
			if served.voucher.queries == queries {
				found = Some(served);
			}
			found.is_none()
		})?;
		Ok(found)
	}

	/// What an audit of receipt `index` under the root of the first `count` receipts needs:
	/// that query and the Merkle proof of its receipt. The log is read record by record,
	/// keeping only the `count` leaves (32 bytes each) and the audited query, not every
	/// input and output.
	pub fn audit_answer(&self, count: u64, index: u64) -> Result<(Served, Vec<[u8; 32]>)> {
		let mut leaves = Vec::new();
		let mut audited = None;
		self.each_logged(|served| {
			if leaves.len() as u64 == index {
				audited = Some(served.clone());
			}
			leaves.push(served.receipt().leaf());
			(leaves.len() as u64) < count
		})?;
		anyhow::ensure!(
			leaves.len() as u64 == count,
			"the log has {} queries, fewer than the {count} the claimed root commits to",
			leaves.len()
		);
		let audited = audited.context("no such receipt")?;
		let proof = modelchain_query_protocol::proof(&leaves, index).context("no proof")?;
		Ok((audited, proof))
	}

	/// Hands the logged queries to `each` in order, one record in memory at a time, until it
	/// returns false or the log ends (a record cut short ends it).
	fn each_logged(&self, mut each: impl FnMut(Served) -> bool) -> Result<()> {
		let file =
			File::open(&self.path).with_context(|| format!("reading {}", self.path.display()))?;
		let mut reader = std::io::BufReader::new(file);
		let mut record = Vec::new();
		loop {
			let mut length = [0u8; 4];
			match reader.read_exact(&mut length) {
				Ok(()) => {}
				Err(error) if error.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(()),
				Err(error) => return Err(error).context("reading the log"),
			}
			record.resize(usize::try_from(u32::from_le_bytes(length))?, 0);
			match reader.read_exact(&mut record) {
				Ok(()) => {}
				Err(error) if error.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(()),
				Err(error) => return Err(error).context("reading the log"),
			}
			let served = Served::decode(&mut &record[..]).context("undecodable record")?;
			if !each(served) {
				return Ok(());
			}
		}
	}
}

/// The next complete record of a log; `None` at the end or at a record cut short.
fn next_record(rest: &mut &[u8]) -> Option<Result<Served>> {
	let (length, body) = rest.split_first_chunk::<4>()?;
	let length = usize::try_from(u32::from_le_bytes(*length)).ok()?;
	let record = body.get(..length)?;
	*rest = body.get(length..)?;
	Some(Served::decode(&mut &record[..]).context("undecodable record"))
}

/// Lists the channels with a log under `dir`.
pub fn logged_channels(dir: &Path) -> Result<Vec<ChannelId>> {
	let mut ids = Vec::new();
	let Ok(entries) = std::fs::read_dir(dir) else { return Ok(ids) };
	for entry in entries {
		let name = entry?.file_name();
		let Some(id) = name.to_str().and_then(|n| n.strip_suffix(".log")) else { continue };
		if let Ok(id) = id.parse() {
			ids.push(id);
		}
	}
	ids.sort_unstable();
	Ok(ids)
}

/// Why a claim is due now, if it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClaimDue {
	/// The requester asked to close: claim before the grace ends.
	Closing,
	/// The channel expires within the margin (or did): claim while claims are open.
	Expiring,
	/// The unclaimed value reached the threshold.
	Threshold,
}

/// Whether the durable voucher `durable` should be claimed now on a channel whose record is
/// `view`, at block `best`.
pub fn claim_due(
	view: &ChannelView,
	durable: &Voucher,
	best: u64,
	threshold: u128,
	expiry_margin: u64,
) -> Option<ClaimDue> {
	let unclaimed = durable.cumulative.saturating_sub(view.claimed);
	if unclaimed == 0 {
		return None;
	}
	if view.closing_at.is_some() {
		Some(ClaimDue::Closing)
	} else if best.saturating_add(expiry_margin) >= view.expires_at {
		Some(ClaimDue::Expiring)
	} else if unclaimed >= threshold {
		Some(ClaimDue::Threshold)
	} else {
		None
	}
}

/// The channels in memory, by id.
pub type Books = BTreeMap<ChannelId, Arc<tokio::sync::Mutex<ChannelBook>>>;

#[cfg(test)]
mod tests {
	use super::*;
	use subxt_signer::sr25519::dev;

	const PRICE: u128 = 1_000;
	const GENESIS: [u8; 32] = [0x11; 32];

	fn temp_dir(name: &str) -> PathBuf {
		let dir =
			std::env::temp_dir().join(format!("modelchain-channels-{name}-{}", std::process::id()));
		let _ = std::fs::remove_dir_all(&dir);
		dir
	}

	fn version() -> VersionRef {
		VersionRef { model: 0, version: 0 }
	}

	fn view() -> ChannelView {
		ChannelView {
			requester: dev::alice().public_key().to_account_id(),
			miner: dev::bob().public_key().to_account_id(),
			version: version(),
			terms: TermsView { price: PRICE },
			deposit: 10 * PRICE,
			claimed: 0,
			queries_claimed: 0,
			expires_at: 100,
			closing_at: None,
			licence: LicenceAllowance::NotNeeded,
		}
	}

	fn signed(voucher: &Voucher, genesis: &[u8; 32]) -> [u8; 64] {
		dev::alice().sign(&voucher_message(genesis, voucher)).0
	}

	fn book(name: &str) -> (ChannelBook, PathBuf) {
		let dir = temp_dir(name);
		let mut book = ChannelBook::open(&dir, 7).expect("opens");
		book.view = Some(view());
		(book, dir)
	}

	fn next_voucher(book: &ChannelBook) -> Voucher {
		let last = book.latest().map_or(0, |v| v.cumulative);
		Voucher {
			channel: 7,
			cumulative: last + PRICE,
			queries: book.queries() + 1,
			receipts_root: book.receipts_root(),
		}
	}

	fn serve(book: &mut ChannelBook, context: &Serving<'_>) -> Served {
		let voucher = next_voucher(book);
		let signature = signed(&voucher, &GENESIS);
		book.check(context, &voucher, &signature).expect("a good voucher passes");
		let served = Served {
			voucher,
			signature,
			model: 0,
			version: 0,
			input: vec![book.queries() as u8; 64],
			output: vec![3],
		};
		book.record(&served).expect("records");
		served
	}

	#[test]
	fn every_bad_voucher_is_refused_with_its_reason() {
		let (mut book, _dir) = book("refusals");
		let bob = dev::bob().public_key().to_account_id();
		let context = Serving { me: &bob, version: version(), genesis: GENESIS, best: 10 };
		serve(&mut book, &context);
		let good = next_voucher(&book);
		let reason = |book: &ChannelBook, voucher: &Voucher, signature: [u8; 64]| {
			book.check(&context, voucher, &signature).map_err(|refusal| refusal.reason)
		};
		assert_eq!(reason(&book, &good, signed(&good, &GENESIS)), Ok(()));
		assert_eq!(
			reason(&book, &good, signed(&good, &[0x22; 32])),
			Err("bad_signature"),
			"another chain"
		);
		let other_channel = Voucher { channel: 8, ..good.clone() };
		assert_eq!(
			reason(&book, &good, signed(&other_channel, &GENESIS)),
			Err("bad_signature"),
			"signed for another channel"
		);
		let by_bob = dev::bob().sign(&voucher_message(&GENESIS, &good)).0;
		assert_eq!(reason(&book, &good, by_bob), Err("bad_signature"), "not the requester");
		let replay = Voucher { queries: 1, cumulative: PRICE, ..good.clone() };
		assert_eq!(reason(&book, &replay, signed(&replay, &GENESIS)), Err("replayed"));
		let skip = Voucher { queries: 3, ..good.clone() };
		assert_eq!(reason(&book, &skip, signed(&skip, &GENESIS)), Err("out_of_order"));
		let low = Voucher { cumulative: 2 * PRICE - 1, ..good.clone() };
		assert_eq!(reason(&book, &low, signed(&low, &GENESIS)), Err("amount_too_low"));
		let above = Voucher { cumulative: 10 * PRICE + 1, ..good.clone() };
		assert_eq!(reason(&book, &above, signed(&above, &GENESIS)), Err("deposit_exhausted"));
		let root = Voucher { receipts_root: [0; 32], ..good.clone() };
		assert_eq!(reason(&book, &root, signed(&root, &GENESIS)), Err("wrong_receipts_root"));

		let alice = dev::alice().public_key().to_account_id();
		let not_me = Serving { me: &alice, ..context };
		assert_eq!(
			book.check(&not_me, &good, &signed(&good, &GENESIS)).map_err(|r| r.reason),
			Err("not_this_miner")
		);
		let late = Serving { best: 100, ..context };
		assert_eq!(
			book.check(&late, &good, &signed(&good, &GENESIS)).map_err(|r| r.reason),
			Err("channel_expired")
		);
		let other_version = Serving { version: VersionRef { model: 0, version: 1 }, ..context };
		assert_eq!(
			book.check(&other_version, &good, &signed(&good, &GENESIS)).map_err(|r| r.reason),
			Err("wrong_version")
		);
		book.view.as_mut().expect("set").closing_at = Some(50);
		assert_eq!(reason(&book, &good, signed(&good, &GENESIS)), Err("channel_closing"));
		book.view = None;
		assert_eq!(reason(&book, &good, signed(&good, &GENESIS)), Err("unknown_channel"));
		assert_eq!(book.queries(), 1, "no refusal recorded anything");
	}

	/// On a licensed model the miner serves no more queries than the requester's licence has
	/// left beyond those claimed (each claim counts its queries against the licence), none
	/// without a licence and none after it expired.
	#[test]
	fn queries_beyond_the_requesters_licence_are_refused() {
		let (mut book, _dir) = book("licence");
		let bob = dev::bob().public_key().to_account_id();
		let context = Serving { me: &bob, version: version(), genesis: GENESIS, best: 10 };
		serve(&mut book, &context);
		let second = next_voucher(&book);
		let reason = |book: &ChannelBook| {
			book.check(&context, &second, &signed(&second, &GENESIS)).map_err(|r| r.reason)
		};
		let set = |book: &mut ChannelBook, licence: LicenceAllowance, claimed: u64| {
			let view = book.view.as_mut().expect("set");
			view.licence = licence;
			view.queries_claimed = claimed;
		};
		let held = |queries_left, expires_at| LicenceAllowance::Held { queries_left, expires_at };
		set(&mut book, LicenceAllowance::Missing, 0);
		assert_eq!(reason(&book), Err("no_licence"));
		set(&mut book, held(Some(1), None), 0);
		assert_eq!(reason(&book), Err("licence_exhausted"), "one query left, this is the second");
		set(&mut book, held(Some(1), None), 1);
		assert_eq!(reason(&book), Ok(()), "the first was claimed: one more is covered");
		set(&mut book, held(Some(2), None), 0);
		assert_eq!(reason(&book), Ok(()));
		set(&mut book, held(None, Some(10)), 0);
		assert_eq!(reason(&book), Err("licence_expired"));
		set(&mut book, held(None, Some(11)), 0);
		assert_eq!(reason(&book), Ok(()));
	}

	#[test]
	fn a_channel_claimed_before_without_local_receipts_is_refused() {
		let (mut book, _dir) = book("lost");
		book.view.as_mut().expect("set").queries_claimed = 5;
		let bob = dev::bob().public_key().to_account_id();
		let context = Serving { me: &bob, version: version(), genesis: GENESIS, best: 10 };
		let voucher = next_voucher(&book);
		let refusal =
			book.check(&context, &voucher, &signed(&voucher, &GENESIS)).expect_err("refused");
		assert_eq!(refusal.reason, "receipts_lost");
	}

	#[test]
	fn a_restart_replays_the_log_and_drops_a_record_cut_short() {
		let (mut book, dir) = book("replay");
		let bob = dev::bob().public_key().to_account_id();
		let context = Serving { me: &bob, version: version(), genesis: GENESIS, best: 10 };
		let served: Vec<Served> = (0..5).map(|_| serve(&mut book, &context)).collect();
		let root = book.receipts_root();
		let latest = book.latest_signed();
		drop(book);
		// A crash in the middle of appending a sixth record.
		let path = dir.join("7.log");
		let mut file = OpenOptions::new().append(true).open(&path).expect("opens");
		file.write_all(&[200, 0, 0, 0, 1, 2, 3]).expect("writes");
		drop(file);

		let book = ChannelBook::open(&dir, 7).expect("replays");
		assert_eq!(book.queries(), 5);
		assert_eq!(book.receipts_root(), root);
		assert_eq!(book.durable, latest, "what was logged is claimable after a restart");
		assert_eq!(book.read_all().expect("reads"), served);
		assert_eq!(logged_channels(&dir).expect("lists"), vec![7]);
	}

	/// An audit's answer is read from the log record by record: the audited query and a proof
	/// that verifies against the root of the receipts the claim committed to.
	#[test]
	fn audits_and_capped_claims_are_answered_from_the_log() {
		let (mut book, _dir) = book("audit");
		let bob = dev::bob().public_key().to_account_id();
		let context = Serving { me: &bob, version: version(), genesis: GENESIS, best: 10 };
		let served: Vec<Served> = (0..5).map(|_| serve(&mut book, &context)).collect();
		let mut claimed = ReceiptsTree::new();
		for query in &served[..4] {
			claimed.push(query.receipt().leaf()).expect("room");
		}
		for index in 0..4 {
			let (query, proof) = book.audit_answer(4, index).expect("answers");
			assert_eq!(query, served[index as usize]);
			assert!(modelchain_query_protocol::verify(
				&claimed.root(),
				4,
				index,
				&query.receipt().leaf(),
				&proof
			));
		}
		assert!(book.audit_answer(6, 0).is_err(), "the log holds 5 queries, not 6");
		assert!(book.audit_answer(4, 4).is_err(), "receipt 4 is beyond the 4 claimed");
		assert_eq!(book.served_at(3).expect("reads"), Some(served[2].clone()));
		assert_eq!(book.served_at(9).expect("reads"), None);
	}

	#[test]
	fn a_corrupt_log_is_an_error_not_an_empty_channel() {
		let dir = temp_dir("corrupt");
		std::fs::create_dir_all(&dir).expect("dir");
		std::fs::write(dir.join("7.log"), [2, 0, 0, 0, 0xff, 0xff]).expect("writes");
		assert!(ChannelBook::open(&dir, 7).is_err());
	}

	#[test]
	fn claims_fall_due_on_closing_expiry_or_threshold() {
		let mut view = view();
		let voucher =
			|cumulative| Voucher { channel: 7, cumulative, queries: 1, receipts_root: [0; 32] };
		assert_eq!(claim_due(&view, &voucher(0), 10, 5 * PRICE, 10), None, "nothing to claim");
		assert_eq!(claim_due(&view, &voucher(PRICE), 10, 5 * PRICE, 10), None);
		assert_eq!(
			claim_due(&view, &voucher(5 * PRICE), 10, 5 * PRICE, 10),
			Some(ClaimDue::Threshold)
		);
		assert_eq!(claim_due(&view, &voucher(PRICE), 90, 5 * PRICE, 10), Some(ClaimDue::Expiring));
		view.claimed = PRICE;
		assert_eq!(claim_due(&view, &voucher(PRICE), 95, 5 * PRICE, 10), None, "claimed already");
		view.closing_at = Some(60);
		assert_eq!(
			claim_due(&view, &voucher(2 * PRICE), 10, 5 * PRICE, 10),
			Some(ClaimDue::Closing)
		);
	}
}
