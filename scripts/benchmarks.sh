#!/usr/bin/env bash
# Runs the runtime benchmarks of ModelChain's own pallets and writes their `weights.rs`.
#
#   ./scripts/benchmarks.sh                       # every ModelChain pallet and the overhead
#   ./scripts/benchmarks.sh pallet_compute_staking
#   ./scripts/benchmarks.sh overhead              # block and extrinsic base weights only
#
# Builds `modelchain-node` with `--features runtime-benchmarks` (into the shared target dir, so
# only the crates whose features change are rebuilt) and runs `benchmark pallet` on the dev
# chain spec with the wasm executor. STEPS/REPEAT can be lowered for a quick check; SKIP_BUILD=1
# uses the benchmark node already in the target directory.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

STEPS="${STEPS:-50}"
REPEAT="${REPEAT:-20}"
# pallet name => crate directory
declare -A PALLETS=(
	[pallet_model_registry]=pallets/model-registry
	[pallet_model_shares]=pallets/model-shares
	[pallet_compute_staking]=pallets/compute-staking
	[pallet_inference]=pallets/inference
	[pallet_model_governance]=pallets/model-governance
	[pallet_validator_set]=pallets/validator-set
	[pallet_model_access]=pallets/model-access
	[pallet_slot_randomness]=pallets/slot-randomness
	[pallet_query_channels]=pallets/query-channels
)
selected=("$@")
[ "${#selected[@]}" -gt 0 ] || selected=("${!PALLETS[@]}" overhead)

# frame-benchmarking-cli's storage-benchmark test runtime cannot find itself in this workspace's
# metadata (the CLI is an optional dependency of the node); `benchmark pallet` does not use it.
export SKIP_FRAME_STORAGE_ACCESS_TEST_RUNTIME_WASM_BUILD=1

"$REPO_ROOT/scripts/setup.sh"
if [ "${SKIP_BUILD:-0}" = 1 ]; then
	# The benchmark node in the target directory is used as it is (e.g. to benchmark another
	# pallet after a run rewrote a weights file, which would otherwise rebuild the runtime).
	log "SKIP_BUILD=1: using the benchmark node already built"
else
	log "cargo build --release --features runtime-benchmarks -p modelchain-node"
	(cd "$REPO_ROOT" && cargo build --locked --release --features runtime-benchmarks -p modelchain-node)
fi
bench_bin="$CARGO_TARGET_DIR/release/modelchain-node"

for pallet in "${selected[@]}"; do
	if [ "$pallet" = overhead ]; then
		# The weight of an empty block and the base weight of an extrinsic (`system.remark`
		# blocks), written to runtime/src/weights/{block,extrinsic}_weights.rs.
		log "benchmarking the block and extrinsic overhead (warmup ${OVERHEAD_WARMUP:-10}, repeat ${OVERHEAD_REPEAT:-100})"
		"$bench_bin" benchmark overhead \
			--chain dev \
			--wasm-execution compiled \
			--warmup "${OVERHEAD_WARMUP:-10}" \
			--repeat "${OVERHEAD_REPEAT:-100}" \
			--weight-path "$REPO_ROOT/runtime/src/weights"
		continue
	fi
	dir="${PALLETS[$pallet]:-}"
	[ -n "$dir" ] || { echo "unknown pallet $pallet" >&2; exit 1; }
	log "benchmarking $pallet (steps $STEPS, repeat $REPEAT)"
	"$bench_bin" benchmark pallet \
		--chain dev \
		--pallet "$pallet" \
		--extrinsic '*' \
		--wasm-execution compiled \
		--steps "$STEPS" \
		--repeat "$REPEAT" \
		--heap-pages 4096 \
		--template "$REPO_ROOT/scripts/templates/pallet-weights.hbs" \
		--output "$REPO_ROOT/$dir/src/weights.rs"
done
log "weights written; rebuild the normal node with ./scripts/dev.sh or cargo build --release"
