//! The slot author's VRF signature sets the randomness; nothing else does.

use crate::{mock::*, *};
use frame_support::{
	assert_noop, assert_ok,
	inherent::{InherentData, ProvideInherent},
};
use sp_core::{crypto::VrfSecret, sr25519, Pair};
use sp_runtime::{traits::BadOrigin, DispatchError};

/// `signer`'s VRF signature over `slot` after `previous`.
fn sign(signer: &sr25519::Pair, slot: u64, previous: &[u8; 32]) -> SlotVrf {
	SlotVrf::from(&signer.vrf_sign(&sign_data(slot, previous)))
}

/// The current previous randomness.
fn previous() -> [u8; 32] {
	Randomness::<Test>::get().value
}

/// Runs `test` and checks the pallet's invariants after it.
fn run(test: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		test();
		SlotRandomness::do_try_state().expect("invariants hold");
	});
}

/// Moves to block `n`, in slot `n`, chosen by `author` as the only authority.
fn next_block(n: u64, author: &sr25519::Pair) {
	Authorities::set(vec![author.public()]);
	start_block(n, n);
}

fn set(signature: SlotVrf) -> sp_runtime::DispatchResult {
	SlotRandomness::set_randomness(RuntimeOrigin::none(), signature)
}

#[test]
fn the_slot_authors_signature_sets_the_vrf_output_as_randomness() {
	run(|| {
		let alice = key("//Alice");
		assert_eq!(SlotRandomness::fresh_randomness(), None, "nothing set in this block yet");
		let signature = sign(&alice, 1, &previous());
		assert_ok!(set(signature.clone()));
		let expected = output(&alice.public(), 1, &[0; 32], &signature).expect("valid");
		assert_eq!(Randomness::<Test>::get(), BlockRandomness { value: expected, block: 1 });
		assert_eq!(SlotRandomness::fresh_randomness(), Some(expected));
		assert_ne!(expected, [0; 32]);
	});
}

#[test]
fn each_block_chains_on_the_previous_randomness() {
	run(|| {
		let (alice, bob) = (key("//Alice"), key("//Bob"));
		assert_ok!(set(sign(&alice, 1, &previous())));
		let first = previous();
		next_block(2, &bob);
		assert_eq!(SlotRandomness::fresh_randomness(), None, "block 2 has not set its own yet");
		// Bob's signature over the zero randomness (not block 1's) is refused.
		assert_noop!(set(sign(&bob, 2, &[0; 32])), Error::<Test>::BadSignature);
		assert_ok!(set(sign(&bob, 2, &first)));
		assert_ne!(previous(), first);
		assert_eq!(Randomness::<Test>::get().block, 2);
	});
}

#[test]
fn a_vrf_output_is_unique_so_the_author_cannot_grind_it() {
	run(|| {
		// However often the author signs its slot's input, the output is the same value: it
		// has one draw per slot, fixed before it signs.
		let alice = key("//Alice");
		let outputs: Vec<_> = (0..8)
			.map(|_| {
				output(&alice.public(), 1, &[0; 32], &sign(&alice, 1, &[0; 32])).expect("valid")
			})
			.collect();
		assert!(outputs.windows(2).all(|w| w[0] == w[1]), "one output per (key, slot, previous)");
		// Another key's output for the same input differs: it is the author's, nobody else's.
		let bob = key("//Bob");
		assert_ne!(output(&bob.public(), 1, &[0; 32], &sign(&bob, 1, &[0; 32])), Some(outputs[0]));
	});
}

#[test]
fn a_signature_by_anyone_but_the_slot_author_is_refused() {
	run(|| {
		let bob = key("//Bob");
		assert_noop!(set(sign(&bob, 1, &previous())), Error::<Test>::BadSignature);
		assert_eq!(Randomness::<Test>::get(), BlockRandomness::default());
	});
}

#[test]
fn a_signature_for_another_slot_is_refused() {
	run(|| {
		let alice = key("//Alice");
		// Alice's signature for slot 2, presented in slot 1 (e.g. kept from a skipped slot).
		assert_noop!(set(sign(&alice, 2, &previous())), Error::<Test>::BadSignature);
	});
}

#[test]
fn the_randomness_is_set_once_per_block() {
	run(|| {
		let alice = key("//Alice");
		let signature = sign(&alice, 1, &previous());
		assert_ok!(set(signature.clone()));
		let first = previous();
		// Whatever the second signature, it is refused and the first value stays.
		assert_noop!(set(signature), Error::<Test>::AlreadySet);
		assert_noop!(set(sign(&alice, 1, &first)), Error::<Test>::AlreadySet);
		assert_eq!(previous(), first);
	});
}

#[test]
fn only_an_inherent_sets_it() {
	run(|| {
		let alice = key("//Alice");
		let signature = sign(&alice, 1, &previous());
		assert_noop!(
			SlotRandomness::set_randomness(RuntimeOrigin::signed(1), signature.clone()),
			BadOrigin
		);
		assert_noop!(
			SlotRandomness::set_randomness(RuntimeOrigin::root(), signature),
			DispatchError::BadOrigin
		);
	});
}

#[test]
fn without_authorities_nobody_can_set_it() {
	run(|| {
		let alice = key("//Alice");
		Authorities::set(vec![]);
		start_block(2, 2);
		assert_noop!(set(sign(&alice, 2, &previous())), Error::<Test>::NoSlotAuthor);
	});
}

/// In a block that changes the session, Aura's authorities change during `on_initialize`,
/// before the inherent; the block's author was chosen (by the node's Aura) with the parent's
/// authorities, and its signature is the one accepted.
#[test]
fn the_slot_author_is_chosen_by_the_parents_authorities_even_across_a_session_change() {
	run(|| {
		let (alice, bob, charlie) = (key("//Alice"), key("//Bob"), key("//Charlie"));
		// Slot 3 of [Alice, Bob] is Bob's (3 % 2); the session change in block 2 makes the
		// authorities [Charlie] before the inherent.
		Authorities::set(vec![alice.public(), bob.public()]);
		start_block(2, 3);
		Authorities::set(vec![charlie.public()]);
		assert_eq!(SlotRandomness::slot_author(), Some((3, bob.public())));
		assert_noop!(set(sign(&charlie, 3, &previous())), Error::<Test>::BadSignature);
		assert_ok!(set(sign(&bob, 3, &previous())));
		// From the next block on, the new authorities choose.
		start_block(3, 4);
		assert_eq!(ParentAuthorities::<Test>::get().into_inner(), vec![charlie.public()]);
		assert_ok!(set(sign(&charlie, 4, &previous())));
	});
}

#[test]
fn before_the_first_block_ends_the_current_authorities_choose() {
	new_test_ext().execute_with(|| {
		// A chain whose genesis block was not finalized by this pallet (no copy yet).
		ParentAuthorities::<Test>::kill();
		let bob = key("//Bob");
		Authorities::set(vec![bob.public()]);
		assert_eq!(SlotRandomness::slot_author(), Some((1, bob.public())));
		assert_ok!(set(sign(&bob, 1, &previous())));
	});
}

#[test]
fn the_inherent_is_required_made_from_inherent_data_and_checked() {
	run(|| {
		let alice = key("//Alice");
		let mut data = InherentData::new();
		assert!(SlotRandomness::create_inherent(&data).is_none(), "no signature, no inherent");
		assert!(
			matches!(SlotRandomness::is_inherent_required(&data), Ok(Some(InherentError::Missing))),
			"a block without it is refused on import"
		);
		let signature = sign(&alice, 1, &previous());
		data.put_data(INHERENT_IDENTIFIER, &signature).expect("encodes");
		let call = SlotRandomness::create_inherent(&data).expect("an inherent");
		assert!(SlotRandomness::is_inherent(&call));
		assert!(SlotRandomness::check_inherent(&call, &data).is_ok());
		// Bytes that are no VRF signature are refused before the block is executed.
		let garbage = Call::set_randomness {
			signature: SlotVrf { pre_output: [0xff; 32], proof: [0xff; 64] },
		};
		assert!(matches!(
			SlotRandomness::check_inherent(&garbage, &data),
			Err(InherentError::BadSignature)
		));
	});
}

#[test]
fn a_forged_inherent_makes_its_block_invalid() {
	run(|| {
		use frame_support::dispatch::{DispatchClass, GetDispatchInfo};
		// Someone else's signature is refused by the call, and the call is mandatory: an
		// executive refuses a block whose mandatory call fails (`BadMandatory`), so the block
		// of a forger is invalid on every importing node.
		let forged =
			Call::<Test>::set_randomness { signature: sign(&key("//Bob"), 1, &previous()) };
		assert_eq!(forged.get_dispatch_info().class, DispatchClass::Mandatory);
		assert_noop!(set(sign(&key("//Bob"), 1, &previous())), Error::<Test>::BadSignature);
	});
}

#[test]
fn the_transcript_binds_slot_and_previous_value() {
	// The signed input differs with either part, so no signature serves two of them.
	let alice = key("//Alice");
	let base = sign(&alice, 5, &[1; 32]);
	assert!(output(&alice.public(), 5, &[1; 32], &base).is_some());
	assert!(output(&alice.public(), 6, &[1; 32], &base).is_none());
	assert!(output(&alice.public(), 5, &[2; 32], &base).is_none());
	assert!(output(&key("//Bob").public(), 5, &[1; 32], &base).is_none());
}

#[test]
fn benchmark_input_is_alices_signature_of_slot_1() {
	use crate::benchmark_input::{ALICE, SIGNATURE};
	assert_eq!(key("//Alice").public().0, ALICE);
	assert!(output(&sr25519::Public::from_raw(ALICE), 1, &[0; 32], &SIGNATURE).is_some());
}
