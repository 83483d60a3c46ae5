//! The miner's local state: for every job it computed, the output and the salt of its
//! commitment. Written (atomically: temporary file, fsync, rename) *before* the commitment is
//! submitted, so a worker that crashes or restarts between commit and reveal still reveals and
//! is never slashed for a missed reveal. The jobs decided at one block are written together
//! (one fsync per block, not one per job).

use std::{
	collections::BTreeMap,
	fs,
	io::Write,
	path::{Path, PathBuf},
};

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use crate::chain::JobId;

/// What the miner remembers about one job.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PendingJob {
	/// The output it computed.
	pub output: Vec<i64>,
	/// The salt of its commitment, hex.
	pub salt: String,
	/// Milliseconds spent in the engine for this job.
	pub engine_ms: f64,
}

impl PendingJob {
	/// The salt as bytes.
	pub fn salt_bytes(&self) -> Result<[u8; 32]> {
		let bytes = hex::decode(&self.salt).context("salt is not hex")?;
		bytes.try_into().map_err(|_| anyhow::anyhow!("salt is not 32 bytes"))
	}
}

/// Pending jobs, persisted as JSON in `<state dir>/pending-jobs.json`.
pub struct Store {
	path: PathBuf,
	jobs: BTreeMap<JobId, PendingJob>,
	/// Whether `jobs` changed since the last write.
	dirty: bool,
}

/// At most this many jobs are remembered; the oldest are dropped first (a job's record is
/// useless once its reveal deadline passed, which is minutes at most).
pub const MAX_PENDING: usize = 10_000;

impl Store {
	/// Opens (or creates) the store in `dir`.
	pub fn open(dir: &Path) -> Result<Self> {
		fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
		let path = dir.join("pending-jobs.json");
		let jobs = match fs::read(&path) {
			Ok(bytes) => serde_json::from_slice(&bytes)
				.with_context(|| format!("{} is corrupt", path.display()))?,
			Err(error) if error.kind() == std::io::ErrorKind::NotFound => BTreeMap::new(),
			Err(error) => return Err(error).with_context(|| format!("reading {}", path.display())),
		};
		Ok(Self { path, jobs, dirty: false })
	}

	/// The remembered jobs.
	pub fn jobs(&self) -> impl Iterator<Item = (&JobId, &PendingJob)> {
		self.jobs.iter()
	}

	/// A job's record.
	pub fn get(&self, job: JobId) -> Option<&PendingJob> {
		self.jobs.get(&job)
	}

	/// Records a job in memory; [`Store::persist`] writes it. The caller persists before it
	/// submits a commitment to it.
	pub fn stage(&mut self, job: JobId, pending: PendingJob) {
		self.jobs.insert(job, pending);
		while self.jobs.len() > MAX_PENDING {
			self.jobs.pop_first();
		}
		self.dirty = true;
	}

	/// Forgets a job (it was revealed or is over), on disk with the next [`Store::persist`]. A
	/// forgotten job still on disk after a crash is harmless: the restarted miner reads it
	/// from the chain and forgets it again.
	pub fn remove(&mut self, job: JobId) {
		if self.jobs.remove(&job).is_some() {
			self.dirty = true;
		}
	}

	/// Writes the jobs (temporary file, fsync, rename) if any changed since the last write:
	/// one write for every job decided at a block, not one per job.
	pub fn persist(&mut self) -> Result<()> {
		if self.dirty {
			self.flush()?;
			self.dirty = false;
		}
		Ok(())
	}

	fn flush(&self) -> Result<()> {
		let tmp = self.path.with_extension("json.tmp");
		let mut file =
			fs::File::create(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
		file.write_all(&serde_json::to_vec(&self.jobs)?)?;
		file.sync_all()?;
		fs::rename(&tmp, &self.path)
			.with_context(|| format!("replacing {}", self.path.display()))?;
		Ok(())
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn temp_dir(name: &str) -> PathBuf {
		let dir = std::env::temp_dir()
			.join(format!("modelchain-worker-store-{name}-{}", std::process::id()));
		let _ = fs::remove_dir_all(&dir);
		dir
	}

	fn pending(seed: u8) -> PendingJob {
		PendingJob { output: vec![seed.into(), -4], salt: hex::encode([seed; 32]), engine_ms: 0.5 }
	}

	#[test]
	fn survives_a_restart() {
		let dir = temp_dir("restart");
		let mut store = Store::open(&dir).expect("opens");
		store.stage(7, pending(1));
		store.stage(9, pending(2));
		store.persist().expect("persist");
		store.remove(7);
		store.persist().expect("persist");
		drop(store);
		let reopened = Store::open(&dir).expect("reopens");
		assert_eq!(reopened.get(9), Some(&pending(2)));
		assert_eq!(reopened.get(7), None);
		assert_eq!(reopened.get(9).expect("job").salt_bytes().expect("salt"), [2u8; 32]);
		assert!(!dir.join("pending-jobs.json.tmp").exists());
		let _ = fs::remove_dir_all(&dir);
	}

	#[test]
	fn only_persisted_jobs_survive_a_restart() {
		let dir = temp_dir("persist");
		let mut store = Store::open(&dir).expect("opens");
		store.stage(1, pending(1));
		store.persist().expect("persist");
		store.stage(2, pending(2));
		drop(store);
		let reopened = Store::open(&dir).expect("reopens");
		assert_eq!(reopened.get(1), Some(&pending(1)));
		assert_eq!(reopened.get(2), None, "staged, never persisted");
		let _ = fs::remove_dir_all(&dir);
	}

	#[test]
	fn a_corrupt_file_is_an_error_not_an_empty_store() {
		let dir = temp_dir("corrupt");
		fs::create_dir_all(&dir).expect("dir");
		fs::write(dir.join("pending-jobs.json"), b"{not json").expect("write");
		assert!(Store::open(&dir).is_err());
		let _ = fs::remove_dir_all(&dir);
	}

	#[test]
	fn is_bounded() {
		let dir = temp_dir("bounded");
		let mut store = Store::open(&dir).expect("opens");
		store.jobs = (0..MAX_PENDING as u64).map(|job| (job, pending(0))).collect();
		store.stage(MAX_PENDING as u64, pending(1));
		assert_eq!(store.jobs().count(), MAX_PENDING);
		assert!(store.get(0).is_none(), "the oldest job is dropped");
		let _ = fs::remove_dir_all(&dir);
	}
}
