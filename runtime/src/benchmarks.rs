//! The pallets benchmarked by `modelchain-node benchmark pallet`.

pub use frame_benchmarking::baseline::Pallet as BaselineBench;
pub use frame_system_benchmarking::Pallet as SystemBench;

#[allow(unused_imports)]
pub use crate::*;

frame_benchmarking::define_benchmarks!(
	[frame_benchmarking, BaselineBench::<Runtime>]
	[frame_system, SystemBench::<Runtime>]
	[pallet_balances, Balances]
	[pallet_timestamp, Timestamp]
	[pallet_sudo, Sudo]
	[pallet_assets, Assets]
	[pallet_preimage, Preimage]
	[pallet_scheduler, Scheduler]
	[pallet_democracy, Democracy]
	[pallet_treasury, Treasury]
	[pallet_model_registry, ModelRegistry]
	[pallet_model_shares, ModelShares]
	[pallet_compute_staking, ComputeStaking]
	[pallet_inference, Inference]
	[pallet_model_governance, ModelGovernance]
	[pallet_validator_set, ValidatorSet]
	[pallet_model_access, ModelAccess]
	[pallet_query_channels, QueryChannels]
	[pallet_slot_randomness, SlotRandomness]
);
