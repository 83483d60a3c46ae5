//! Benchmarks of every call at its worst case: a licensed model with issued shares (the access
//! check's longest path, the holders' part through the shares pallet), every part of a claim
//! paid, a real signature checked.

use super::*;
use crate::Pallet as QueryChannels;
use alloc::vec;
use frame_benchmarking::v2::*;
use frame_support::traits::{fungible::Mutate, Get};
use frame_support::BoundedVec;
use frame_system::{pallet_prelude::BlockNumberFor, RawOrigin};
use modelchain_primitives::Balance;
use sp_core::H256;
use sp_runtime::Saturating;

const FUNDS: Balance = 1_000_000_000_000_000_000;
const ESCROW: Balance = 1_000_000_000_000_000;

/// A channel of a signing requester to a miner of a licensed model with shares; returns the
/// requester, the miner and the channel.
fn opened_channel<T: Config>() -> Result<(T::AccountId, T::AccountId, ChannelId), BenchmarkError> {
	let requester = T::BenchmarkHelper::signer();
	T::Currency::set_balance(&requester, FUNDS);
	let (model, miner) = T::BenchmarkHelper::model_with_miner(&requester);
	let channel = NextChannelId::<T>::get();
	QueryChannels::<T>::open_channel(
		RawOrigin::Signed(requester.clone()).into(),
		miner.clone(),
		model,
		ESCROW,
		T::MaxLifetime::get(),
	)?;
	Ok((requester, miner, channel))
}

/// An audit of receipt 0 of `count` under `root`, drawn now; returns its id.
fn audit_of<T: Config>(
	channel: ChannelId,
	requester: &T::AccountId,
	miner: &T::AccountId,
	version: modelchain_primitives::ModelVersionRef,
	root: H256,
	count: u64,
) -> AuditId {
	let now = frame_system::Pallet::<T>::block_number();
	let (head, id) = AuditBounds::<T>::get();
	AuditBounds::<T>::put((head, id.saturating_add(1)));
	Audits::<T>::insert(
		id,
		Audit {
			draw: Draw {
				channel,
				miner: miner.clone(),
				requester: requester.clone(),
				version,
				price: 1,
				root,
				count,
				from: 0,
				claimed_at: now,
			},
			index: 0,
			deadline: now.saturating_add(T::AuditRevealWindow::get()),
			check: None,
		},
	);
	id
}

/// Query 1 of `channel` with the longest input and output, and its receipt.
#[allow(clippy::type_complexity)]
fn longest_answer<T: Config>(
	channel: ChannelId,
	version: modelchain_primitives::ModelVersionRef,
) -> Result<
	(Receipt, BoundedVec<u8, T::MaxInputLen>, BoundedVec<i64, T::MaxOutputValues>),
	BenchmarkError,
> {
	let input = vec![7u8; T::MaxInputLen::get() as usize];
	let output = vec![-3i64; T::MaxOutputValues::get() as usize];
	let receipt = Receipt {
		channel,
		sequence: 1,
		model: version.model,
		version: version.version,
		input_hash: H256(modelchain_query_protocol::input_hash(&input)),
		output_hash: H256(modelchain_query_protocol::output_hash(&output)),
		cumulative: ESCROW,
	};
	let input = input.try_into().map_err(|_| BenchmarkError::Weightless)?;
	let output = output.try_into().map_err(|_| BenchmarkError::Weightless)?;
	Ok((receipt, input, output))
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn open_channel() -> Result<(), BenchmarkError> {
		let requester = T::BenchmarkHelper::signer();
		T::Currency::set_balance(&requester, FUNDS);
		let (model, miner) = T::BenchmarkHelper::model_with_miner(&requester);
		let lifetime = T::MaxLifetime::get();
		#[extrinsic_call]
		_(RawOrigin::Signed(requester.clone()), miner, model, ESCROW, lifetime);
		assert_eq!(ChannelsOf::<T>::get(&requester), 1);
		Ok(())
	}

	#[benchmark]
	fn top_up() -> Result<(), BenchmarkError> {
		let (requester, _, channel) = opened_channel::<T>()?;
		let lifetime: BlockNumberFor<T> = T::MaxLifetime::get();
		#[extrinsic_call]
		_(RawOrigin::Signed(requester), channel, ESCROW, Some(lifetime));
		assert_eq!(Channels::<T>::get(channel).map(|c| c.deposit), Some(2 * ESCROW));
		Ok(())
	}

	/// A first claim: the treasury, the creator and the miner receive their first payment,
	/// the holders' part goes through the shares pallet, and the audit draw is queued.
	#[benchmark]
	fn claim() -> Result<(), BenchmarkError> {
		let (requester, miner, channel) = opened_channel::<T>()?;
		// Audits on (the claim queues its draw), and as many queries as one claim may settle.
		if AuditRate::<T>::get().is_zero() {
			AuditRate::<T>::put(sp_runtime::Perbill::from_percent(2));
		}
		let voucher = Voucher {
			channel,
			cumulative: ESCROW,
			queries: QueryChannels::<T>::max_queries_per_claim().min(1_000_000),
			receipts_root: H256::repeat_byte(7),
		};
		let signature =
			T::BenchmarkHelper::sign(&requester, &QueryChannels::<T>::voucher_message(&voucher));
		#[extrinsic_call]
		_(RawOrigin::Signed(miner), channel, voucher, signature);
		assert_eq!(Channels::<T>::get(channel).map(|c| c.claimed), Some(ESCROW));
		Ok(())
	}

	/// The requester closes an expired channel after the grace: the escrow left is refunded
	/// and the storage deposit released.
	#[benchmark]
	fn close_channel() -> Result<(), BenchmarkError> {
		let (requester, _, channel) = opened_channel::<T>()?;
		let after = frame_system::Pallet::<T>::block_number()
			.saturating_add(T::MaxLifetime::get())
			.saturating_add(T::ClaimGrace::get());
		frame_system::Pallet::<T>::set_block_number(after);
		#[extrinsic_call]
		_(RawOrigin::Signed(requester.clone()), channel);
		assert!(!Channels::<T>::contains_key(channel));
		Ok(())
	}

	/// A challenge of an answer with the longest input and output: the receipt's signature
	/// checked, the deposit held, the validators' check opened (the inference pallet's, in
	/// the runtime).
	#[benchmark]
	fn challenge() -> Result<(), BenchmarkError> {
		let (requester, _, channel) = opened_channel::<T>()?;
		// The receipt is signed by a key the helper holds: that key serves the channel.
		let signer = T::BenchmarkHelper::signer();
		Channels::<T>::mutate(channel, |record| {
			if let Some(record) = record {
				record.miner = signer.clone();
			}
		});
		let version =
			Channels::<T>::get(channel).map(|c| c.version).ok_or(BenchmarkError::Weightless)?;
		let (receipt, input, output) = longest_answer::<T>(channel, version)?;
		let message = modelchain_query_protocol::Receipt::from(&receipt)
			.message(&QueryChannels::<T>::genesis_hash());
		let signature = T::BenchmarkHelper::sign(&signer, &message);
		#[extrinsic_call]
		_(RawOrigin::Signed(requester), receipt, signature, input, output);
		assert!(ChallengedReceipts::<T>::contains_key((channel, 1)));
		Ok(())
	}

	/// The worst outcome of a challenge: the answer was wrong, the miner (bonded) is slashed,
	/// the challenger rewarded and the requester refunded from the treasury, the deposit
	/// released.
	#[benchmark]
	fn settle_challenge() -> Result<(), BenchmarkError> {
		let (requester, miner, channel) = opened_channel::<T>()?;
		let challenger: T::AccountId = account("challenger", 0, 0);
		T::Currency::set_balance(&challenger, FUNDS);
		T::Currency::set_balance(&T::Treasury::get(), FUNDS);
		let deposit = T::ChallengeDeposit::get();
		QueryChannels::<T>::hold(HoldReason::ChallengeDeposit, &challenger, deposit)?;
		let check = 1_000;
		let price = Channels::<T>::get(channel).map(|c| c.terms.price).unwrap_or_default();
		Challenges::<T>::insert(
			check,
			Challenge {
				challenger: challenger.clone(),
				channel,
				sequence: 1,
				miner,
				requester,
				price,
				deposit,
			},
		);
		ChallengedReceipts::<T>::insert((channel, 1), check);
		#[block]
		{
			QueryChannels::<T>::settle_challenge(
				check,
				modelchain_primitives::CheckOutcome::Overturned,
			);
		}
		assert!(!Challenges::<T>::contains_key(check));
		Ok(())
	}

	/// A reveal of an audited receipt with the longest input and output: the Merkle proof of
	/// 32 siblings checked, the validators' check opened.
	#[benchmark]
	fn reveal_audit() -> Result<(), BenchmarkError> {
		let (requester, miner, channel) = opened_channel::<T>()?;
		let version =
			Channels::<T>::get(channel).map(|c| c.version).ok_or(BenchmarkError::Weightless)?;
		let (receipt, input, output) = longest_answer::<T>(channel, version)?;
		let leaf = modelchain_query_protocol::Receipt::from(&receipt).leaf();
		let mut tree = modelchain_query_protocol::ReceiptsTree::new();
		tree.push(leaf).map_err(|_| BenchmarkError::Weightless)?;
		let proof =
			modelchain_query_protocol::proof(&[leaf], 0).ok_or(BenchmarkError::Weightless)?;
		let audit = audit_of::<T>(channel, &requester, &miner, version, H256(tree.root()), 1);
		let proof: BoundedVec<H256, _> = proof
			.into_iter()
			.map(H256)
			.collect::<alloc::vec::Vec<_>>()
			.try_into()
			.map_err(|_| BenchmarkError::Weightless)?;
		#[extrinsic_call]
		_(RawOrigin::Signed(miner), audit, receipt, input, output, proof);
		assert!(Audits::<T>::get(audit).is_some_and(|a| a.check.is_some()));
		Ok(())
	}

	/// An audited answer found wrong: the miner (bonded) slashed, the requester refunded
	/// from the treasury.
	#[benchmark]
	fn settle_audit() -> Result<(), BenchmarkError> {
		let (requester, miner, channel) = opened_channel::<T>()?;
		T::Currency::set_balance(&T::Treasury::get(), FUNDS);
		let version =
			Channels::<T>::get(channel).map(|c| c.version).ok_or(BenchmarkError::Weightless)?;
		let audit = audit_of::<T>(channel, &requester, &miner, version, H256::zero(), 1);
		let check = 1_000;
		Audits::<T>::mutate(audit, |a| {
			if let Some(a) = a {
				a.check = Some(check);
			}
		});
		AuditChecks::<T>::insert(check, audit);
		#[block]
		{
			QueryChannels::<T>::settle_audit(
				check,
				modelchain_primitives::CheckOutcome::Overturned,
			);
		}
		assert!(!Audits::<T>::contains_key(audit));
		Ok(())
	}

	/// One claim's draw at its most: `MaxAuditsPerClaim` audits created.
	#[benchmark]
	fn draw_audits() -> Result<(), BenchmarkError> {
		let (requester, miner, channel) = opened_channel::<T>()?;
		let version =
			Channels::<T>::get(channel).map(|c| c.version).ok_or(BenchmarkError::Weightless)?;
		AuditRate::<T>::put(sp_runtime::Perbill::one());
		let count = u64::from(T::MaxAuditsPerClaim::get());
		let claimed_at = frame_system::Pallet::<T>::block_number();
		Draws::<T>::insert(
			0,
			Draw {
				channel,
				miner,
				requester,
				version,
				price: 1,
				root: H256::zero(),
				count,
				from: 0,
				claimed_at,
			},
		);
		DrawBounds::<T>::put((0, 1));
		let now = claimed_at.saturating_add(1u32.into());
		let randomness = [7u8; 32];
		#[block]
		{
			QueryChannels::<T>::draw_audits_of(0, &randomness, now);
		}
		assert_eq!(AuditBounds::<T>::get().1, count);
		Ok(())
	}

	/// An audit not revealed in time: the miner (bonded) slashed.
	#[benchmark]
	fn expire_audit() -> Result<(), BenchmarkError> {
		let (requester, miner, channel) = opened_channel::<T>()?;
		let version =
			Channels::<T>::get(channel).map(|c| c.version).ok_or(BenchmarkError::Weightless)?;
		let audit = audit_of::<T>(channel, &requester, &miner, version, H256::zero(), 1);
		#[block]
		{
			QueryChannels::<T>::expire_audit_now(audit);
		}
		assert!(!Audits::<T>::contains_key(audit));
		Ok(())
	}

	#[benchmark]
	fn set_audit_rate() {
		#[extrinsic_call]
		_(RawOrigin::Root, sp_runtime::Perbill::from_percent(3));
		assert_eq!(AuditRate::<T>::get(), sp_runtime::Perbill::from_percent(3));
	}

	impl_benchmark_test_suite!(QueryChannels, crate::mock::new_test_ext(), crate::mock::Test);
}
