//! H-7: block stuffing. A spammer who fills blocks during a commit or reveal window competes
//! with the assigned miners on pool priority, which `ChargeTransactionPayment` derives from the
//! tip. Without `PrioritizeAnswers` a remark with a modest tip outranked every commit and reveal,
//! so the miners missed their deadlines (reported, or slashed) while the spammer paid little.
//! These tests validate real transactions through the runtime's full extension pipeline.

mod common;

use codec::Encode;
use common::{account, genesis_ext, register_and_issue, register_miner, request};
use frame_support::{dispatch::GetDispatchInfo, traits::fungible::Mutate};
use modelchain_primitives::ModelVersionRef;
use modelchain_runtime::{
	units::UNIT, Balances, Runtime, RuntimeCall, RuntimeOrigin, System, TxExtension,
};
use sp_core::H256;
use sp_keyring::Sr25519Keyring;
use sp_runtime::{
	generic::Era,
	traits::DispatchTransaction,
	transaction_validity::{
		InvalidTransaction, TransactionPriority, TransactionSource, TransactionValidityError,
	},
	AccountId32,
};

/// The runtime's extensions for a transaction of `who` with `tip`.
fn extensions(who: &AccountId32, tip: u128) -> TxExtension {
	(
		frame_system::AuthorizeCall::<Runtime>::new(),
		frame_system::CheckNonZeroSender::<Runtime>::new(),
		frame_system::CheckSpecVersion::<Runtime>::new(),
		frame_system::CheckTxVersion::<Runtime>::new(),
		frame_system::CheckGenesis::<Runtime>::new(),
		frame_system::CheckEra::<Runtime>::from(Era::Immortal),
		frame_system::CheckNonce::<Runtime>::from(System::account_nonce(who)),
		frame_system::CheckWeight::<Runtime>::new(),
		pallet_transaction_payment::ChargeTransactionPayment::<Runtime>::from(tip),
		pallet_inference::PrioritizeAnswers::<Runtime>::new(),
		frame_metadata_hash_extension::CheckMetadataHash::<Runtime>::new(false),
		frame_system::WeightReclaim::<Runtime>::new(),
	)
}

/// The pool's verdict on `who` sending `call` with `tip`: its priority, or why it is refused.
fn pool_priority(
	who: &AccountId32,
	call: &RuntimeCall,
	tip: u128,
) -> Result<TransactionPriority, TransactionValidityError> {
	extensions(who, tip)
		.validate_only(
			RuntimeOrigin::signed(who.clone()),
			call,
			&call.get_dispatch_info(),
			call.encoded_size(),
			TransactionSource::External,
			0,
		)
		.map(|(validity, _, _)| validity.priority)
}

/// A job with three assigned miners, at block 1; returns it and its miners.
fn job_with_miners() -> (u64, Vec<AccountId32>) {
	System::set_block_number(1);
	let model = register_and_issue(&Sr25519Keyring::Alice.to_account_id(), 1_000_000);
	for index in 0..3 {
		register_miner(&account("miner", index), vec![ModelVersionRef { model, version: 0 }]);
	}
	request(&Sr25519Keyring::Eve.to_account_id(), model)
}

/// A new account of `kind` holding `balance`.
fn funded(kind: &str, balance: u128) -> AccountId32 {
	let who = account(kind, 0);
	Balances::set_balance(&who, balance);
	who
}

fn commit(job: u64) -> RuntimeCall {
	RuntimeCall::Inference(pallet_inference::Call::commit_result {
		job,
		commitment: H256::repeat_byte(7),
	})
}

/// A spammer's remark tipped 100 MDL (a hundred thousand times its fee) ranks below an
/// assigned miner's untipped commit. To outrank one, a 1 KiB remark would need a tip of about
/// 2,400 MDL (`MAX / 2` over the 3,840 such remarks a block's length holds), and crowding a
/// block's commits out would take thousands of them: millions of MDL a block.
#[test]
fn an_assigned_miners_commit_outranks_tipped_spam_in_the_pool() {
	genesis_ext("development").execute_with(|| {
		let (job, miners) = job_with_miners();
		let spammer = funded("spammer", 1_000_000 * UNIT);
		let remark = RuntimeCall::System(frame_system::Call::remark { remark: vec![0; 1024] });
		let spam = pool_priority(&spammer, &remark, 100 * UNIT).expect("spam is valid");
		for miner in &miners {
			let answer = pool_priority(miner, &commit(job), 0).expect("the commit is valid");
			assert!(answer > spam, "commit priority {answer} vs tipped spam {spam}");
		}
	});
}

/// A commit the chain would refuse (the sender is not assigned, or the job is not in its
/// commit phase) is refused in the pool: fake answers cannot ride the priority, and take no
/// block space.
#[test]
fn answers_the_chain_would_refuse_are_refused_in_the_pool() {
	genesis_ext("development").execute_with(|| {
		let (job, _) = job_with_miners();
		let stranger = funded("stranger", 1_000 * UNIT);
		let refused = |error: pallet_inference::Error<Runtime>| {
			Err(TransactionValidityError::Invalid(InvalidTransaction::Custom(error.encode()[0])))
		};
		assert_eq!(
			pool_priority(&stranger, &commit(job), 0),
			refused(pallet_inference::Error::NotAssigned)
		);
		assert_eq!(
			pool_priority(&stranger, &commit(job + 1), 0),
			refused(pallet_inference::Error::UnknownJob)
		);
	});
}
