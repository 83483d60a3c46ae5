//! Tests of the shares pallet: issuance, transfers, O(1) revenue with settlement, the order book,
//! every error path, and property tests of the money flows.

use crate::{mock::*, Error, Escrowed, Event, HoldReason, Orders, ShareClasses, ACC_PRECISION};
use frame_support::{
	assert_noop, assert_ok,
	traits::{
		fungible::{Inspect as _, InspectHold, Mutate as _, MutateHold as _},
		fungibles::{metadata::Inspect as MetadataInspect, Inspect},
	},
};
use modelchain_primitives::{ModelRegistryInterface, RevenueSink};
use sp_runtime::DispatchError;

fn issue(owner: AccountId, supply: Balance) -> u32 {
	let model = add_model(owner);
	assert_ok!(Shares::issue_shares(RuntimeOrigin::signed(owner), model, supply));
	model
}

fn shares(model: u32, who: AccountId) -> Balance {
	Assets::balance(SHARE_ASSET_BASE + model, who)
}

fn deposit(model: u32, amount: Balance) {
	assert_ok!(<Shares as RevenueSink<_, _>>::deposit_revenue(model, &DAVE, amount));
}

fn free(who: AccountId) -> Balance {
	Balances::balance(&who)
}

fn last_event() -> RuntimeEvent {
	System::events().pop().expect("an event").event
}

// ---- issue_shares ----

#[test]
fn issues_shares_as_an_asset_with_the_models_metadata() {
	new_test_ext().execute_with(|| {
		let model = issue(ALICE, 1_000);
		let asset = SHARE_ASSET_BASE + model;
		assert_eq!(shares(model, ALICE), 1_000);
		assert_eq!(Assets::total_issuance(asset), 1_000);
		assert_eq!(Assets::name(asset), b"Model 0".to_vec());
		assert_eq!(Assets::symbol(asset), b"M0".to_vec());
		assert_eq!(Assets::decimals(asset), 0);
		assert!(StubRegistry::shares_issued(model));
		assert_eq!(ShareClasses::<Test>::get(model).unwrap().supply, 1_000);
		assert_eq!(
			last_event(),
			Event::SharesIssued { model, asset, owner: ALICE, supply: 1_000 }.into()
		);
	});
}

#[test]
fn issue_fails_cleanly() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			Shares::issue_shares(RuntimeOrigin::signed(ALICE), 7, 1_000),
			Error::<Test>::UnknownModel
		);
		let model = add_model(ALICE);
		assert_noop!(
			Shares::issue_shares(RuntimeOrigin::signed(BOB), model, 1_000),
			Error::<Test>::NotOwner
		);
		assert_noop!(
			Shares::issue_shares(RuntimeOrigin::signed(ALICE), model, MIN_SUPPLY - 1),
			Error::<Test>::SupplyTooSmall
		);
		set_model_active(model, false);
		assert_noop!(
			Shares::issue_shares(RuntimeOrigin::signed(ALICE), model, 1_000),
			Error::<Test>::ModelNotActive
		);
		set_model_active(model, true);
		assert_ok!(Shares::issue_shares(RuntimeOrigin::signed(ALICE), model, 1_000));
		assert_noop!(
			Shares::issue_shares(RuntimeOrigin::signed(ALICE), model, 1_000),
			Error::<Test>::AlreadyIssued
		);
		assert_noop!(
			Shares::issue_shares(RuntimeOrigin::none(), model, 1_000),
			DispatchError::BadOrigin
		);
	});
}

// ---- transfer_shares ----

#[test]
fn transfers_shares_and_settles_both_sides_first() {
	new_test_ext().execute_with(|| {
		let model = issue(ALICE, 1_000);
		deposit(model, 10_000); // all of it Alice's: 10 per share
		assert_ok!(Shares::transfer_shares(RuntimeOrigin::signed(ALICE), model, BOB, 400));
		assert_eq!(
			last_event(),
			Event::SharesTransferred { model, from: ALICE, to: BOB, amount: 400 }.into()
		);
		assert_eq!(shares(model, ALICE), 600);
		assert_eq!(shares(model, BOB), 400);
		// Revenue before the transfer stays Alice's; Bob earns from now on.
		assert_eq!(Shares::pending_revenue(model, &ALICE), 10_000);
		assert_eq!(Shares::pending_revenue(model, &BOB), 0);
		deposit(model, 1_000); // 1 per share
		assert_eq!(Shares::pending_revenue(model, &ALICE), 10_600);
		assert_eq!(Shares::pending_revenue(model, &BOB), 400);
	});
}

#[test]
fn transfer_fails_cleanly() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			Shares::transfer_shares(RuntimeOrigin::signed(ALICE), 0, BOB, 1),
			Error::<Test>::NoShares
		);
		let model = issue(ALICE, 1_000);
		assert_noop!(
			Shares::transfer_shares(RuntimeOrigin::signed(ALICE), model, BOB, 0),
			Error::<Test>::ZeroAmount
		);
		assert_noop!(
			Shares::transfer_shares(RuntimeOrigin::signed(ALICE), model, ALICE, 1),
			Error::<Test>::BadReceiver
		);
		assert_noop!(
			Shares::transfer_shares(RuntimeOrigin::signed(ALICE), model, Shares::account_id(), 1),
			Error::<Test>::BadReceiver
		);
		assert_noop!(
			Shares::transfer_shares(RuntimeOrigin::signed(ALICE), model, BOB, 1_001),
			Error::<Test>::InsufficientShares
		);
		assert_noop!(
			Shares::transfer_shares(RuntimeOrigin::signed(BOB), model, ALICE, 1),
			Error::<Test>::InsufficientShares
		);
	});
}

/// L-14: a transfer that gives an account its first shares of a model creates storage (the
/// share account and the holder's revenue record); the sender pays `HoldingDeposit` for it,
/// held until that holding closes, when it comes back to the sender.
#[test]
fn a_transfer_that_opens_a_holding_pays_its_deposit_until_the_holding_closes() {
	new_test_ext().execute_with(|| {
		let fresh: AccountId = 42;
		let model = issue(ALICE, 1_000);
		let held_before = Balances::total_balance_on_hold(&ALICE);
		let total_before = Balances::total_balance(&ALICE);
		assert_ok!(Shares::transfer_shares(RuntimeOrigin::signed(ALICE), model, fresh, 1));
		assert_eq!(Balances::total_balance_on_hold(&ALICE), held_before + HOLDING_DEPOSIT);
		// The holding exists now: more shares into it cost nothing more.
		assert_ok!(Shares::transfer_shares(RuntimeOrigin::signed(ALICE), model, fresh, 2));
		assert_eq!(Balances::total_balance_on_hold(&ALICE), held_before + HOLDING_DEPOSIT);
		// A holding that empties in part keeps its deposit; one that closes returns it.
		assert_ok!(Shares::transfer_shares(RuntimeOrigin::signed(fresh), model, ALICE, 2));
		assert_eq!(Balances::total_balance_on_hold(&ALICE), held_before + HOLDING_DEPOSIT);
		assert_ok!(Shares::transfer_shares(RuntimeOrigin::signed(fresh), model, ALICE, 1));
		assert_eq!(Balances::total_balance_on_hold(&ALICE), held_before);
		assert_eq!(Balances::total_balance(&ALICE), total_before);
	});
}

/// L-14: a buyer with no shares of the model pays the deposit of the holding it opens, and a
/// seller whose escrow and balance are both sold out gets its deposit back.
#[test]
fn a_buyer_pays_for_the_holding_it_opens_and_a_sold_out_holding_returns_its_deposit() {
	new_test_ext().execute_with(|| {
		let model = issue(ALICE, 1_000);
		assert_ok!(Shares::transfer_shares(RuntimeOrigin::signed(ALICE), model, BOB, 10));
		let alice_held = Balances::total_balance_on_hold(&ALICE);
		assert_ok!(Shares::create_order(RuntimeOrigin::signed(BOB), model, 10, 1));
		// Escrowed shares still belong to Bob's holding: the deposit stays.
		assert_eq!(Balances::total_balance_on_hold(&ALICE), alice_held);
		assert_ok!(Shares::fill_order(RuntimeOrigin::signed(CHARLIE), 0, 4));
		assert_eq!(Balances::total_balance_on_hold(&CHARLIE), HOLDING_DEPOSIT);
		assert_ok!(Shares::fill_order(RuntimeOrigin::signed(CHARLIE), 0, 6));
		assert_eq!(Balances::total_balance_on_hold(&CHARLIE), HOLDING_DEPOSIT);
		// Bob sold everything: the deposit Alice paid for his holding comes back to her.
		assert_eq!(Balances::total_balance_on_hold(&ALICE), alice_held - HOLDING_DEPOSIT);
	});
}

/// L-14: a sender that cannot pay the holding's deposit moves nothing.
#[test]
fn a_sender_that_cannot_pay_the_holding_deposit_moves_nothing() {
	new_test_ext().execute_with(|| {
		let model = issue(ALICE, 1_000);
		assert_ok!(Shares::transfer_shares(RuntimeOrigin::signed(ALICE), model, 50, 10));
		// Account 50 holds shares but no native balance: it cannot open a holding for 51...
		assert_noop!(
			Shares::transfer_shares(RuntimeOrigin::signed(50), model, 51, 1),
			Error::<Test>::InsufficientBalance
		);
		// ...but it may move shares into an existing holding.
		assert_ok!(Shares::transfer_shares(RuntimeOrigin::signed(50), model, ALICE, 1));
	});
}

// ---- revenue ----

#[test]
fn deposits_revenue_in_o1_and_holders_claim_pro_rata() {
	new_test_ext().execute_with(|| {
		let model = issue(ALICE, 1_000);
		assert_ok!(Shares::transfer_shares(RuntimeOrigin::signed(ALICE), model, BOB, 250));
		let dave_before = free(DAVE);
		deposit(model, 4_000);
		assert_eq!(free(DAVE), dave_before - 4_000);
		assert!(free(Shares::account_id()) >= 4_000);
		assert_eq!(
			last_event(),
			Event::RevenueDeposited {
				model,
				from: DAVE,
				amount: 4_000,
				per_share: 4 * ACC_PRECISION
			}
			.into()
		);
		let alice_before = free(ALICE);
		assert_ok!(Shares::claim(RuntimeOrigin::signed(ALICE), model));
		assert_eq!(free(ALICE), alice_before + 3_000);
		assert_eq!(last_event(), Event::RevenueClaimed { model, who: ALICE, amount: 3_000 }.into());
		let bob_before = free(BOB);
		assert_ok!(Shares::claim(RuntimeOrigin::signed(BOB), model));
		assert_eq!(free(BOB), bob_before + 1_000);
		let class = ShareClasses::<Test>::get(model).unwrap();
		assert_eq!(class.total_deposited, 4_000);
		assert_eq!(class.total_claimed, 4_000);
		assert_noop!(
			Shares::claim(RuntimeOrigin::signed(BOB), model),
			Error::<Test>::NothingToClaim
		);
	});
}

#[test]
fn noted_revenue_moved_in_by_the_caller_is_claimable() {
	new_test_ext().execute_with(|| {
		let model = issue(ALICE, 1_000);
		let account = <Shares as RevenueSink<_, _>>::revenue_account();
		assert_eq!(account, Shares::account_id());
		// The caller (e.g. the inference pallet, out of a hold) moves the funds itself ...
		assert_ok!(Balances::transfer_allow_death(RuntimeOrigin::signed(DAVE), account, 2_000));
		// ... and notes them in the same transaction.
		assert_ok!(<Shares as RevenueSink<_, _>>::note_revenue(model, 2_000));
		assert_eq!(ShareClasses::<Test>::get(model).unwrap().total_deposited, 2_000);
		let alice_before = free(ALICE);
		assert_ok!(Shares::claim(RuntimeOrigin::signed(ALICE), model));
		assert_eq!(free(ALICE), alice_before + 2_000);
		// Without shares, or for nothing, it fails and records nothing.
		let unshared = add_model(BOB);
		assert_noop!(
			<Shares as RevenueSink<_, _>>::note_revenue(unshared, 10),
			Error::<Test>::NoShares
		);
		assert_noop!(
			<Shares as RevenueSink<_, _>>::note_revenue(model, 0),
			Error::<Test>::ZeroAmount
		);
	});
}

/// Found by the property test: a holder's fractions must not be rounded twice. Alice holds all
/// 1,000 shares for a deposit of 1 (earns 1.0), then 999 for another deposit of 1 (earns 0.999):
/// she may claim 1, never 2.
#[test]
fn fractions_are_not_rounded_up_across_settlements() {
	new_test_ext().execute_with(|| {
		let model = issue(ALICE, 1_000);
		deposit(model, 1);
		assert_ok!(Shares::transfer_shares(RuntimeOrigin::signed(ALICE), model, BOB, 1));
		deposit(model, 1);
		assert_eq!(Shares::pending_revenue(model, &ALICE), 1);
		let before = free(ALICE);
		assert_ok!(Shares::claim(RuntimeOrigin::signed(ALICE), model));
		assert_eq!(free(ALICE) - before, 1);
		assert_noop!(
			Shares::claim(RuntimeOrigin::signed(ALICE), model),
			Error::<Test>::NothingToClaim
		);
	});
}

#[test]
fn dust_is_recorded_and_carried_into_the_next_deposit() {
	new_test_ext().execute_with(|| {
		// Per-share precision runs out (a supply only a raised `MaxSupply` allows).
		TestMaxSupply::set(3 * ACC_PRECISION);
		let model = issue(ALICE, 3 * ACC_PRECISION);
		deposit(model, 2);
		let class = ShareClasses::<Test>::get(model).unwrap();
		assert_eq!(class.acc_revenue_per_share, 0);
		assert_eq!(class.dust_scaled, 2 * ACC_PRECISION);
		deposit(model, 1); // 3 to spread over 3e12 shares: exactly 1e-12 each
		let class = ShareClasses::<Test>::get(model).unwrap();
		assert_eq!(class.acc_revenue_per_share, 1);
		assert_eq!(class.dust_scaled, 0);
		assert_eq!(Shares::pending_revenue(model, &ALICE), 3);
	});
}

/// The new user's case from the issue: one holder of 3,000 shares and three deposits of one
/// planck. The first two credit 333,333,333 units (1e-12 planck) per share and carry the
/// remainder (1,000, then 2,000 units); the third spreads it: 333,333,334 per share and nothing
/// left over. The holder is owed exactly what was deposited, 3 planck, not 4.
#[test]
fn three_one_planck_deposits_owe_a_single_holder_three_not_four() {
	new_test_ext().execute_with(|| {
		let model = issue(ALICE, 3_000);
		assert_ok!(Shares::distribute_revenue(RuntimeOrigin::signed(DAVE), model, 1));
		assert_eq!(ShareClasses::<Test>::get(model).unwrap().dust_scaled, 1_000);
		assert_ok!(Shares::distribute_revenue(RuntimeOrigin::signed(DAVE), model, 1));
		assert_eq!(ShareClasses::<Test>::get(model).unwrap().dust_scaled, 2_000);
		assert_ok!(Shares::distribute_revenue(RuntimeOrigin::signed(DAVE), model, 1));
		let class = ShareClasses::<Test>::get(model).unwrap();
		assert_eq!((class.acc_revenue_per_share, class.dust_scaled), (1_000_000_000, 0));
		assert_eq!(Shares::pending_revenue(model, &ALICE), 3);
		let before = free(ALICE);
		assert_ok!(Shares::claim(RuntimeOrigin::signed(ALICE), model));
		assert_eq!(free(ALICE) - before, 3);
		assert_noop!(
			Shares::claim(RuntimeOrigin::signed(ALICE), model),
			Error::<Test>::NothingToClaim
		);
	});
}

/// The v0 books kept the remainder in planck (`dust`, the same field) while holders kept their
/// fractions; the migration recomputes the remainder in the accumulator's units, once.
#[test]
fn migration_to_v1_recomputes_the_remainder_in_accumulator_units() {
	use crate::migrations::v1::MigrateToV1;
	use frame_support::traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion};
	new_test_ext().execute_with(|| {
		let model = issue(ALICE, 3_000);
		deposit(model, 1);
		// What v0 stored after that deposit: 333,333,333 per share and a remainder of 1 planck.
		ShareClasses::<Test>::mutate(model, |class| class.as_mut().unwrap().dust_scaled = 1);
		StorageVersion::new(0).put::<Shares>();
		MigrateToV1::<Test>::on_runtime_upgrade();
		let class = ShareClasses::<Test>::get(model).unwrap();
		assert_eq!((class.acc_revenue_per_share, class.dust_scaled), (333_333_333, 1_000));
		assert_eq!(Shares::on_chain_storage_version(), StorageVersion::new(1));
		// It runs once.
		ShareClasses::<Test>::mutate(model, |class| class.as_mut().unwrap().dust_scaled = 7);
		MigrateToV1::<Test>::on_runtime_upgrade();
		assert_eq!(ShareClasses::<Test>::get(model).unwrap().dust_scaled, 7);
		ShareClasses::<Test>::mutate(model, |class| class.as_mut().unwrap().dust_scaled = 1_000);
	});
}

/// The invariant check catches the v0 double count: after v0's three 1-planck deposits to
/// 3,000 shares the holder was credited 4.999999995 planck of 3 deposited; the migration cannot
/// take the excess back, and `try_state` reports the books as broken.
#[test]
fn try_state_reports_books_that_owe_more_than_was_deposited() {
	use crate::migrations::v1::MigrateToV1;
	use frame_support::traits::{OnRuntimeUpgrade, StorageVersion};
	let mut ext = new_test_ext();
	ext.execute_with(|| {
		let model = issue(ALICE, 3_000);
		deposit(model, 3);
		assert!(Shares::do_try_state().is_ok());
	});
	// Outside the checking wrapper: these books are broken on purpose.
	(*ext).execute_with(|| {
		let model = 0;
		ShareClasses::<Test>::mutate(model, |class| {
			let class = class.as_mut().unwrap();
			(class.acc_revenue_per_share, class.dust_scaled) = (1_666_666_665, 1);
		});
		StorageVersion::new(0).put::<Shares>();
		MigrateToV1::<Test>::on_runtime_upgrade();
		assert_eq!(ShareClasses::<Test>::get(model).unwrap().dust_scaled, 0);
		assert_eq!(Shares::pending_revenue(model, &ALICE), 4);
		assert!(Shares::do_try_state().is_err());
	});
}

/// try_state finds a deposit record left by a closed holding, and a hold that differs from the
/// records.
#[test]
fn try_state_reports_holding_deposits_that_disagree_with_the_holdings() {
	use crate::{HoldingDeposit, HoldingDeposits};
	let mut ext = new_test_ext();
	ext.execute_with(|| {
		let model = issue(ALICE, 1_000);
		assert_ok!(Shares::transfer_shares(RuntimeOrigin::signed(ALICE), model, BOB, 1));
		assert!(Shares::do_try_state().is_ok());
	});
	// Outside the checking wrapper: these books are broken on purpose.
	(*ext).execute_with(|| {
		let stale = HoldingDeposit { depositor: ALICE, amount: HOLDING_DEPOSIT };
		HoldingDeposits::<Test>::insert(0, CHARLIE, stale);
		assert!(Shares::do_try_state().is_err());
		HoldingDeposits::<Test>::remove(0, CHARLIE);
		assert!(Shares::do_try_state().is_ok());
		assert_ok!(Balances::release(
			&HoldReason::HoldingDeposit.into(),
			&ALICE,
			1,
			frame_support::traits::tokens::Precision::Exact
		));
		assert!(Shares::do_try_state().is_err());
	});
}

/// A deposit that would make the model's books overflow is refused and changes nothing.
#[test]
fn a_deposit_that_overflows_the_books_is_refused() {
	new_test_ext().execute_with(|| {
		let model = issue(ALICE, 1_000);
		let whale = 77;
		let too_much = Balance::MAX / ACC_PRECISION + 1;
		Balances::set_balance(&whale, too_much + 10);
		assert_noop!(
			Shares::distribute_revenue(RuntimeOrigin::signed(whale), model, too_much),
			Error::<Test>::Overflow
		);
		assert_ok!(Shares::distribute_revenue(RuntimeOrigin::signed(whale), model, too_much - 1));
		assert_noop!(
			Shares::distribute_revenue(RuntimeOrigin::signed(whale), model, 1),
			Error::<Test>::Overflow
		);
	});
}

#[test]
fn deposit_and_claim_fail_cleanly() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			Shares::distribute_revenue(RuntimeOrigin::signed(DAVE), 0, 10),
			Error::<Test>::NoShares
		);
		let model = issue(ALICE, 1_000);
		assert_noop!(
			Shares::distribute_revenue(RuntimeOrigin::signed(DAVE), model, 0),
			Error::<Test>::ZeroAmount
		);
		assert_noop!(
			Shares::distribute_revenue(RuntimeOrigin::signed(DAVE), model, ENDOWMENT * 2),
			Error::<Test>::InsufficientBalance
		);
		assert_noop!(Shares::claim(RuntimeOrigin::signed(BOB), 9), Error::<Test>::NoShares);
		assert_noop!(
			Shares::claim(RuntimeOrigin::signed(BOB), model),
			Error::<Test>::NothingToClaim
		);
		assert_ok!(Shares::distribute_revenue(RuntimeOrigin::signed(DAVE), model, 10));
		assert_eq!(Shares::pending_revenue(model, &ALICE), 10);
	});
}

// ---- order book ----

#[test]
fn escrows_sells_in_parts_and_keeps_revenue_with_the_seller_until_sold() {
	new_test_ext().execute_with(|| {
		let model = issue(ALICE, 1_000);
		assert_ok!(Shares::create_order(RuntimeOrigin::signed(ALICE), model, 600, 7));
		assert_eq!(
			last_event(),
			Event::OrderCreated { order: 0, model, seller: ALICE, amount: 600, price_per_share: 7 }
				.into()
		);
		assert_eq!(shares(model, ALICE), 400);
		assert_eq!(shares(model, Shares::account_id()), 600);
		assert_eq!(Escrowed::<Test>::get(model, ALICE), 600);
		assert_eq!(
			Balances::balance_on_hold(&HoldReason::OrderDeposit.into(), &ALICE),
			ORDER_DEPOSIT
		);

		// Escrowed shares earn for the seller.
		deposit(model, 1_000);
		assert_eq!(Shares::pending_revenue(model, &ALICE), 1_000);

		let (alice_before, bob_before) = (free(ALICE), free(BOB));
		assert_ok!(Shares::fill_order(RuntimeOrigin::signed(BOB), 0, 200));
		assert_eq!(
			last_event(),
			Event::OrderFilled { order: 0, buyer: BOB, amount: 200, cost: 1_400, remaining: 400 }
				.into()
		);
		assert_eq!(free(ALICE), alice_before + 1_400);
		// Bob had no shares: he also pays his new holding's deposit.
		assert_eq!(free(BOB), bob_before - 1_400 - HOLDING_DEPOSIT);
		assert_eq!(shares(model, BOB), 200);
		assert_eq!(Orders::<Test>::get(0).unwrap().remaining, 400);

		// After the fill Bob earns on his 200, Alice on 400 + 400 escrowed.
		deposit(model, 1_000);
		assert_eq!(Shares::pending_revenue(model, &ALICE), 1_800);
		assert_eq!(Shares::pending_revenue(model, &BOB), 200);

		// Filling the rest closes the order and releases the deposit.
		assert_ok!(Shares::fill_order(RuntimeOrigin::signed(CHARLIE), 0, 400));
		assert!(Orders::<Test>::get(0).is_none());
		assert_eq!(Escrowed::<Test>::get(model, ALICE), 0);
		assert_eq!(Balances::balance_on_hold(&HoldReason::OrderDeposit.into(), &ALICE), 0);
		assert_eq!(shares(model, Shares::account_id()), 0);
	});
}

#[test]
fn cancelling_returns_the_escrow_and_the_deposit() {
	new_test_ext().execute_with(|| {
		let model = issue(ALICE, 1_000);
		assert_ok!(Shares::create_order(RuntimeOrigin::signed(ALICE), model, 300, 2));
		assert_noop!(Shares::cancel_order(RuntimeOrigin::signed(BOB), 0), Error::<Test>::NotSeller);
		assert_ok!(Shares::cancel_order(RuntimeOrigin::signed(ALICE), 0));
		assert_eq!(last_event(), Event::OrderCancelled { order: 0, returned: 300 }.into());
		assert_eq!(shares(model, ALICE), 1_000);
		assert_eq!(Escrowed::<Test>::get(model, ALICE), 0);
		assert_eq!(Balances::balance_on_hold(&HoldReason::OrderDeposit.into(), &ALICE), 0);
		assert_noop!(
			Shares::cancel_order(RuntimeOrigin::signed(ALICE), 0),
			Error::<Test>::UnknownOrder
		);
	});
}

#[test]
fn orders_fail_cleanly() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			Shares::create_order(RuntimeOrigin::signed(ALICE), 0, 1, 1),
			Error::<Test>::NoShares
		);
		let model = issue(ALICE, 1_000);
		assert_noop!(
			Shares::create_order(RuntimeOrigin::signed(ALICE), model, 0, 1),
			Error::<Test>::ZeroAmount
		);
		assert_noop!(
			Shares::create_order(RuntimeOrigin::signed(ALICE), model, 1, 0),
			Error::<Test>::ZeroPrice
		);
		assert_noop!(
			Shares::create_order(RuntimeOrigin::signed(ALICE), model, 1_001, 1),
			Error::<Test>::InsufficientShares
		);
		for _ in 0..MAX_ORDERS {
			assert_ok!(Shares::create_order(RuntimeOrigin::signed(ALICE), model, 10, 1));
		}
		assert_noop!(
			Shares::create_order(RuntimeOrigin::signed(ALICE), model, 10, 1),
			Error::<Test>::TooManyOrders
		);
		// Escrowed shares cannot be listed or sent twice.
		assert_noop!(
			Shares::transfer_shares(RuntimeOrigin::signed(ALICE), model, BOB, 981),
			Error::<Test>::InsufficientShares
		);
		assert_noop!(
			Shares::fill_order(RuntimeOrigin::signed(BOB), 9, 1),
			Error::<Test>::UnknownOrder
		);
		assert_noop!(
			Shares::fill_order(RuntimeOrigin::signed(ALICE), 0, 1),
			Error::<Test>::OwnOrder
		);
		assert_noop!(
			Shares::fill_order(RuntimeOrigin::signed(BOB), 0, 11),
			Error::<Test>::ExceedsOrder
		);
		assert_noop!(
			Shares::fill_order(RuntimeOrigin::signed(BOB), 0, 0),
			Error::<Test>::ZeroAmount
		);
		let pauper = 77;
		Balances::set_balance(&pauper, 5);
		assert_noop!(
			Shares::fill_order(RuntimeOrigin::signed(pauper), 0, 10),
			Error::<Test>::InsufficientBalance
		);
		// An order with a price that overflows when multiplied.
		assert_ok!(Shares::cancel_order(RuntimeOrigin::signed(ALICE), 0));
		assert_ok!(Shares::create_order(RuntimeOrigin::signed(ALICE), model, 10, Balance::MAX / 2));
		assert_noop!(
			Shares::fill_order(RuntimeOrigin::signed(BOB), 2, 10),
			Error::<Test>::Overflow
		);
	});
}

// ---- O(1): the cost does not grow with the number of holders ----

/// Deposits, claims and transfers write the same storage whether a model has 10 or 10,000
/// holders (the benchmarks show the same for their weight): nothing iterates over holders.
#[test]
fn deposit_claim_and_transfer_write_the_same_keys_with_10_or_10_000_holders() {
	fn keys_written(holders: u64) -> usize {
		let mut ext = new_test_ext();
		ext.execute_with(|| {
			let model = issue(ALICE, 1_000_000);
			for who in 100..100 + holders {
				Balances::set_balance(&who, 10);
				assert_ok!(Shares::transfer_shares(RuntimeOrigin::signed(ALICE), model, who, 1));
			}
			System::reset_events();
		});
		ext.commit_all().unwrap();
		ext.execute_with(|| {
			deposit(0, 1_000_000);
			assert_ok!(Shares::claim(RuntimeOrigin::signed(100), 0));
			assert_ok!(Shares::transfer_shares(RuntimeOrigin::signed(101), 0, 100, 1));
		});
		ext.overlayed_changes().changes().count()
	}
	let small = keys_written(10);
	assert!(small > 0);
	assert_eq!(small, keys_written(10_000));
}

// ---- properties: money is conserved ----

mod properties {
	use super::*;
	use crate::HolderRevenues;
	use frame_support::traits::tokens::{Fortitude, Preservation};
	use proptest::prelude::*;

	const HOLDERS: [AccountId; 8] = [ALICE, BOB, CHARLIE, DAVE, 5, 6, 7, 8];
	/// Who pays the deposits (never a holder).
	const PAYER: AccountId = 99;

	#[derive(Clone, Debug)]
	enum Op {
		Deposit(usize, Balance),
		Transfer(usize, usize, usize, Balance),
		Claim(usize, usize),
		CreateOrder(usize, usize, Balance, Balance),
		Fill(usize, u64, Balance),
		Cancel(usize, u64),
	}

	/// Supplies with every kind of remainder: 1, small and large primes, round numbers and
	/// anything in between.
	fn supply() -> impl Strategy<Value = Balance> {
		prop_oneof![
			Just(1u128),
			prop::sample::select(vec![2u128, 3, 7, 97, 1_009, 3_000, 7_919, 65_537, 1_000_003]),
			1u128..2_000_000,
		]
	}

	fn op() -> impl Strategy<Value = Op> {
		prop_oneof![
			4 => (0usize..2, 1u128..=1_000).prop_map(|(m, a)| Op::Deposit(m, a)),
			3 => (0usize..2, 0usize..8, 0usize..8, 0u128..1_000).prop_map(|(m, a, b, n)| Op::Transfer(m, a, b, n)),
			2 => (0usize..2, 0usize..8).prop_map(|(m, a)| Op::Claim(m, a)),
			1 => (0usize..2, 0usize..8, 1u128..500, 1u128..50).prop_map(|(m, a, n, p)| Op::CreateOrder(m, a, n, p)),
			1 => (0usize..8, 0u64..8, 1u128..500).prop_map(|(a, o, n)| Op::Fill(a, o, n)),
			1 => (0usize..8, 0u64..8).prop_map(|(a, o)| Op::Cancel(a, o)),
		]
	}

	/// What `who` is owed by `model`, in the accumulator's units (`1 / ACC_PRECISION`).
	fn owed_scaled(model: u32, who: AccountId) -> u128 {
		let class = ShareClasses::<Test>::get(model).unwrap();
		let revenue = HolderRevenues::<Test>::get(model, who);
		let accrued = Shares::entitled_shares(model, &class, &who) * class.acc_revenue_per_share;
		revenue.unclaimed_scaled + accrued - revenue.debt
	}

	/// The exact books of one model: what the holders are owed plus the carried remainder is
	/// deposits minus claims, to the unit; whole planck owed never exceed it.
	fn check_books(model: u32) -> Result<Balance, TestCaseError> {
		let class = ShareClasses::<Test>::get(model).unwrap();
		let outstanding = class.total_deposited - class.total_claimed;
		let owed: u128 = HOLDERS.iter().map(|who| owed_scaled(model, *who)).sum();
		prop_assert_eq!(owed + class.dust_scaled, outstanding * ACC_PRECISION);
		prop_assert!(class.dust_scaled < class.supply);
		let pending: Balance = HOLDERS.iter().map(|who| Shares::pending_revenue(model, who)).sum();
		prop_assert!(
			pending <= outstanding,
			"owed {} planck of {} in the pot",
			pending,
			outstanding
		);
		Ok(outstanding)
	}

	proptest! {
		#![proptest_config(ProptestConfig::with_cases(200))]

		/// Two models with random supplies, eight holders, many deposits of 1..1,000 planck
		/// interleaved with transfers, order fills and claims. After every step each model's
		/// books are exact (holders' revenue + remainder = deposits - claims, in units of
		/// 1e-12 planck) and the revenue account can pay every claim of both models at once;
		/// at the end everyone claims: every claim succeeds, nobody got more than its exact
		/// pro-rata share, and what stays in the pot is the carried remainder and each holder's
		/// fraction of a planck.
		#[test]
		fn revenue_books_are_exact_and_always_payable(
			supplies in (supply(), supply()),
			ops in proptest::collection::vec(op(), 1..80),
		) {
			new_test_ext().execute_with(|| {
				TestMinSupply::set(1);
				Balances::set_balance(&PAYER, ENDOWMENT);
				for who in &HOLDERS[4..] {
					Balances::set_balance(who, ENDOWMENT);
				}
				let models = [issue(ALICE, supplies.0), issue(BOB, supplies.1)];
				// Exact entitlement of each holder per model, in units of 1 / supply.
				let mut exact = [[0u128; 8]; 2];
				let mut claimed = [[0u128; 8]; 2];
				for op in ops {
					match op {
						Op::Deposit(m, amount) => {
							let model = models[m];
							let class = ShareClasses::<Test>::get(model).unwrap();
							for (i, who) in HOLDERS.iter().enumerate() {
								exact[m][i] += amount * Shares::entitled_shares(model, &class, who);
							}
							assert_ok!(Shares::distribute_revenue(RuntimeOrigin::signed(PAYER), model, amount));
						},
						Op::Transfer(m, a, b, n) => { let _ = Shares::transfer_shares(RuntimeOrigin::signed(HOLDERS[a]), models[m], HOLDERS[b], n); },
						Op::Claim(m, a) => {
							let before = free(HOLDERS[a]);
							if Shares::claim(RuntimeOrigin::signed(HOLDERS[a]), models[m]).is_ok() {
								claimed[m][a] += free(HOLDERS[a]) - before;
							}
						},
						Op::CreateOrder(m, a, n, p) => { let _ = Shares::create_order(RuntimeOrigin::signed(HOLDERS[a]), models[m], n, p); },
						Op::Fill(a, o, n) => { let _ = Shares::fill_order(RuntimeOrigin::signed(HOLDERS[a]), o, n); },
						Op::Cancel(a, o) => { let _ = Shares::cancel_order(RuntimeOrigin::signed(HOLDERS[a]), o); },
					}
					let outstanding = check_books(models[0])? + check_books(models[1])?;
					let payable = Balances::reducible_balance(&Shares::account_id(), Preservation::Preserve, Fortitude::Polite);
					prop_assert!(payable >= outstanding, "the pot holds {} of {} owed", payable, outstanding);
					prop_assert!(Shares::do_try_state().is_ok());
				}
				// Everyone claims everything.
				for (m, model) in models.into_iter().enumerate() {
					for (i, who) in HOLDERS.iter().enumerate() {
						let pending = Shares::pending_revenue(model, who);
						let before = free(*who);
						match Shares::claim(RuntimeOrigin::signed(*who), model) {
							Ok(()) => claimed[m][i] += free(*who) - before,
							Err(e) => prop_assert!(pending == 0 && e == Error::<Test>::NothingToClaim.into()),
						}
						prop_assert!(owed_scaled(model, *who) < ACC_PRECISION, "a whole planck left unclaimed");
					}
					let class = ShareClasses::<Test>::get(model).unwrap();
					let supply = class.supply;
					prop_assert_eq!(claimed[m].iter().sum::<Balance>(), class.total_claimed);
					let fractions: u128 = HOLDERS.iter().map(|who| owed_scaled(model, *who)).sum();
					prop_assert_eq!(
						(class.total_deposited - class.total_claimed) * ACC_PRECISION,
						class.dust_scaled + fractions
					);
					for i in 0..8 {
						prop_assert!(claimed[m][i] * supply <= exact[m][i], "holder {} got more than pro rata", i);
					}
				}
				Ok(())
			})?;
		}
	}
}

// ---- vote locks (ShareVoting) ----

mod vote_locks {
	use super::*;
	use crate::ShareLocks;
	use modelchain_primitives::ShareVoting;

	#[test]
	fn locked_shares_cannot_be_transferred_or_sold_but_still_earn() {
		new_test_ext().execute_with(|| {
			let model = issue(ALICE, 1_000);
			assert_ok!(Shares::set_lock(model, &ALICE, 7, 600));
			assert_eq!(Shares::locked_shares(model, &ALICE), 600);
			assert_noop!(
				Shares::transfer_shares(RuntimeOrigin::signed(ALICE), model, BOB, 401),
				Error::<Test>::SharesLocked
			);
			assert_noop!(
				Shares::create_order(RuntimeOrigin::signed(ALICE), model, 401, 1),
				Error::<Test>::SharesLocked
			);
			// More than the balance is still reported as missing shares, not as locked ones.
			assert_noop!(
				Shares::transfer_shares(RuntimeOrigin::signed(ALICE), model, BOB, 1_001),
				Error::<Test>::InsufficientShares
			);
			// The free part moves.
			assert_ok!(Shares::transfer_shares(RuntimeOrigin::signed(ALICE), model, BOB, 400));
			assert_eq!(shares(model, ALICE), 600);
			// Locked shares earn revenue: 600 of 1,000 shares get 60% of a deposit.
			deposit(model, 1_000);
			assert_eq!(Shares::pending_revenue(model, &ALICE), 600);
			assert_eq!(Shares::pending_revenue(model, &BOB), 400);
		});
	}

	#[test]
	fn locks_overlap_and_the_largest_binding_one_counts() {
		new_test_ext().execute_with(|| {
			let model = issue(ALICE, 1_000);
			assert_ok!(Shares::set_lock(model, &ALICE, 1, 300));
			assert_ok!(Shares::set_lock(model, &ALICE, 2, 800));
			assert_eq!(Shares::locked_shares(model, &ALICE), 800);
			// Re-locking under the same id replaces the amount.
			assert_ok!(Shares::set_lock(model, &ALICE, 2, 100));
			assert_eq!(Shares::locked_shares(model, &ALICE), 300);
			// A released lock frees its shares at once, before it is removed.
			release_lock(1);
			assert_eq!(Shares::locked_shares(model, &ALICE), 100);
			assert_ok!(Shares::transfer_shares(RuntimeOrigin::signed(ALICE), model, BOB, 900));
			// Removing the locks empties the storage entry.
			Shares::remove_lock(model, &ALICE, 1);
			Shares::remove_lock(model, &ALICE, 2);
			assert!(!ShareLocks::<Test>::contains_key(model, ALICE));
			// Removing an absent lock does nothing.
			Shares::remove_lock(model, &ALICE, 9);
			assert!(!ShareLocks::<Test>::contains_key(model, ALICE));
		});
	}

	#[test]
	fn set_lock_fails_cleanly() {
		new_test_ext().execute_with(|| {
			let unissued = add_model(ALICE);
			assert_noop!(Shares::set_lock(unissued, &ALICE, 1, 1), Error::<Test>::NoShares);
			let model = issue(ALICE, 1_000);
			assert_noop!(Shares::set_lock(model, &ALICE, 1, 0), Error::<Test>::ZeroAmount);
			assert_noop!(
				Shares::set_lock(model, &ALICE, 1, 1_001),
				Error::<Test>::InsufficientShares
			);
			assert_noop!(Shares::set_lock(model, &BOB, 1, 1), Error::<Test>::InsufficientShares);
			for lock in 0..MAX_LOCKS {
				assert_ok!(Shares::set_lock(model, &ALICE, lock, 10));
			}
			assert_noop!(
				Shares::set_lock(model, &ALICE, MAX_LOCKS, 10),
				Error::<Test>::TooManyLocks
			);
			// Locks that stopped binding are pruned to make room.
			release_lock(0);
			assert_ok!(Shares::set_lock(model, &ALICE, MAX_LOCKS, 10));
			assert_eq!(ShareLocks::<Test>::get(model, ALICE).len() as u32, MAX_LOCKS);
		});
	}

	#[test]
	fn voting_view_reports_supply_and_balance() {
		new_test_ext().execute_with(|| {
			let unissued = add_model(ALICE);
			assert_eq!(<Shares as ShareVoting<_, _>>::supply(unissued), None);
			assert_eq!(<Shares as ShareVoting<_, _>>::balance(unissued, &ALICE), 0);
			let model = issue(ALICE, 1_000);
			assert_ok!(Shares::create_order(RuntimeOrigin::signed(ALICE), model, 250, 1));
			assert_eq!(<Shares as ShareVoting<_, _>>::supply(model), Some(1_000));
			// Escrowed shares do not vote.
			assert_eq!(<Shares as ShareVoting<_, _>>::balance(model, &ALICE), 750);
		});
	}
}

// ---- H-5: no cap on how many models an account or the order book holds ----

/// Share assets are sufficient: holding shares takes no consumer reference, so neither a
/// holder nor the order book's escrow is capped at `MaxConsumers` (16) models. A hundred
/// models, each with an open order, and one holder of all of them.
#[test]
fn a_holder_and_the_order_book_hold_shares_of_a_hundred_models() {
	new_test_ext().execute_with(|| {
		let models: Vec<u32> = (0..100).map(|_| issue(ALICE, 1_000)).collect();
		for (i, &model) in models.iter().enumerate() {
			let seller: AccountId = 100 + i as AccountId;
			Balances::set_balance(&seller, ENDOWMENT);
			assert_ok!(Shares::transfer_shares(RuntimeOrigin::signed(ALICE), model, seller, 10));
			assert_ok!(Shares::create_order(RuntimeOrigin::signed(seller), model, 5, 3));
			assert_ok!(Shares::transfer_shares(RuntimeOrigin::signed(ALICE), model, BOB, 1));
			assert_ok!(Shares::fill_order(RuntimeOrigin::signed(DAVE), i as u64, 1));
		}
		for &model in &models {
			assert_eq!(shares(model, BOB), 1);
			assert_eq!(shares(model, DAVE), 1);
			assert_eq!(shares(model, Shares::account_id()), 4);
		}
		assert_eq!(System::consumers(&BOB), 0);
		// Dave paid his holdings' deposits: one reference for his holds, not one per model.
		assert_eq!(System::consumers(&DAVE), 1);
	});
}

// ---- L-6: a supply so large that revenue rounds to nothing is refused ----

/// With a supply of 10^30 shares, a deposit of 1 MDL (10^12 planck) would credit less than one
/// accumulator unit per share: holders would be owed nothing until a million MDL had come in.
/// Supplies above `MaxSupply` are refused, so one planck per share-unit always registers.
#[test]
fn a_supply_above_the_maximum_is_refused() {
	new_test_ext().execute_with(|| {
		let model = add_model(ALICE);
		assert_noop!(
			Shares::issue_shares(
				RuntimeOrigin::signed(ALICE),
				model,
				1_000_000_000_000_000_000_000_000_000_000
			),
			Error::<Test>::SupplyTooLarge
		);
		assert_ok!(Shares::issue_shares(RuntimeOrigin::signed(ALICE), model, MAX_SUPPLY));
		deposit(model, 1);
		assert_eq!(Shares::pending_revenue(model, &ALICE), 1);
	});
}
