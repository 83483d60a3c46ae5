//! [`PrioritizeAnswers`]: assigned miners' commits and reveals checked in the pool and put
//! ahead of ordinary transactions, so that block stuffing cannot make honest miners miss
//! their deadlines (and be reported or slashed for it).
//!
//! A spammer who fills blocks with cheap transactions during a reveal window competes on
//! priority, which `ChargeTransactionPayment` derives from the fee and tip. A commit or reveal
//! that the chain would accept right now (the same check the call runs: the job is in the
//! phase, the signer is assigned, has not answered yet, and a reveal opens its commitment) gets
//! [`Config::AnswerPriority`] added, far above what any tip buys; one the chain would refuse
//! is refused in the pool and never costs its sender a fee or a block any space. Other calls
//! pass through untouched.

use core::marker::PhantomData;

use codec::{Decode, DecodeWithMemTracking, Encode};
use frame_support::{
	pallet_prelude::{TransactionSource, Weight},
	traits::{Get, IsSubType, OriginTrait},
	DefaultNoBound,
};
use frame_system::pallet_prelude::BlockNumberFor;
use scale_info::TypeInfo;
use sp_runtime::{
	impl_tx_ext_default,
	traits::{DispatchInfoOf, SaturatedConversion, Saturating, TransactionExtension},
	transaction_validity::{InvalidTransaction, TransactionLongevity, ValidTransaction},
};

use alloc::{collections::BTreeSet, vec::Vec};

use crate::{Call, Config, Error, JobId, Pallet};

/// The runtime's call type.
type CallOf<T> = <T as frame_system::Config>::RuntimeCall;

/// The transaction extension that checks and prioritizes commits and reveals (see the module
/// documentation). It carries no data: clients that do not know it (polkadot.js apps, subxt)
/// sign as before.
#[derive(Encode, Decode, DecodeWithMemTracking, DefaultNoBound, Clone, Eq, PartialEq, TypeInfo)]
#[scale_info(skip_type_params(T))]
pub struct PrioritizeAnswers<T>(PhantomData<T>);

impl<T> PrioritizeAnswers<T> {
	/// The extension (it has no parameters).
	pub fn new() -> Self {
		Self(PhantomData)
	}
}

impl<T> core::fmt::Debug for PrioritizeAnswers<T> {
	fn fmt(&self, f: &mut core::fmt::Formatter) -> core::fmt::Result {
		write!(f, "PrioritizeAnswers")
	}
}

/// Why the pool refused an answer: `InvalidTransaction::Custom` carries the index of the
/// pallet error the call would have failed with (see [`Error`]).
fn refused<T: Config>(error: Error<T>) -> InvalidTransaction {
	let index = match sp_runtime::DispatchError::from(error) {
		sp_runtime::DispatchError::Module(module) => {
			module.error.first().copied().unwrap_or_default()
		}
		_ => 0,
	};
	InvalidTransaction::Custom(index)
}

impl<T: Config + Send + Sync> PrioritizeAnswers<T>
where
	CallOf<T>: IsSubType<Call<T>>,
{
	/// For a commit or reveal, single or batched: `Some` with the earliest block at which a
	/// phase it answers ends if the chain would accept every answer now, the first refusal's
	/// error if not. `None` for any other call.
	fn answer_deadline(
		who: &T::AccountId,
		call: &CallOf<T>,
	) -> Option<Result<BlockNumberFor<T>, Error<T>>> {
		let deadline = match call.is_sub_type()? {
			Call::commit_result { job, commitment: _ } => Self::commit_deadline(who, [*job]),
			Call::commit_results { commitments } => {
				Self::commit_deadline(who, commitments.iter().map(|(job, _)| *job))
			}
			Call::reveal_result { job, output, salt } => {
				Self::reveal_deadline(who, [(*job, output, salt)])
			}
			Call::reveal_results { reveals } => Self::reveal_deadline(
				who,
				reveals.iter().map(|reveal| (reveal.job, &reveal.output, &reveal.salt)),
			),
			_ => return None,
		};
		Some(deadline)
	}

	/// The earliest commit deadline of `jobs` if `who` may commit on each now (a job listed
	/// twice is `AlreadyCommitted`, as the call would find it).
	fn commit_deadline(
		who: &T::AccountId,
		jobs: impl IntoIterator<Item = JobId>,
	) -> Result<BlockNumberFor<T>, Error<T>> {
		let answers = jobs.into_iter().map(|job| (job, ()));
		Self::earliest(answers, Error::<T>::AlreadyCommitted, |job, ()| {
			Pallet::<T>::check_commit(job, who).map(|(record, _)| record.deadline)
		})
	}

	/// The earliest reveal deadline of `reveals` if `who` may make each now (a job listed
	/// twice is `AlreadyRevealed`, as the call would find it).
	fn reveal_deadline<'a>(
		who: &T::AccountId,
		reveals: impl IntoIterator<Item = (JobId, &'a Vec<i64>, &'a [u8; 32])>,
	) -> Result<BlockNumberFor<T>, Error<T>> {
		let answers = reveals.into_iter().map(|(job, output, salt)| (job, (output, salt)));
		Self::earliest(answers, Error::<T>::AlreadyRevealed, |job, (output, salt)| {
			Pallet::<T>::check_reveal(job, who, output.clone(), salt)
				.map(|((record, _), _)| record.deadline)
		})
	}

	/// The earliest of `deadline(job, answer)` over `answers`, or the first error
	/// (`repeated` for a job answered twice). No answer at all is `NoAnswers`.
	fn earliest<A>(
		answers: impl IntoIterator<Item = (JobId, A)>,
		repeated: Error<T>,
		mut deadline: impl FnMut(JobId, A) -> Result<BlockNumberFor<T>, Error<T>>,
	) -> Result<BlockNumberFor<T>, Error<T>> {
		let mut seen = BTreeSet::new();
		let mut earliest: Option<BlockNumberFor<T>> = None;
		for (job, answer) in answers {
			if !seen.insert(job) {
				return Err(repeated);
			}
			let due = deadline(job, answer)?;
			earliest = Some(earliest.map_or(due, |so_far| so_far.min(due)));
		}
		earliest.ok_or(Error::<T>::NoAnswers)
	}

	/// How many job records checking a commit or reveal reads (for the extension's weight).
	fn answers(call: &CallOf<T>) -> u64 {
		match call.is_sub_type() {
			Some(Call::commit_result { .. } | Call::reveal_result { .. }) => 1,
			Some(Call::commit_results { commitments }) => commitments.len() as u64,
			Some(Call::reveal_results { reveals }) => reveals.len() as u64,
			_ => 0,
		}
	}
}

impl<T: Config + Send + Sync> TransactionExtension<CallOf<T>> for PrioritizeAnswers<T>
where
	CallOf<T>: IsSubType<Call<T>>,
{
	const IDENTIFIER: &'static str = "PrioritizeAnswers";
	type Implicit = ();
	type Val = ();
	type Pre = ();

	/// One read of a job record per commit or reveal (the output hash is negligible).
	fn weight(&self, call: &CallOf<T>) -> Weight {
		T::DbWeight::get().reads(Self::answers(call))
	}

	fn validate(
		&self,
		origin: <T as frame_system::Config>::RuntimeOrigin,
		call: &CallOf<T>,
		_info: &DispatchInfoOf<CallOf<T>>,
		_len: usize,
		_self_implicit: Self::Implicit,
		_inherited_implication: &impl Encode,
		_source: TransactionSource,
	) -> sp_runtime::traits::ValidateResult<Self::Val, CallOf<T>> {
		let Some(who) = origin.as_signer() else {
			return Ok((ValidTransaction::default(), (), origin));
		};
		let deadline = match Self::answer_deadline(who, call) {
			None => return Ok((ValidTransaction::default(), (), origin)),
			Some(Err(error)) => return Err(refused(error).into()),
			Some(Ok(deadline)) => deadline,
		};
		let now = frame_system::Pallet::<T>::block_number();
		let longevity: TransactionLongevity =
			deadline.saturating_sub(now).saturated_into::<u64>().max(1);
		let validity = ValidTransaction {
			priority: T::AnswerPriority::get(),
			longevity,
			..Default::default()
		};
		Ok((validity, (), origin))
	}

	impl_tx_ext_default!(CallOf<T>; prepare);
}
