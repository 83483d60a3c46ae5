#!/usr/bin/env bash
# Builds ModelChain (release) and runs the main job on this machine:
#   - a development chain: one validator (Alice), blocks every 3 s, GRANDPA finality,
#     RPC on ws://127.0.0.1:9944;
#   - the demo model (models/digits, an int8 MLP that reads 8x8 digits) published by Alice,
#     with 1,000,000 shares issued to her;
#   - three miners (Bob, Charlie, Dave; 2,000 MDL bonded each) and one verifier, all
#     `modelchain-worker` processes running the model through the candle engine.
# Ctrl-C stops everything. Logs: $DEV_LOG_DIR (default: a temporary directory).
#
#   ./scripts/dev.sh                        # fresh chain each time (--tmp)
#   DEV_BASE_PATH=/path ./scripts/dev.sh    # keep the chain between runs
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

"$REPO_ROOT/scripts/setup.sh"
build_release

RPC_PORT="${RPC_PORT:-9944}"
RPC="ws://127.0.0.1:$RPC_PORT"
VERIFIER_PORT="${VERIFIER_PORT:-9960}"
MINER_PORTS=(9961 9962 9963)
MINERS=(//Bob //Charlie //Dave)
MODEL_FILE="$REPO_ROOT/models/digits/model.safetensors"
LOGS="${DEV_LOG_DIR:-$(mktemp -d -t modelchain-dev.XXXXXX)}"
STATE="$LOGS/worker-state"
mkdir -p "$LOGS" "$STATE"
if [ -n "${DEV_BASE_PATH:-}" ]; then
	storage=(--base-path "$DEV_BASE_PATH")
else
	storage=(--tmp)
fi

pids=()
cleanup() {
	trap - EXIT INT TERM
	log "stopping"
	for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
	wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

log "starting the dev node (log: $LOGS/node.log)"
"$NODE_BIN" --dev "${storage[@]}" --rpc-port "$RPC_PORT" --rpc-cors all --prometheus-port 9615 \
	--inference-verifier-url "http://127.0.0.1:$VERIFIER_PORT" "$@" >"$LOGS/node.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 120); do
	(exec 3<>"/dev/tcp/127.0.0.1/$RPC_PORT") 2>/dev/null && break
	sleep 0.5
done

worker() { "$WORKER_BIN" --rpc "$RPC" "$@"; }

# Publish the demo model and register the miners once per chain: a kept chain
# (DEV_BASE_PATH) remembers the model id in a marker file and skips both.
MARKER="${DEV_BASE_PATH:+$DEV_BASE_PATH/modelchain-dev-model}"
if [ -n "$MARKER" ] && [ -f "$MARKER" ]; then
	MODEL_ID="$(cat "$MARKER")"
	FRESH=0
	log "kept chain: serving model $MODEL_ID again"
else
	MODEL_ID="$(worker --suri //Alice model publish --model-file "$MODEL_FILE" \
		--card "$REPO_ROOT/models/digits/model.json" --price 1 --shares 1000000 2>"$LOGS/publish.log" |
		sed -n 's/^MODEL_ID=//p' || true)"
	if [ -z "$MODEL_ID" ]; then
		echo "model publish failed (see $LOGS/publish.log)" >&2
		exit 1
	fi
	FRESH=1
	[ -z "$MARKER" ] || echo "$MODEL_ID" >"$MARKER"
fi

log "starting the verifier on 127.0.0.1:$VERIFIER_PORT"
worker --suri //Alice run --model "$MODEL_ID" --model-file "$MODEL_FILE" --verify-only \
	--listen "127.0.0.1:$VERIFIER_PORT" --state-dir "$STATE/verifier" >"$LOGS/verifier.log" 2>&1 &
pids+=($!)
for i in 0 1 2; do
	suri="${MINERS[$i]}"
	port="${MINER_PORTS[$i]}"
	if [ "$FRESH" = 1 ]; then
		worker --suri "$suri" register --model "$MODEL_ID" --model-file "$MODEL_FILE" \
			--endpoint "http://127.0.0.1:$port" --hardware "$(nproc)x CPU (candle)" --bond 2000 \
			>>"$LOGS/register.log" 2>&1 || log "register $suri failed (see $LOGS/register.log)"
	fi
	log "starting miner ${suri#//} on 127.0.0.1:$port"
	worker --suri "$suri" run --model "$MODEL_ID" --model-file "$MODEL_FILE" \
		--listen "127.0.0.1:$port" --state-dir "$STATE/${suri#//}" >"$LOGS/miner-${suri#//}.log" 2>&1 &
	pids+=($!)
done

SAMPLE="$(grep -v '^#' "$REPO_ROOT/models/digits/test.csv" | head -1)"
PIXELS="${SAMPLE%,*}"
LABEL="${SAMPLE##*,}"
HEX="0x$(tr ',' '\n' <<<"$PIXELS" | xargs printf '%02x')"

cat <<EOM

  ModelChain dev chain with the demo model
  ----------------------------------------
  RPC (WebSocket/HTTP): $RPC
  polkadot.js apps:     https://polkadot.js.org/apps/?rpc=ws%3A%2F%2F127.0.0.1%3A$RPC_PORT#/explorer
                        (or Settings > custom endpoint > $RPC)
  Node metrics:         http://127.0.0.1:9615/metrics
  Model:                $MODEL_ID ("Digits", mlp-64-32-10, 1 MDL per inference, shares: Alice)
  Miners:               Bob, Charlie, Dave  http://127.0.0.1:{$(IFS=,; echo "${MINER_PORTS[*]}")}/health and /metrics
  Verifier:             http://127.0.0.1:$VERIFIER_PORT/health
  Logs:                 $LOGS

  Request an inference from polkadot.js apps: Developer > Extrinsics, account EVE,
    inference > requestInference(model: $MODEL_ID, input: Inline, max_fee: 1000000000000)
  with the input bytes of a held-out "$LABEL" (models/digits/test.csv, first row):
    $HEX
  Within ~10 blocks: Network > Explorer shows inference.JobSettled, and
  Developer > Chain state > inference.results(job) holds [class, 10 logits]; class = $LABEL.
  Share holders collect with modelShares.claim($MODEL_ID).
  Stop: Ctrl-C

EOM
wait "${pids[0]}"
