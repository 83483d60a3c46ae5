#!/usr/bin/env bash
# Scaling checks (also run by test.sh as part of the runtime's tests): settlement and claim at
# 10, 1,000 and 100,000 share holders, and miner selection (`request_inference`) at 10, 100 and
# 1,000 registered workers, on the real runtime. Writes bench/scaling.json.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
"$REPO_ROOT/scripts/setup.sh"
mkdir -p "$REPO_ROOT/bench"
cd "$REPO_ROOT"
# The whole workspace, filtered by test name: `-p modelchain-runtime` alone would unify other
# features and rebuild the runtime that test.sh and dev.sh build.
SCALING_OUT="$REPO_ROOT/bench/scaling.json" \
	cargo test --locked --release --workspace settlement_and_claim_are_flat -- --nocapture
log "written bench/scaling.json"
