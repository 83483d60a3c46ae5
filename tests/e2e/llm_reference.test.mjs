// The worker's language-model engine against an independent implementation of the same GGUF:
// llama.cpp through node-llama-cpp 3.21.1 (its prebuilt CPU binary; bench/llama-cpp). For each
// prompt, greedy generation from the same prompt token ids must give the same token ids for at
// least the first 16 tokens (where they diverge after that is reported). And the worker's
// output must not depend on its thread count.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';

import { requireGguf } from './lib/llm.mjs';
import { repoRoot } from './lib/node.mjs';
import { workerBinary } from './lib/worker.mjs';

const run = promisify(execFile);
const PROMPTS = [
  'What is 2+2?',
  'What is the capital of France?',
  'Write a haiku about blockchains.',
  'List three uses of a GPU.',
];
const TOKENS = 32;

const infer = async (prompt, threads) =>
  JSON.parse(
    (
      await run(workerBinary(), ['infer', '--model-file', requireGguf(), '--prompt', prompt, '--max-tokens', String(TOKENS)], {
        env: { ...process.env, RAYON_NUM_THREADS: String(threads), RUST_LOG: 'warn' },
        timeout: 120_000,
      })
    ).stdout,
  );

const llamaCpp = async (tokens) =>
  JSON.parse(
    (
      await run(
        process.execPath,
        [
          path.join(repoRoot, 'bench', 'llama-cpp', 'reference.mjs'),
          '--model', requireGguf(), '--tokens', tokens.join(','), '--max-tokens', String(TOKENS), '--threads', '2',
        ],
        { timeout: 120_000 },
      )
    ).stdout,
  );

describe('the language-model engine against llama.cpp on the same GGUF', () => {
  for (const prompt of PROMPTS) {
    test(`greedy token ids agree: ${JSON.stringify(prompt)}`, async () => {
      const ours = await infer(prompt, 2);
      const theirs = await llamaCpp(ours.prompt);
      assert.deepEqual(theirs.prompt, ours.prompt);
      const n = Math.min(ours.output.length, theirs.output.length);
      let agree = 0;
      while (agree < n && ours.output[agree] === theirs.output[agree]) agree++;
      console.log(`# ${JSON.stringify(prompt)}: ${agree}/${Math.max(ours.output.length, theirs.output.length)} tokens agree; ours ${JSON.stringify(ours.text)}`);
      assert.ok(agree >= Math.min(16, ours.output.length), `diverged at token ${agree}: ${ours.output} vs ${theirs.output}`);
      if (agree === ours.output.length) assert.deepEqual(ours.output, theirs.output);
    });
  }

  test('the output does not depend on the thread count', async () => {
    const one = await infer(PROMPTS[2], 1);
    const two = await infer(PROMPTS[2], 2);
    assert.deepEqual(one.output, two.output);
    assert.ok(one.deterministic && two.deterministic);
  });
});
