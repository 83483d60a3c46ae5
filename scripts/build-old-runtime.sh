#!/usr/bin/env bash
# Builds the runtime a live chain upgrades *from* (the last released one, `UPGRADE_FROM`), for
# the runtime-upgrade test (tests/e2e/runtime_upgrade.test.mjs): a chain is started on it and
# upgraded to this checkout's runtime through a referendum.
#
# The commit is checked out in a temporary git worktree and built with the shared target
# directory, so only this repository's crates compile again (a few minutes; the dependencies
# are the ones every build uses). The wasm goes to $MODELCHAIN_OLD_RUNTIME (default
# ~/.cache/modelchain/runtimes/<commit>.wasm); an existing file is reused.
#
# Both builds write the runtime's wasm to the same place in the target directory
# (wbuild/modelchain-runtime), so this script makes the next build of this checkout run the
# runtime's build script again (it touches runtime/build.rs): otherwise the node would embed
# the old wasm.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# The commit is in scripts/upgrade-from (read by the e2e test too): spec_version 107, main
# before issue 20 (shares in `Assets`, v0 governance proposals).
UPGRADE_FROM="${UPGRADE_FROM:-$(cat "$REPO_ROOT/scripts/upgrade-from")}"
out="${MODELCHAIN_OLD_RUNTIME:-$HOME/.cache/modelchain/runtimes/$UPGRADE_FROM.wasm}"
if [ -s "$out" ]; then
	log "old runtime: $out (cached)"
	exit 0
fi
if ! git -C "$REPO_ROOT" cat-file -e "$UPGRADE_FROM^{commit}" 2>/dev/null; then
	echo "commit $UPGRADE_FROM is not in this clone (a shallow clone?): fetch the history to build the runtime to upgrade from" >&2
	exit 1
fi
mkdir -p "$(dirname "$out")"
worktree="$(mktemp -d -t modelchain-old-runtime.XXXXXX)"
cleanup() {
	git -C "$REPO_ROOT" worktree remove --force "$worktree" >/dev/null 2>&1 || rm -rf "$worktree"
	git -C "$REPO_ROOT" worktree prune
	touch "$REPO_ROOT/runtime/build.rs"
}
trap cleanup EXIT
git -C "$REPO_ROOT" worktree add --detach "$worktree" "$UPGRADE_FROM" >&2
log "building the runtime of $UPGRADE_FROM"
(cd "$worktree" && cargo build --locked --release -p modelchain-runtime)
cp "$CARGO_TARGET_DIR/release/wbuild/modelchain-runtime/modelchain_runtime.compact.compressed.wasm" "$out.tmp"
mv "$out.tmp" "$out"
log "old runtime: $out ($(stat -c %s "$out") bytes)"
