#!/usr/bin/env bash
# Runs every ModelChain test: formatting, clippy, the Rust unit/property tests and the
# end-to-end tests against a real release node. Does its own set-up (scripts/setup.sh).
# The last line is the summary: `test.sh: N passed, M failed`.
#
# Everything builds in ONE profile (release) into ONE shared target directory, so the
# dependency tree is compiled once; clippy lints our crates during that same build.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
set +e

passed=0
failed=0
failures=()
logs="${TEST_LOG_DIR:-$(mktemp -d -t modelchain-test.XXXXXX)}"
mkdir -p "$logs"
started=$(date +%s)

step() {
	local name="$1"
	shift
	local t0
	t0=$(date +%s)
	log "$name"
	"$@" 2>&1 | tee "$logs/$name.log"
	local rc=${PIPESTATUS[0]}
	log "$name: exit $rc in $(($(date +%s) - t0)) s"
	return "$rc"
}

# Counts the tests a step ran from its log: cargo's `test result:` lines and node's `# pass/# fail`.
count_tests() {
	local file="$1" p f
	p=$(grep -Eo 'test result: [a-zA-Z]+\. [0-9]+ passed' "$file" | awk '{s+=$4} END {print s+0}')
	f=$(grep -Eo '[0-9]+ failed;' "$file" | awk '{s+=$1} END {print s+0}')
	p=$((p + $(grep -E '^ℹ pass [0-9]+|^# pass [0-9]+' "$file" | awk '{s+=$3} END {print s+0}')))
	f=$((f + $(grep -E '^ℹ fail [0-9]+|^# fail [0-9]+' "$file" | awk '{s+=$3} END {print s+0}')))
	passed=$((passed + p))
	failed=$((failed + f))
}

fail_step() {
	failures+=("$1")
	failed=$((failed + 1))
}

summary() {
	echo
	log "logs: $logs; total $(($(date +%s) - started)) s"
	if [ "${#failures[@]}" -gt 0 ]; then
		echo "FAILED steps: ${failures[*]}"
	fi
	echo "test.sh: $passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit $?
}

step setup "$REPO_ROOT/scripts/setup.sh" || { fail_step setup; summary; }
cd "$REPO_ROOT" || exit 1

# The model files too large to commit (SmolLM2's GGUF, 93 MB once per machine), sha256-checked.
step models "$REPO_ROOT/scripts/fetch-models.sh" || { fail_step models; summary; }

step fmt bash -c "cargo fmt --all -- --check && cd worker && cargo fmt --all -- --check" || fail_step fmt

# The runtime a live chain upgrades from (the runtime-upgrade e2e test starts a chain on it),
# built from its commit before this checkout's build, which then rebuilds its own wasm.
step old-runtime "$REPO_ROOT/scripts/build-old-runtime.sh" || fail_step old-runtime

# The release build of the node and of every test harness (the e2e tests start this node),
# linted by clippy with `-D warnings` as it compiles (see lib.sh): a lint fails this step.
step build build_release || { fail_step build; summary; }

if step cargo-test cargo test --locked --release --workspace --no-fail-fast; then
	count_tests "$logs/cargo-test.log"
else
	count_tests "$logs/cargo-test.log"
	fail_step cargo-test
fi

if step worker-test bash -c "cd '$REPO_ROOT/worker' && cargo test --locked --release"; then
	count_tests "$logs/worker-test.log"
else
	count_tests "$logs/worker-test.log"
	fail_step worker-test
fi

export MODELCHAIN_NODE="$NODE_BIN"
export MODELCHAIN_WORKER="$WORKER_BIN"
export E2E_LOG_DIR="$logs/e2e"
# runtime_upgrade.test.mjs writes its old chain's state here for the try-runtime step.
export MODELCHAIN_SNAPSHOT="$logs/upgrade-snapshot.json"
rm -f "$MODELCHAIN_SNAPSHOT"
if step e2e bash -c "cd '$REPO_ROOT/tests/e2e' && node --test --test-concurrency=1 --test-reporter=tap *.test.mjs"; then
	count_tests "$logs/e2e.log"
else
	count_tests "$logs/e2e.log"
	fail_step e2e
fi

# The runtime upgrade on that live chain's state, as `try-runtime on-runtime-upgrade` runs it:
# the runtime built natively with its `try-runtime` feature runs every migration with its
# pre/post-upgrade checks, decodes every stored value, checks every pallet's `try_state`, the
# migrations' weight and their idempotence (runtime/tests/live_upgrade.rs). No wasm is built.
if step try-runtime bash -c "SKIP_WASM_BUILD=1 cargo test --locked --release -p modelchain-runtime --features try-runtime --test live_upgrade"; then
	count_tests "$logs/try-runtime.log"
else
	count_tests "$logs/try-runtime.log"
	fail_step try-runtime
fi

summary
