#!/usr/bin/env bash
# Paid queries against the on-chain job path, in one run on one machine (not part of test.sh):
# the bare engine, paid queries over loopback HTTP with 1 and 16 clients (queries/s, p50/p99),
# settlement capacity (claims and queries settled per block), then the job path's
# request-to-settled latency and jobs/s (bench/worker-bench.mjs: three miners and a verifier).
# Writes bench/queries.json.
#   ./scripts/bench-queries.sh
#   SKIP_BUILD=1 BENCH_QUERIES_MANY=50000 BENCH_JOB_RATE=12 BENCH_STREAM_SECONDS=60 ./scripts/bench-queries.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
"$REPO_ROOT/scripts/setup.sh"
[ "${SKIP_BUILD:-0}" = 1 ] || build_release
export MODELCHAIN_NODE="$NODE_BIN" MODELCHAIN_WORKER="$WORKER_BIN"
export E2E_LOG_DIR="${E2E_LOG_DIR:-$(mktemp -d -t modelchain-bench-queries.XXXXXX)}"
parts="$(mktemp -d -t modelchain-bench-queries-parts.XXXXXX)"
cd "$REPO_ROOT/tests/e2e"
log "paid queries"
node bench/queries-bench.mjs "$parts/paid.json"
log "the on-chain job path"
node bench/worker-bench.mjs "$parts/jobs.json"
mkdir -p "$REPO_ROOT/bench"
node -e '
const fs = require("fs");
const [paid, jobs, out] = process.argv.slice(1);
const p = JSON.parse(fs.readFileSync(paid, "utf8"));
const j = JSON.parse(fs.readFileSync(jobs, "utf8"));
const result = {
  ...p,
  job_path: {
    request_included_to_settled_seconds: j.single_job.request_included_to_finished_seconds,
    offered_jobs_per_second: j.stream.offered_jobs_per_second,
    stream_jobs: j.stream.jobs,
    sustained_lifecycles_per_second: j.stream.sustained_lifecycles_per_second,
    stream_submitted_to_finished_seconds_p50: j.stream.submitted_to_finished_seconds_p50,
    stream_submitted_to_finished_seconds_p99: j.stream.submitted_to_finished_seconds_p99,
    outcomes: j.stream.outcomes,
    answer_batches_per_miner: j.stream.miners.map((m) => m.answer_batches),
    tx_failures_per_miner: j.stream.miners.map((m) => m.tx_failures),
  },
};
fs.writeFileSync(out, JSON.stringify(result, null, 2) + "\n");
console.log(JSON.stringify(result, null, 2));
' "$parts/paid.json" "$parts/jobs.json" "$REPO_ROOT/bench/queries.json"
log "logs: $E2E_LOG_DIR"
