//! Governance parameters: their bounds and how they change.

use super::prelude::*;

/// Longest commit, reveal or challenge period governance may set: a week of 6-second blocks.
pub const MAX_PHASE_PERIOD: u32 = 100_800;
/// Longest a finished job's record may be kept: 30 days of 6-second blocks.
pub const MAX_RETENTION_PERIOD: u32 = 432_000;
/// Shortest challenge window: the sample is drawn in the block after the quorum, and the
/// validators need at least that block to answer.
pub const MIN_CHALLENGE_PERIOD: u32 = 2;

impl<T: Config> Pallet<T> {
	/// The longest a job of the parameters in force keeps its miners' stake at risk: its
	/// commit, reveal and challenge periods (compute staking's unbonding must be longer).
	pub fn job_lifetime() -> BlockNumberFor<T> {
		Self::lifetime_of(&Parameters::<T>::get())
	}

	fn lifetime_of(parameters: &ParametersOf<T>) -> BlockNumberFor<T> {
		parameters
			.commit_period
			.saturating_add(parameters.reveal_period)
			.saturating_add(parameters.challenge_period)
	}

	/// Checks and stores new parameters (see [`Pallet::set_parameters`]).
	pub(crate) fn do_set_parameters(parameters: ParametersOf<T>) -> DispatchResult {
		let one: BlockNumberFor<T> = 1u32.into();
		let max_phase: BlockNumberFor<T> = MAX_PHASE_PERIOD.into();
		let phases =
			[parameters.commit_period, parameters.reveal_period, parameters.challenge_period];
		ensure!(
			phases.iter().all(|period| (one..=max_phase).contains(period))
				&& parameters.challenge_period >= MIN_CHALLENGE_PERIOD.into()
				&& (one..=MAX_RETENTION_PERIOD.into()).contains(&parameters.retention_period)
				&& parameters.protocol_fee <= Perbill::from_percent(50),
			Error::<T>::InvalidParameters
		);
		// A miner must not be able to withdraw its stake before a job it holds is settled.
		ensure!(
			Self::lifetime_of(&parameters) < T::Staking::unbonding_period().into(),
			Error::<T>::JobOutlivesUnbonding
		);
		Parameters::<T>::put(&parameters);
		Self::deposit_event(Event::ParametersSet { parameters });
		Ok(())
	}
}
