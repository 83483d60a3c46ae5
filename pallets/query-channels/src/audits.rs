//! Audits: every claim commits to the receipts it settles (the receipts root the requester
//! signed in the voucher). In a later block than the claim's, from that block's randomness
//! (which the miner cannot know when it claims; drawn in `on_poll`, after the randomness
//! inherent), the chain draws `⌈AuditRate × new receipts⌉`
//! of them (at most `MaxAuditsPerClaim`). The miner must reveal each drawn receipt with its
//! input, its output and the Merkle proof that it is under the signed root within
//! `AuditRevealWindow` blocks, or be slashed (`MissedReveal`). A revealed answer is re-executed
//! by the validators (a check of the inference pallet, like a challenge): a wrong one slashes
//! the miner (`WrongResult`) and refunds the query's price to the requester out of the slash.
//!
//! A claim may settle at most `⌊MaxAuditsPerClaim / AuditRate⌋` new queries, so that every
//! answered query is drawn with probability at least `AuditRate` whatever the claim's size.

use crate::*;
use alloc::vec::Vec;
use codec::Encode;
use frame_support::{ensure, pallet_prelude::*, weights::WeightMeter};
use frame_system::pallet_prelude::BlockNumberFor;
use modelchain_primitives::{
	CheckOutcome, CheckReason, ComputeStakingInterface, FreshRandomness, JobId, OutputChecks,
	SlashReason,
};
use sp_core::H256;
use sp_runtime::{traits::Saturating, Perbill};

/// What one `on_initialize` did with audits (its weight depends on it).
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug)]
pub struct AuditWork {
	/// Audits whose reveal window passed without a reveal (slashed).
	pub expiries: u32,
	/// Queue entries read and skipped (decided or being checked).
	pub skipped: u32,
}

impl<T: Config> Pallet<T> {
	/// The most new queries one claim may settle: `⌊MaxAuditsPerClaim / AuditRate⌋` (no bound
	/// when the rate is zero).
	pub fn max_queries_per_claim() -> u64 {
		let rate = AuditRate::<T>::get();
		if rate.is_zero() {
			return u64::MAX;
		}
		let audits = u64::from(T::MaxAuditsPerClaim::get());
		// audits / rate = audits × 10^9 / parts, rounded down.
		let parts = u64::from(rate.deconstruct());
		audits.saturating_mul(1_000_000_000).checked_div(parts).unwrap_or(u64::MAX)
	}

	/// Whether a claim of `voucher` on `record` is within the audit bound and the draw queue
	/// has room (checked before anything moves).
	pub(crate) fn check_auditable(record: &ChannelOf<T>, voucher: &Voucher) -> DispatchResult {
		let new = voucher.queries.saturating_sub(record.queries_claimed);
		ensure!(new <= Self::max_queries_per_claim(), Error::<T>::ClaimTooLarge);
		let (head, tail) = DrawBounds::<T>::get();
		ensure!(
			tail.saturating_sub(head) < u64::from(T::MaxPendingDraws::get()),
			Error::<T>::TooManyPendingDraws
		);
		Ok(())
	}

	/// Queues the audit draw of the receipts a claim newly committed to: those of queries
	/// `previous..voucher.queries - 1` (the voucher for query `n` signs receipts `1..n-1`).
	pub(crate) fn queue_draw(
		channel: ChannelId,
		record: &ChannelOf<T>,
		previous_queries: u64,
		voucher: &Voucher,
	) {
		let from = previous_queries.saturating_sub(1);
		let count = voucher.queries.saturating_sub(1);
		if count <= from || AuditRate::<T>::get().is_zero() {
			return;
		}
		let (head, tail) = DrawBounds::<T>::get();
		Draws::<T>::insert(
			tail,
			Draw {
				channel,
				miner: record.miner.clone(),
				requester: record.requester.clone(),
				version: record.version,
				price: record.terms.price,
				root: voucher.receipts_root,
				count,
				from,
				claimed_at: Self::now(),
			},
		);
		DrawBounds::<T>::put((head, tail.saturating_add(1)));
	}

	/// Draws the audits of claims of earlier blocks, as many as `meter` allows (at most
	/// `MaxAuditWorkPerBlock`); runs in `on_poll`, after the block's randomness inherent.
	/// Nothing is drawn in a block without fresh randomness.
	pub(crate) fn draw_pending(now: BlockNumberFor<T>, meter: &mut WeightMeter) {
		let Some(randomness) = T::Randomness::fresh_randomness() else { return };
		let bounds = T::DbWeight::get().reads_writes(1, 1);
		if meter.try_consume(bounds).is_err() {
			return;
		}
		let rate = AuditRate::<T>::get();
		let (mut head, tail) = DrawBounds::<T>::get();
		let mut drawn = 0u32;
		while head < tail && drawn < T::MaxAuditWorkPerBlock::get() {
			if meter.try_consume(T::WeightInfo::draw_audits()).is_err() {
				break;
			}
			let Some(draw) = Draws::<T>::get(head) else {
				head = head.saturating_add(1);
				continue;
			};
			if draw.claimed_at >= now {
				break;
			}
			Draws::<T>::remove(head);
			Self::draw_audits(head, draw, rate, &randomness, now);
			head = head.saturating_add(1);
			drawn = drawn.saturating_add(1);
		}
		DrawBounds::<T>::put((head, tail));
	}

	/// Slashes the miners of audits whose reveal window passed without a reveal (at most
	/// `MaxAuditWorkPerBlock`, reading at most twice as many queue entries); runs in
	/// `on_initialize`.
	pub(crate) fn expire_audits(now: BlockNumberFor<T>) -> AuditWork {
		let mut work = AuditWork::default();
		let limit = T::MaxAuditWorkPerBlock::get();
		let (mut head, next) = AuditBounds::<T>::get();
		let mut reads = 0u32;
		while head < next && work.expiries < limit && reads < limit.saturating_mul(2) {
			reads = reads.saturating_add(1);
			match Audits::<T>::get(head) {
				Some(audit) if audit.check.is_none() => {
					if audit.deadline > now {
						break;
					}
					Audits::<T>::remove(head);
					Self::miss_audit(head, audit);
					work.expiries = work.expiries.saturating_add(1);
				}
				// Decided, or being checked (its check ends it): off the expiry queue.
				_ => work.skipped = work.skipped.saturating_add(1),
			}
			head = head.saturating_add(1);
		}
		AuditBounds::<T>::put((head, next));
		work
	}

	/// Draws the audits of queued claim `draw_id` now (benchmarks: one draw at its most).
	#[cfg(feature = "runtime-benchmarks")]
	pub(crate) fn draw_audits_of(draw_id: u64, randomness: &[u8; 32], now: BlockNumberFor<T>) {
		if let Some(draw) = Draws::<T>::take(draw_id) {
			Self::draw_audits(draw_id, draw, AuditRate::<T>::get(), randomness, now);
		}
	}

	/// Expires audit `id` now (benchmarks: one expiry).
	#[cfg(feature = "runtime-benchmarks")]
	pub(crate) fn expire_audit_now(id: AuditId) {
		if let Some(audit) = Audits::<T>::take(id) {
			Self::miss_audit(id, audit);
		}
	}

	/// Draws `⌈rate × new receipts⌉` (at most `MaxAuditsPerClaim`) receipts of `draw`.
	fn draw_audits(
		draw_id: u64,
		draw: DrawOf<T>,
		rate: Perbill,
		randomness: &[u8; 32],
		now: BlockNumberFor<T>,
	) {
		let range = draw.count.saturating_sub(draw.from);
		if range == 0 {
			return;
		}
		let audits = rate.mul_ceil(range).min(u64::from(T::MaxAuditsPerClaim::get()));
		let deadline = now.saturating_add(T::AuditRevealWindow::get());
		for nth in 0..audits {
			let seed = <sp_runtime::traits::BlakeTwo256 as sp_runtime::traits::Hash>::hash(
				&(b"modelchain/audit", randomness, draw_id, nth).encode(),
			);
			let word = u64::from_le_bytes(
				seed.as_bytes().get(..8).and_then(|b| b.try_into().ok()).unwrap_or_default(),
			);
			let index = draw.from.saturating_add(word.checked_rem(range).unwrap_or_default());
			let (head, id) = AuditBounds::<T>::get();
			AuditBounds::<T>::put((head, id.saturating_add(1)));
			Self::deposit_event(Event::AuditDrawn {
				audit: id,
				channel: draw.channel,
				miner: draw.miner.clone(),
				index,
				count: draw.count,
				deadline,
			});
			Audits::<T>::insert(id, Audit { draw: draw.clone(), index, deadline, check: None });
		}
	}

	/// Reveals an audited receipt (see [`Pallet::reveal_audit`]).
	pub(crate) fn do_reveal_audit(
		miner: T::AccountId,
		id: AuditId,
		receipt: Receipt,
		input: Vec<u8>,
		output: Vec<i64>,
		proof: Vec<H256>,
	) -> DispatchResult {
		let mut audit = Audits::<T>::get(id).ok_or(Error::<T>::UnknownAudit)?;
		ensure!(audit.draw.miner == miner, Error::<T>::NotMiner);
		ensure!(audit.check.is_none() && Self::now() < audit.deadline, Error::<T>::AuditClosed);
		let version = audit.draw.version;
		ensure!(
			receipt.channel == audit.draw.channel
				&& receipt.sequence == audit.index.saturating_add(1)
				&& receipt.model == version.model
				&& receipt.version == version.version,
			Error::<T>::ReceiptMismatch
		);
		let receipt = modelchain_query_protocol::Receipt::from(&receipt);
		ensure!(
			receipt.input_hash == modelchain_query_protocol::input_hash(&input)
				&& receipt.output_hash == modelchain_query_protocol::output_hash(&output),
			Error::<T>::ReceiptMismatch
		);
		let siblings: Vec<[u8; 32]> = proof.iter().map(|hash| hash.0).collect();
		ensure!(
			modelchain_query_protocol::verify(
				&audit.draw.root.0,
				audit.draw.count,
				audit.index,
				&receipt.leaf(),
				&siblings
			),
			Error::<T>::BadProof
		);
		let check = T::Checks::open_check(&miner, &version, input, output, CheckReason::Audit)?;
		audit.check = Some(check);
		Audits::<T>::insert(id, audit);
		AuditChecks::<T>::insert(check, id);
		Self::deposit_event(Event::AuditRevealed { audit: id, check });
		Ok(())
	}

	/// Settles the audit whose check ended with `outcome` (nothing if `check` is not an
	/// audit's).
	pub(crate) fn settle_audit(check: JobId, outcome: CheckOutcome) {
		let Some(id) = AuditChecks::<T>::take(check) else { return };
		let Some(audit) = Audits::<T>::take(id) else { return };
		let draw = audit.draw;
		match outcome {
			CheckOutcome::Overturned => {
				let reason = SlashReason::WrongResult;
				let fraction = T::Staking::slash_fraction(reason);
				let slashed = T::Staking::slash(&draw.miner, fraction, reason);
				let refund = Self::pay_from_treasury(&draw.requester, draw.price.min(slashed));
				Self::deposit_event(Event::AuditFailed {
					audit: id,
					channel: draw.channel,
					miner: draw.miner,
					slashed,
					refund,
				});
			}
			CheckOutcome::Confirmed => {
				Self::deposit_event(Event::AuditPassed { audit: id, channel: draw.channel })
			}
			CheckOutcome::Undecided => {
				Self::deposit_event(Event::AuditUndecided { audit: id, channel: draw.channel })
			}
		}
	}

	/// Slashes the miner of an audit it did not reveal in time.
	fn miss_audit(id: AuditId, audit: AuditOf<T>) {
		let reason = SlashReason::MissedReveal;
		let slashed =
			T::Staking::slash(&audit.draw.miner, T::Staking::slash_fraction(reason), reason);
		Self::deposit_event(Event::AuditMissed {
			audit: id,
			channel: audit.draw.channel,
			miner: audit.draw.miner,
			slashed,
		});
	}

	/// Sets the audit rate (see [`Pallet::set_audit_rate`]).
	pub(crate) fn do_set_audit_rate(rate: Perbill) -> DispatchResult {
		AuditRate::<T>::put(rate);
		Self::deposit_event(Event::AuditRateSet { rate });
		Ok(())
	}

	/// The weight of an `expire_audits` that did `work`.
	pub fn expiries_weight(work: &AuditWork) -> Weight {
		T::WeightInfo::expire_audit().saturating_mul(u64::from(work.expiries)).saturating_add(
			T::DbWeight::get().reads_writes(u64::from(work.skipped).saturating_add(1), 1),
		)
	}
}
