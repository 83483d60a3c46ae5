//! Deadlines: the four FIFO queues of phase ends and the bounded, round-robin hook that works
//! them off, and the bounded walk of the two queues `on_poll` works off.

use super::prelude::*;
use frame_support::weights::WeightMeter;

impl<T: Config> Pallet<T> {
	/// Appends `job` to a deadline queue with `deadline`, or the queue's latest deadline if
	/// that is later (so the queue stays ordered). Returns the deadline used and the slot.
	pub(crate) fn push_deadline(
		kind: DeadlineKind,
		job: JobId,
		deadline: BlockNumberFor<T>,
	) -> (BlockNumberFor<T>, u64) {
		QueueBounds::<T>::mutate(kind, |(_, tail, latest)| {
			let deadline = deadline.max(*latest);
			let slot = *tail;
			Queue::<T>::insert(kind, slot, (job, deadline));
			*tail = tail.saturating_add(1);
			*latest = deadline;
			(deadline, slot)
		})
	}

	/// Takes the due entries of a queue that `on_poll` works off (`Assign`, `Sample`) in
	/// order, handing each job to `handle`: at most `max` entries, each only if `meter` has
	/// `per_entry` (the most one takes) left; the weight `handle` says it used, at most
	/// `per_entry`, is what is consumed. The rest wait for a later block, in order.
	pub(crate) fn work_off(
		kind: DeadlineKind,
		now: BlockNumberFor<T>,
		meter: &mut WeightMeter,
		per_entry: Weight,
		max: u32,
		mut handle: impl FnMut(JobId) -> Weight,
	) {
		if meter.try_consume(T::DbWeight::get().reads_writes(1, 1)).is_err() {
			return;
		}
		let (start, tail, _) = QueueBounds::<T>::get(kind);
		let mut head = start;
		let mut looked_at = 0u32;
		while head < tail && looked_at < max {
			looked_at = looked_at.saturating_add(1);
			let Some((job, due)) = Queue::<T>::get(kind, head) else {
				// Entries of these queues leave only here; a missing one is skipped (and
				// counted).
				head = head.saturating_add(1);
				continue;
			};
			if due > now || !meter.can_consume(per_entry) {
				break;
			}
			Queue::<T>::remove(kind, head);
			head = head.saturating_add(1);
			meter.consume(handle(job).min(per_entry));
		}
		if head != start {
			QueueBounds::<T>::mutate(kind, |bounds| bounds.0 = head);
		}
	}

	/// Removes the entry of a phase that ended before its deadline (a no-op when the hook
	/// already took it).
	pub(crate) fn remove_deadline(kind: DeadlineKind, slot: u64) {
		Queue::<T>::remove(kind, slot);
	}

	/// Handles up to `MaxDeadlinesPerBlock` due queue entries within `MaxDeadlineWeight`
	/// (each charged at its queue's worst case), skipping at most
	/// `HOLES_PER_DEADLINE` times as many removed ones; returns how many of each queue were
	/// handled and how many removed entries were skipped.
	///
	/// The queues take turns: each turn takes one due entry of every queue that has one
	/// (skipping at most `HOLES_PER_DEADLINE` removed entries of that queue), so a queue
	/// with more due entries than the budget (e.g. the commit deadlines of a flood of
	/// requests) cannot hold back the others: each queue with due entries gets at least a
	/// quarter of the budget, and whatever a queue leaves goes to the rest.
	pub fn process_deadlines(now: BlockNumberFor<T>) -> DeadlinesHandled {
		let budget = T::MaxDeadlinesPerBlock::get();
		let hole_budget = budget.saturating_mul(HOLES_PER_DEADLINE);
		let weight_limit = T::MaxDeadlineWeight::get();
		let mut spent = Weight::zero();
		let mut done = DeadlinesHandled::default();
		let mut cursors = DeadlineKind::ALL.map(|kind| {
			let (head, tail, _) = QueueBounds::<T>::get(kind);
			QueueCursor {
				kind,
				head,
				start: head,
				tail,
				open: true,
				cost: Self::deadline_cost(kind),
			}
		});
		while done.total() < budget && done.skipped < hole_budget && cursors.iter().any(|c| c.open)
		{
			for cursor in cursors.iter_mut().filter(|cursor| cursor.open) {
				let mut holes_this_turn = 0u32;
				while done.total() < budget
					&& done.skipped < hole_budget
					&& holes_this_turn < HOLES_PER_DEADLINE
				{
					if cursor.head >= cursor.tail {
						cursor.open = false;
						break;
					}
					let Some((job, deadline)) = Queue::<T>::get(cursor.kind, cursor.head) else {
						cursor.head = cursor.head.saturating_add(1);
						done.skipped = done.skipped.saturating_add(1);
						holes_this_turn = holes_this_turn.saturating_add(1);
						continue;
					};
					// Not due yet, or no weight left for one more of this queue's (cheaper
					// queues' entries may still fit).
					let after = spent.saturating_add(cursor.cost);
					if deadline > now || !after.all_lte(weight_limit) {
						cursor.open = false;
						break;
					}
					spent = after;
					Queue::<T>::remove(cursor.kind, cursor.head);
					cursor.head = cursor.head.saturating_add(1);
					done.note(cursor.kind);
					Self::on_deadline(cursor.kind, job, deadline, now);
					break;
				}
			}
		}
		for cursor in cursors {
			if cursor.head != cursor.start {
				// Only the head: handling a deadline may have pushed entries onto the queues
				// (their tails moved since they were read).
				QueueBounds::<T>::mutate(cursor.kind, |bounds| bounds.0 = cursor.head);
			}
		}
		done
	}

	/// The weight of a `process_deadlines` that handled `handled`: each queue's deadlines at
	/// the weight of its most expensive ending (benchmarked with distinct requesters, miners
	/// and models), plus a read per skipped entry.
	pub fn deadlines_weight(handled: &DeadlinesHandled) -> Weight {
		T::WeightInfo::on_commit_deadlines(handled.commit)
			.saturating_add(T::WeightInfo::on_reveal_deadlines(handled.reveal))
			.saturating_add(T::WeightInfo::on_challenge_deadlines(handled.challenge))
			// An ended challenge window may be a check's, whose observer then acts.
			.saturating_add(
				T::CheckObserver::check_decided_weight()
					.saturating_mul(u64::from(handled.challenge)),
			)
			.saturating_add(T::WeightInfo::on_prune_deadlines(handled.prune))
			.saturating_add(T::DbWeight::get().reads(u64::from(handled.skipped)))
	}

	/// The most one due entry of `kind` adds to the hook's weight: its queue's benchmarked
	/// worst case per deadline (as [`Pallet::deadlines_weight`] charges it).
	pub(crate) fn deadline_cost(kind: DeadlineKind) -> Weight {
		let mut one = DeadlinesHandled::default();
		one.note(kind);
		Self::deadlines_weight(&one)
			.saturating_sub(Self::deadlines_weight(&DeadlinesHandled::default()))
	}

	/// A deadline of `job` passed. (A phase that ends early removes its entry; the checks
	/// below only guard against an entry that no longer matches the job.)
	pub(crate) fn on_deadline(
		kind: DeadlineKind,
		job: JobId,
		deadline: BlockNumberFor<T>,
		now: BlockNumberFor<T>,
	) {
		let Some(mut record) = Jobs::<T>::get(job) else { return };
		if record.deadline != deadline {
			return;
		}
		match (kind, record.phase) {
			(DeadlineKind::Commit, JobPhase::Commit) => {
				Self::end_commit_phase(job, &mut record, now);
			}
			(DeadlineKind::Reveal, JobPhase::Reveal) => {
				Self::count_quorum(job, &mut record, now);
			}
			(DeadlineKind::Challenge, JobPhase::Challenge { .. } | JobPhase::Disputed) => {
				Self::end_challenge(job, &mut record, now);
			}
			(DeadlineKind::Prune, JobPhase::Finished(_)) => {
				Self::prune(job, &record.requester);
				return;
			}
			_ => return,
		}
		Jobs::<T>::insert(job, record);
	}
}

/// What one `process_deadlines` did: the due entries it handled from each queue, and the
/// removed entries it skipped.
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug)]
pub struct DeadlinesHandled {
	/// Commit phases ended.
	pub commit: u32,
	/// Reveal phases ended.
	pub reveal: u32,
	/// Challenge windows and disputes ended.
	pub challenge: u32,
	/// Finished jobs pruned.
	pub prune: u32,
	/// Removed entries skipped.
	pub skipped: u32,
}

impl DeadlinesHandled {
	/// Every due entry handled, of any queue.
	pub fn total(&self) -> u32 {
		self.commit
			.saturating_add(self.reveal)
			.saturating_add(self.challenge)
			.saturating_add(self.prune)
	}

	fn note(&mut self, kind: DeadlineKind) {
		let count = match kind {
			DeadlineKind::Commit => &mut self.commit,
			DeadlineKind::Reveal => &mut self.reveal,
			DeadlineKind::Challenge => &mut self.challenge,
			DeadlineKind::Prune => &mut self.prune,
			// Worked off by `on_poll`, never by `process_deadlines`.
			DeadlineKind::Assign | DeadlineKind::Sample => return,
		};
		*count = count.saturating_add(1);
	}
}

/// Where `process_deadlines` is in one queue.
struct QueueCursor {
	kind: DeadlineKind,
	/// The next entry to look at.
	head: u64,
	/// The head when the hook started (the bounds are written back only if it moved).
	start: u64,
	/// One past the last entry when the hook started.
	tail: u64,
	/// Whether the queue may still have a due entry this block.
	open: bool,
	/// What one of its entries may cost (see [`Pallet::deadline_cost`]).
	cost: Weight,
}
