#!/usr/bin/env bash
# Throughput of a fresh dev node (not part of test.sh): balance transfers, inference requests,
# share transfers and full job lifecycles (request, 3 commits, 3 reveals, settlement) per
# second, each as a ratio to transfers, with block fullness and block build times. One release
# node on loopback, bounded in count and time (THROUGHPUT_* variables, see
# tests/e2e/bench/throughput.mjs). Writes bench/throughput.json.
#   ./scripts/throughput.sh
#   THROUGHPUT_TRANSFERS=1000 THROUGHPUT_PHASE_LIMIT_S=60 ./scripts/throughput.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
"$REPO_ROOT/scripts/setup.sh"
[ "${SKIP_BUILD:-0}" = 1 ] || build_release
export MODELCHAIN_NODE="$NODE_BIN"
export E2E_LOG_DIR="${E2E_LOG_DIR:-$(mktemp -d -t modelchain-throughput.XXXXXX)}"
mkdir -p "$REPO_ROOT/bench"
cd "$REPO_ROOT/tests/e2e"
node bench/throughput.mjs "$REPO_ROOT/bench/throughput.json"
log "node log: $E2E_LOG_DIR"
