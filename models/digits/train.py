#!/usr/bin/env python3
"""Trains ModelChain's demo model: an int8 MLP (64 -> 32 -> 10) on scikit-learn's 8x8 digits.

Reads `digits.csv.gz` (1797 rows: 64 pixel values 0..16 and the label; the UCI optdigits test
set as shipped inside the scikit-learn wheel), splits it 80/20 with a fixed seed, trains a float
MLP with numpy, quantizes it to integer weights and writes:

  model.safetensors  the weights, as F32 tensors holding integers (see README.md for the maths)
  model.json         the model card: sha256 of the weights file, accuracies, split, sizes
  test.csv           the held-out 20 % (pixels + label), used by the Rust and e2e tests

Inference is integer-only, so every CPU or GPU computes the same output bit for bit:
  acc1   = x . w1 + b1                (x: 64 pixels 0..16)
  hidden = clamp(floor(acc1 / 2^shift), 0, 127)
  logits = hidden . w2 + b2
  output = [argmax(logits), logits...]   (ties go to the lowest class)

Usage: train.py DIGITS_CSV_GZ OUT_DIR   (scripts/train-model.sh fetches the data and numpy)
"""
import gzip
import hashlib
import json
import struct
import sys

import numpy as np

SEED = 20261123
HIDDEN = 32
EPOCHS = 400
BATCH = 64
LEARNING_RATE = 0.01


def load(path):
    with gzip.open(path, "rt") as f:
        rows = [list(map(float, line.split(","))) for line in f if line.strip()]
    data = np.array(rows)
    return data[:, :64].astype(np.int64), data[:, 64].astype(np.int64)


def int_forward(x, w1, b1, shift, w2, b2):
    acc1 = x @ w1 + b1
    hidden = np.clip(np.floor_divide(acc1, 2**shift), 0, 127)
    logits = hidden @ w2 + b2
    return np.argmax(logits, axis=1), logits, acc1


def train(x, y):
    rng = np.random.default_rng(SEED)
    xf = x / 16.0
    w1 = rng.normal(0, np.sqrt(2 / 64), (64, HIDDEN))
    b1 = np.zeros(HIDDEN)
    w2 = rng.normal(0, np.sqrt(2 / HIDDEN), (HIDDEN, 10))
    b2 = np.zeros(10)
    params = [w1, b1, w2, b2]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    step = 0
    for _ in range(EPOCHS):
        order = rng.permutation(len(x))
        for start in range(0, len(x), BATCH):
            idx = order[start : start + BATCH]
            xb, yb = xf[idx], y[idx]
            h_pre = xb @ w1 + b1
            h = np.maximum(h_pre, 0)
            logits = h @ w2 + b2
            p = np.exp(logits - logits.max(axis=1, keepdims=True))
            p /= p.sum(axis=1, keepdims=True)
            p[np.arange(len(yb)), yb] -= 1
            p /= len(yb)
            grads = [None, None, h.T @ p, p.sum(axis=0)]
            dh = (p @ w2.T) * (h_pre > 0)
            grads[0] = xb.T @ dh + 1e-4 * w1
            grads[1] = dh.sum(axis=0)
            step += 1
            for i, (param, grad) in enumerate(zip(params, grads)):
                m[i] = 0.9 * m[i] + 0.1 * grad
                v[i] = 0.999 * v[i] + 0.001 * grad * grad
                m_hat = m[i] / (1 - 0.9**step)
                v_hat = v[i] / (1 - 0.999**step)
                param -= LEARNING_RATE * m_hat / (np.sqrt(v_hat) + 1e-8)
    return w1, b1, w2, b2


def quantize(x_train, w1, b1, w2, b2):
    s1 = 127 / np.abs(w1).max()
    w1q = np.round(w1 * s1).astype(np.int64)
    # float pre-activation = (x / 16) . w1 + b1, so acc1 = x . w1q + b1q is 16 * s1 times it
    b1q = np.round(b1 * 16 * s1).astype(np.int64)
    acc1 = x_train @ w1q + b1q
    # the smallest shift that keeps the 99.9th percentile of positive activations under 128
    top = np.percentile(acc1[acc1 > 0], 99.9)
    shift = 0
    while top / 2**shift > 127:
        shift += 1
    hidden_scale = 16 * s1 / 2**shift
    s2 = 127 / np.abs(w2).max()
    w2q = np.round(w2 * s2).astype(np.int64)
    b2q = np.round(b2 * hidden_scale * s2).astype(np.int64)
    return w1q, b1q, shift, w2q, b2q


def safetensors(tensors, metadata):
    """Serializes F32 tensors in the safetensors format, keys sorted (reproducible bytes)."""
    header = {"__metadata__": metadata}
    blobs = []
    offset = 0
    for name in sorted(tensors):
        array = np.ascontiguousarray(tensors[name], dtype="<f4")
        blob = array.tobytes()
        header[name] = {"dtype": "F32", "shape": list(array.shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header, sort_keys=True, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(blobs)


def main():
    source, out = sys.argv[1], sys.argv[2]
    x, y = load(source)
    rng = np.random.default_rng(SEED)
    order = rng.permutation(len(x))
    cut = int(len(x) * 0.8)
    train_idx, test_idx = np.sort(order[:cut]), np.sort(order[cut:])
    w1, b1, w2, b2 = train(x[train_idx], y[train_idx])

    def float_accuracy(idx):
        h = np.maximum(x[idx] / 16.0 @ w1 + b1, 0)
        return float(np.mean(np.argmax(h @ w2 + b2, axis=1) == y[idx]))

    w1q, b1q, shift, w2q, b2q = quantize(x[train_idx], w1, b1, w2, b2)
    for q in (w1q, w2q):
        assert np.abs(q).max() <= 127
    classes, logits, acc1 = int_forward(x[test_idx], w1q, b1q, shift, w2q, b2q)
    int_accuracy = float(np.mean(classes == y[test_idx]))
    train_classes, _, _ = int_forward(x[train_idx], w1q, b1q, shift, w2q, b2q)
    # f32 holds every intermediate exactly: they stay far below 2^24
    bound1 = 64 * 16 * 127 + int(np.abs(b1q).max())
    bound2 = HIDDEN * 127 * 127 + int(np.abs(b2q).max())
    assert max(bound1, bound2) < 2**24, (bound1, bound2)

    metadata = {
        "architecture": "mlp-64-32-10",
        "format": "modelchain-int-mlp/1",
        "shift1": str(shift),
        "input": "64 bytes: 8x8 pixels, values 0..16, row-major",
        "output": "[class, logit_0, ..., logit_9] as integers",
    }
    blob = safetensors(
        {"w1": w1q, "b1": b1q, "w2": w2q, "b2": b2q}, metadata
    )
    with open(f"{out}/model.safetensors", "wb") as f:
        f.write(blob)
    dataset = open(source, "rb").read()
    card = {
        "name": "Digits",
        "architecture": "mlp-64-32-10",
        "weights_file": "model.safetensors",
        "weights_sha256": hashlib.sha256(blob).hexdigest(),
        "weights_bytes": len(blob),
        "dataset": "scikit-learn 1.7.2 sklearn/datasets/data/digits.csv.gz (UCI optdigits, 1797 rows)",
        "dataset_sha256": hashlib.sha256(dataset).hexdigest(),
        "split": {"seed": SEED, "train": len(train_idx), "test": len(test_idx)},
        "shift1": shift,
        "float_test_accuracy": round(float_accuracy(test_idx), 4),
        "int_train_accuracy": round(float(np.mean(train_classes == y[train_idx])), 4),
        "int_test_accuracy": round(int_accuracy, 4),
        "int_test_correct": int(np.sum(classes == y[test_idx])),
        "licence": "Apache-2.0 (weights); data: UCI optdigits, CC BY 4.0",
    }
    with open(f"{out}/model.json", "w") as f:
        json.dump(card, f, indent=2)
        f.write("\n")
    with open(f"{out}/test.csv", "w") as f:
        f.write("# held-out split of digits.csv.gz: 64 pixels (0..16), label\n")
        for i in test_idx:
            f.write(",".join(str(v) for v in list(x[i]) + [y[i]]) + "\n")
    # the expected integer outputs of the first test rows, for the engine's tests
    with open(f"{out}/expected.json", "w") as f:
        rows = [{"row": int(r), "output": [int(classes[r])] + [int(v) for v in logits[r]]} for r in range(16)]
        json.dump(rows, f)
        f.write("\n")
    print(json.dumps(card, indent=2))


if __name__ == "__main__":
    main()
