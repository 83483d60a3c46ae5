//! Runs the model off the async runtime, at most `--engine-concurrency` executions at a time.
//!
//! An execution is CPU- (or GPU-) bound: run on the async runtime it would stall the HTTP
//! server, the chain follower and every other job for its duration. Here it runs on Tokio's
//! blocking pool, behind a semaphore: the miner's own jobs wait for a slot, while `/v1/verify`
//! (which anyone who can reach the port may call) takes one only if it is free and is told
//! "busy" otherwise, so a flood of verify requests can neither queue without bound nor delay a
//! commit.

use std::{
	sync::Arc,
	time::{Duration, Instant},
};

use anyhow::{Context, Result};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::engine::{Engine, Judged};

/// What runs one input to its canonical output (the loaded model; a stand-in in tests).
pub trait Infer: Send + Sync + 'static {
	/// The canonical output for `input`.
	fn infer(&self, input: &[u8]) -> Result<Vec<i64>>;

	/// A verifier's judgement of the outputs miners `revealed` for `input` (default: its own
	/// output, exact comparison).
	fn judge(&self, input: &[u8], revealed: &[Vec<i64>]) -> Result<Judged> {
		let _ = revealed;
		Ok(Judged { output: self.infer(input)?, accepted: Vec::new() })
	}
}

impl Infer for Engine {
	fn infer(&self, input: &[u8]) -> Result<Vec<i64>> {
		Engine::infer(self, input)
	}

	fn judge(&self, input: &[u8], revealed: &[Vec<i64>]) -> Result<Judged> {
		Engine::judge(self, input, revealed)
	}
}

/// An execution under way on the blocking pool: its result and duration.
pub type Running<T> = tokio::task::JoinHandle<Result<(T, Duration)>>;

/// The model and its execution slots.
pub struct Runner<E> {
	engine: Arc<E>,
	slots: Arc<Semaphore>,
}

/// All execution slots are taken (answered as 503 by `/v1/verify`).
#[derive(Debug, PartialEq, Eq)]
pub struct Busy;

impl<E: Infer> Runner<E> {
	/// A runner of `engine` with `concurrency` slots (at least one).
	pub fn new(engine: E, concurrency: usize) -> Self {
		Self { engine: Arc::new(engine), slots: Arc::new(Semaphore::new(concurrency.max(1))) }
	}

	/// The engine, for what does not execute it (its hash).
	pub fn engine(&self) -> &E {
		&self.engine
	}

	/// Runs `input` once a slot is free; returns the output and the execution's duration
	/// (without the wait).
	pub async fn infer(&self, input: Vec<u8>) -> Result<(Vec<i64>, Duration)> {
		let permit = self.slots.clone().acquire_owned().await.context("engine stopped")?;
		self.start(permit, move |engine| engine.infer(&input))
			.await
			.context("the engine's thread panicked")?
	}

	/// Starts judging a job's revealed outputs if a slot is free now, else `Err(Busy)` at once;
	/// the judgement goes on even if nobody waits for it.
	pub fn try_judge(
		&self,
		input: Vec<u8>,
		revealed: Vec<Vec<i64>>,
	) -> Result<Running<Judged>, Busy> {
		self.try_start(move |engine| engine.judge(&input, &revealed))
	}

	fn try_start<T: Send + 'static>(
		&self,
		work: impl FnOnce(&E) -> Result<T> + Send + 'static,
	) -> Result<Running<T>, Busy> {
		let permit = self.slots.clone().try_acquire_owned().map_err(|_| Busy)?;
		Ok(self.start(permit, work))
	}

	fn start<T: Send + 'static>(
		&self,
		permit: OwnedSemaphorePermit,
		work: impl FnOnce(&E) -> Result<T> + Send + 'static,
	) -> Running<T> {
		let engine = self.engine.clone();
		tokio::task::spawn_blocking(move || {
			// Held until the execution ends, even if the caller stops waiting for it.
			let _permit = permit;
			let started = Instant::now();
			let output = work(&engine)?;
			Ok((output, started.elapsed()))
		})
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use std::sync::atomic::{AtomicUsize, Ordering};

	/// An engine that takes `delay` per input and records its most concurrent executions.
	struct Slow {
		delay: Duration,
		running: AtomicUsize,
		most: AtomicUsize,
	}

	impl Infer for Slow {
		fn infer(&self, input: &[u8]) -> Result<Vec<i64>> {
			let now = self.running.fetch_add(1, Ordering::SeqCst) + 1;
			self.most.fetch_max(now, Ordering::SeqCst);
			std::thread::sleep(self.delay);
			self.running.fetch_sub(1, Ordering::SeqCst);
			Ok(vec![input.len() as i64])
		}
	}

	fn slow(delay_ms: u64) -> Slow {
		Slow {
			delay: Duration::from_millis(delay_ms),
			running: AtomicUsize::new(0),
			most: AtomicUsize::new(0),
		}
	}

	/// On a single-threaded runtime, a timer still fires on time while an execution runs:
	/// the engine does not hold the async runtime (run inline, the timer would wait 300 ms).
	#[tokio::test(flavor = "current_thread")]
	async fn an_execution_does_not_stall_the_async_runtime() {
		let runner = Arc::new(Runner::new(slow(300), 1));
		let running = {
			let runner = runner.clone();
			tokio::spawn(async move { runner.infer(b"abc".to_vec()).await })
		};
		let started = Instant::now();
		tokio::task::yield_now().await;
		tokio::time::sleep(Duration::from_millis(20)).await;
		assert!(started.elapsed() < Duration::from_millis(200), "{:?}", started.elapsed());
		let (output, took) = running.await.expect("joined").expect("ran");
		assert_eq!(output, vec![3]);
		assert!(took >= Duration::from_millis(300));
	}

	/// Never more executions at once than slots, however many callers wait.
	#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
	async fn executions_never_exceed_the_concurrency_limit() {
		let runner = Arc::new(Runner::new(slow(20), 2));
		let calls: Vec<_> = (0..12)
			.map(|i| {
				let runner = runner.clone();
				tokio::spawn(async move { runner.infer(vec![0; i]).await })
			})
			.collect();
		for (i, call) in calls.into_iter().enumerate() {
			assert_eq!(call.await.expect("joined").expect("ran").0, vec![i as i64]);
		}
		assert_eq!(runner.engine().most.load(Ordering::SeqCst), 2);
	}

	/// With every slot taken, `try_judge` answers `Busy` at once (no queue to flood), and
	/// runs again once a slot is free.
	#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
	async fn try_judge_is_busy_while_every_slot_is_taken() {
		let runner = Arc::new(Runner::new(slow(200), 1));
		let running = {
			let runner = runner.clone();
			tokio::spawn(async move { runner.infer(b"x".to_vec()).await })
		};
		while runner.engine().running.load(Ordering::SeqCst) == 0 {
			tokio::task::yield_now().await;
		}
		let started = Instant::now();
		assert_eq!(runner.try_judge(b"y".to_vec(), Vec::new()).err(), Some(Busy));
		assert!(started.elapsed() < Duration::from_millis(50));
		running.await.expect("joined").expect("ran");
		let judged = runner.try_judge(b"yz".to_vec(), Vec::new()).expect("a free slot");
		assert_eq!(judged.await.expect("joined").expect("ran").0.output, vec![2]);
	}
}
