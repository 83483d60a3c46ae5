//! Miner selection: stake-weighted draws without replacement over every eligible miner.

use super::prelude::*;

impl<T: Config> Pallet<T> {
	/// Picks `count` distinct miners, each with probability proportional to its stake
	/// among those not yet picked, from `randomness` (the assigning block's slot randomness)
	/// and the job id. `None` if there are fewer than `count` candidates.
	pub fn select_miners(
		mut candidates: Vec<(T::AccountId, Balance)>,
		count: u32,
		randomness: &[u8; 32],
		job: JobId,
	) -> Option<Vec<(T::AccountId, Balance)>> {
		if (candidates.len() as u64) < u64::from(count) {
			return None;
		}
		let seed = sp_io::hashing::blake2_256(&(b"modelchain/select", randomness, job).encode());
		let mut picked = Vec::with_capacity(count as usize);
		for round in 0..count {
			let draw = sp_io::hashing::blake2_256(&(seed, round).encode());
			let mut word = [0u8; 16];
			word.copy_from_slice(draw.get(..16)?);
			let random = u128::from_le_bytes(word);
			let total: u128 =
				candidates.iter().fold(0u128, |sum, (_, stake)| sum.saturating_add(*stake));
			let index = if total == 0 {
				random.checked_rem(candidates.len() as u128)? as usize
			} else {
				let mut target = random.checked_rem(total)?;
				let mut chosen = candidates.len().saturating_sub(1);
				for (index, (_, stake)) in candidates.iter().enumerate() {
					if target < *stake {
						chosen = index;
						break;
					}
					target = target.saturating_sub(*stake);
				}
				chosen
			};
			if index >= candidates.len() {
				return None;
			}
			picked.push(candidates.swap_remove(index));
		}
		Some(picked)
	}
}
