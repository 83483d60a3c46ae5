#!/usr/bin/env bash
# Shared settings of the ModelChain scripts: the one target directory every build uses.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export REPO_ROOT
# One shared target directory outside the checkout, so CI on this machine reuses the build.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/modelchain/target}"
export NODE_BIN="$CARGO_TARGET_DIR/release/modelchain-node"
export WORKER_BIN="$CARGO_TARGET_DIR/release/modelchain-worker"
# Two cores: keep cargo from starting more jobs than the machine can run.
export CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-$(nproc)}"

log() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }

# Clippy runs inside the build: clippy-driver wraps rustc for the workspace's own crates only
# (dependencies compile with plain rustc), so linting costs no second pass over the ~1,000
# dependency crates the way `cargo clippy` (a separate check profile) would. Every script builds
# with the same wrapper and arguments, so the fingerprints match and nothing recompiles between
# dev.sh, test.sh and CI.
if [ -z "${RUSTC_WORKSPACE_WRAPPER+set}" ]; then
	# A fresh machine may lack clippy: add it here, before the first build, so every build
	# (dev.sh, test.sh, CI) sees the same wrapper from the start.
	rustup which clippy-driver >/dev/null 2>&1 || rustup component add clippy >&2
	RUSTC_WORKSPACE_WRAPPER="$(rustup which clippy-driver)"
fi
export RUSTC_WORKSPACE_WRAPPER
export CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__"

# The one build command every script uses, so each profile and feature set is compiled once.
# `--all-targets` builds the test harnesses too, so `cargo test --release` reuses this build.
# The worker is a workspace of its own (worker/Cargo.toml explains why), built second.
build_release() {
	log "cargo build --release --workspace --all-targets (clippy: ${RUSTC_WORKSPACE_WRAPPER:-off})"
	(cd "$REPO_ROOT" && cargo build --locked --release --workspace --all-targets)
	log "cargo build --release --all-targets (worker/)"
	(cd "$REPO_ROOT/worker" && cargo build --locked --release --all-targets)
}
