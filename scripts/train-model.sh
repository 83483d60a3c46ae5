#!/usr/bin/env bash
# Re-trains the demo model (models/digits) from scikit-learn's digits data set.
# Fetches numpy and the scikit-learn wheel (only for its digits.csv.gz) from PyPI into
# ~/.cache/modelchain/py; nothing is installed system-wide. Float training is not bit-for-bit
# reproducible across CPUs, so a re-trained model gets a new hash (see models/digits/README.md).
set -euo pipefail
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${MODELCHAIN_CACHE:-$HOME/.cache/modelchain}/py"
# sha256 of sklearn/datasets/data/digits.csv.gz (the same file in every scikit-learn release).
DIGITS_SHA256="09f66e6debdee2cd2b5ae59e0d6abbb73fc2b0e0185d2e1957e9ebb51e23aa22"
mkdir -p "$CACHE"
if [ ! -x "$CACHE/venv/bin/python" ]; then
	python3 -m venv "$CACHE/venv"
fi
"$CACHE/venv/bin/python" -c 'import numpy' 2>/dev/null || "$CACHE/venv/bin/pip" install -q 'numpy==2.3.5'
if [ ! -f "$CACHE/digits.csv.gz" ]; then
	python3 -m pip download -q --no-deps --only-binary=:all: \
		-d "$CACHE/wheels" "scikit-learn==1.7.2"
	python3 - "$CACHE" <<'PY'
import glob, sys, zipfile
cache = sys.argv[1]
wheel = glob.glob(f"{cache}/wheels/scikit_learn-1.7.2-*.whl")[0]
with zipfile.ZipFile(wheel) as z, open(f"{cache}/digits.csv.gz", "wb") as out:
    out.write(z.read("sklearn/datasets/data/digits.csv.gz"))
PY
fi
echo "$DIGITS_SHA256  $CACHE/digits.csv.gz" | sha256sum -c --quiet - || {
	echo "digits.csv.gz has an unexpected sha256" >&2
	exit 1
}
"$CACHE/venv/bin/python" "$REPO_ROOT/models/digits/train.py" "$CACHE/digits.csv.gz" "${1:-$REPO_ROOT/models/digits}"
