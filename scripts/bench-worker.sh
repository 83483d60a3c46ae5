#!/usr/bin/env bash
# Benchmarks the worker (not part of test.sh): the bare engine's time per inference, the
# worker's own overhead per job, one job's request-to-finished latency and the sustained job
# lifecycles per second of a stream of requests on a dev chain with three miners (answering
# in batches) and a verifier. Writes bench/worker.json.
#   BENCH_JOB_RATE=12 BENCH_STREAM_SECONDS=60 BENCH_ENGINE_REPEAT=20000 ./scripts/bench-worker.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
"$REPO_ROOT/scripts/setup.sh"
build_release
export MODELCHAIN_NODE="$NODE_BIN" MODELCHAIN_WORKER="$WORKER_BIN"
export E2E_LOG_DIR="${E2E_LOG_DIR:-$(mktemp -d -t modelchain-bench.XXXXXX)}"
cd "$REPO_ROOT/tests/e2e"
node bench/worker-bench.mjs "$REPO_ROOT/bench/worker.json"
