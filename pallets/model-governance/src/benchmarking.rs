//! Benchmarks of every call and of the reaping of closed votes. Worst cases: the model has
//! `MaxOpenProposals - 1` other open proposals (checked for duplicates) and the voter has a
//! binding lock from each of them (checked when its lock is set).

use super::*;
use crate::Pallet as Governance;
use frame_benchmarking::v2::*;
use frame_support::traits::{fungible::Mutate, EnsureOrigin, Get};
use frame_system::RawOrigin;
use modelchain_primitives::{
	AccessPolicy, Balance, ModelId, ModelRegistryInterface, ModelVersionRef,
};
use sp_runtime::{traits::Saturating, Perbill};

const FUNDS: Balance = 1_000_000_000_000_000_000;

fn funded<T: Config>(name: &'static str, index: u32) -> T::AccountId {
	let who: T::AccountId = account(name, index, 0);
	assert!(T::Currency::set_balance(&who, FUNDS) == FUNDS);
	who
}

/// A model with `MaxOpenProposals` candidate versions and `MaxOpenProposals - 1` open
/// proposals (versions 2 and up), each voted on by the owner. Version 1 is left to propose.
fn with_open_proposals<T: Config>() -> (T::AccountId, ModelId) {
	let owner = funded::<T>("owner", 0);
	let max = T::MaxOpenProposals::get();
	let model = T::BenchmarkHelper::model_with_candidates(&owner, max);
	for version in 2..=max {
		let proposal = NextProposalId::<T>::get();
		assert!(Governance::<T>::propose_upgrade(
			RawOrigin::Signed(owner.clone()).into(),
			model,
			version
		)
		.is_ok());
		assert!(Governance::<T>::vote(
			RawOrigin::Signed(owner.clone()).into(),
			proposal,
			VoteChoice::Aye,
			1
		)
		.is_ok());
	}
	(owner, model)
}

fn propose_one<T: Config>(owner: &T::AccountId, model: ModelId) -> ProposalId {
	let proposal = NextProposalId::<T>::get();
	assert!(
		Governance::<T>::propose_upgrade(RawOrigin::Signed(owner.clone()).into(), model, 1).is_ok()
	);
	proposal
}

fn past_end<T: Config>(proposal: ProposalId) {
	let end = Proposals::<T>::get(proposal).map(|p| p.end).unwrap_or_default();
	frame_system::Pallet::<T>::set_block_number(end.saturating_add(1u32.into()));
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn propose_upgrade() {
		let (owner, model) = with_open_proposals::<T>();
		#[extrinsic_call]
		_(RawOrigin::Signed(owner), model, 1);
		assert_eq!(OpenProposals::<T>::get(model).len() as u32, T::MaxOpenProposals::get());
	}

	#[benchmark]
	fn propose_access_policy() {
		let (owner, model) = with_open_proposals::<T>();
		let policy = AccessPolicy::HoldersOnly { min_shares: 1 };
		#[extrinsic_call]
		_(RawOrigin::Signed(owner), model, policy);
		assert_eq!(OpenProposals::<T>::get(model).len() as u32, T::MaxOpenProposals::get());
	}

	#[benchmark]
	fn vote() {
		let (owner, model) = with_open_proposals::<T>();
		let proposal = propose_one::<T>(&owner, model);
		// A vote that replaces an earlier one touches both sides of the tally.
		assert!(Governance::<T>::vote(
			RawOrigin::Signed(owner.clone()).into(),
			proposal,
			VoteChoice::Nay,
			1
		)
		.is_ok());
		#[extrinsic_call]
		_(RawOrigin::Signed(owner.clone()), proposal, VoteChoice::Aye, 1_000);
		assert!(Votes::<T>::get(proposal, &owner).is_some_and(|v| v.shares == 1_000));
	}

	/// An approved upgrade: the serving check passes (the model's redundancy of miners serve
	/// the version) and the version is activated.
	#[benchmark]
	fn close() {
		let (owner, model) = with_open_proposals::<T>();
		let proposal = propose_one::<T>(&owner, model);
		let redundancy =
			T::Registry::serving_info(model).map(|info| u32::from(info.redundancy)).unwrap_or(0);
		T::BenchmarkHelper::serve(ModelVersionRef { model, version: 1 }, redundancy);
		assert!(Governance::<T>::vote(
			RawOrigin::Signed(owner.clone()).into(),
			proposal,
			VoteChoice::Aye,
			1_000_000
		)
		.is_ok());
		past_end::<T>(proposal);
		#[extrinsic_call]
		_(RawOrigin::Signed(owner), proposal);
		assert!(!Proposals::<T>::contains_key(proposal));
		assert!(VotesToReap::<T>::contains_key(proposal));
		assert!(T::Registry::serving_info(model).is_some_and(|info| info.version.version == 1));
	}

	#[benchmark]
	fn cancel() {
		let (owner, model) = with_open_proposals::<T>();
		let proposal = propose_one::<T>(&owner, model);
		#[extrinsic_call]
		_(RawOrigin::Signed(owner), proposal);
		assert!(!Proposals::<T>::contains_key(proposal));
	}

	#[benchmark]
	fn set_voting_params() -> Result<(), BenchmarkError> {
		let owner = funded::<T>("owner", 0);
		let model = T::BenchmarkHelper::model_with_candidates(&owner, 1);
		let origin =
			T::ParamsOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let params = VotingParams {
			voting_period: T::MinVotingPeriod::get(),
			min_turnout: T::MinTurnout::get().max(Perbill::from_percent(30)),
			approval_threshold: Perbill::from_percent(60),
		};
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, model, params);
		assert!(ModelVotingParams::<T>::get(model) == Some(params));
		Ok(())
	}

	/// `v` votes of a closed proposal removed with their locks (`on_idle` charges this per
	/// vote it removes).
	#[benchmark]
	fn reap_votes(v: Linear<0, 100>) {
		let (owner, model) = with_open_proposals::<T>();
		let proposal = propose_one::<T>(&owner, model);
		for i in 0..v {
			let voter = funded::<T>("voter", i);
			T::BenchmarkHelper::give_shares(model, &owner, &voter, 1);
			assert!(Governance::<T>::vote(
				RawOrigin::Signed(voter).into(),
				proposal,
				VoteChoice::Aye,
				1
			)
			.is_ok());
		}
		past_end::<T>(proposal);
		assert!(Governance::<T>::close(RawOrigin::Signed(owner).into(), proposal).is_ok());
		let removed;
		#[block]
		{
			removed = Governance::<T>::reap_votes(v).unwrap_or(0);
		}
		assert_eq!(removed, v);
		assert_eq!(Votes::<T>::iter_prefix(proposal).count(), 0);
		// The last step also forgets the proposal: the worst case of each step.
		assert!(!VotesToReap::<T>::contains_key(proposal));
	}

	impl_benchmark_test_suite!(Governance, crate::mock::new_test_ext(), crate::mock::Test);
}
