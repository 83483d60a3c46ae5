#!/usr/bin/env bash
# Network tests of ModelChain on loopback:
#
#   1. tests/e2e/reliability.test.mjs — 4 validators (`--chain local4`): one killed → finality
#      continues; restarted → syncs back to the tip; two killed → finality stalls while blocks
#      and transfers go on; one back → finality resumes; every transfer accounted for.
#      (scripts/test.sh runs this file too, with the other end-to-end tests.)
#   2. zombienet/0001-block-production.zndsl — zombienet (native provider) spawns 4 validators and
#      a full node and checks block production, finality, roles and peer counts.
#
#   ./scripts/test-network.sh               # both
#   ./scripts/test-network.sh reliability   # only 1
#   ./scripts/test-network.sh zombienet     # only 2
#
# Builds the release node first unless SKIP_BUILD=1. The last line is the summary.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
set +e

what="${1:-all}"
failed=()
if [ "${SKIP_BUILD:-0}" != 1 ]; then
	"$REPO_ROOT/scripts/setup.sh" && build_release || { echo "test-network.sh: build failed"; exit 1; }
fi

if [ "$what" = all ] || [ "$what" = reliability ]; then
	log "reliability: 4 validators under faults"
	(cd "$REPO_ROOT/tests/e2e" && node --test --test-reporter=spec reliability.test.mjs) || failed+=(reliability)
fi
if [ "$what" = all ] || [ "$what" = zombienet ]; then
	log "zombienet: 4 validators + 1 full node"
	SKIP_BUILD=1 "$REPO_ROOT/scripts/network.sh" test || failed+=(zombienet)
fi

if [ "${#failed[@]}" -gt 0 ]; then
	echo "test-network.sh: FAILED: ${failed[*]}"
	exit 1
fi
echo "test-network.sh: passed ($what)"
