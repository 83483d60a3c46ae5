//! Unit and property tests of query channels: each call's happy path and every error path
//! (refused with its named error and nothing changed), and money conservation.

use crate::{mock::*, *};
use frame_support::{
	assert_noop, assert_ok,
	traits::fungible::{Inspect, InspectHold},
};
use modelchain_primitives::{Balance, FeeSplit, ModelId};
use sp_core::H256;
use sp_runtime::Perbill;

const LIFETIME: u64 = 100;

/// Opens a channel of Alice to the miner for `MODEL` with `deposit`; returns its id.
fn open(deposit: Balance) -> ChannelId {
	let channel = NextChannelId::<Test>::get();
	assert_ok!(QueryChannels::open_channel(
		RuntimeOrigin::signed(alice()),
		miner(),
		MODEL,
		deposit,
		LIFETIME
	));
	channel
}

/// The miner claims Alice's voucher of `cumulative` for `queries` queries.
fn claim(channel: ChannelId, cumulative: Balance, queries: u64) -> sp_runtime::DispatchResult {
	let (voucher, signature) = signed_voucher("Alice", channel, cumulative, queries);
	QueryChannels::claim(RuntimeOrigin::signed(miner()), channel, voucher, signature)
}

fn escrow_held(who: &AccountId) -> Balance {
	Balances::balance_on_hold(&HoldReason::ChannelEscrow.into(), who)
}

fn storage_held(who: &AccountId) -> Balance {
	Balances::balance_on_hold(&HoldReason::ChannelStorage.into(), who)
}

fn revenue(model: ModelId) -> Balance {
	REVENUE.with(|r| r.borrow().get(&model).copied().unwrap_or_default())
}

// ---------------------------------------------------------------- open_channel

#[test]
fn opening_holds_the_escrow_and_the_storage_deposit_and_fixes_the_terms() {
	new_test_ext().execute_with(|| {
		let channel = open(10 * PRICE);
		assert_eq!(escrow_held(&alice()), 10 * PRICE);
		assert_eq!(storage_held(&alice()), CHANNEL_DEPOSIT);
		assert_eq!(Balances::balance(&alice()), ENDOWMENT - 10 * PRICE - CHANNEL_DEPOSIT);
		let record = Channels::<Test>::get(channel).unwrap();
		assert_eq!(record.version, VERSION);
		assert_eq!(record.terms.price, PRICE);
		assert_eq!(record.terms.protocol_fee, Perbill::from_percent(5));
		assert_eq!(record.expires_at, 1 + LIFETIME);
		assert_eq!(ChannelsOf::<Test>::get(alice()), 1);
		System::assert_last_event(
			Event::ChannelOpened {
				channel,
				requester: alice(),
				miner: miner(),
				model: MODEL,
				version: VERSION.version,
				price: PRICE,
				deposit: 10 * PRICE,
				expires_at: 1 + LIFETIME,
			}
			.into(),
		);

		// A later price change does not change what the requester agreed to.
		MockRegistry::modify(MODEL, |stub| stub.serving.price = 5 * PRICE);
		assert_eq!(Channels::<Test>::get(channel).unwrap().terms.price, PRICE);
	});
}

#[test]
fn opening_is_refused_with_a_named_error_and_nothing_held() {
	new_test_ext().execute_with(|| {
		let open_with = |miner: AccountId, model: ModelId, deposit: Balance, lifetime: u64| {
			QueryChannels::open_channel(
				RuntimeOrigin::signed(alice()),
				miner,
				model,
				deposit,
				lifetime,
			)
		};
		assert_noop!(open_with(miner(), 2, PRICE, LIFETIME), Error::<Test>::ModelNotServing);
		assert_noop!(open_with(plain(77), MODEL, PRICE, LIFETIME), Error::<Test>::MinerNotServing);
		assert_noop!(
			open_with(miner(), MODEL, PRICE - 1, LIFETIME),
			Error::<Test>::DepositBelowPrice
		);
		assert_noop!(open_with(miner(), MODEL, PRICE, 0), Error::<Test>::BadLifetime);
		assert_noop!(
			open_with(miner(), MODEL, PRICE, MAX_LIFETIME + 1),
			Error::<Test>::BadLifetime
		);
		assert_noop!(
			open_with(miner(), MODEL, ENDOWMENT, LIFETIME),
			Error::<Test>::InsufficientBalance
		);
		DENIED.with(|d| d.borrow_mut().insert(alice()));
		assert_noop!(
			open_with(miner(), MODEL, PRICE, LIFETIME),
			sp_runtime::DispatchError::Other("access denied")
		);
	});
}

#[test]
fn a_miner_that_stopped_serving_the_version_gets_no_new_channel() {
	new_test_ext().execute_with(|| {
		SERVING_MINERS.with(|m| m.borrow_mut().remove(&(miner(), VERSION)));
		assert_noop!(
			QueryChannels::open_channel(RuntimeOrigin::signed(alice()), miner(), MODEL, PRICE, 9),
			Error::<Test>::MinerNotServing
		);
	});
}

#[test]
fn a_requester_has_at_most_max_channels_open() {
	new_test_ext().execute_with(|| {
		for _ in 0..MAX_CHANNELS {
			open(PRICE);
		}
		assert_noop!(
			QueryChannels::open_channel(
				RuntimeOrigin::signed(alice()),
				miner(),
				MODEL,
				PRICE,
				LIFETIME
			),
			Error::<Test>::TooManyChannels
		);
		assert_ok!(QueryChannels::close_channel(RuntimeOrigin::signed(miner()), 0));
		open(PRICE);
	});
}

// ---------------------------------------------------------------- claim

#[test]
fn a_claim_pays_the_new_part_of_the_voucher_split_like_a_jobs_fee() {
	new_test_ext().execute_with(|| {
		let channel = open(100 * PRICE);
		let (miner_before, creator_before, treasury_before) = (
			Balances::balance(&miner()),
			Balances::balance(&creator()),
			Balances::balance(&treasury()),
		);
		assert_ok!(claim(channel, 40 * PRICE, 40));
		let split = FeeSplit::new(
			40 * PRICE,
			Perbill::from_percent(5),
			Perbill::from_percent(10),
			Perbill::from_percent(50),
			1,
		);
		assert_eq!(Balances::balance(&miner()) - miner_before, split.miners);
		assert_eq!(Balances::balance(&creator()) - creator_before, split.creator);
		assert_eq!(Balances::balance(&treasury()) - treasury_before, split.treasury);
		assert_eq!(revenue(MODEL), split.holders);
		assert_eq!(escrow_held(&alice()), 60 * PRICE);
		System::assert_last_event(
			Event::Claimed {
				channel,
				miner: miner(),
				cumulative: 40 * PRICE,
				queries: 40,
				receipts_root: H256::repeat_byte(40),
				amount: 40 * PRICE,
				treasury: split.treasury,
				creator: split.creator,
				miner_part: split.miners,
				holders: split.holders,
				refunded: 0,
			}
			.into(),
		);

		// The next voucher pays only what was not claimed before.
		assert_ok!(claim(channel, 50 * PRICE, 50));
		assert_eq!(escrow_held(&alice()), 50 * PRICE);
		let record = Channels::<Test>::get(channel).unwrap();
		assert_eq!((record.claimed, record.queries_claimed), (50 * PRICE, 50));
		assert_eq!(record.receipts_root, H256::repeat_byte(50));
	});
}

/// A licence's query count is used per query: each claim counts the queries it newly
/// settles (never those of an earlier claim) against the requester's licence.
#[test]
fn each_claim_counts_its_new_queries_against_the_requesters_licence() {
	new_test_ext().execute_with(|| {
		LICENSED.with(|l| l.borrow_mut().insert(alice()));
		let channel = open(100 * PRICE);
		assert_ok!(claim(channel, 30 * PRICE, 30));
		assert_ok!(claim(channel, 50 * PRICE, 50));
		assert_eq!(
			LICENCE_QUERIES.with(|q| q.borrow().clone()),
			vec![(alice(), MODEL, 30), (alice(), MODEL, 20)]
		);
	});
}

#[test]
fn a_model_without_shares_pays_the_holders_part_to_its_creator() {
	new_test_ext().execute_with(|| {
		assert_ok!(QueryChannels::open_channel(
			RuntimeOrigin::signed(alice()),
			miner(),
			UNSHARED_MODEL,
			10 * PRICE,
			LIFETIME
		));
		let creator_before = Balances::balance(&creator());
		assert_ok!(claim(0, 10 * PRICE, 10));
		let split = FeeSplit::new(
			10 * PRICE,
			Perbill::from_percent(5),
			Perbill::from_percent(10),
			Perbill::from_percent(50),
			1,
		);
		assert_eq!(Balances::balance(&creator()) - creator_before, split.creator + split.holders);
		assert_eq!(revenue(UNSHARED_MODEL), 0);
	});
}

#[test]
fn a_voucher_is_never_paid_twice() {
	new_test_ext().execute_with(|| {
		let channel = open(10 * PRICE);
		assert_ok!(claim(channel, 3 * PRICE, 3));
		assert_noop!(claim(channel, 3 * PRICE, 3), Error::<Test>::VoucherNotNewer);
		assert_noop!(claim(channel, 2 * PRICE, 2), Error::<Test>::VoucherNotNewer);
	});
}

#[test]
fn a_voucher_never_pays_more_than_the_escrow_ever_held() {
	new_test_ext().execute_with(|| {
		let channel = open(10 * PRICE);
		assert_noop!(claim(channel, 10 * PRICE + 1, 11), Error::<Test>::VoucherAboveDeposit);
		assert_ok!(claim(channel, 10 * PRICE, 10));
		assert_eq!(escrow_held(&alice()), 0);
	});
}

#[test]
fn a_forged_or_foreign_voucher_is_refused() {
	new_test_ext().execute_with(|| {
		let channel = open(10 * PRICE);
		let other = NextChannelId::<Test>::get();
		assert_ok!(QueryChannels::open_channel(
			RuntimeOrigin::signed(alice()),
			miner(),
			MODEL,
			10 * PRICE,
			LIFETIME
		));
		// Signed by someone else than the requester.
		let (voucher, signature) = signed_voucher("Bob", channel, PRICE, 1);
		assert_noop!(
			QueryChannels::claim(RuntimeOrigin::signed(miner()), channel, voucher, signature),
			Error::<Test>::BadSignature
		);
		// The requester's voucher of another channel, claimed on this one.
		let (voucher, signature) = signed_voucher("Alice", other, PRICE, 1);
		assert_noop!(
			QueryChannels::claim(RuntimeOrigin::signed(miner()), channel, voucher, signature),
			Error::<Test>::WrongChannel
		);
		// A voucher altered after signing (a higher amount).
		let (mut voucher, signature) = signed_voucher("Alice", channel, PRICE, 1);
		voucher.cumulative = 5 * PRICE;
		assert_noop!(
			QueryChannels::claim(RuntimeOrigin::signed(miner()), channel, voucher, signature),
			Error::<Test>::BadSignature
		);
		// A voucher signed for another chain (another genesis hash).
		let voucher =
			Voucher { channel, cumulative: PRICE, queries: 1, receipts_root: H256::repeat_byte(1) };
		let foreign = codec::Encode::encode(&(VOUCHER_CONTEXT, H256::repeat_byte(0xee), &voucher));
		let signature = sp_core::Pair::sign(&pair("Alice"), &foreign).into();
		assert_noop!(
			QueryChannels::claim(RuntimeOrigin::signed(miner()), channel, voucher, signature),
			Error::<Test>::BadSignature
		);
	});
}

#[test]
fn only_the_channels_miner_claims_and_never_fewer_queries() {
	new_test_ext().execute_with(|| {
		let channel = open(10 * PRICE);
		let (voucher, signature) = signed_voucher("Alice", channel, PRICE, 1);
		assert_noop!(
			QueryChannels::claim(RuntimeOrigin::signed(other_miner()), channel, voucher, signature),
			Error::<Test>::NotMiner
		);
		let (voucher, signature) = signed_voucher("Alice", 9, PRICE, 1);
		assert_noop!(
			QueryChannels::claim(RuntimeOrigin::signed(miner()), 9, voucher, signature),
			Error::<Test>::UnknownChannel
		);
		assert_ok!(claim(channel, 2 * PRICE, 2));
		assert_noop!(claim(channel, 3 * PRICE, 1), Error::<Test>::FewerQueries);
	});
}

#[test]
fn a_claim_after_the_grace_is_refused() {
	new_test_ext().execute_with(|| {
		let channel = open(10 * PRICE);
		run_to_block(1 + LIFETIME + GRACE - 1);
		assert_ok!(claim(channel, PRICE, 1));
		run_to_block(1 + LIFETIME + GRACE);
		assert_noop!(claim(channel, 2 * PRICE, 2), Error::<Test>::ClaimWindowOver);
	});
}

// ---------------------------------------------------------------- top_up

#[test]
fn a_top_up_adds_escrow_and_extends_the_life() {
	new_test_ext().execute_with(|| {
		let channel = open(PRICE);
		run_to_block(50);
		assert_ok!(QueryChannels::top_up(
			RuntimeOrigin::signed(alice()),
			channel,
			4 * PRICE,
			Some(LIFETIME)
		));
		let record = Channels::<Test>::get(channel).unwrap();
		assert_eq!((record.deposit, record.expires_at), (5 * PRICE, 50 + LIFETIME));
		assert_eq!(escrow_held(&alice()), 5 * PRICE);
		System::assert_last_event(
			Event::ChannelToppedUp {
				channel,
				amount: 4 * PRICE,
				deposit: 5 * PRICE,
				expires_at: 50 + LIFETIME,
			}
			.into(),
		);
		// A shorter lifetime never shortens the channel.
		assert_ok!(QueryChannels::top_up(RuntimeOrigin::signed(alice()), channel, 1, Some(1)));
		assert_eq!(Channels::<Test>::get(channel).unwrap().expires_at, 50 + LIFETIME);
		assert_ok!(claim(channel, 5 * PRICE, 5));
	});
}

#[test]
fn a_top_up_is_refused_with_a_named_error_and_nothing_held() {
	new_test_ext().execute_with(|| {
		let channel = open(PRICE);
		let top_up = |who: AccountId, channel: ChannelId, amount: Balance, life: Option<u64>| {
			QueryChannels::top_up(RuntimeOrigin::signed(who), channel, amount, life)
		};
		assert_noop!(top_up(alice(), 7, PRICE, None), Error::<Test>::UnknownChannel);
		assert_noop!(top_up(bob(), channel, PRICE, None), Error::<Test>::NotRequester);
		assert_noop!(top_up(alice(), channel, 0, None), Error::<Test>::ZeroAmount);
		assert_noop!(
			top_up(alice(), channel, PRICE, Some(MAX_LIFETIME + 1)),
			Error::<Test>::BadLifetime
		);
		assert_noop!(top_up(alice(), channel, ENDOWMENT, None), Error::<Test>::InsufficientBalance);
		run_to_block(1 + LIFETIME);
		assert_noop!(top_up(alice(), channel, PRICE, None), Error::<Test>::ChannelExpired);
		run_to_block(2);
		assert_ok!(QueryChannels::close_channel(RuntimeOrigin::signed(alice()), channel));
		assert_noop!(top_up(alice(), channel, PRICE, None), Error::<Test>::ChannelClosing);
	});
}

// ---------------------------------------------------------------- close_channel

#[test]
fn the_miner_closes_at_once_and_the_rest_is_refunded() {
	new_test_ext().execute_with(|| {
		let channel = open(10 * PRICE);
		assert_ok!(claim(channel, 3 * PRICE, 3));
		let free_before = Balances::balance(&alice());
		assert_ok!(QueryChannels::close_channel(RuntimeOrigin::signed(miner()), channel));
		assert_eq!(Balances::balance(&alice()) - free_before, 7 * PRICE + CHANNEL_DEPOSIT);
		assert_eq!((escrow_held(&alice()), storage_held(&alice())), (0, 0));
		assert!(!Channels::<Test>::contains_key(channel));
		assert_eq!(ChannelsOf::<Test>::get(alice()), 0);
		System::assert_last_event(
			Event::ChannelClosed {
				channel,
				requester: alice(),
				claimed: 3 * PRICE,
				refunded: 7 * PRICE,
				deposit_released: CHANNEL_DEPOSIT,
			}
			.into(),
		);
	});
}

#[test]
fn the_requester_closes_after_the_miners_grace_to_claim_the_last_voucher() {
	new_test_ext().execute_with(|| {
		let channel = open(10 * PRICE);
		run_to_block(5);
		assert_ok!(QueryChannels::close_channel(RuntimeOrigin::signed(alice()), channel));
		System::assert_last_event(Event::ChannelClosing { channel, closing_at: 5 + GRACE }.into());
		assert_noop!(
			QueryChannels::close_channel(RuntimeOrigin::signed(alice()), channel),
			Error::<Test>::GraceNotOver
		);
		// The miner still claims the last voucher within the grace.
		run_to_block(5 + GRACE - 1);
		assert_ok!(claim(channel, 4 * PRICE, 4));
		run_to_block(5 + GRACE);
		assert_noop!(claim(channel, 5 * PRICE, 5), Error::<Test>::ClaimWindowOver);
		assert_ok!(QueryChannels::close_channel(RuntimeOrigin::signed(alice()), channel));
		assert_eq!((escrow_held(&alice()), storage_held(&alice())), (0, 0));
		assert!(!Channels::<Test>::contains_key(channel));
	});
}

#[test]
fn an_expired_channel_closes_at_once_after_the_grace() {
	new_test_ext().execute_with(|| {
		let channel = open(10 * PRICE);
		run_to_block(1 + LIFETIME + GRACE);
		assert_ok!(QueryChannels::close_channel(RuntimeOrigin::signed(alice()), channel));
		assert!(!Channels::<Test>::contains_key(channel));
	});
}

#[test]
fn only_a_participant_closes_a_channel() {
	new_test_ext().execute_with(|| {
		let channel = open(PRICE);
		assert_noop!(
			QueryChannels::close_channel(RuntimeOrigin::signed(bob()), channel),
			Error::<Test>::NotParticipant
		);
		assert_noop!(
			QueryChannels::close_channel(RuntimeOrigin::signed(alice()), 5),
			Error::<Test>::UnknownChannel
		);
	});
}

// ---------------------------------------------------------------- voucher encoding

/// The test vector shared with docs/architecture.md and the JavaScript e2e test: what a requester signs
/// for a voucher on a chain whose genesis hash is `0x11…11`.
#[test]
fn the_voucher_message_is_the_documented_test_vector() {
	new_test_ext().execute_with(|| {
		frame_system::BlockHash::<Test>::insert(0, H256::repeat_byte(0x11));
		let voucher = Voucher {
			channel: 7,
			cumulative: 3_000_000_000,
			queries: 3,
			receipts_root: H256::repeat_byte(0xab),
		};
		let expected = format!(
			"486d6f64656c636861696e2f766f7563686572{}{}{}{}{}",
			"11".repeat(32),
			"0700000000000000",
			"005ed0b2000000000000000000000000",
			"0300000000000000",
			"ab".repeat(32)
		);
		assert_eq!(
			sp_core::hexdisplay::HexDisplay::from(&QueryChannels::voucher_message(&voucher))
				.to_string(),
			expected
		);
	});
}

// ---------------------------------------------------------------- money

mod property {
	use super::*;
	use proptest::prelude::*;

	#[derive(Clone, Debug)]
	enum Step {
		Open { requester: u8, deposit: Balance },
		TopUp { channel: u64, amount: Balance },
		Claim { channel: u64, cumulative: Balance, queries: u64 },
		Close { channel: u64, by_miner: bool },
		Wait { blocks: u64 },
	}

	fn step() -> impl Strategy<Value = Step> {
		prop_oneof![
			(0u8..2, 1..20 * PRICE)
				.prop_map(|(requester, deposit)| Step::Open { requester, deposit }),
			(0u64..6, 1..5 * PRICE).prop_map(|(channel, amount)| Step::TopUp { channel, amount }),
			(0u64..6, 0..25 * PRICE, 0u64..30).prop_map(|(channel, cumulative, queries)| {
				Step::Claim { channel, cumulative, queries }
			}),
			(0u64..6, any::<bool>())
				.prop_map(|(channel, by_miner)| Step::Close { channel, by_miner }),
			(1u64..40).prop_map(|blocks| Step::Wait { blocks }),
		]
	}

	proptest! {
		#![proptest_config(ProptestConfig::with_cases(200))]

		/// Whatever is opened, topped up, claimed and closed: no balance is minted or lost;
		/// each requester paid exactly its claims (never above its highest voucher of a
		/// channel); once every channel is closed nothing stays held.
		#[test]
		fn money_is_conserved_and_every_hold_released(steps in prop::collection::vec(step(), 1..40)) {
			new_test_ext().execute_with(|| {
				let total = total_issuance_of_known_accounts();
				let names = ["Alice", "Bob"];
				let mut highest: std::collections::BTreeMap<u64, Balance> = Default::default();
				for step in steps {
					match step {
						Step::Open { requester, deposit } => {
							let who = account(names[requester as usize]);
							let _ = QueryChannels::open_channel(
								RuntimeOrigin::signed(who), miner(), MODEL, deposit, LIFETIME,
							);
						}
						Step::TopUp { channel, amount } => {
							if let Some(record) = Channels::<Test>::get(channel) {
								let _ = QueryChannels::top_up(
									RuntimeOrigin::signed(record.requester), channel, amount, None,
								);
							}
						}
						Step::Claim { channel, cumulative, queries } => {
							if let Some(record) = Channels::<Test>::get(channel) {
								let signer = if record.requester == alice() { "Alice" } else { "Bob" };
								let (voucher, signature) =
									signed_voucher(signer, channel, cumulative, queries);
								if QueryChannels::claim(
									RuntimeOrigin::signed(miner()), channel, voucher, signature,
								).is_ok() {
									let best = highest.entry(channel).or_default();
									prop_assert!(cumulative > *best, "a voucher paid twice");
									*best = cumulative;
								}
							}
						}
						Step::Close { channel, by_miner } => {
							if let Some(record) = Channels::<Test>::get(channel) {
								let who = if by_miner { record.miner } else { record.requester };
								let _ = QueryChannels::close_channel(RuntimeOrigin::signed(who), channel);
							}
						}
						Step::Wait { blocks } => run_to_block(System::block_number() + blocks),
					}
					QueryChannels::do_try_state().map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
				}
				// Close everything: the miner closes at once.
				for (channel, _) in Channels::<Test>::iter().collect::<Vec<_>>() {
					prop_assert!(
						QueryChannels::close_channel(RuntimeOrigin::signed(miner()), channel).is_ok()
					);
				}
				// What the claims paid out (a part below a recipient's existential deposit goes
				// back to the requester).
				let paid: Balance = System::events()
					.into_iter()
					.filter_map(|record| match record.event {
						RuntimeEvent::QueryChannels(Event::Claimed { amount, refunded, .. }) => {
							Some(amount - refunded)
						}
						_ => None,
					})
					.sum();
				prop_assert!(paid <= highest.values().sum::<Balance>());
				let received = Balances::total_balance(&miner()) - ENDOWMENT
					+ Balances::total_balance(&creator())
					+ Balances::total_balance(&treasury())
					+ Balances::total_balance(&holders_pot());
				prop_assert_eq!(received, paid, "the recipients got exactly the claims");
				for name in names {
					let who = account(name);
					prop_assert_eq!(Balances::total_balance_on_hold(&who), 0);
				}
				prop_assert_eq!(
					2 * ENDOWMENT - Balances::total_balance(&alice()) - Balances::total_balance(&bob()),
					paid,
					"the requesters paid exactly their claims"
				);
				prop_assert_eq!(total_issuance_of_known_accounts(), total);
				Ok(())
			})?;
		}
	}
}

// ---------------------------------------------------------------- challenge

mod challenges {
	use super::*;
	use modelchain_primitives::{CheckObserver, CheckOutcome, SlashReason};
	use sp_core::Pair;
	use sp_runtime::MultiSignature;

	const INPUT: [u8; 3] = [1, 2, 3];
	const OUTPUT: [i64; 2] = [3, -1];

	fn receipt(channel: ChannelId, sequence: u64, input: &[u8], output: &[i64]) -> Receipt {
		Receipt {
			channel,
			sequence,
			model: VERSION.model,
			version: VERSION.version,
			input_hash: H256(modelchain_query_protocol::input_hash(input)),
			output_hash: H256(modelchain_query_protocol::output_hash(output)),
			cumulative: PRICE * u128::from(sequence),
		}
	}

	fn signed_by(signer: &str, receipt: &Receipt, genesis: [u8; 32]) -> MultiSignature {
		let message = modelchain_query_protocol::Receipt::from(receipt).message(&genesis);
		pair(signer).sign(&message).into()
	}

	fn genesis() -> [u8; 32] {
		QueryChannels::genesis_hash()
	}

	fn challenge_as(
		who: &AccountId,
		receipt: &Receipt,
		signature: MultiSignature,
		input: &[u8],
		output: &[i64],
	) -> sp_runtime::DispatchResult {
		QueryChannels::challenge(
			RuntimeOrigin::signed(who.clone()),
			receipt.clone(),
			signature,
			input.to_vec().try_into().expect("short"),
			output.to_vec().try_into().expect("short"),
		)
	}

	/// Bob challenges the miner's answer `OUTPUT` to query 1 of a new channel of Alice.
	fn challenged() -> ChannelId {
		let channel = open(10 * PRICE);
		let receipt = receipt(channel, 1, &INPUT, &OUTPUT);
		assert_ok!(challenge_as(
			&bob(),
			&receipt,
			signed_by("Miner", &receipt, genesis()),
			&INPUT,
			&OUTPUT
		));
		channel
	}

	fn deposit_held(who: &AccountId) -> Balance {
		Balances::balance_on_hold(&HoldReason::ChallengeDeposit.into(), who)
	}

	#[test]
	fn a_challenge_holds_the_deposit_and_asks_the_validators_to_re_execute() {
		new_test_ext().execute_with(|| {
			let channel = challenged();
			assert_eq!(deposit_held(&bob()), CHALLENGE_DEPOSIT);
			assert_eq!(
				CHECKS.with(|c| c.borrow().clone()),
				vec![(bob(), VERSION, INPUT.to_vec(), OUTPUT.to_vec())]
			);
			assert_eq!(ChallengedReceipts::<Test>::get((channel, 1)), Some(FIRST_CHECK));
			System::assert_has_event(
				Event::ReceiptChallenged {
					channel,
					sequence: 1,
					challenger: bob(),
					check: FIRST_CHECK,
				}
				.into(),
			);
		});
	}

	#[test]
	fn a_wrong_answer_slashes_the_miner_refunds_the_query_and_rewards_the_challenger() {
		new_test_ext().execute_with(|| {
			let total = total_issuance_of_known_accounts();
			let channel = challenged();
			let (alice_before, bob_before) =
				(Balances::balance(&alice()), Balances::balance(&bob()));
			QueryChannels::check_decided(FIRST_CHECK, CheckOutcome::Overturned);
			let slashed = STAKE / 2;
			let reward = slashed / 5;
			assert_eq!(
				SLASHES.with(|s| s.borrow().clone()),
				vec![(miner(), SlashReason::WrongResult, slashed)]
			);
			assert_eq!(Balances::balance(&bob()), bob_before + CHALLENGE_DEPOSIT + reward);
			assert_eq!(Balances::balance(&alice()), alice_before + PRICE, "the query's price back");
			assert_eq!(Balances::balance(&treasury()), slashed - reward - PRICE);
			assert_eq!(deposit_held(&bob()), 0);
			assert!(ChallengedReceipts::<Test>::get((channel, 1)).is_none());
			System::assert_has_event(
				Event::ChallengeUpheld {
					check: FIRST_CHECK,
					channel,
					sequence: 1,
					miner: miner(),
					slashed,
					reward,
					refund: PRICE,
					deposit_back: CHALLENGE_DEPOSIT,
				}
				.into(),
			);
			assert_eq!(total_issuance_of_known_accounts(), total, "nothing minted or burnt");
		});
	}

	#[test]
	fn a_right_answer_costs_the_challenger_its_deposit_to_the_miner() {
		new_test_ext().execute_with(|| {
			let channel = challenged();
			let miner_before = Balances::balance(&miner());
			QueryChannels::check_decided(FIRST_CHECK, CheckOutcome::Confirmed);
			assert_eq!(Balances::balance(&miner()), miner_before + CHALLENGE_DEPOSIT);
			assert_eq!(deposit_held(&bob()), 0);
			assert!(SLASHES.with(|s| s.borrow().is_empty()));
			System::assert_has_event(
				Event::ChallengeRejected {
					check: FIRST_CHECK,
					channel,
					sequence: 1,
					challenger: bob(),
					forfeited: CHALLENGE_DEPOSIT,
				}
				.into(),
			);
		});
	}

	#[test]
	fn an_undecided_challenge_returns_the_deposit_and_the_receipt_can_be_challenged_again() {
		new_test_ext().execute_with(|| {
			let channel = challenged();
			let bob_before = Balances::balance(&bob());
			QueryChannels::check_decided(FIRST_CHECK, CheckOutcome::Undecided);
			assert_eq!(Balances::balance(&bob()), bob_before + CHALLENGE_DEPOSIT);
			assert!(SLASHES.with(|s| s.borrow().is_empty()));
			let receipt = receipt(channel, 1, &INPUT, &OUTPUT);
			assert_ok!(challenge_as(
				&bob(),
				&receipt,
				signed_by("Miner", &receipt, genesis()),
				&INPUT,
				&OUTPUT
			));
			// A check id that is no challenge's changes nothing.
			QueryChannels::check_decided(7, CheckOutcome::Overturned);
			assert!(SLASHES.with(|s| s.borrow().is_empty()));
		});
	}

	#[test]
	fn bad_challenges_are_refused_and_change_nothing() {
		new_test_ext().execute_with(|| {
			let channel = challenged();
			let good = receipt(channel, 2, &INPUT, &OUTPUT);
			let signed = |r: &Receipt| signed_by("Miner", r, genesis());
			let refused =
				|receipt: Receipt, signature, input: &[u8], output: &[i64], error: Error<Test>| {
					assert_noop!(challenge_as(&bob(), &receipt, signature, input, output), error);
				};
			let unknown = Receipt { channel: 99, ..good.clone() };
			refused(unknown.clone(), signed(&unknown), &INPUT, &OUTPUT, Error::UnknownChannel);
			let other_version = Receipt { version: 9, ..good.clone() };
			refused(
				other_version.clone(),
				signed(&other_version),
				&INPUT,
				&OUTPUT,
				Error::ReceiptMismatch,
			);
			let query_zero = Receipt { sequence: 0, ..good.clone() };
			refused(
				query_zero.clone(),
				signed(&query_zero),
				&INPUT,
				&OUTPUT,
				Error::ReceiptMismatch,
			);
			refused(good.clone(), signed(&good), &[9], &OUTPUT, Error::ReceiptMismatch);
			refused(good.clone(), signed(&good), &INPUT, &[4], Error::ReceiptMismatch);
			let by_alice = signed_by("Alice", &good, genesis());
			refused(good.clone(), by_alice, &INPUT, &OUTPUT, Error::BadSignature);
			let other_chain = signed_by("Miner", &good, [7; 32]);
			refused(good.clone(), other_chain, &INPUT, &OUTPUT, Error::BadSignature);
			let altered = Receipt { cumulative: 1, ..good.clone() };
			refused(altered, signed(&good), &INPUT, &OUTPUT, Error::BadSignature);
			let first = receipt(channel, 1, &INPUT, &OUTPUT);
			assert_noop!(
				challenge_as(&alice(), &first, signed(&first), &INPUT, &OUTPUT),
				Error::<Test>::AlreadyChallenged
			);
			assert_noop!(
				challenge_as(&plain(77), &good, signed(&good), &INPUT, &OUTPUT),
				Error::<Test>::InsufficientBalance
			);
			assert_eq!(CHECKS.with(|c| c.borrow().len()), 1, "no other check opened");
		});
	}
}

// ---------------------------------------------------------------- audits

mod audits {
	use super::*;
	use frame_support::{traits::Hooks, BoundedVec};
	use modelchain_primitives::{CheckObserver, CheckOutcome, SlashReason};
	use modelchain_query_protocol as protocol;
	use sp_core::Pair;
	use sp_runtime::MultiSignature;

	/// The answers of a channel's queries as the miner logged them: (input, output).
	fn answers(n: u64) -> Vec<(Vec<u8>, Vec<i64>)> {
		(1..=n).map(|q| (vec![q as u8; 3], vec![q as i64 % 10])).collect()
	}

	fn receipt_of(
		channel: ChannelId,
		sequence: u64,
		(input, output): &(Vec<u8>, Vec<i64>),
	) -> Receipt {
		Receipt {
			channel,
			sequence,
			model: VERSION.model,
			version: VERSION.version,
			input_hash: H256(protocol::input_hash(input)),
			output_hash: H256(protocol::output_hash(output)),
			cumulative: PRICE * u128::from(sequence),
		}
	}

	fn leaves(channel: ChannelId, answers: &[(Vec<u8>, Vec<i64>)]) -> Vec<[u8; 32]> {
		answers
			.iter()
			.enumerate()
			.map(|(i, a)| protocol::Receipt::from(&receipt_of(channel, i as u64 + 1, a)).leaf())
			.collect()
	}

	/// Alice's voucher for query `queries`, committing to the receipts of `answers` before it.
	fn voucher(
		channel: ChannelId,
		queries: u64,
		answers: &[(Vec<u8>, Vec<i64>)],
	) -> (Voucher, MultiSignature) {
		let mut tree = protocol::ReceiptsTree::new();
		for leaf in leaves(channel, &answers[..(queries - 1) as usize]) {
			tree.push(leaf).unwrap();
		}
		let voucher = Voucher {
			channel,
			cumulative: PRICE * u128::from(queries),
			queries,
			receipts_root: H256(tree.root()),
		};
		let signature = pair("Alice").sign(&QueryChannels::voucher_message(&voucher)).into();
		(voucher, signature)
	}

	fn claim_queries(
		channel: ChannelId,
		queries: u64,
		answers: &[(Vec<u8>, Vec<i64>)],
	) -> sp_runtime::DispatchResult {
		let (voucher, signature) = voucher(channel, queries, answers);
		QueryChannels::claim(RuntimeOrigin::signed(miner()), channel, voucher, signature)
	}

	fn set_rate(percent: u32) {
		assert_ok!(QueryChannels::set_audit_rate(
			RuntimeOrigin::root(),
			Perbill::from_percent(percent)
		));
	}

	/// The audits drawn so far: (id, index).
	fn drawn() -> Vec<(AuditId, u64)> {
		let mut all: Vec<_> = Audits::<Test>::iter().map(|(id, a)| (id, a.index)).collect();
		all.sort();
		all
	}

	fn reveal(
		audit: AuditId,
		channel: ChannelId,
		answers: &[(Vec<u8>, Vec<i64>)],
		count: u64,
	) -> sp_runtime::DispatchResult {
		let index = Audits::<Test>::get(audit).map(|a| a.index).unwrap_or_default();
		let answer = &answers[index as usize];
		let proof = protocol::proof(&leaves(channel, &answers[..count as usize]), index).unwrap();
		QueryChannels::reveal_audit(
			RuntimeOrigin::signed(miner()),
			audit,
			receipt_of(channel, index + 1, answer),
			answer.0.clone().try_into().unwrap(),
			answer.1.clone().try_into().unwrap(),
			proof.into_iter().map(H256).collect::<Vec<_>>().try_into().unwrap(),
		)
	}

	#[test]
	fn a_claim_is_audited_in_a_later_block_and_honest_reveals_pass() {
		new_test_ext().execute_with(|| {
			set_rate(100);
			let channel = open(10 * PRICE);
			let answers = answers(5);
			// The voucher for query 4 signs receipts 1..3.
			assert_ok!(claim_queries(channel, 4, &answers));
			assert_eq!(DrawBounds::<Test>::get(), (0, 1));
			QueryChannels::on_poll(
				System::block_number(),
				&mut frame_support::weights::WeightMeter::new(),
			);
			assert!(drawn().is_empty(), "not in the claim's own block");
			next_block();
			let audits = drawn();
			assert_eq!(audits.len(), 3, "⌈100% × 3⌉ receipts");
			assert!(audits.iter().all(|(_, index)| *index < 3));
			for (id, _) in &audits {
				assert_ok!(reveal(*id, channel, &answers, 3));
			}
			assert_eq!(CHECKS.with(|c| c.borrow().len()), 3, "each revealed answer is re-executed");
			for (nth, (id, _)) in audits.iter().enumerate() {
				QueryChannels::check_decided(FIRST_CHECK + nth as u64, CheckOutcome::Confirmed);
				System::assert_has_event(Event::AuditPassed { audit: *id, channel }.into());
			}
			assert!(Audits::<Test>::iter().next().is_none());
			assert!(SLASHES.with(|s| s.borrow().is_empty()));
		});
	}

	#[test]
	fn a_later_claim_draws_only_among_its_new_receipts() {
		new_test_ext().execute_with(|| {
			set_rate(50);
			let channel = open(20 * PRICE);
			let answers = answers(12);
			assert_ok!(claim_queries(channel, 4, &answers));
			next_block();
			let first: Vec<_> = drawn();
			assert_eq!(first.len(), 2, "⌈50% × 3⌉");
			assert_ok!(claim_queries(channel, 10, &answers));
			next_block();
			let second: Vec<_> = drawn().into_iter().filter(|a| !first.contains(a)).collect();
			assert_eq!(second.len(), 3, "⌈50% × 6⌉");
			assert!(second.iter().all(|(_, index)| (3..9).contains(index)), "{second:?}");
		});
	}

	#[test]
	fn a_wrong_answer_revealed_to_an_audit_is_slashed_and_the_query_refunded() {
		new_test_ext().execute_with(|| {
			set_rate(100);
			let channel = open(10 * PRICE);
			let answers = answers(2);
			assert_ok!(claim_queries(channel, 2, &answers));
			next_block();
			let [(audit, 0)] = drawn()[..] else { panic!("one audit of receipt 0") };
			assert_ok!(reveal(audit, channel, &answers, 1));
			let alice_before = Balances::balance(&alice());
			QueryChannels::check_decided(FIRST_CHECK, CheckOutcome::Overturned);
			assert_eq!(
				SLASHES.with(|s| s.borrow().clone()),
				vec![(miner(), SlashReason::WrongResult, STAKE / 2)]
			);
			assert_eq!(Balances::balance(&alice()), alice_before + PRICE);
			System::assert_has_event(
				Event::AuditFailed {
					audit,
					channel,
					miner: miner(),
					slashed: STAKE / 2,
					refund: PRICE,
				}
				.into(),
			);
		});
	}

	#[test]
	fn an_audit_not_revealed_in_time_is_slashed() {
		new_test_ext().execute_with(|| {
			set_rate(100);
			let channel = open(10 * PRICE);
			let answers = answers(2);
			assert_ok!(claim_queries(channel, 2, &answers));
			next_block();
			let [(audit, _)] = drawn()[..] else { panic!("one audit") };
			// The miner may even close the channel: the audit outlives it.
			assert_ok!(QueryChannels::close_channel(RuntimeOrigin::signed(miner()), channel));
			for _ in 0..REVEAL_WINDOW - 1 {
				next_block();
			}
			assert!(Audits::<Test>::contains_key(audit), "still time on the last block");
			next_block();
			assert!(!Audits::<Test>::contains_key(audit));
			assert_eq!(
				SLASHES.with(|s| s.borrow().clone()),
				vec![(miner(), SlashReason::MissedReveal, STAKE / 2)]
			);
			System::assert_has_event(
				Event::AuditMissed { audit, channel, miner: miner(), slashed: STAKE / 2 }.into(),
			);
		});
	}

	#[test]
	fn bad_reveals_are_refused_and_change_nothing() {
		new_test_ext().execute_with(|| {
			set_rate(100);
			let channel = open(10 * PRICE);
			let answers = answers(3);
			assert_ok!(claim_queries(channel, 3, &answers));
			next_block();
			let (audit, index) = drawn()[0];
			let answer = &answers[index as usize];
			let proof: BoundedVec<H256, _> =
				protocol::proof(&leaves(channel, &answers[..2]), index)
					.unwrap()
					.into_iter()
					.map(H256)
					.collect::<Vec<_>>()
					.try_into()
					.unwrap();
			let good = receipt_of(channel, index + 1, answer);
			let reveal_as = |who: AccountId,
			                 id: AuditId,
			                 receipt: Receipt,
			                 input: Vec<u8>,
			                 output: Vec<i64>,
			                 proof: BoundedVec<H256, _>| {
				QueryChannels::reveal_audit(
					RuntimeOrigin::signed(who),
					id,
					receipt,
					input.try_into().unwrap(),
					output.try_into().unwrap(),
					proof,
				)
			};
			let (input, output) = answer.clone();
			assert_noop!(
				reveal_as(miner(), 99, good.clone(), input.clone(), output.clone(), proof.clone()),
				Error::<Test>::UnknownAudit
			);
			assert_noop!(
				reveal_as(bob(), audit, good.clone(), input.clone(), output.clone(), proof.clone()),
				Error::<Test>::NotMiner
			);
			let other = receipt_of(channel, (1 - index) + 1, &answers[(1 - index) as usize]);
			assert_noop!(
				reveal_as(miner(), audit, other, input.clone(), output.clone(), proof.clone()),
				Error::<Test>::ReceiptMismatch
			);
			assert_noop!(
				reveal_as(miner(), audit, good.clone(), vec![9], output.clone(), proof.clone()),
				Error::<Test>::ReceiptMismatch
			);
			// A receipt the requester never signed (another output): not under the root.
			let forged = receipt_of(channel, index + 1, &(input.clone(), vec![7]));
			assert_noop!(
				reveal_as(miner(), audit, forged, input.clone(), vec![7], proof.clone()),
				Error::<Test>::BadProof
			);
			let short: BoundedVec<H256, _> =
				proof.iter().skip(1).cloned().collect::<Vec<_>>().try_into().unwrap();
			assert_noop!(
				reveal_as(miner(), audit, good.clone(), input.clone(), output.clone(), short),
				Error::<Test>::BadProof
			);
			assert_ok!(reveal_as(
				miner(),
				audit,
				good.clone(),
				input.clone(),
				output.clone(),
				proof.clone()
			));
			assert_noop!(
				reveal_as(miner(), audit, good, input, output, proof),
				Error::<Test>::AuditClosed
			);
		});
	}

	#[test]
	fn a_claim_larger_than_the_audit_bound_is_refused() {
		new_test_ext().execute_with(|| {
			set_rate(50);
			assert_eq!(QueryChannels::max_queries_per_claim(), 8, "4 audits / 50%");
			let channel = open(20 * PRICE);
			let answers = answers(12);
			assert_noop!(claim_queries(channel, 9, &answers), Error::<Test>::ClaimTooLarge);
			assert_ok!(claim_queries(channel, 8, &answers));
			assert_ok!(claim_queries(channel, 12, &answers));
		});
	}

	#[test]
	fn draws_wait_for_fresh_randomness_and_only_governance_sets_the_rate() {
		new_test_ext().execute_with(|| {
			assert_noop!(
				QueryChannels::set_audit_rate(RuntimeOrigin::signed(alice()), Perbill::one()),
				sp_runtime::DispatchError::BadOrigin
			);
			set_rate(100);
			System::assert_has_event(Event::AuditRateSet { rate: Perbill::one() }.into());
			let channel = open(10 * PRICE);
			assert_ok!(claim_queries(channel, 3, &answers(3)));
			RANDOMNESS.with(|r| *r.borrow_mut() = None);
			next_block();
			assert!(drawn().is_empty(), "no randomness, no draw");
			RANDOMNESS.with(|r| *r.borrow_mut() = Some([2; 32]));
			next_block();
			assert_eq!(drawn().len(), 2);
		});
	}

	#[test]
	fn no_audit_rate_no_audits() {
		new_test_ext().execute_with(|| {
			let channel = open(10 * PRICE);
			assert_ok!(claim_queries(channel, 3, &answers(3)));
			next_block();
			assert!(drawn().is_empty());
			assert_eq!(DrawBounds::<Test>::get(), (0, 0));
		});
	}
}
