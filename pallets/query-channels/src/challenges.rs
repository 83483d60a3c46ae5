//! Challenges: anyone holding a miner-signed receipt, its input and its output submits them;
//! the validators re-execute the query (a check of the inference pallet, decided by the same
//! verdicts and k-of-n rule as a job) and the outcome settles the challenge:
//! - the answer was wrong: the miner is slashed (compute staking's `WrongResult` fraction, to
//!   the treasury), the challenger gets its deposit back and `ChallengerReward` of the slash,
//!   the channel's requester the query's price, both paid from the treasury out of the slash
//!   (never more than was slashed);
//! - the answer was right: the challenger's deposit goes to the miner;
//! - no majority decided: the deposit is released.

use crate::*;
use alloc::vec::Vec;
use frame_support::{
	ensure,
	pallet_prelude::*,
	traits::{
		fungible::{Mutate, MutateHold},
		tokens::{Fortitude, Precision, Preservation, Restriction},
	},
};
use modelchain_primitives::{
	Balance, CheckOutcome, CheckReason, ComputeStakingInterface, JobId, OutputChecks, SlashReason,
};
use sp_runtime::traits::Verify;

impl<T: Config> Pallet<T> {
	/// Challenges a receipt (see [`Pallet::challenge`]); returns the check's id.
	pub(crate) fn do_challenge(
		challenger: T::AccountId,
		receipt: Receipt,
		signature: T::OffchainSignature,
		input: Vec<u8>,
		output: Vec<i64>,
	) -> Result<JobId, DispatchError> {
		let record = Channels::<T>::get(receipt.channel).ok_or(Error::<T>::UnknownChannel)?;
		ensure!(
			receipt.model == record.version.model && receipt.version == record.version.version,
			Error::<T>::ReceiptMismatch
		);
		ensure!(receipt.sequence >= 1, Error::<T>::ReceiptMismatch);
		let protocol_receipt = modelchain_query_protocol::Receipt::from(&receipt);
		ensure!(
			protocol_receipt.input_hash == modelchain_query_protocol::input_hash(&input)
				&& protocol_receipt.output_hash == modelchain_query_protocol::output_hash(&output),
			Error::<T>::ReceiptMismatch
		);
		ensure!(
			signature.verify(&protocol_receipt.message(&Self::genesis_hash())[..], &record.miner),
			Error::<T>::BadSignature
		);
		let key = (receipt.channel, receipt.sequence);
		ensure!(!ChallengedReceipts::<T>::contains_key(key), Error::<T>::AlreadyChallenged);
		let deposit = T::ChallengeDeposit::get();
		Self::hold(HoldReason::ChallengeDeposit, &challenger, deposit)?;
		let check = T::Checks::open_check(
			&challenger,
			&record.version,
			input,
			output,
			CheckReason::Challenge,
		)?;
		Challenges::<T>::insert(
			check,
			Challenge {
				challenger: challenger.clone(),
				channel: receipt.channel,
				sequence: receipt.sequence,
				miner: record.miner,
				requester: record.requester,
				price: record.terms.price,
				deposit,
			},
		);
		ChallengedReceipts::<T>::insert(key, check);
		Self::deposit_event(Event::ReceiptChallenged {
			channel: receipt.channel,
			sequence: receipt.sequence,
			challenger,
			check,
		});
		Ok(check)
	}

	/// Settles the challenge whose check ended with `outcome` (nothing if `check` is not a
	/// challenge's).
	pub(crate) fn settle_challenge(check: JobId, outcome: CheckOutcome) {
		let Some(challenge) = Challenges::<T>::take(check) else { return };
		ChallengedReceipts::<T>::remove((challenge.channel, challenge.sequence));
		let Challenge { challenger, channel, sequence, miner, requester, price, deposit } =
			challenge;
		match outcome {
			CheckOutcome::Overturned => {
				let reason = SlashReason::WrongResult;
				let slashed = T::Staking::slash(&miner, T::Staking::slash_fraction(reason), reason);
				let reward = T::ChallengerReward::get().mul_floor(slashed);
				let reward = Self::pay_from_treasury(&challenger, reward);
				let refund =
					Self::pay_from_treasury(&requester, price.min(slashed.saturating_sub(reward)));
				let deposit_back =
					Self::release(HoldReason::ChallengeDeposit, &challenger, deposit);
				Self::deposit_event(Event::ChallengeUpheld {
					check,
					channel,
					sequence,
					miner,
					slashed,
					reward,
					refund,
					deposit_back,
				});
			}
			CheckOutcome::Confirmed => {
				let forfeited = T::Currency::transfer_on_hold(
					&HoldReason::ChallengeDeposit.into(),
					&challenger,
					&miner,
					deposit,
					Precision::BestEffort,
					Restriction::Free,
					Fortitude::Force,
				)
				.unwrap_or_else(|_| {
					// A deposit that cannot reach the miner goes back rather than stay held.
					Self::release(HoldReason::ChallengeDeposit, &challenger, deposit);
					0
				});
				Self::deposit_event(Event::ChallengeRejected {
					check,
					channel,
					sequence,
					challenger,
					forfeited,
				});
			}
			CheckOutcome::Undecided => {
				let deposit_back =
					Self::release(HoldReason::ChallengeDeposit, &challenger, deposit);
				Self::deposit_event(Event::ChallengeUndecided {
					check,
					channel,
					sequence,
					deposit_back,
				});
			}
		}
	}

	/// Pays `amount` from the treasury (what a slash put there), keeping the treasury alive;
	/// returns what was paid.
	pub(crate) fn pay_from_treasury(to: &T::AccountId, amount: Balance) -> Balance {
		if amount == 0 {
			return 0;
		}
		T::Currency::transfer(&T::Treasury::get(), to, amount, Preservation::Preserve)
			.map(|_| amount)
			.unwrap_or_default()
	}
}

impl<T: Config> modelchain_primitives::CheckObserver for Pallet<T> {
	fn check_decided(check: JobId, outcome: CheckOutcome) {
		// A check is a challenge's or an audit's, never both.
		Self::settle_challenge(check, outcome);
		Self::settle_audit(check, outcome);
	}

	/// A challenge's worst outcome (a slash, a reward, a refund, a release) outweighs an
	/// audit's (a slash and a refund).
	fn check_decided_weight() -> Weight {
		T::WeightInfo::settle_challenge().max(T::WeightInfo::settle_audit())
	}
}
