//! Paying a split fee out of a hold: one rule for every way of paying for inference (on-chain
//! jobs, query channels).

use crate::{Balance, FeeSplit, ModelId, RevenueSink};
use frame_support::{
	storage::with_storage_layer,
	traits::{
		fungible::MutateHold,
		tokens::{Fortitude, Precision, Restriction},
	},
};
use sp_runtime::traits::Zero;

/// Where the parts of a [`FeeSplit`] go.
pub struct Payees<'a, AccountId> {
	/// Receives the protocol fee.
	pub treasury: &'a AccountId,
	/// Receives the creator's royalty, and the holders' part when no shares were issued.
	pub creator: &'a AccountId,
	/// Each receives `per_miner`.
	pub miners: &'a [AccountId],
	/// The model whose share holders receive their part.
	pub model: ModelId,
	/// Whether the model's shares were issued (if not, the creator owns the whole model).
	pub shares_issued: bool,
}

/// What a payout paid to each party; `unpaid` stayed on hold (a part below its recipient's
/// existential deposit, or revenue the shares pallet refused). The parts add up to the fee.
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug)]
pub struct Paid {
	/// To the treasury.
	pub treasury: Balance,
	/// To the creator.
	pub creator: Balance,
	/// To all the miners together.
	pub miners: Balance,
	/// To the share holders (or the creator when no shares were issued).
	pub holders: Balance,
	/// Left on hold: the caller releases it to the payer.
	pub unpaid: Balance,
}

/// Pays `split` out of `payer`'s funds held with `reason`: the protocol fee, the creator's
/// royalty, `per_miner` to each miner and the holders' part through the shares pallet's O(1)
/// revenue deposit (moved and booked together, or neither). Exactly `split.fee` is accounted
/// for: what cannot be paid stays on hold and is returned as `unpaid`.
///
/// `Fortitude::Force`: the funds were set aside when they were held; a freeze placed on the
/// payer's balance since (e.g. a vote lock) must not block paying them.
pub fn pay_split_from_hold<AccountId, Currency, Revenue>(
	reason: &Currency::Reason,
	payer: &AccountId,
	split: &FeeSplit,
	payees: &Payees<AccountId>,
) -> Paid
where
	Currency: MutateHold<AccountId, Balance = Balance>,
	Revenue: RevenueSink<AccountId, Balance>,
{
	let pay = |to: &AccountId, amount: Balance| -> Balance {
		if amount.is_zero() {
			return 0;
		}
		Currency::transfer_on_hold(
			reason,
			payer,
			to,
			amount,
			Precision::Exact,
			Restriction::Free,
			Fortitude::Force,
		)
		.map(|_| amount)
		.unwrap_or_default()
	};
	let treasury = pay(payees.treasury, split.treasury);
	let creator = pay(payees.creator, split.creator);
	let miners = payees
		.miners
		.iter()
		.fold(0, |paid: Balance, miner| paid.saturating_add(pay(miner, split.per_miner)));
	let holders = if split.holders.is_zero() {
		0
	} else if payees.shares_issued {
		let credited = with_storage_layer(|| -> sp_runtime::DispatchResult {
			Currency::transfer_on_hold(
				reason,
				payer,
				&Revenue::revenue_account(),
				split.holders,
				Precision::Exact,
				Restriction::Free,
				Fortitude::Force,
			)?;
			Revenue::note_revenue(payees.model, split.holders)
		});
		if credited.is_ok() {
			split.holders
		} else {
			0
		}
	} else {
		pay(payees.creator, split.holders)
	};
	let paid = treasury.saturating_add(creator).saturating_add(miners).saturating_add(holders);
	Paid { treasury, creator, miners, holders, unpaid: split.fee.saturating_sub(paid) }
}

/// Releases `amount` of `who`'s funds held with `reason`, a hold the caller made and keeps the
/// size of; returns what was released. A money path that "cannot" fail: releasing less means the
/// books and the holds disagree, which `defensive!` reports (and the pallets' `try_state`
/// checks), and whatever could be released still is.
pub fn release_held<AccountId, Currency>(
	reason: &Currency::Reason,
	who: &AccountId,
	amount: Currency::Balance,
) -> Currency::Balance
where
	Currency: MutateHold<AccountId>,
{
	if amount.is_zero() {
		return Zero::zero();
	}
	let released =
		Currency::release(reason, who, amount, Precision::BestEffort).unwrap_or_default();
	if released != amount {
		frame_support::defensive!("a hold was smaller than the books say");
	}
	released
}
