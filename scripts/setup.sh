#!/usr/bin/env bash
# Installs what building and testing ModelChain needs; idempotent (installs only what is missing):
# Debian packages (protobuf-compiler, clang, libclang-dev), the Rust wasm targets and rust-src,
# rustfmt and clippy, and the npm packages of the end-to-end tests.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

missing=()
for pkg in protobuf-compiler clang libclang-dev pkg-config; do
	dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
	log "installing Debian packages: ${missing[*]}"
	SUDO=""
	[ "$(id -u)" -eq 0 ] || SUDO="sudo"
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! command -v cargo >/dev/null; then
	echo "cargo not found: install Rust with rustup first" >&2
	exit 1
fi
installed_targets="$(rustup target list --installed)"
for target in wasm32v1-none wasm32-unknown-unknown; do
	grep -qx "$target" <<<"$installed_targets" || { log "rustup target add $target"; rustup target add "$target"; }
done
installed_components="$(rustup component list --installed)"
for component in rust-src rustfmt clippy; do
	grep -q "^$component" <<<"$installed_components" || { log "rustup component add $component"; rustup component add "$component"; }
done

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
	log "installing Node.js and npm"
	SUDO=""
	[ "$(id -u)" -eq 0 ] || SUDO="sudo"
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nodejs npm >/dev/null
fi
e2e="$REPO_ROOT/tests/e2e"
if [ ! -d "$e2e/node_modules/@polkadot/api" ] || [ "$e2e/package-lock.json" -nt "$e2e/node_modules/.package-lock.json" ]; then
	log "npm ci (tests/e2e)"
	(cd "$e2e" && npm ci --no-audit --no-fund --loglevel=error)
fi
# llama.cpp (node-llama-cpp's prebuilt binaries): the independent implementation the language
# model's engine is compared with (tests/e2e/llm_reference.test.mjs, bench/llm.sh).
reference="$REPO_ROOT/bench/llama-cpp"
if [ ! -d "$reference/node_modules/node-llama-cpp" ] || [ "$reference/package-lock.json" -nt "$reference/node_modules/.package-lock.json" ]; then
	log "npm ci (bench/llama-cpp)"
	(cd "$reference" && npm ci --no-audit --no-fund --loglevel=error)
fi
log "setup complete"
