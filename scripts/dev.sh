#!/usr/bin/env bash
# Builds ModelChain (release) and runs a development chain: one validator (Alice), blocks every
# 3 s, GRANDPA finality, RPC on ws://127.0.0.1:9944. Ctrl-C stops it.
#
#   ./scripts/dev.sh            # fresh chain each time (--tmp)
#   DEV_BASE_PATH=/path ./scripts/dev.sh   # keep the chain between runs
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

"$REPO_ROOT/scripts/setup.sh"
build_release

RPC_PORT="${RPC_PORT:-9944}"
if [ -n "${DEV_BASE_PATH:-}" ]; then
	storage=(--base-path "$DEV_BASE_PATH")
else
	storage=(--tmp)
fi

cat <<EOM

  ModelChain dev chain
  --------------------
  RPC (WebSocket/HTTP): ws://127.0.0.1:$RPC_PORT
  polkadot.js apps:     https://polkadot.js.org/apps/?rpc=ws%3A%2F%2F127.0.0.1%3A$RPC_PORT#/explorer
                        (or Settings > custom endpoint > ws://127.0.0.1:$RPC_PORT)
  Prometheus metrics:   http://127.0.0.1:9615/metrics
  Funded dev accounts:  Alice (validator, sudo), Bob, Charlie, Dave, Eve, Ferdie
  Stop:                 Ctrl-C

EOM
exec "$NODE_BIN" --dev "${storage[@]}" --rpc-port "$RPC_PORT" --rpc-cors all --prometheus-port 9615 "$@"
