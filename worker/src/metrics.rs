//! What `/metrics` reports, in Prometheus text format.

use std::{
	collections::BTreeMap,
	sync::{
		atomic::{AtomicBool, AtomicU64, Ordering},
		Mutex,
	},
	time::Duration,
};

/// Counters for `/metrics` (Prometheus text format).
#[derive(Default)]
pub struct Metrics {
	pub jobs_seen: AtomicU64,
	pub jobs_dispatched: AtomicU64,
	pub commits: AtomicU64,
	pub reveals: AtomicU64,
	/// `commit_results` and `reveal_results` included in a block.
	pub answer_batches: AtomicU64,
	pub tx_failures: AtomicU64,
	pub verifications: AtomicU64,
	pub verifications_busy: AtomicU64,
	pub verifications_unauthorized: AtomicU64,
	pub input_fetches: AtomicU64,
	pub engine_runs: AtomicU64,
	pub engine_ns: AtomicU64,
	pub commit_latency_runs: AtomicU64,
	pub commit_latency_ns: AtomicU64,
	pub best_block: AtomicU64,
	pub connected: AtomicBool,
	pub reconnects: AtomicU64,
	/// Paid queries answered (`/v1/query`).
	pub queries: AtomicU64,
	/// Time from a paid query's arrival to its answer.
	pub query_seconds: Histogram,
	/// Vouchers refused, by reason.
	pub vouchers_refused: Mutex<BTreeMap<&'static str, u64>>,
	/// Claims included in a block.
	pub claims: AtomicU64,
	/// Claims that failed or were not included.
	pub claim_failures: AtomicU64,
	/// Plancks claimed, in all.
	pub claimed_plancks: AtomicU64,
	/// Audited receipts revealed (included in a block).
	pub audits_answered: AtomicU64,
	/// Audits this miner could not answer (receipt lost, or the reveal failed).
	pub audit_failures: AtomicU64,
}

impl Metrics {
	pub fn add(counter: &AtomicU64, value: u64) {
		counter.fetch_add(value, Ordering::Relaxed);
	}

	/// The metrics in Prometheus text format; `pending` jobs, `channels` query channels.
	pub fn render(&self, pending: usize, channels: usize) -> String {
		let mut out = String::new();
		let mut put = |name: &str, kind: &str, help: &str, value: String| {
			out.push_str(&format!(
				"# HELP modelchain_worker_{name} {help}\n# TYPE modelchain_worker_{name} {kind}\nmodelchain_worker_{name} {value}\n"
			));
		};
		let get = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
		put(
			"jobs_seen_total",
			"counter",
			"Jobs assigned to this miner that it picked up.",
			get(&self.jobs_seen).to_string(),
		);
		put(
			"jobs_dispatched_total",
			"counter",
			"Jobs POSTed to /v1/jobs by a node.",
			get(&self.jobs_dispatched).to_string(),
		);
		put(
			"commits_total",
			"counter",
			"Commitments included in a block.",
			get(&self.commits).to_string(),
		);
		put(
			"reveals_total",
			"counter",
			"Reveals included in a block.",
			get(&self.reveals).to_string(),
		);
		put(
			"answer_batches_total",
			"counter",
			"Batches of commitments or reveals (commit_results, reveal_results) included in a block.",
			get(&self.answer_batches).to_string(),
		);
		put(
			"tx_failures_total",
			"counter",
			"Transactions that failed or were not included.",
			get(&self.tx_failures).to_string(),
		);
		put(
			"verifications_total",
			"counter",
			"Jobs re-executed for /v1/verify.",
			get(&self.verifications).to_string(),
		);
		put(
			"verifications_busy_total",
			"counter",
			"/v1/verify requests answered 503 because every engine slot was in use.",
			get(&self.verifications_busy).to_string(),
		);
		put(
			"verifications_unauthorized_total",
			"counter",
			"/v1/verify requests refused (401) for a missing or wrong MAC.",
			get(&self.verifications_unauthorized).to_string(),
		);
		put(
			"input_fetches_total",
			"counter",
			"Fetches of remote inputs (Remote { uri, hash }) that ended, whatever their outcome.",
			get(&self.input_fetches).to_string(),
		);
		put(
			"engine_runs_total",
			"counter",
			"Model executions.",
			get(&self.engine_runs).to_string(),
		);
		put(
			"engine_seconds_total",
			"counter",
			"Time spent in the engine.",
			format!("{:.9}", get(&self.engine_ns) as f64 / 1e9),
		);
		put(
			"commit_latency_runs_total",
			"counter",
			"Jobs timed from pick-up to commitment handed to the node.",
			get(&self.commit_latency_runs).to_string(),
		);
		put(
			"commit_latency_seconds_total",
			"counter",
			"Time from picking a job up to handing its commitment to the node (engine included).",
			format!("{:.9}", get(&self.commit_latency_ns) as f64 / 1e9),
		);
		put("best_block", "gauge", "The best block seen.", get(&self.best_block).to_string());
		put(
			"connected",
			"gauge",
			"1 while following the chain.",
			u8::from(self.connected.load(Ordering::Relaxed)).to_string(),
		);
		put(
			"reconnects_total",
			"counter",
			"Connections to the node re-established.",
			get(&self.reconnects).to_string(),
		);
		put("pending_jobs", "gauge", "Jobs computed and not yet revealed.", pending.to_string());
		put(
			"queries_total",
			"counter",
			"Paid queries answered on /v1/query.",
			get(&self.queries).to_string(),
		);
		put(
			"claims_total",
			"counter",
			"Voucher claims included in a block.",
			get(&self.claims).to_string(),
		);
		put(
			"claim_failures_total",
			"counter",
			"Voucher claims that failed or were not included.",
			get(&self.claim_failures).to_string(),
		);
		put(
			"claimed_plancks_total",
			"counter",
			"What this miner's claims took out of channels, in plancks (before the split).",
			get(&self.claimed_plancks).to_string(),
		);
		put(
			"audits_answered_total",
			"counter",
			"Audited receipts revealed with their proof.",
			get(&self.audits_answered).to_string(),
		);
		put(
			"audit_failures_total",
			"counter",
			"Audits not answered (receipt lost or reveal failed): each is slashed.",
			get(&self.audit_failures).to_string(),
		);
		put(
			"channels",
			"gauge",
			"Query channels this miner keeps receipts of.",
			channels.to_string(),
		);
		out.push_str(
			"# HELP modelchain_worker_vouchers_refused_total Paid queries refused for their voucher or input, by reason.\n# TYPE modelchain_worker_vouchers_refused_total counter\n",
		);
		for (reason, count) in self.vouchers_refused.lock().map(|r| r.clone()).unwrap_or_default() {
			out.push_str(&format!(
				"modelchain_worker_vouchers_refused_total{{reason=\"{reason}\"}} {count}\n"
			));
		}
		self.query_seconds.render(
			&mut out,
			"modelchain_worker_query_seconds",
			"Paid queries from arrival to answer (voucher checks, engine, receipt).",
		);
		out
	}

	/// Counts a refused voucher (or input) under `reason`.
	pub fn refused(&self, reason: &'static str) {
		if let Ok(mut refused) = self.vouchers_refused.lock() {
			let count = refused.entry(reason).or_default();
			*count = count.saturating_add(1);
		}
	}
}

/// Upper bounds (seconds) of the query latency histogram's buckets.
const BUCKETS: [f64; 12] =
	[0.000_25, 0.000_5, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0];

/// A Prometheus histogram with fixed buckets, lock-free.
#[derive(Default)]
pub struct Histogram {
	/// Observations per bucket (not cumulative); the last one is `+Inf`.
	counts: [AtomicU64; BUCKETS.len() + 1],
	sum_ns: AtomicU64,
}

impl Histogram {
	/// Records one observation.
	pub fn observe(&self, took: Duration) {
		let seconds = took.as_secs_f64();
		let bucket = BUCKETS.iter().position(|bound| seconds <= *bound).unwrap_or(BUCKETS.len());
		if let Some(count) = self.counts.get(bucket) {
			count.fetch_add(1, Ordering::Relaxed);
		}
		let nanos = u64::try_from(took.as_nanos()).unwrap_or(u64::MAX);
		self.sum_ns.fetch_add(nanos, Ordering::Relaxed);
	}

	fn render(&self, out: &mut String, name: &str, help: &str) {
		out.push_str(&format!("# HELP {name} {help}\n# TYPE {name} histogram\n"));
		let mut cumulative = 0u64;
		let bounds = BUCKETS.iter().map(|bound| bound.to_string()).chain(["+Inf".to_owned()]);
		for (count, bound) in self.counts.iter().zip(bounds) {
			cumulative = cumulative.saturating_add(count.load(Ordering::Relaxed));
			out.push_str(&format!("{name}_bucket{{le=\"{bound}\"}} {cumulative}\n"));
		}
		let sum = self.sum_ns.load(Ordering::Relaxed) as f64 / 1e9;
		out.push_str(&format!("{name}_sum {sum:.9}\n{name}_count {cumulative}\n"));
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn metrics_render_in_prometheus_text_format() {
		let metrics = Metrics::default();
		Metrics::add(&metrics.commits, 2);
		metrics.refused("bad_signature");
		metrics.refused("bad_signature");
		metrics.query_seconds.observe(Duration::from_micros(700));
		metrics.query_seconds.observe(Duration::from_secs(9));
		let text = metrics.render(5, 3);
		assert!(text.contains(
			"# TYPE modelchain_worker_commits_total counter\nmodelchain_worker_commits_total 2\n"
		));
		assert!(text.contains("modelchain_worker_pending_jobs 5\n"));
		assert!(text.contains("modelchain_worker_channels 3\n"));
		assert!(text.contains("modelchain_worker_audits_answered_total 0\n"));
		assert!(
			text.contains("modelchain_worker_vouchers_refused_total{reason=\"bad_signature\"} 2\n")
		);
		assert!(text.contains("modelchain_worker_query_seconds_bucket{le=\"0.0005\"} 0\n"));
		assert!(text.contains("modelchain_worker_query_seconds_bucket{le=\"0.001\"} 1\n"));
		assert!(text.contains("modelchain_worker_query_seconds_bucket{le=\"5\"} 1\n"));
		assert!(text.contains("modelchain_worker_query_seconds_bucket{le=\"+Inf\"} 2\n"));
		assert!(text.contains("modelchain_worker_query_seconds_count 2\n"));
		for line in text.lines().filter(|line| !line.starts_with('#')) {
			let (name, value) = line.rsplit_once(' ').unwrap_or_default();
			assert!(name.starts_with("modelchain_worker_"), "{line}");
			assert!(value.parse::<f64>().is_ok(), "{line}");
		}
	}
}
