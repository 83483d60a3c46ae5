//! Tests of the access pallet: every call and error, each policy, licences used up, expired,
//! transferred and dropped, the audit window and its pages, and a property test over random
//! sequences of purchases, uses, transfers and blocks (no money minted or lost, deposits match
//! what is stored, no licence used beyond its terms).

use crate::{mock::*, *};
use frame_support::{
	assert_noop, assert_ok,
	traits::{
		fungible::{Inspect, InspectHold, Mutate},
		tokens::Preservation,
	},
};
use modelchain_primitives::{
	AccessControl, AccessPolicyAdmin, Balance, FeeSplit, LicenceId, ModelId, ModelVersionRef,
	ShareVoting,
};
use sp_runtime::{DispatchError, Perbill};

fn version(model: ModelId) -> ModelVersionRef {
	ModelVersionRef { model, version: 0 }
}

fn terms(duration: Option<u64>, queries: Option<u32>, transferable: bool) -> LicenceTermsOf<Test> {
	LicenceTerms { price: 1_000, duration, queries, transferable }
}

/// Makes `model` licensed (by its owner, or its holders' vote once it has shares) and offers
/// `terms`.
fn licensed(model: ModelId, terms: LicenceTermsOf<Test>) -> OfferId {
	set_policy(model, AccessPolicy::Licensed);
	let offer = NextOfferId::<Test>::get(model);
	assert_ok!(Access::create_offer(RuntimeOrigin::signed(OWNER), model, terms));
	offer
}

/// Sets `model`'s policy as it may be: by its owner, or by its holders' vote once it has shares.
fn set_policy(model: ModelId, policy: AccessPolicy<Balance>) {
	if MockShares::supply(model).is_some() {
		assert_ok!(<Access as AccessPolicyAdmin<Balance>>::enact_policy(model, policy));
	} else {
		assert_ok!(Access::set_access_policy(RuntimeOrigin::signed(OWNER), model, policy));
	}
}

fn buy(who: AccountId, model: ModelId, offer: OfferId) -> LicenceId {
	let id = NextLicenceId::<Test>::get();
	assert_ok!(Access::buy_licence(RuntimeOrigin::signed(who), model, offer));
	id
}

fn held(who: AccountId, reason: HoldReason) -> Balance {
	Balances::balance_on_hold(&RuntimeHoldReason::Access(reason), &who)
}

/// Uses `who`'s access to `model` as a request would (in its own storage layer, as a call).
fn access(who: AccountId, model: ModelId, job: u64) -> Result<Option<LicenceId>, DispatchError> {
	frame_support::storage::with_storage_layer(|| Access::use_access(&who, &version(model), job))
}

fn queries_left(id: LicenceId) -> Option<u32> {
	Licences::<Test>::get(id).and_then(|licence| licence.queries_left)
}

// ---------------------------------------------------------------- policies

#[test]
fn the_owner_sets_the_policy_until_shares_exist() {
	new_test_ext().execute_with(|| {
		assert_eq!(Access::policy(MODEL), AccessPolicy::Open);
		assert_noop!(
			Access::set_access_policy(RuntimeOrigin::signed(ALICE), MODEL, AccessPolicy::Licensed),
			Error::<Test>::NotOwner
		);
		assert_noop!(
			Access::set_access_policy(RuntimeOrigin::signed(OWNER), 7, AccessPolicy::Licensed),
			Error::<Test>::UnknownModel
		);
		assert_noop!(
			Access::set_access_policy(
				RuntimeOrigin::signed(OWNER),
				MODEL,
				AccessPolicy::HoldersOnly { min_shares: 1 }
			),
			Error::<Test>::NoShares
		);
		assert_ok!(Access::set_access_policy(
			RuntimeOrigin::signed(OWNER),
			MODEL,
			AccessPolicy::Licensed
		));
		assert_eq!(Access::policy(MODEL), AccessPolicy::Licensed);
		System::assert_last_event(
			Event::PolicySet { model: MODEL, policy: AccessPolicy::Licensed, by: OWNER }.into(),
		);
		// Back to open: nothing stored.
		assert_ok!(Access::set_access_policy(
			RuntimeOrigin::signed(OWNER),
			MODEL,
			AccessPolicy::Open
		));
		assert!(!Policies::<Test>::contains_key(MODEL));
	});
}

#[test]
fn after_shares_exist_only_the_holders_vote_sets_the_policy() {
	new_test_ext().execute_with(|| {
		// ALICE holds 300 of 1,000, the owner 600: neither may set it directly.
		for who in [ALICE, OWNER] {
			assert_noop!(
				Access::set_access_policy(
					RuntimeOrigin::signed(who),
					SHARED,
					AccessPolicy::Licensed
				),
				if who == OWNER {
					Error::<Test>::DecidedByHolders
				} else {
					Error::<Test>::NotOwner
				}
			);
		}
		// What governance enacts after a vote, checked first.
		let holders = AccessPolicy::HoldersOnly { min_shares: 100 };
		assert_ok!(<Access as AccessPolicyAdmin<Balance>>::check_policy(SHARED, &holders));
		assert_ok!(<Access as AccessPolicyAdmin<Balance>>::enact_policy(SHARED, holders));
		System::assert_last_event(
			Event::PolicySetByHolders { model: SHARED, policy: holders }.into(),
		);
		for bad in [0, SUPPLY + 1] {
			assert_noop!(
				<Access as AccessPolicyAdmin<Balance>>::enact_policy(
					SHARED,
					AccessPolicy::HoldersOnly { min_shares: bad }
				),
				Error::<Test>::InvalidPolicy
			);
		}
		// A model without shares is its owner's to set.
		assert_noop!(
			<Access as AccessPolicyAdmin<Balance>>::check_policy(MODEL, &AccessPolicy::Licensed),
			Error::<Test>::NoShares
		);
		assert_eq!(Access::policy(SHARED), holders);
	});
}

#[test]
fn open_models_record_every_access() {
	new_test_ext().execute_with(|| {
		assert_eq!(access(CHARLIE, MODEL, 7), Ok(None));
		System::assert_last_event(
			Event::Accessed {
				model: MODEL,
				version: version(MODEL),
				requester: CHARLIE,
				licence: None,
				job: 7,
				sequence: 0,
			}
			.into(),
		);
		assert_eq!(
			AccessLog::<Test>::get(MODEL, 0),
			Some(AccessRecord {
				requester: CHARLIE,
				version: version(MODEL),
				licence: None,
				job: 7,
				at: 1
			})
		);
		assert_eq!(Access::check_access(MODEL, &CHARLIE), Ok(None));
	});
}

#[test]
fn holders_only_needs_the_minimum_of_shares() {
	new_test_ext().execute_with(|| {
		set_policy(SHARED, AccessPolicy::HoldersOnly { min_shares: 200 });
		assert_eq!(access(BOB, SHARED, 0), Err(Error::<Test>::InsufficientShares.into()));
		assert_eq!(access(CHARLIE, SHARED, 0), Err(Error::<Test>::InsufficientShares.into()));
		assert_eq!(AccessLogBounds::<Test>::get(SHARED), (0, 0), "a refusal records nothing");
		assert_eq!(access(ALICE, SHARED, 1), Ok(None));
		// The owner may always use its own model, whatever it holds.
		set_shares(SHARED, OWNER, 0);
		assert_eq!(access(OWNER, SHARED, 2), Ok(None));
		assert_eq!(AccessLogBounds::<Test>::get(SHARED), (0, 2));
	});
}

// ---------------------------------------------------------------- offers

#[test]
fn offer_errors_change_nothing() {
	new_test_ext().execute_with(|| {
		let good = terms(Some(10), None, false);
		assert_noop!(
			Access::create_offer(RuntimeOrigin::signed(ALICE), MODEL, good),
			Error::<Test>::NotOwner
		);
		assert_noop!(
			Access::create_offer(RuntimeOrigin::signed(OWNER), 7, good),
			Error::<Test>::UnknownModel
		);
		for bad in [
			terms(None, None, false),
			terms(Some(0), Some(3), false),
			terms(Some(5), Some(0), true),
		] {
			assert_noop!(
				Access::create_offer(RuntimeOrigin::signed(OWNER), MODEL, bad),
				Error::<Test>::InvalidTerms
			);
		}
		// An owner that cannot hold the deposit.
		let poor_balance = Balances::balance(&OWNER);
		Balances::transfer(&OWNER, &CHARLIE, poor_balance - 20, Preservation::Expendable).unwrap();
		assert_noop!(
			Access::create_offer(RuntimeOrigin::signed(OWNER), MODEL, good),
			Error::<Test>::InsufficientBalance
		);
	});
}

#[test]
fn offers_are_bounded_hold_a_deposit_and_can_be_withdrawn() {
	new_test_ext().execute_with(|| {
		let good = terms(Some(10), Some(5), true);
		for offer in 0..MAX_OFFERS {
			assert_ok!(Access::create_offer(RuntimeOrigin::signed(OWNER), MODEL, good));
			System::assert_last_event(
				Event::OfferCreated { model: MODEL, offer, terms: good, deposit: OFFER_DEPOSIT }
					.into(),
			);
		}
		assert_eq!(held(OWNER, HoldReason::OfferDeposit), OFFER_DEPOSIT * MAX_OFFERS as u128);
		assert_noop!(
			Access::create_offer(RuntimeOrigin::signed(OWNER), MODEL, good),
			Error::<Test>::TooManyOffers
		);
		assert_noop!(
			Access::withdraw_offer(RuntimeOrigin::signed(ALICE), MODEL, 0),
			Error::<Test>::NotOwner
		);
		assert_noop!(
			Access::withdraw_offer(RuntimeOrigin::signed(OWNER), MODEL, 9),
			Error::<Test>::UnknownOffer
		);
		assert_ok!(Access::withdraw_offer(RuntimeOrigin::signed(OWNER), MODEL, 1));
		System::assert_last_event(Event::OfferWithdrawn { model: MODEL, offer: 1 }.into());
		assert_eq!(held(OWNER, HoldReason::OfferDeposit), OFFER_DEPOSIT * 2);
		assert_eq!(OfferCount::<Test>::get(MODEL), 2);
		// Room for one more; ids are never reused.
		assert_ok!(Access::create_offer(RuntimeOrigin::signed(OWNER), MODEL, good));
		assert!(Offers::<Test>::contains_key(MODEL, MAX_OFFERS));
	});
}

// ---------------------------------------------------------------- buying

#[test]
fn buy_errors_change_nothing() {
	new_test_ext().execute_with(|| {
		assert_ok!(Access::create_offer(
			RuntimeOrigin::signed(OWNER),
			MODEL,
			terms(Some(10), None, false)
		));
		// Offers exist, but the model is still open: nothing to buy.
		assert_noop!(
			Access::buy_licence(RuntimeOrigin::signed(ALICE), MODEL, 0),
			Error::<Test>::NotLicensedModel
		);
		let offer = licensed(MODEL, terms(Some(10), None, false));
		assert_noop!(
			Access::buy_licence(RuntimeOrigin::signed(ALICE), MODEL, 9),
			Error::<Test>::UnknownOffer
		);
		assert_noop!(
			Access::buy_licence(RuntimeOrigin::signed(POOR), MODEL, offer),
			Error::<Test>::InsufficientBalance
		);
		buy(ALICE, MODEL, offer);
		assert_noop!(
			Access::buy_licence(RuntimeOrigin::signed(ALICE), MODEL, offer),
			Error::<Test>::AlreadyLicensed
		);
		// A paused model sells nothing.
		let paused_offer = licensed(PAUSED, terms(Some(10), None, false));
		assert_noop!(
			Access::buy_licence(RuntimeOrigin::signed(ALICE), PAUSED, paused_offer),
			Error::<Test>::ModelNotActive
		);
	});
}

#[test]
fn the_price_is_split_like_a_fee_and_the_deposit_held() {
	new_test_ext().execute_with(|| {
		let offer = licensed(SHARED, terms(Some(10), Some(3), false));
		let (treasury, owner, pot, alice) = (
			Balances::balance(&TREASURY),
			Balances::balance(&OWNER),
			Balances::balance(&HOLDERS_POT),
			Balances::balance(&ALICE),
		);
		let id = buy(ALICE, SHARED, offer);
		let split = FeeSplit::new(1_000, PROTOCOL_FEE, ROYALTY, Perbill::zero(), 0);
		assert_eq!((split.treasury, split.creator, split.holders, split.miners), (50, 100, 850, 0));
		assert_eq!(Balances::balance(&TREASURY), treasury + 50);
		assert_eq!(Balances::balance(&OWNER), owner + 100);
		assert_eq!(Balances::balance(&HOLDERS_POT), pot + 850);
		assert_eq!(REVENUE.with(|r| r.borrow().get(&SHARED).copied()), Some(850));
		assert_eq!(Balances::balance(&ALICE), alice - 1_000 - LICENCE_DEPOSIT);
		assert_eq!(held(ALICE, HoldReason::LicenceDeposit), LICENCE_DEPOSIT);
		System::assert_last_event(
			Event::LicenceBought {
				licence: id,
				model: SHARED,
				offer,
				buyer: ALICE,
				split,
				refunded: 0,
				deposit: LICENCE_DEPOSIT,
				expires_at: Some(11),
				queries: Some(3),
			}
			.into(),
		);
		assert_eq!(Offers::<Test>::get(SHARED, offer).unwrap().sold, 1);
		let (licence, usable) = Access::licence_status(SHARED, &ALICE).unwrap();
		assert!(usable);
		assert_eq!((licence.id, licence.queries_left, licence.expires_at), (id, Some(3), Some(11)));

		// Without shares the holders' part goes to the creator.
		let offer = licensed(MODEL, terms(None, Some(1), false));
		let owner = Balances::balance(&OWNER);
		buy(BOB, MODEL, offer);
		assert_eq!(Balances::balance(&OWNER), owner + 950);
	});
}

// ---------------------------------------------------------------- using licences

#[test]
fn an_unlicensed_request_is_refused_and_changes_nothing() {
	new_test_ext().execute_with(|| {
		licensed(MODEL, terms(None, Some(2), false));
		assert_eq!(access(ALICE, MODEL, 0), Err(Error::<Test>::NoLicence.into()));
		assert_eq!(Access::check_access(MODEL, &ALICE), Err(Error::<Test>::NoLicence.into()));
		assert_eq!(AccessLogBounds::<Test>::get(MODEL), (0, 0));
		// The owner needs no licence of its own model.
		assert_eq!(access(OWNER, MODEL, 0), Ok(None));
	});
}

#[test]
fn queries_are_used_and_a_used_up_licence_ends() {
	new_test_ext().execute_with(|| {
		let offer = licensed(MODEL, terms(None, Some(2), false));
		let id = buy(ALICE, MODEL, offer);
		assert_eq!(access(ALICE, MODEL, 10), Ok(Some(id)));
		assert_eq!(queries_left(id), Some(1));
		System::assert_last_event(
			Event::Accessed {
				model: MODEL,
				version: version(MODEL),
				requester: ALICE,
				licence: Some(id),
				job: 10,
				sequence: 0,
			}
			.into(),
		);
		assert_eq!(access(ALICE, MODEL, 11), Ok(Some(id)));
		System::assert_has_event(
			Event::LicenceExhausted { licence: id, model: MODEL, holder: ALICE }.into(),
		);
		assert!(!Licences::<Test>::contains_key(id));
		assert!(!LicenceByHolder::<Test>::contains_key(MODEL, ALICE));
		assert_eq!(held(ALICE, HoldReason::LicenceDeposit), 0);
		assert_eq!(access(ALICE, MODEL, 12), Err(Error::<Test>::NoLicence.into()));
		// A new licence can be bought once the last one is used up.
		buy(ALICE, MODEL, offer);
	});
}

/// Paid queries made off chain (a query channel's claim) count against the licence: at most
/// what is left, ending it when nothing is; open models, the owner and licences without a
/// query count are not counted.
#[test]
fn queries_served_off_chain_are_counted_against_the_licence() {
	new_test_ext().execute_with(|| {
		assert_eq!(Access::use_queries(&ALICE, MODEL, 5), None, "an open model counts nothing");
		let offer = licensed(MODEL, terms(None, Some(10), false));
		let id = buy(ALICE, MODEL, offer);
		assert_eq!(Access::use_queries(&ALICE, MODEL, 4), Some((id, 4)));
		assert_eq!(queries_left(id), Some(6));
		System::assert_last_event(
			Event::LicenceQueriesUsed {
				licence: id,
				model: MODEL,
				holder: ALICE,
				queries: 4,
				counted: 4,
			}
			.into(),
		);
		assert_eq!(Access::use_queries(&OWNER, MODEL, 4), None, "the owner needs no licence");
		assert_eq!(Access::use_queries(&BOB, MODEL, 4), None, "no licence, nothing to count");
		// More than is left: what is left is counted and the licence ends.
		assert_eq!(Access::use_queries(&ALICE, MODEL, u64::MAX), Some((id, 6)));
		System::assert_has_event(
			Event::LicenceExhausted { licence: id, model: MODEL, holder: ALICE }.into(),
		);
		assert!(!Licences::<Test>::contains_key(id));
		assert_eq!(held(ALICE, HoldReason::LicenceDeposit), 0);
		// A licence without a query count is named but counts nothing.
		let unlimited = licensed(MODEL, terms(Some(100), None, false));
		let id = buy(ALICE, MODEL, unlimited);
		assert_eq!(Access::use_queries(&ALICE, MODEL, 7), Some((id, 0)));
		assert!(Licences::<Test>::contains_key(id));
	});
}

#[test]
fn licences_expire_at_their_block_and_are_removed() {
	new_test_ext().execute_with(|| {
		let offer = licensed(MODEL, terms(Some(5), None, false));
		let id = buy(ALICE, MODEL, offer);
		assert_eq!(Expiries::<Test>::get(6).into_inner(), vec![id]);
		run_to_block(5);
		assert_eq!(access(ALICE, MODEL, 0), Ok(Some(id)), "unlimited queries until it expires");
		assert_eq!(access(ALICE, MODEL, 1), Ok(Some(id)));
		run_to_block(6);
		System::assert_has_event(
			Event::LicenceExpired { licence: id, model: MODEL, holder: ALICE }.into(),
		);
		assert!(!Licences::<Test>::contains_key(id));
		assert_eq!(held(ALICE, HoldReason::LicenceDeposit), 0);
		assert!(!Expiries::<Test>::contains_key(6));
		assert_eq!(access(ALICE, MODEL, 2), Err(Error::<Test>::NoLicence.into()));
	});
}

#[test]
fn expiry_work_is_bounded_per_block_and_late_removal_never_extends_a_licence() {
	new_test_ext().execute_with(|| {
		let offer = licensed(MODEL, terms(Some(5), None, true));
		// Three licences expire at block 6; at most two are removed per block.
		let ids: Vec<_> = [ALICE, BOB, CHARLIE].iter().map(|who| buy(*who, MODEL, offer)).collect();
		assert_eq!(Expiries::<Test>::get(6).into_inner(), ids[..2].to_vec());
		assert_eq!(Expiries::<Test>::get(7).into_inner(), ids[2..].to_vec());
		run_to_block(6);
		assert!(!Licences::<Test>::contains_key(ids[0]) && !Licences::<Test>::contains_key(ids[1]));
		// CHARLIE's licence is still stored for a block, but it is not usable.
		assert!(Licences::<Test>::contains_key(ids[2]));
		assert_eq!(access(CHARLIE, MODEL, 0), Err(Error::<Test>::LicenceExpired.into()));
		assert_eq!(Access::licence_status(MODEL, &CHARLIE).map(|(_, usable)| usable), Some(false));
		assert_noop!(
			Access::transfer_licence(RuntimeOrigin::signed(CHARLIE), MODEL, OWNER),
			Error::<Test>::LicenceExpired
		);
		// Buying again replaces the expired licence (its deposit is released first).
		let renewed = buy(CHARLIE, MODEL, offer);
		System::assert_has_event(
			Event::LicenceExpired { licence: ids[2], model: MODEL, holder: CHARLIE }.into(),
		);
		assert_eq!(held(CHARLIE, HoldReason::LicenceDeposit), LICENCE_DEPOSIT);
		run_to_block(7);
		// The queue entry of the replaced licence finds nothing; the new one stays.
		assert_eq!(Access::check_access(MODEL, &CHARLIE), Ok(Some(renewed)));
	});
}

#[test]
fn a_full_expiry_queue_refuses_the_purchase() {
	new_test_ext().execute_with(|| {
		let offer = licensed(MODEL, terms(Some(5), None, false));
		let slots = EXPIRY_SLOTS_TRIED * MAX_EXPIRIES;
		for index in 0..slots {
			let buyer = 1_000 + u64::from(index);
			Balances::mint_into(&buyer, 10_000).unwrap();
			buy(buyer, MODEL, offer);
		}
		assert!((6..6 + u64::from(EXPIRY_SLOTS_TRIED))
			.all(|block| Expiries::<Test>::get(block).len() as u32 == MAX_EXPIRIES));
		assert_noop!(
			Access::buy_licence(RuntimeOrigin::signed(ALICE), MODEL, offer),
			Error::<Test>::ExpiryQueueFull
		);
	});
}

// ---------------------------------------------------------------- transfers and drops

#[test]
fn transfer_errors_change_nothing() {
	new_test_ext().execute_with(|| {
		let fixed = licensed(MODEL, terms(None, Some(3), false));
		assert_noop!(
			Access::transfer_licence(RuntimeOrigin::signed(ALICE), MODEL, BOB),
			Error::<Test>::NoLicence
		);
		buy(ALICE, MODEL, fixed);
		assert_noop!(
			Access::transfer_licence(RuntimeOrigin::signed(ALICE), MODEL, BOB),
			Error::<Test>::NotTransferable
		);
		assert_noop!(
			Access::transfer_licence(RuntimeOrigin::signed(ALICE), MODEL, ALICE),
			Error::<Test>::SelfTransfer
		);
		let movable = {
			assert_ok!(Access::create_offer(
				RuntimeOrigin::signed(OWNER),
				MODEL,
				terms(None, Some(3), true)
			));
			1
		};
		buy(BOB, MODEL, movable);
		// ALICE already holds a licence of the model.
		assert_noop!(
			Access::transfer_licence(RuntimeOrigin::signed(BOB), MODEL, ALICE),
			Error::<Test>::AlreadyLicensed
		);
	});
}

#[test]
fn a_transferable_licence_moves_with_what_is_left_of_it() {
	new_test_ext().execute_with(|| {
		let offer = licensed(MODEL, terms(Some(50), Some(3), true));
		let id = buy(ALICE, MODEL, offer);
		assert_eq!(access(ALICE, MODEL, 0), Ok(Some(id)));
		assert_ok!(Access::transfer_licence(RuntimeOrigin::signed(ALICE), MODEL, BOB));
		System::assert_last_event(
			Event::LicenceTransferred { licence: id, model: MODEL, from: ALICE, to: BOB }.into(),
		);
		assert_eq!(access(ALICE, MODEL, 1), Err(Error::<Test>::NoLicence.into()));
		assert_eq!(queries_left(id), Some(2));
		assert_eq!(access(BOB, MODEL, 1), Ok(Some(id)));
		// The deposit stays with the buyer until the licence ends, then goes back to it.
		assert_eq!(held(ALICE, HoldReason::LicenceDeposit), LICENCE_DEPOSIT);
		assert_eq!(held(BOB, HoldReason::LicenceDeposit), 0);
		assert_eq!(access(BOB, MODEL, 2), Ok(Some(id)));
		System::assert_has_event(
			Event::LicenceExhausted { licence: id, model: MODEL, holder: BOB }.into(),
		);
		assert_eq!(held(ALICE, HoldReason::LicenceDeposit), 0);
		// Its expiry entry finds nothing later.
		run_to_block(60);
		assert_eq!(held(ALICE, HoldReason::LicenceDeposit), 0);
	});
}

#[test]
fn a_holder_can_drop_its_licence() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			Access::drop_licence(RuntimeOrigin::signed(ALICE), MODEL),
			Error::<Test>::NoLicence
		);
		let offer = licensed(MODEL, terms(None, Some(3), false));
		let id = buy(ALICE, MODEL, offer);
		assert_ok!(Access::drop_licence(RuntimeOrigin::signed(ALICE), MODEL));
		System::assert_last_event(
			Event::LicenceDropped { licence: id, model: MODEL, holder: ALICE }.into(),
		);
		assert_eq!(held(ALICE, HoldReason::LicenceDeposit), 0);
		assert_eq!(Access::licence_status(MODEL, &ALICE), None);
	});
}

#[test]
fn withdrawn_offers_leave_their_licences_valid() {
	new_test_ext().execute_with(|| {
		let offer = licensed(MODEL, terms(None, Some(3), false));
		let id = buy(ALICE, MODEL, offer);
		assert_ok!(Access::withdraw_offer(RuntimeOrigin::signed(OWNER), MODEL, offer));
		assert_eq!(access(ALICE, MODEL, 0), Ok(Some(id)));
		assert_noop!(
			Access::buy_licence(RuntimeOrigin::signed(BOB), MODEL, offer),
			Error::<Test>::UnknownOffer
		);
	});
}

// ---------------------------------------------------------------- audit trail

#[test]
fn the_audit_window_is_bounded_and_paged() {
	new_test_ext().execute_with(|| {
		for job in 0..7 {
			assert_ok!(access(ALICE, MODEL, job));
		}
		// Five kept: accesses 2..7; 0 and 1 are only in the events.
		assert_eq!(AccessLogBounds::<Test>::get(MODEL), (2, 7));
		assert!(!AccessLog::<Test>::contains_key(MODEL, 1));
		let page = Access::access_history(MODEL, 0, 2);
		assert_eq!((page.first_kept, page.next, page.next_page), (2, 7, Some(4)));
		assert_eq!(
			page.accesses.iter().map(|(seq, r)| (*seq, r.job)).collect::<Vec<_>>(),
			vec![(2, 2), (3, 3)]
		);
		let page = Access::access_history(MODEL, 4, 10);
		assert_eq!(page.accesses.len(), 3);
		assert_eq!(page.next_page, None);
		assert!(Access::access_history(MODEL, 9, 10).accesses.is_empty());
		assert!(Access::access_history(SHARED, 0, 10).accesses.is_empty());
		// Other models have their own windows.
		assert_ok!(access(ALICE, SHARED, 99));
		assert_eq!(AccessLogBounds::<Test>::get(SHARED), (0, 1));
	});
}

#[test]
fn a_page_is_at_most_max_history_page() {
	new_test_ext().execute_with(|| {
		// Only the first `LOG_LENGTH` are kept here, so check the clamp on the range itself.
		for job in 0..3 {
			assert_ok!(access(ALICE, MODEL, job));
		}
		assert_eq!(Access::access_history(MODEL, 0, u32::MAX).accesses.len(), 3);
		assert_eq!(Access::access_history(MODEL, 0, 0).next_page, Some(0));
	});
}

// ---------------------------------------------------------------- property

mod property {
	use super::*;
	use proptest::prelude::*;

	#[derive(Clone, Debug)]
	enum Op {
		Buy(usize, u32),
		Use(usize),
		Transfer(usize, usize),
		Drop(usize),
		Blocks(u64),
		Withdraw(u32),
	}

	const PEOPLE: [AccountId; 4] = [ALICE, BOB, CHARLIE, POOR];

	fn op() -> impl Strategy<Value = Op> {
		prop_oneof![
			3 => (0..4usize, 0..3u32).prop_map(|(who, offer)| Op::Buy(who, offer)),
			6 => (0..4usize).prop_map(Op::Use),
			1 => (0..4usize, 0..4usize).prop_map(|(a, b)| Op::Transfer(a, b)),
			1 => (0..4usize).prop_map(Op::Drop),
			2 => (1..4u64).prop_map(Op::Blocks),
			1 => (0..3u32).prop_map(Op::Withdraw),
		]
	}

	proptest! {
		#![proptest_config(ProptestConfig::with_cases(500))]

		/// A licence sale at any price, of a model with or without shares: the treasury, the
		/// creator and the holders receive exactly the parts the event reports, the parts add
		/// up to the price, and the buyer pays the price plus the held deposit, exactly; a
		/// refused purchase moves nothing.
		#[test]
		fn licence_sale_parts_add_up_to_the_price_exactly(
			price in prop_oneof![0u128..=40, 0u128..=ENDOWMENT],
			shared in any::<bool>(),
		) {
			new_test_ext().execute_with(|| {
				let model = if shared { SHARED } else { MODEL };
				let offer = licensed(model, LicenceTerms { price, duration: None, queries: Some(1), transferable: false });
				let balance = |who: AccountId| Balances::total_balance(&who);
				let before = [balance(TREASURY), balance(OWNER), balance(HOLDERS_POT), balance(ALICE)];
				let total = total_of_known_accounts();
				match Access::buy_licence(RuntimeOrigin::signed(ALICE), model, offer) {
					Ok(()) => {
						let (split, refunded) = System::events().into_iter().find_map(|e| match e.event {
							RuntimeEvent::Access(Event::LicenceBought { split, refunded, .. }) => Some((split, refunded)),
							_ => None,
						}).expect("a purchase event");
						prop_assert_eq!(split.fee, price);
						prop_assert_eq!(split.treasury + split.creator + split.miners + split.holders, price);
						prop_assert_eq!(split.miners, 0);
						// Each part is paid in full or (below its recipient's existential deposit)
						// kept by the buyer: what was paid plus what was refunded is the price.
						let to_treasury = balance(TREASURY) - before[0];
						let (owner_part, pot_part) = if shared { (split.creator, split.holders) } else { (split.creator + split.holders, 0) };
						let to_owner = balance(OWNER) - before[1];
						let to_pot = balance(HOLDERS_POT) - before[2];
						prop_assert!(to_treasury == split.treasury || to_treasury == 0);
						prop_assert!(to_owner == owner_part || to_owner == split.holders || to_owner == split.creator || to_owner == 0);
						prop_assert!(to_pot == pot_part || to_pot == 0);
						prop_assert_eq!(to_treasury + to_owner + to_pot + refunded, price);
						prop_assert_eq!(before[3] - balance(ALICE), price - refunded);
						prop_assert_eq!(held(ALICE, HoldReason::LicencePayment), 0);
						prop_assert_eq!(held(ALICE, HoldReason::LicenceDeposit), LICENCE_DEPOSIT);
					},
					Err(_) => {
						prop_assert_eq!(before, [balance(TREASURY), balance(OWNER), balance(HOLDERS_POT), balance(ALICE)]);
						prop_assert_eq!(held(ALICE, HoldReason::LicenceDeposit), 0);
					},
				}
				prop_assert_eq!(total_of_known_accounts(), total);
				Ok(())
			})?;
		}
	}

	proptest! {
		#![proptest_config(ProptestConfig::with_cases(200))]
		#[test]
		fn money_is_conserved_and_licences_keep_their_terms(ops in prop::collection::vec(op(), 1..60)) {
			new_test_ext().execute_with(|| {
				let total = total_of_known_accounts();
				licensed(SHARED, terms(Some(6), None, true));
				assert_ok!(Access::create_offer(RuntimeOrigin::signed(OWNER), SHARED, terms(None, Some(2), false)));
				assert_ok!(Access::create_offer(RuntimeOrigin::signed(OWNER), SHARED, terms(Some(4), Some(3), true)));
				// Uses per licence id, and the offer each was bought from.
				let mut uses: std::collections::BTreeMap<LicenceId, (OfferId, u32)> = Default::default();
				let mut job = 0;
				for op in ops {
					match op {
						Op::Buy(who, offer) => {
							let _ = Access::buy_licence(RuntimeOrigin::signed(PEOPLE[who]), SHARED, offer);
						},
						Op::Use(who) => {
							let now = System::block_number();
							let before = Access::licence_status(SHARED, &PEOPLE[who]);
							job += 1;
							match access(PEOPLE[who], SHARED, job) {
								Ok(Some(id)) => {
									let (licence, usable) = before.expect("a used licence existed");
									prop_assert!(usable && licence.expires_at.is_none_or(|end| now < end));
									uses.entry(id).or_insert((licence.offer, 0)).1 += 1;
								},
								Ok(None) => prop_assert_eq!(PEOPLE[who], OWNER),
								Err(_) => prop_assert!(before.is_none_or(|(_, usable)| !usable)),
							}
						},
						Op::Transfer(from, to) => {
							let _ = Access::transfer_licence(RuntimeOrigin::signed(PEOPLE[from]), SHARED, PEOPLE[to]);
						},
						Op::Drop(who) => {
							let _ = Access::drop_licence(RuntimeOrigin::signed(PEOPLE[who]), SHARED);
						},
						Op::Blocks(n) => run_to_block(System::block_number() + n),
						Op::Withdraw(offer) => {
							let _ = Access::withdraw_offer(RuntimeOrigin::signed(OWNER), SHARED, offer);
						},
					}
					// Nothing minted or lost.
					prop_assert_eq!(total_of_known_accounts(), total);
					// Deposits held match what is stored.
					let licences: Vec<_> = Licences::<Test>::iter_values().collect();
					let licence_holds: Balance = PEOPLE.iter().map(|who| held(*who, HoldReason::LicenceDeposit)).sum();
					prop_assert_eq!(licence_holds, LICENCE_DEPOSIT * licences.len() as u128);
					prop_assert_eq!(
						held(OWNER, HoldReason::OfferDeposit),
						OFFER_DEPOSIT * u128::from(OfferCount::<Test>::get(SHARED))
					);
					// The holder index and the licences agree; one licence per holder.
					prop_assert_eq!(LicenceByHolder::<Test>::iter().count(), licences.len());
					for licence in &licences {
						prop_assert_eq!(LicenceByHolder::<Test>::get(SHARED, licence.holder), Some(licence.id));
						prop_assert!(licence.queries_left != Some(0));
					}
				}
				// No licence was used more often than its offer allows (offer 0: unlimited).
				for (id, (offer, count)) in uses {
					let limit = [u32::MAX, 2, 3][offer as usize];
					prop_assert!(count <= limit, "licence {} of offer {} used {} times", id, offer, count);
				}
				Ok(())
			})?;
		}
	}
}

// ---------------------------------------------------------------- findings M-9, L-8

/// M-9: a dropped or used-up licence leaves its expiry queue, so buying and dropping licences
/// in a loop cannot fill the queues and lock everyone else's purchases out.
#[test]
fn buying_and_dropping_in_a_loop_does_not_fill_the_expiry_queues() {
	new_test_ext().execute_with(|| {
		let offer = licensed(MODEL, terms(Some(5), None, false));
		for _ in 0..EXPIRY_SLOTS_TRIED * MAX_EXPIRIES + 1 {
			buy(BOB, MODEL, offer);
			assert_ok!(Access::drop_licence(RuntimeOrigin::signed(BOB), MODEL));
		}
		let queued: usize = Expiries::<Test>::iter_values().map(|queue| queue.len()).sum();
		assert_eq!(queued, 0, "dropped licences left their expiry entries");
		buy(ALICE, MODEL, offer);
		let exhausted = licensed(MODEL, terms(Some(5), Some(1), false));
		let id = buy(CHARLIE, MODEL, exhausted);
		assert_ok!(access(CHARLIE, MODEL, 1));
		assert!(Licences::<Test>::get(id).is_none());
		let queued: usize = Expiries::<Test>::iter_values().map(|queue| queue.len()).sum();
		assert_eq!(queued, 1, "only Alice's licence waits for its expiry");
	});
}

/// L-8: a part of a licence's price that its recipient cannot receive (below the existential
/// deposit of an account that does not exist) stays with the buyer, as an unpayable part of a
/// job's fee does; the sale goes through.
#[test]
fn a_licence_sale_keeps_an_unpayable_part_with_the_buyer() {
	new_test_ext().execute_with(|| {
		let offer = licensed(
			MODEL,
			LicenceTerms { price: 100, duration: None, queries: Some(1), transferable: false },
		);
		// The treasury's account is gone: its 5% (5) is below the existential deposit (10).
		assert_ok!(Balances::transfer_all(RuntimeOrigin::signed(TREASURY), ALICE, false));
		assert_eq!(Balances::total_balance(&TREASURY), 0);
		let before = Balances::balance(&BOB);
		buy(BOB, MODEL, offer);
		assert_eq!(Balances::total_balance(&TREASURY), 0);
		assert_eq!(Balances::balance(&BOB), before - 95 - LICENCE_DEPOSIT);
		assert!(System::events().iter().any(|record| matches!(
			&record.event,
			RuntimeEvent::Access(Event::LicenceBought { refunded: 5, .. })
		)));
	});
}

// ---------------------------------------------------------------- finding M-3

/// M-3: after shares are issued, a momentary majority (bought in the same block) cannot lock
/// everyone else out: the policy changes only through a share-holder vote in governance.
#[test]
fn after_issuance_no_holder_sets_the_policy_directly() {
	new_test_ext().execute_with(|| {
		// The owner holds 600 of the 1,000 shares.
		assert_noop!(
			Access::set_access_policy(
				RuntimeOrigin::signed(OWNER),
				SHARED,
				AccessPolicy::HoldersOnly { min_shares: SUPPLY }
			),
			Error::<Test>::DecidedByHolders
		);
	});
}

/// The invariants checked after every test catch a licence with an expiry that no queue holds
/// (so that check can fail).
#[test]
fn try_state_catches_a_licence_missing_from_the_expiry_queue() {
	new_test_ext().execute_with(|| {
		let offer = licensed(MODEL, terms(Some(5), None, false));
		buy(ALICE, MODEL, offer);
		assert_ok!(Access::do_try_state());
		let queue = Expiries::<Test>::take(6);
		assert!(Access::do_try_state().is_err());
		Expiries::<Test>::insert(6, queue);
	});
}

/// L-14: the v1 migration cuts the windows kept under the old, longer bound to the newest
/// `AccessLogLength` records, freeing the rest; windows within the bound are untouched.
#[test]
fn migration_to_v1_cuts_every_access_window_to_the_bound() {
	use crate::migrations::v1::MigrateToV1;
	use frame_support::traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion};
	new_test_ext().execute_with(|| {
		let record = |model: ModelId, job: u64| AccessRecord {
			requester: ALICE,
			version: ModelVersionRef { model, version: 0 },
			licence: None,
			job,
			at: 1,
		};
		// What v0 kept: twelve accesses of one model (the bound is now LOG_LENGTH = 5), two of
		// another.
		for sequence in 0..12u64 {
			AccessLog::<Test>::insert(MODEL, sequence, record(MODEL, sequence));
		}
		AccessLogBounds::<Test>::insert(MODEL, (0, 12));
		for sequence in 0..2u64 {
			AccessLog::<Test>::insert(SHARED, sequence, record(SHARED, sequence));
		}
		AccessLogBounds::<Test>::insert(SHARED, (0, 2));
		StorageVersion::new(0).put::<Access>();
		// Without the migration the old window breaks the bound the pallet checks.
		assert!(Access::do_try_state().is_err());

		MigrateToV1::<Test>::on_runtime_upgrade();

		assert_eq!(AccessLogBounds::<Test>::get(MODEL), (7, 12));
		let kept: Vec<u64> = AccessLog::<Test>::iter_key_prefix(MODEL).collect();
		assert_eq!(kept.len(), LOG_LENGTH as usize);
		assert!(kept.iter().all(|sequence| (7..12).contains(sequence)));
		assert_eq!(AccessLogBounds::<Test>::get(SHARED), (0, 2));
		assert_eq!(AccessLog::<Test>::iter_key_prefix(SHARED).count(), 2);
		assert_eq!(Access::on_chain_storage_version(), StorageVersion::new(1));
	});
}
