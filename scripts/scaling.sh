#!/usr/bin/env bash
# Scaling checks (also run by test.sh as part of the runtime's tests): settlement and claim at
# 10, 1,000 and 100,000 share holders, and miner selection (`request_inference`) at 10, 100 and
# 1,000 registered workers, on the real runtime. Writes bench/scaling.json.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
"$REPO_ROOT/scripts/setup.sh"
mkdir -p "$REPO_ROOT/bench"
cd "$REPO_ROOT"
SCALING_OUT="$REPO_ROOT/bench/scaling.json" \
	cargo test --locked --release -p modelchain-runtime --test scaling -- --nocapture
log "written bench/scaling.json"
