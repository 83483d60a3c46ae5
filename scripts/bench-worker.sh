#!/usr/bin/env bash
# Benchmarks the worker (not part of test.sh): the bare engine's time per inference, the
# worker's own overhead per job, and end-to-end jobs per minute on a dev chain with three
# miners and a verifier. Writes bench/worker.json.
#   BENCH_JOBS=40 BENCH_ENGINE_REPEAT=20000 ./scripts/bench-worker.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
"$REPO_ROOT/scripts/setup.sh"
build_release
export MODELCHAIN_NODE="$NODE_BIN" MODELCHAIN_WORKER="$WORKER_BIN"
export E2E_LOG_DIR="${E2E_LOG_DIR:-$(mktemp -d -t modelchain-bench.XXXXXX)}"
cd "$REPO_ROOT/tests/e2e"
node bench/worker-bench.mjs "$REPO_ROOT/bench/worker.json"
