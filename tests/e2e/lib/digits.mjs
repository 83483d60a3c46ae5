// The demo model (models/digits) in plain JavaScript: reads the safetensors file and runs the
// integer MLP, independently of the worker's Rust engine, so the tests can check that the
// chain's result is what the model really predicts.

import fs from 'node:fs';
import path from 'node:path';

import { repoRoot } from './node.mjs';

export const modelDir = path.join(repoRoot, 'models', 'digits');
export const modelFile = path.join(modelDir, 'model.safetensors');
export const modelCard = path.join(modelDir, 'model.json');

/** Loads the weights: { w1, b1, w2, b2 } as Float32Arrays with shapes, and shift1. */
export function loadModel(file = modelFile) {
  const bytes = fs.readFileSync(file);
  const headerLength = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8'));
  const base = 8 + headerLength;
  const tensor = (name) => {
    const { shape, data_offsets: [begin, end] } = header[name];
    const slice = bytes.subarray(base + begin, base + end);
    const values = new Float32Array(slice.buffer.slice(slice.byteOffset, slice.byteOffset + slice.length));
    return { shape, values };
  };
  return {
    w1: tensor('w1'),
    b1: tensor('b1'),
    w2: tensor('w2'),
    b2: tensor('b2'),
    shift: Number(header.__metadata__.shift1),
  };
}

/** `[class, logit_0..logit_9]` for 64 pixels (0..16), exactly as the worker computes it. */
export function predict(model, pixels) {
  if (pixels.length !== 64 || pixels.some((p) => p < 0 || p > 16)) return [-1];
  const hidden = model.w1.shape[1];
  const h = new Array(hidden).fill(0);
  for (let j = 0; j < hidden; j++) {
    let acc = model.b1.values[j];
    for (let i = 0; i < 64; i++) acc += pixels[i] * model.w1.values[i * hidden + j];
    h[j] = Math.min(127, Math.max(0, Math.floor(acc / 2 ** model.shift)));
  }
  const logits = [];
  for (let k = 0; k < 10; k++) {
    let acc = model.b2.values[k];
    for (let j = 0; j < hidden; j++) acc += h[j] * model.w2.values[j * 10 + k];
    logits.push(acc);
  }
  let best = 0;
  for (let k = 1; k < 10; k++) if (logits[k] > logits[best]) best = k;
  return [best, ...logits];
}

/** The held-out rows: [{ pixels, label }]. */
export function testSet() {
  return fs
    .readFileSync(path.join(modelDir, 'test.csv'), 'utf8')
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const values = line.split(',').map(Number);
      return { pixels: values.slice(0, 64), label: values[64] };
    });
}
