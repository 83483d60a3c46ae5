#!/usr/bin/env bash
# Benchmarks the language model (not part of test.sh): the worker's candle engine against
# llama.cpp on the same GGUF and threads, and the worker serving 32-token jobs on a dev chain
# (its overhead per job, request-to-quorum and request-to-settled latency). Writes bench/llm.json.
#   BENCH_LLM_ROUNDS=3 BENCH_LLM_THREADS=2 BENCH_LLM_JOBS=4 ./scripts/bench-llm.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
"$REPO_ROOT/scripts/setup.sh"
"$REPO_ROOT/scripts/fetch-models.sh" >/dev/null
build_release
export MODELCHAIN_NODE="$NODE_BIN" MODELCHAIN_WORKER="$WORKER_BIN"
export E2E_LOG_DIR="${E2E_LOG_DIR:-$(mktemp -d -t modelchain-bench.XXXXXX)}"
cd "$REPO_ROOT/tests/e2e"
node bench/llm-bench.mjs "$REPO_ROOT/bench/llm.json"
