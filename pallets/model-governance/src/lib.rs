//! # Model governance
//!
//! Share holders decide on their model's upgrades and access policy; every share votes at most
//! once per proposal.
//!
//! - [`Pallet::propose_upgrade`]: a holder of the model's shares proposes to make a registered,
//!   inactive version the active one, holding `ProposalDeposit`. At most `MaxOpenProposals`
//!   proposals per model are open at a time, one per action.
//! - [`Pallet::propose_access_policy`]: likewise, to set the model's access policy. Once a
//!   model's shares are issued this is the only way its policy changes (a momentary majority
//!   bought in one block decides nothing).
//! - [`Pallet::vote`]: a holder votes aye or nay with some of its shares. The shares are locked in
//!   `pallet-model-shares` until the proposal closes: they stay in the holder's account and keep
//!   earning revenue, but cannot be transferred or put on sale. Voting again replaces the vote.
//! - [`Pallet::close`]: after the voting period anyone closes the proposal; if the shares voted
//!   reach the model's turnout and more than its approval threshold of them are aye, it is
//!   enacted: the policy is set, or the version becomes active if at least the model's
//!   redundancy of miners serve it (otherwise the outcome is `NotServed`). The locks stop binding
//!   at once. The deposit goes back to the proposer unless the holders rejected the proposal or
//!   too few voted: then it goes to the treasury, so keeping the proposal slots busy costs.
//! - [`Pallet::cancel`]: the proposer withdraws a proposal nobody voted on yet; the deposit goes
//!   to the treasury (a free withdrawal would let a spammer hold the slots at no cost).
//! - [`Pallet::set_voting_params`]: per-model voting period, turnout and approval threshold,
//!   set by `ParamsOrigin` (root, i.e. a democracy referendum), or by the model's owner until its
//!   shares are issued. Models without their own use the runtime's defaults. Every model's
//!   turnout is at least `MinTurnout`; an owner's voting period at least `MinOwnerVotingPeriod`.
//!
//! Closing is O(1): the votes of a closed proposal (and their lock entries in the shares pallet)
//! are removed afterwards in `on_idle`, at most `MaxVotesReapedPerBlock` per block and only with
//! spare block weight.
//!
//! Chain-wide decisions (runtime upgrades, economic parameters, treasury spends) are not this
//! pallet's: they go through `pallet-democracy`.

#![cfg_attr(not(feature = "std"), no_std)]
#![cfg_attr(
	not(test),
	// `expect_used` is left out: FRAME's macro expansions use it.
	deny(
		clippy::unwrap_used,
		clippy::indexing_slicing,
		clippy::arithmetic_side_effects,
		clippy::panic
	)
)]

extern crate alloc;

pub use pallet::*;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
pub mod migrations;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;
pub mod types;
pub mod weights;

pub use types::*;
pub use weights::WeightInfo;

/// Creates models with issued shares and candidate versions for the benchmarks (the registry
/// and the shares live in other pallets).
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId> {
	/// Registers a model owned by `owner` with `candidates` inactive versions (indices 1 to
	/// `candidates`) and issues its shares, all to `owner`. Returns the model's id.
	fn model_with_candidates(owner: &AccountId, candidates: u32) -> modelchain_primitives::ModelId;
	/// Registers `miners` bonded miners serving `version`.
	fn serve(version: modelchain_primitives::ModelVersionRef, miners: u32);
	/// Moves `amount` of `from`'s shares of `model` to `to`.
	fn give_shares(
		model: modelchain_primitives::ModelId,
		from: &AccountId,
		to: &AccountId,
		amount: modelchain_primitives::Balance,
	);
}

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::traits::tokens::{Fortitude, Restriction};
	use frame_support::{
		pallet_prelude::*,
		traits::{
			fungible::{self, MutateHold},
			tokens::Precision,
		},
	};
	use frame_system::pallet_prelude::*;
	use modelchain_primitives::{
		AccessPolicy, AccessPolicyAdmin, Balance, ModelId, ModelRegistryInterface, ModelVersionRef,
		ServingMiners, ShareLockStatus, ShareVoting, VersionIndex,
	};
	use sp_runtime::{
		traits::{Saturating, Zero},
		Perbill,
	};

	/// A proposal with this runtime's types.
	pub type ProposalOf<T> =
		Proposal<<T as frame_system::Config>::AccountId, Balance, BlockNumberFor<T>>;
	/// Voting parameters with this runtime's block number.
	pub type VotingParamsOf<T> = VotingParams<BlockNumberFor<T>>;
	/// A proposal's action with this runtime's balance.
	pub type ProposalActionOf = ProposalAction<Balance>;

	/// The storage version: 1 stores each proposal's `action` (an upgrade or an access policy)
	/// where 0 stored the version to activate (see [`crate::migrations`]).
	pub const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// Deposit of an open upgrade proposal.
		ProposalDeposit,
	}

	#[pallet::config]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// The native currency, for proposal deposits.
		type Currency: fungible::Mutate<Self::AccountId, Balance = Balance>
			+ MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;
		/// The overarching hold reason.
		type RuntimeHoldReason: From<HoldReason>;
		/// The model registry: candidate versions and their activation.
		type Registry: ModelRegistryInterface<Self::AccountId, Balance>;
		/// The shares pallet: voting power and vote locks.
		type Shares: ShareVoting<Self::AccountId, Balance>;
		/// The access pallet: checks and enacts the holders' access-policy decisions.
		type Access: AccessPolicyAdmin<Balance>;
		/// Compute staking: how many miners serve a version (an upgrade too few miners serve is
		/// not enacted).
		type Serving: ServingMiners;
		/// Receives the deposits of proposals that are rejected, miss the turnout or are
		/// cancelled.
		type Treasury: Get<Self::AccountId>;
		/// Lowest turnout any model may require, whoever sets it.
		#[pallet::constant]
		type MinTurnout: Get<Perbill>;
		/// Shortest voting period a model's owner may set before issuing its shares
		/// (`ParamsOrigin` may go down to `MinVotingPeriod`).
		#[pallet::constant]
		type MinOwnerVotingPeriod: Get<BlockNumberFor<Self>>;
		/// Who may set any model's voting parameters (root: a democracy referendum).
		type ParamsOrigin: EnsureOrigin<Self::RuntimeOrigin>;
		/// Held from a proposer until its proposal is closed or cancelled (and forfeited to the
		/// treasury if it is rejected, misses the turnout or is cancelled).
		#[pallet::constant]
		type ProposalDeposit: Get<Balance>;
		/// Most open proposals per model. The shares pallet's `MaxLocks` must be at least this.
		#[pallet::constant]
		type MaxOpenProposals: Get<u32>;
		/// Voting parameters of models that have none of their own.
		#[pallet::constant]
		type DefaultVotingParams: Get<VotingParamsOf<Self>>;
		/// Shortest voting period a model may set.
		#[pallet::constant]
		type MinVotingPeriod: Get<BlockNumberFor<Self>>;
		/// Longest voting period a model may set.
		#[pallet::constant]
		type MaxVotingPeriod: Get<BlockNumberFor<Self>>;
		/// Most votes of closed proposals removed per block (in `on_idle`).
		#[pallet::constant]
		type MaxVotesReapedPerBlock: Get<u32>;
		/// Weights of this pallet's calls and hook.
		type WeightInfo: WeightInfo;
		/// Creates models for the benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: crate::BenchmarkHelper<Self::AccountId>;
	}

	/// Open proposals. A proposal leaves this map when it is closed or cancelled.
	#[pallet::storage]
	pub type Proposals<T: Config> = StorageMap<_, Twox64Concat, ProposalId, ProposalOf<T>>;

	/// The id of the next proposal.
	#[pallet::storage]
	pub type NextProposalId<T: Config> = StorageValue<_, ProposalId, ValueQuery>;

	/// The open proposals of each model (at most `MaxOpenProposals`).
	#[pallet::storage]
	pub type OpenProposals<T: Config> = StorageMap<
		_,
		Blake2_128Concat,
		ModelId,
		BoundedVec<ProposalId, T::MaxOpenProposals>,
		ValueQuery,
	>;

	/// Votes on open proposals, and on closed ones until `on_idle` removes them.
	#[pallet::storage]
	pub type Votes<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		ProposalId,
		Blake2_128Concat,
		T::AccountId,
		AccountVote<Balance>,
	>;

	/// Closed proposals whose votes are still to be removed, with their model.
	#[pallet::storage]
	pub type VotesToReap<T: Config> = StorageMap<_, Twox64Concat, ProposalId, ModelId>;

	/// Voting parameters a model set for itself (others use `DefaultVotingParams`).
	#[pallet::storage]
	pub type ModelVotingParams<T: Config> =
		StorageMap<_, Blake2_128Concat, ModelId, VotingParamsOf<T>>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// An upgrade or an access policy was proposed; votes are accepted until block `end`.
		Proposed {
			proposal: ProposalId,
			model: ModelId,
			action: ProposalActionOf,
			proposer: T::AccountId,
			deposit: Balance,
			end: BlockNumberFor<T>,
		},
		/// A holder voted (or changed its vote); its `shares` are locked until the proposal
		/// closes. `ayes` and `nays` are the new totals.
		Voted {
			proposal: ProposalId,
			who: T::AccountId,
			choice: VoteChoice,
			shares: Balance,
			ayes: Balance,
			nays: Balance,
		},
		/// A proposal was closed and its votes' locks stopped binding. Its deposit went back to
		/// the proposer, or (`forfeited`) to the treasury when the outcome was `Rejected` or
		/// `TurnoutNotMet`.
		Closed {
			proposal: ProposalId,
			model: ModelId,
			action: ProposalActionOf,
			ayes: Balance,
			nays: Balance,
			supply: Balance,
			outcome: Outcome,
			forfeited: Balance,
		},
		/// The proposer withdrew a proposal nobody had voted on; its deposit went to the
		/// treasury.
		Cancelled {
			proposal: ProposalId,
			model: ModelId,
			action: ProposalActionOf,
			forfeited: Balance,
		},
		/// A model's voting parameters changed (they apply to proposals made from now on).
		VotingParamsSet { model: ModelId, params: VotingParamsOf<T> },
		/// `removed` votes of a closed proposal were removed from storage; `done` when none are
		/// left.
		VotesReaped { proposal: ProposalId, removed: u32, done: bool },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The model's shares have not been issued: its owner changes its version directly.
		NoShares,
		/// Only holders of the model's shares may propose.
		NotHolder,
		/// The version is not a registered, inactive version of a model that is not retired.
		NotCandidate,
		/// An open proposal already proposes this.
		DuplicateProposal,
		/// The model already has `MaxOpenProposals` open proposals.
		TooManyProposals,
		/// Not enough free balance for the proposal deposit.
		InsufficientBalance,
		/// The proposal does not exist (never did, or it was closed or cancelled).
		UnknownProposal,
		/// The voting period of the proposal is over.
		VotingClosed,
		/// The voting period of the proposal is not over yet.
		VotingOngoing,
		/// Zero shares cannot vote.
		ZeroShares,
		/// The account holds fewer shares of the model (escrowed shares do not vote).
		InsufficientShares,
		/// Only the proposer may cancel a proposal.
		NotProposer,
		/// A proposal that has votes cannot be cancelled.
		HasVotes,
		/// Voting period outside `MinVotingPeriod..=MaxVotingPeriod` (for an owner, below
		/// `MinOwnerVotingPeriod`), turnout below `MinTurnout`, or approval threshold below 50%
		/// or not below 100%.
		InvalidParams,
		/// Only `ParamsOrigin`, or the model's owner before its shares are issued, may set its
		/// voting parameters.
		NotAllowed,
		/// The model does not exist.
		UnknownModel,
		/// An arithmetic overflow.
		Overflow,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_idle(_n: BlockNumberFor<T>, remaining: Weight) -> Weight {
			let base = T::WeightInfo::reap_votes(0);
			let per_vote = T::WeightInfo::reap_votes(1).saturating_sub(base);
			let Some(spare) = remaining.checked_sub(&base) else { return Weight::zero() };
			let by_time = spare.ref_time().checked_div(per_vote.ref_time()).unwrap_or(u64::MAX);
			let by_proof =
				spare.proof_size().checked_div(per_vote.proof_size()).unwrap_or(u64::MAX);
			let limit = by_time
				.min(by_proof)
				.min(u64::from(T::MaxVotesReapedPerBlock::get()))
				.try_into()
				.unwrap_or(0u32);
			match (limit > 0).then(|| Self::reap_votes(limit)).flatten() {
				Some(removed) => T::WeightInfo::reap_votes(removed),
				// Nothing to do costs one read.
				None => T::DbWeight::get().reads(1),
			}
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}

		fn integrity_test() {
			let defaults = T::DefaultVotingParams::get();
			assert!(
				Self::valid_params(&defaults, T::MinVotingPeriod::get()),
				"DefaultVotingParams must be valid"
			);
			assert!(
				T::MinOwnerVotingPeriod::get() >= T::MinVotingPeriod::get(),
				"MinOwnerVotingPeriod >= MinVotingPeriod"
			);
			assert!(T::MinTurnout::get() < Perbill::one(), "MinTurnout < 100%");
			assert!(T::MaxOpenProposals::get() > 0, "MaxOpenProposals must be at least 1");
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Proposes to make `version` (registered, inactive) the active version of `model`. The
		/// signer must hold shares of the model; `ProposalDeposit` is held until the proposal is
		/// closed or cancelled. Votes are accepted for the model's voting period.
		/// Emits `Proposed`.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::propose_upgrade())]
		pub fn propose_upgrade(
			origin: OriginFor<T>,
			model: ModelId,
			version: VersionIndex,
		) -> DispatchResult {
			let proposer = ensure_signed(origin)?;
			ensure!(T::Shares::supply(model).is_some(), Error::<T>::NoShares);
			ensure!(
				T::Registry::is_inactive_version(&ModelVersionRef { model, version }),
				Error::<T>::NotCandidate
			);
			Self::do_propose(proposer, model, ProposalAction::Upgrade(version))
		}

		/// Proposes to set `model`'s access policy to `policy` (after its shares are issued,
		/// the only way it changes). The signer must hold shares of the model; `HoldersOnly`
		/// needs a minimum between one share and the supply. Deposit and voting as for an
		/// upgrade. Emits `Proposed`.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::propose_access_policy())]
		pub fn propose_access_policy(
			origin: OriginFor<T>,
			model: ModelId,
			policy: AccessPolicy<Balance>,
		) -> DispatchResult {
			let proposer = ensure_signed(origin)?;
			ensure!(T::Shares::supply(model).is_some(), Error::<T>::NoShares);
			T::Access::check_policy(model, &policy)?;
			Self::do_propose(proposer, model, ProposalAction::SetAccessPolicy(policy))
		}

		/// Votes `choice` on `proposal` with `shares` of the signer's shares of the model (at most
		/// what it holds in its account, locked or not: locks of different proposals overlap).
		/// The shares are locked until the proposal closes; they keep earning revenue. Voting
		/// again replaces the signer's earlier vote, so a share never counts twice.
		/// Emits `Voted`.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::vote())]
		pub fn vote(
			origin: OriginFor<T>,
			proposal: ProposalId,
			choice: VoteChoice,
			#[pallet::compact] shares: Balance,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let mut record = Proposals::<T>::get(proposal).ok_or(Error::<T>::UnknownProposal)?;
			ensure!(
				frame_system::Pallet::<T>::block_number() < record.end,
				Error::<T>::VotingClosed
			);
			ensure!(!shares.is_zero(), Error::<T>::ZeroShares);
			ensure!(
				T::Shares::balance(record.model, &who) >= shares,
				Error::<T>::InsufficientShares
			);
			let previous = Votes::<T>::get(proposal, &who);
			match previous {
				Some(AccountVote { choice: VoteChoice::Aye, shares: old }) => {
					record.ayes = record.ayes.saturating_sub(old)
				}
				Some(AccountVote { choice: VoteChoice::Nay, shares: old }) => {
					record.nays = record.nays.saturating_sub(old)
				}
				None => record.voters = record.voters.checked_add(1).ok_or(Error::<T>::Overflow)?,
			}
			match choice {
				VoteChoice::Aye => {
					record.ayes = record.ayes.checked_add(shares).ok_or(Error::<T>::Overflow)?
				}
				VoteChoice::Nay => {
					record.nays = record.nays.checked_add(shares).ok_or(Error::<T>::Overflow)?
				}
			}
			T::Shares::set_lock(record.model, &who, proposal, shares)?;
			Votes::<T>::insert(proposal, &who, AccountVote { choice, shares });
			let (ayes, nays) = (record.ayes, record.nays);
			Proposals::<T>::insert(proposal, record);
			Self::deposit_event(Event::Voted { proposal, who, choice, shares, ayes, nays });
			Ok(())
		}

		/// Closes `proposal` once its voting period is over (anyone may). If the shares voted
		/// reach the turnout and more than the approval threshold of them are aye, it is enacted:
		/// the access policy is set, or the version becomes the model's active version if at
		/// least the model's redundancy of miners serve it (`NotServed` otherwise). The votes'
		/// locks stop binding whatever the outcome. The deposit goes back to the proposer, or to
		/// the treasury if the proposal was rejected or missed the turnout. Emits `Closed`.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::close())]
		pub fn close(origin: OriginFor<T>, proposal: ProposalId) -> DispatchResult {
			ensure_signed(origin)?;
			let record = Proposals::<T>::get(proposal).ok_or(Error::<T>::UnknownProposal)?;
			ensure!(
				frame_system::Pallet::<T>::block_number() >= record.end,
				Error::<T>::VotingOngoing
			);
			let supply = T::Shares::supply(record.model).unwrap_or_default();
			let mut outcome = record.params.tally(record.ayes, record.nays, supply);
			if outcome == Outcome::Enacted {
				outcome = Self::enact(record.model, record.action);
			}
			let forfeited = Self::remove_proposal(proposal, &record, outcome.forfeits_deposit())?;
			if record.voters > 0 {
				VotesToReap::<T>::insert(proposal, record.model);
			}
			Self::deposit_event(Event::Closed {
				proposal,
				model: record.model,
				action: record.action,
				ayes: record.ayes,
				nays: record.nays,
				supply,
				outcome,
				forfeited,
			});
			Ok(())
		}

		/// Withdraws the signer's `proposal` before anybody voted on it; the deposit goes to the
		/// treasury. Emits `Cancelled`.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::cancel())]
		pub fn cancel(origin: OriginFor<T>, proposal: ProposalId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let record = Proposals::<T>::get(proposal).ok_or(Error::<T>::UnknownProposal)?;
			ensure!(record.proposer == who, Error::<T>::NotProposer);
			ensure!(record.voters == 0, Error::<T>::HasVotes);
			let forfeited = Self::remove_proposal(proposal, &record, true)?;
			Self::deposit_event(Event::Cancelled {
				proposal,
				model: record.model,
				action: record.action,
				forfeited,
			});
			Ok(())
		}

		/// Sets `model`'s voting parameters for proposals made from now on: `ParamsOrigin`
		/// (root, i.e. a democracy referendum) at any time, or the model's owner until its shares
		/// are issued (with a voting period of at least `MinOwnerVotingPeriod`). The turnout is at
		/// least `MinTurnout`. Emits `VotingParamsSet`.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::set_voting_params())]
		pub fn set_voting_params(
			origin: OriginFor<T>,
			model: ModelId,
			params: VotingParamsOf<T>,
		) -> DispatchResult {
			ensure!(T::Registry::owner(model).is_some(), Error::<T>::UnknownModel);
			let shortest = if T::ParamsOrigin::try_origin(origin.clone()).is_ok() {
				T::MinVotingPeriod::get()
			} else {
				let who = ensure_signed(origin)?;
				ensure!(T::Registry::owner_decides(model, &who), Error::<T>::NotAllowed);
				T::MinOwnerVotingPeriod::get()
			};
			ensure!(Self::valid_params(&params, shortest), Error::<T>::InvalidParams);
			ModelVotingParams::<T>::insert(model, params);
			Self::deposit_event(Event::VotingParamsSet { model, params });
			Ok(())
		}
	}

	impl<T: Config> Pallet<T> {
		/// The voting parameters new proposals on `model` get.
		pub fn voting_params(model: ModelId) -> VotingParamsOf<T> {
			ModelVotingParams::<T>::get(model).unwrap_or_else(T::DefaultVotingParams::get)
		}

		fn valid_params(params: &VotingParamsOf<T>, shortest: BlockNumberFor<T>) -> bool {
			params.voting_period >= shortest
				&& params.voting_period >= T::MinVotingPeriod::get()
				&& params.voting_period <= T::MaxVotingPeriod::get()
				&& params.min_turnout >= T::MinTurnout::get()
				&& params.approval_threshold >= Perbill::from_percent(50)
				&& params.approval_threshold < Perbill::one()
		}

		/// Opens a proposal of `action` on `model` (checked by the caller) by a holder of its
		/// shares, holding the deposit.
		fn do_propose(
			proposer: T::AccountId,
			model: ModelId,
			action: ProposalActionOf,
		) -> DispatchResult {
			ensure!(!T::Shares::balance(model, &proposer).is_zero(), Error::<T>::NotHolder);
			let mut open = OpenProposals::<T>::get(model);
			ensure!(
				!open.iter().any(|id| Proposals::<T>::get(id).is_some_and(|p| p.action == action)),
				Error::<T>::DuplicateProposal
			);
			let proposal = NextProposalId::<T>::get();
			let next = proposal.checked_add(1).ok_or(Error::<T>::Overflow)?;
			open.try_push(proposal).map_err(|_| Error::<T>::TooManyProposals)?;
			let params = Self::voting_params(model);
			let end =
				frame_system::Pallet::<T>::block_number().saturating_add(params.voting_period);
			let deposit = T::ProposalDeposit::get();
			T::Currency::hold(&HoldReason::ProposalDeposit.into(), &proposer, deposit)
				.map_err(|_| Error::<T>::InsufficientBalance)?;
			NextProposalId::<T>::put(next);
			OpenProposals::<T>::insert(model, open);
			Proposals::<T>::insert(
				proposal,
				Proposal {
					model,
					action,
					proposer: proposer.clone(),
					deposit,
					end,
					params,
					ayes: 0,
					nays: 0,
					voters: 0,
				},
			);
			Self::deposit_event(Event::Proposed {
				proposal,
				model,
				action,
				proposer,
				deposit,
				end,
			});
			Ok(())
		}

		/// Enacts an approved `action` on `model`; returns the outcome. A failed enactment
		/// changes nothing (it runs in its own storage layer).
		fn enact(model: ModelId, action: ProposalActionOf) -> Outcome {
			let enacted = match action {
				ProposalAction::Upgrade(version) => {
					let version = ModelVersionRef { model, version };
					let needed = T::Registry::serving_info(model)
						.map(|info| u32::from(info.redundancy))
						.unwrap_or_default();
					if T::Serving::serving_miners(&version, needed) < needed {
						return Outcome::NotServed;
					}
					frame_support::storage::with_storage_layer(|| {
						T::Registry::activate_version(&version)
					})
				}
				ProposalAction::SetAccessPolicy(policy) => {
					frame_support::storage::with_storage_layer(|| {
						T::Access::enact_policy(model, policy)
					})
				}
			};
			if enacted.is_ok() {
				Outcome::Enacted
			} else {
				Outcome::EnactmentFailed
			}
		}

		/// Forgets the open proposal (its locks stop binding now) and releases its deposit to
		/// the proposer, or moves it to the treasury when `forfeit`; returns what was forfeited.
		fn remove_proposal(
			proposal: ProposalId,
			record: &ProposalOf<T>,
			forfeit: bool,
		) -> Result<Balance, DispatchError> {
			let reason = HoldReason::ProposalDeposit.into();
			let forfeited = if forfeit {
				T::Currency::transfer_on_hold(
					&reason,
					&record.proposer,
					&T::Treasury::get(),
					record.deposit,
					Precision::BestEffort,
					Restriction::Free,
					Fortitude::Force,
				)?
			} else {
				T::Currency::release(
					&reason,
					&record.proposer,
					record.deposit,
					Precision::BestEffort,
				)?;
				0
			};
			OpenProposals::<T>::mutate_exists(record.model, |open| {
				if let Some(ids) = open {
					ids.retain(|id| *id != proposal);
					if ids.is_empty() {
						*open = None;
					}
				}
			});
			Proposals::<T>::remove(proposal);
			Ok(forfeited)
		}

		/// Removes up to `limit` votes (and their share locks) of one closed proposal; returns
		/// how many were removed, or `None` when no closed proposal has votes left.
		pub fn reap_votes(limit: u32) -> Option<u32> {
			let (proposal, model) = VotesToReap::<T>::iter().next()?;
			let voters: alloc::vec::Vec<T::AccountId> =
				Votes::<T>::iter_key_prefix(proposal).take(limit as usize).collect();
			let removed = u32::try_from(voters.len()).unwrap_or(limit);
			for who in voters {
				Votes::<T>::remove(proposal, &who);
				T::Shares::remove_lock(model, &who, proposal);
			}
			let done = Votes::<T>::iter_key_prefix(proposal).next().is_none();
			if done {
				VotesToReap::<T>::remove(proposal);
			}
			Self::deposit_event(Event::VotesReaped { proposal, removed, done });
			Some(removed)
		}
	}

	impl<T: Config> ShareLockStatus for Pallet<T> {
		/// A vote lock binds while its proposal is open.
		fn is_binding(lock: ProposalId) -> bool {
			Proposals::<T>::contains_key(lock)
		}
	}

	#[cfg(any(feature = "try-runtime", test))]
	impl<T: Config> Pallet<T> {
		/// The pallet's invariants (checked after every unit test, and by try-runtime): every
		/// open proposal is listed once in its model's open proposals and nothing else is; each
		/// proposer's deposit hold is its open proposals' deposits; an open proposal's ayes, nays
		/// and voters are its votes'; votes exist only for open proposals and closed ones still
		/// being reaped; ids are below `NextProposalId`.
		pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
			use alloc::collections::btree_map::BTreeMap;
			use frame_support::traits::fungible::InspectHold;
			let next = NextProposalId::<T>::get();
			let mut deposits: BTreeMap<T::AccountId, Balance> = BTreeMap::new();
			for (id, proposal) in Proposals::<T>::iter() {
				ensure!(id < next, "a proposal id at or above NextProposalId");
				let listed = OpenProposals::<T>::get(proposal.model);
				ensure!(
					listed.iter().filter(|open| **open == id).count() == 1,
					"an open proposal not listed once in its model's open proposals"
				);
				let (mut ayes, mut nays, mut voters) = (0u128, 0u128, 0u32);
				for (_, vote) in Votes::<T>::iter_prefix(id) {
					match vote.choice {
						VoteChoice::Aye => ayes = ayes.saturating_add(vote.shares),
						VoteChoice::Nay => nays = nays.saturating_add(vote.shares),
					}
					voters = voters.saturating_add(1);
				}
				ensure!(
					(ayes, nays, voters) == (proposal.ayes, proposal.nays, proposal.voters),
					"a proposal's tally differs from its votes"
				);
				let held = deposits.entry(proposal.proposer).or_default();
				*held = held.saturating_add(proposal.deposit);
			}
			for (_, listed) in OpenProposals::<T>::iter() {
				ensure!(!listed.is_empty(), "an empty list of open proposals is kept");
				ensure!(
					listed.iter().all(Proposals::<T>::contains_key),
					"a listed open proposal does not exist"
				);
			}
			for (who, deposit) in deposits {
				ensure!(
					T::Currency::balance_on_hold(&HoldReason::ProposalDeposit.into(), &who)
						== deposit,
					"a proposer's deposit hold differs from its open proposals"
				);
			}
			for (id, _) in VotesToReap::<T>::iter() {
				ensure!(!Proposals::<T>::contains_key(id), "an open proposal is being reaped");
			}
			for (id, _, _) in Votes::<T>::iter() {
				ensure!(
					Proposals::<T>::contains_key(id) || VotesToReap::<T>::contains_key(id),
					"a vote of a proposal neither open nor being reaped"
				);
			}
			Ok(())
		}
	}
}
