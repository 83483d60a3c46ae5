#!/usr/bin/env bash
# Starts a local ModelChain network with zombienet (native provider): four Aura/GRANDPA
# validators (Alice, Bob, Charlie, Dave) and one full node, from the built-in `local4` chain spec.
#
#   ./scripts/network.sh          # spawn and keep running; Ctrl-C tears it down
#   ./scripts/network.sh test     # spawn, run zombienet/0001-block-production.zndsl, tear down
#
# Node logs and data: $NETWORK_DIR (default: a fresh temporary directory), logs in <dir>/<node>.log.
# Ports are picked at random by zombienet; it prints each node's ws:// and Prometheus URLs, and
# writes them to <dir>/zombie.json once the network is up.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ZN_DIR="$REPO_ROOT/zombienet"
ZOMBIENET="$ZN_DIR/node_modules/.bin/zombienet"

if [ "${SKIP_BUILD:-0}" != 1 ]; then
	"$REPO_ROOT/scripts/setup.sh"
	build_release
fi
if [ ! -x "$ZOMBIENET" ]; then
	log "installing @zombienet/cli (npm ci in zombienet/)"
	(cd "$ZN_DIR" && npm ci --no-audit --no-fund)
fi

# network.toml runs `modelchain-node` from PATH.
PATH="$(dirname "$NODE_BIN"):$PATH"
export PATH

DIR="${NETWORK_DIR:-$(mktemp -d -t modelchain-network.XXXXXX)}"
log "network directory: $DIR"

case "${1:-spawn}" in
spawn) exec "$ZOMBIENET" --provider native --logType text --dir "$DIR" --force spawn "$ZN_DIR/network.toml" ;;
test) exec "$ZOMBIENET" --provider native --logType text --dir "$DIR" --force test "$ZN_DIR/0001-block-production.zndsl" ;;
*)
	echo "usage: $0 [spawn|test]" >&2
	exit 2
	;;
esac
