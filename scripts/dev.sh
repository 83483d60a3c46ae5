#!/usr/bin/env bash
# Builds ModelChain (release) and runs the main job on this machine:
#   - a development chain: one validator (Alice), blocks every 3 s, GRANDPA finality,
#     RPC on ws://127.0.0.1:9944;
#   - the demo model (models/digits, an int8 MLP that reads 8x8 digits) published by Alice,
#     with 1,000,000 shares issued to her;
#   - three miners (Bob, Charlie, Dave; 2,000 MDL bonded each) and one verifier, all
#     `modelchain-worker` processes running the model through the candle engine;
#   - unless DEV_LLM=0: the demo language model (models/smollm2: SmolLM2-135M-Instruct, a
#     98 MB GGUF fetched once by scripts/fetch-models.sh) published by Alice next to it, with
#     its own three miners (Bob's, Charlie's and Dave's //stash accounts) and verifier.
# Ctrl-C, SIGTERM or SIGHUP (a service manager, `timeout`, a closed terminal) stops everything
# it started; only SIGKILL of this script alone cannot be caught (then `kill -- -PGID`, the
# script's process group, stops the rest). Logs: $DEV_LOG_DIR (default: a temporary directory).
#
#   ./scripts/dev.sh                        # fresh chain each time (--tmp)
#   DEV_BASE_PATH=/path ./scripts/dev.sh    # keep the chain between runs
#   RPC_PORT=9944 P2P_PORT=30333 PROMETHEUS_PORT=9615 VERIFIER_PORT=9960 ./scripts/dev.sh
#                                           # the defaults; miners listen on VERIFIER_PORT+1..3,
#                                           # the language model's verifier and miners on +4..+7
#   DEV_LLM=0 ./scripts/dev.sh              # the digits model only
# Arguments are passed to the node.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

RPC_PORT="${RPC_PORT:-9944}"
RPC="ws://127.0.0.1:$RPC_PORT"
P2P_PORT="${P2P_PORT:-30333}"
PROMETHEUS_PORT="${PROMETHEUS_PORT:-9615}"
VERIFIER_PORT="${VERIFIER_PORT:-9960}"
MINER_PORTS=($((VERIFIER_PORT + 1)) $((VERIFIER_PORT + 2)) $((VERIFIER_PORT + 3)))
MINERS=(//Bob //Charlie //Dave)
MODEL_FILE="$REPO_ROOT/models/digits/model.safetensors"
DEV_LLM="${DEV_LLM:-1}"
LLM_VERIFIER_PORT=$((VERIFIER_PORT + 4))
LLM_MINER_PORTS=($((VERIFIER_PORT + 5)) $((VERIFIER_PORT + 6)) $((VERIFIER_PORT + 7)))
LLM_MINERS=(//Bob//stash //Charlie//stash //Dave//stash)
LLM_PORTS=()
[ "$DEV_LLM" = 0 ] || LLM_PORTS=("$LLM_VERIFIER_PORT" "${LLM_MINER_PORTS[@]}")
LOGS="${DEV_LOG_DIR:-$(mktemp -d -t modelchain-dev.XXXXXX)}"
STATE="$LOGS/worker-state"
mkdir -p "$LOGS" "$STATE"
if [ -n "${DEV_BASE_PATH:-}" ]; then
	storage=(--base-path "$DEV_BASE_PATH")
else
	storage=(--tmp)
fi

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for port in "$RPC_PORT" "$P2P_PORT" "$PROMETHEUS_PORT" "$VERIFIER_PORT" "${MINER_PORTS[@]}" "${LLM_PORTS[@]}"; do
	if port_in_use "$port"; then
		echo "port $port is already in use (another dev.sh or node still running?);" \
			"stop it or choose other ports (see the top of scripts/dev.sh)" >&2
		exit 1
	fi
done

# Every process this script started, children first (a forked helper's own children too).
descendants() {
	local child
	for child in $(pgrep -P "$1" || true); do
		descendants "$child"
		echo "$child"
	done
}
stopping=0
cleanup() {
	[ "$stopping" = 0 ] || return 0
	stopping=1
	trap - EXIT
	local running
	running="$(descendants $$)"
	[ -n "$running" ] || return 0
	log "stopping"
	local pid
	for pid in $running; do kill -TERM "$pid" 2>/dev/null || true; done
	for _ in $(seq 1 100); do
		any_alive $running || return 0
		sleep 0.1
	done
	log "still running after 10 s: killing"
	for pid in $running; do kill -KILL "$pid" 2>/dev/null || true; done
}
# Whether any of the pids still runs (an exited process nobody reaped, a zombie, does not).
any_alive() {
	local pid state
	for pid in "$@"; do
		state="$(sed -n 's/^[0-9]* (.*) \(.\).*/\1/p' "/proc/$pid/stat" 2>/dev/null || true)"
		[ -z "$state" ] || [ "$state" = Z ] || return 0
	done
	return 1
}
# Runs a step in the background and waits for it: a signal interrupts `wait` at once (it
# would wait for a foreground command to end), so stopping during a build stops the build.
step() {
	"$@" &
	wait $!
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT
trap 'cleanup; exit 143' TERM
trap 'cleanup; exit 129' HUP

step "$REPO_ROOT/scripts/setup.sh"
step build_release
if [ "$DEV_LLM" != 0 ]; then
	LLM_FILE="$(step "$REPO_ROOT/scripts/fetch-models.sh")"
fi

# The secret the node and its verifier share (it authenticates every verification request
# and answer); made once, readable by this user only.
VERIFIER_SECRET="$STATE/verifier-secret"
if [ ! -s "$VERIFIER_SECRET" ]; then
	(umask 077 && od -An -tx1 -N32 /dev/urandom | tr -d ' \n' >"$VERIFIER_SECRET")
fi

# Publish the demo models and register the miners once per chain: a kept chain
# (DEV_BASE_PATH) remembers the model ids in marker files and skips both. The language model
# is published right after the digits model, so on a fresh chain it is model 1; its jobs are
# verified by its own verifier (a route for its version 0).
MARKER="${DEV_BASE_PATH:+$DEV_BASE_PATH/modelchain-dev-model}"
LLM_MARKER="${DEV_BASE_PATH:+$DEV_BASE_PATH/modelchain-dev-llm}"
LLM_ID=1
if [ -n "$LLM_MARKER" ] && [ -f "$LLM_MARKER" ]; then
	LLM_ID="$(cat "$LLM_MARKER")"
fi
routes=()
[ "$DEV_LLM" = 0 ] || routes=(--inference-verifier-route "$LLM_ID.0=http://127.0.0.1:$LLM_VERIFIER_PORT")

log "starting the dev node (log: $LOGS/node.log)"
"$NODE_BIN" --dev "${storage[@]}" --rpc-port "$RPC_PORT" --port "$P2P_PORT" --rpc-cors all \
	--prometheus-port "$PROMETHEUS_PORT" --inference-verifier-url "http://127.0.0.1:$VERIFIER_PORT" \
	--inference-verifier-secret-file "$VERIFIER_SECRET" --inference-dispatch "${routes[@]}" \
	"$@" >"$LOGS/node.log" 2>&1 &
node_pid=$!
for _ in $(seq 1 120); do
	port_in_use "$RPC_PORT" && break
	sleep 0.5
done

# `worker` runs a one-off command; `serve` replaces its (background) subshell with the worker,
# so the process this script started is the worker itself.
worker() { "$WORKER_BIN" --rpc "$RPC" "$@"; }
serve() { exec "$WORKER_BIN" --rpc "$RPC" "$@"; }

if [ -n "$MARKER" ] && [ -f "$MARKER" ]; then
	MODEL_ID="$(cat "$MARKER")"
	FRESH=0
	log "kept chain: serving model $MODEL_ID again"
else
	step worker --suri //Alice model publish --model-file "$MODEL_FILE" \
		--card "$REPO_ROOT/models/digits/model.json" --price 1 --shares 1000000 \
		>"$LOGS/publish.out" 2>"$LOGS/publish.log" || true
	MODEL_ID="$(sed -n 's/^MODEL_ID=//p' "$LOGS/publish.out")"
	if [ -z "$MODEL_ID" ]; then
		echo "model publish failed (see $LOGS/publish.log)" >&2
		exit 1
	fi
	FRESH=1
	[ -z "$MARKER" ] || echo "$MODEL_ID" >"$MARKER"
fi

log "starting the verifier on 127.0.0.1:$VERIFIER_PORT"
serve --suri //Alice run --model "$MODEL_ID" --model-file "$MODEL_FILE" --verify-only \
	--verifier-secret-file "$VERIFIER_SECRET" --listen "127.0.0.1:$VERIFIER_PORT" --state-dir "$STATE/verifier" >"$LOGS/verifier.log" 2>&1 &
for i in 0 1 2; do
	suri="${MINERS[$i]}"
	port="${MINER_PORTS[$i]}"
	if [ "$FRESH" = 1 ]; then
		step worker --suri "$suri" register --model "$MODEL_ID" --model-file "$MODEL_FILE" \
			--endpoint "http://127.0.0.1:$port" --hardware "$(nproc)x CPU (candle)" --bond 2000 \
			>>"$LOGS/register.log" 2>&1 || log "register $suri failed (see $LOGS/register.log)"
	fi
	log "starting miner ${suri#//} on 127.0.0.1:$port"
	serve --suri "$suri" run --model "$MODEL_ID" --model-file "$MODEL_FILE" \
		--listen "127.0.0.1:$port" --state-dir "$STATE/${suri#//}" >"$LOGS/miner-${suri#//}.log" 2>&1 &
done

if [ "$DEV_LLM" != 0 ]; then
	if [ "$FRESH" = 1 ] || { [ -n "$LLM_MARKER" ] && [ ! -f "$LLM_MARKER" ]; }; then
		step worker --suri //Alice model publish --model-file "$LLM_FILE" \
			--card "$REPO_ROOT/models/smollm2/model.json" --weights-uri "file://$LLM_FILE" \
			--shares 1000000 >"$LOGS/publish-llm.out" 2>"$LOGS/publish-llm.log" || true
		published="$(sed -n 's/^MODEL_ID=//p' "$LOGS/publish-llm.out")"
		if [ "$published" != "$LLM_ID" ]; then
			echo "publishing the language model gave model '${published}', expected $LLM_ID" \
				"(see $LOGS/publish-llm.log)" >&2
			exit 1
		fi
		[ -z "$LLM_MARKER" ] || echo "$LLM_ID" >"$LLM_MARKER"
		for i in 0 1 2; do
			step worker --suri "${LLM_MINERS[$i]}" register --model "$LLM_ID" \
				--endpoint "http://127.0.0.1:${LLM_MINER_PORTS[$i]}" --hardware "$(nproc)x CPU (candle)" \
				--bond 2000 >>"$LOGS/register.log" 2>&1 || log "register ${LLM_MINERS[$i]} failed (see $LOGS/register.log)"
		done
	fi
	log "starting the language model's verifier on 127.0.0.1:$LLM_VERIFIER_PORT and miners on ${LLM_MINER_PORTS[*]}"
	serve --suri //Alice run --model "$LLM_ID" --model-file "$LLM_FILE" --verify-only \
		--verifier-secret-file "$VERIFIER_SECRET" --listen "127.0.0.1:$LLM_VERIFIER_PORT" \
		--state-dir "$STATE/llm-verifier" >"$LOGS/llm-verifier.log" 2>&1 &
	# Three miners share this machine's cores: one engine thread each, so that all three answer
	# within the commit period (5 blocks on a dev chain).
	for i in 0 1 2; do
		name="llm-${LLM_MINERS[$i]//\//}"
		RAYON_NUM_THREADS=1 serve --suri "${LLM_MINERS[$i]}" run --model "$LLM_ID" --model-file "$LLM_FILE" \
			--listen "127.0.0.1:${LLM_MINER_PORTS[$i]}" --state-dir "$STATE/$name" >"$LOGS/$name.log" 2>&1 &
	done
fi

# `grep -m1`, not `grep | head -1`: under pipefail, grep's SIGPIPE would end the script.
SAMPLE="$(grep -v -m1 '^#' "$REPO_ROOT/models/digits/test.csv")"
PIXELS="${SAMPLE%,*}"
LABEL="${SAMPLE##*,}"
HEX="0x$(tr ',' '\n' <<<"$PIXELS" | xargs printf '%02x')"

cat <<EOM

  ModelChain dev chain with the demo model
  ----------------------------------------
  RPC (WebSocket/HTTP): $RPC
  polkadot.js apps:     https://polkadot.js.org/apps/?rpc=ws%3A%2F%2F127.0.0.1%3A$RPC_PORT#/explorer
                        (or Settings > custom endpoint > $RPC)
  Node metrics:         http://127.0.0.1:$PROMETHEUS_PORT/metrics
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
EOM
if [ "$DEV_LLM" != 0 ]; then
	cat <<EOM

  Language model:       $LLM_ID ("SmolLM2-135M-Instruct", GGUF llama, 5 MDL per job, shares: Alice)
                        miners http://127.0.0.1:{$(IFS=,; echo "${LLM_MINER_PORTS[*]}")}, verifier :$LLM_VERIFIER_PORT
  Ask it from polkadot.js apps: Developer > Extrinsics, account EVE,
    inference > requestInference(model: $LLM_ID, input: Inline, max_fee: 5000000000000)
  with the input typed as text, e.g.  What is 2+2?
  (or JSON: {"prompt": "What is 2+2?", "max_tokens": 32}). Within ~10 blocks
  inference.results(job) holds the answer's token ids. From the command line, with the text:
    $WORKER_BIN --rpc $RPC --suri //Eve ask --model $LLM_ID \\
      --prompt "What is 2+2?" --max-tokens 32 --model-file $LLM_FILE
EOM
fi
cat <<EOM

  Stop: Ctrl-C (or SIGTERM to pid $$)

EOM
# Until the node exits or a signal stops this script (its trap stops every worker).
wait "$node_pid"
