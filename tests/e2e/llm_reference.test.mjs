// The worker's language-model engine against an independent implementation of the same GGUF:
// llama.cpp through node-llama-cpp 3.21.1 (its prebuilt CPU binary; bench/llama-cpp). For each
// prompt, from the same prompt token ids (the tokenizers must agree on them):
// - greedy generation gives the same token ids for at least 16 tokens, OR the two diverge at a
//   near tie: llama.cpp sums in another order (its own AVX2 kernels, an f16 key-value cache), so
//   where the model hesitates between two tokens the two implementations may pick differently;
// - either way, llama.cpp's whole answer must pass the worker's teacher-forcing check (what a
//   verifier does): an honest answer from another implementation is accepted, which is what the
//   tolerance is for. Where and by how much they diverge is printed.
// And the worker's output must not depend on its thread count.

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
  // The widest gap seen against llama.cpp (0.30, bench/llm.json's tolerance study).
  'Tell me a joke.',
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

const check = async (prompt, output) =>
  JSON.parse(
    (
      await run(workerBinary(), [
        'check', '--model-file', requireGguf(), '--input', JSON.stringify({ prompt, max_tokens: TOKENS }),
        '--output', output.join(','),
      ], { env: { ...process.env, RUST_LOG: 'warn' }, timeout: 120_000 })
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
    test(`same token ids, or a near tie the verifier accepts: ${JSON.stringify(prompt)}`, async () => {
      const ours = await infer(prompt, 2);
      const theirs = await llamaCpp(ours.prompt);
      assert.deepEqual(theirs.prompt, ours.prompt, 'the two tokenizers agree on the prompt');
      // node-llama-cpp does not yield the end-of-generation token it stopped at.
      const theirOutput = theirs.stopped ? [...theirs.output, theirs.eos] : theirs.output;
      const n = Math.min(ours.output.length, theirOutput.length);
      let agree = 0;
      while (agree < n && ours.output[agree] === theirOutput[agree]) agree++;
      const verdict = await check(prompt, theirOutput);
      console.log(
        `# ${JSON.stringify(prompt)}: ${agree}/${ours.output.length} tokens agree` +
          `${agree < ours.output.length ? ` (diverge at token ${agree}: ours ${ours.output[agree]}, llama.cpp ${theirOutput[agree]})` : ''}` +
          `; llama.cpp's answer ${verdict.accepted ? `accepted, ${verdict.near_ties} near ties, widest gap ${verdict.widest_gap.toFixed(4)}` : `REJECTED: ${verdict.why}`}` +
          `; ours ${JSON.stringify(ours.text)}`,
      );
      assert.ok(verdict.accepted, `the verifier refuses llama.cpp's answer: ${verdict.why}`);
      if (agree < Math.min(16, ours.output.length)) {
        assert.ok(verdict.near_ties >= 1, 'a divergence before 16 tokens must be at a near tie');
      }
      if (agree === ours.output.length) assert.deepEqual(ours.output, theirOutput);
    });
  }

  test('the output does not depend on the thread count', async () => {
    const one = await infer(PROMPTS[2], 1);
    const two = await infer(PROMPTS[2], 2);
    assert.deepEqual(one.output, two.output);
    assert.ok(one.deterministic && two.deterministic);
  });
});
