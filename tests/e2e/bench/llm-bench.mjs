// The language model's speed (a benchmark, not a test): run by scripts/bench-llm.sh, which
// writes bench/llm.json. Everything in ONE run on the same machine and thread count:
//
// 1. Bare engines, interleaved A B A B: the worker's candle engine (`modelchain-worker infer`)
//    and llama.cpp (node-llama-cpp 3.21.1, bench/llama-cpp/reference.mjs) on the same GGUF and
//    the same prompt token ids: time to first token, prefill and decode tokens/s (medians).
// 2. The tolerance study behind the verifier's δ and near-tie cap: for every prompt of
//    bench/llm-prompts.txt, how many greedy tokens the two implementations share, and whether
//    the worker's teacher-forcing check accepts llama.cpp's whole answer (its near ties, its
//    widest logit gap).
// 3. The worker serving jobs on a dev chain (three miners, a verifier, the chain's defaults):
//    per job, the engine's time inside the worker and the time from picking the job up to
//    having its commitment ready: the worker's own overhead is the difference. And a 32-token
//    completion's latency from request to its quorum (the answer on chain) and to settled.

import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

import { cryptoWaitReady } from '@polkadot/util-crypto';

import { cardFile, requireGguf } from '../lib/llm.mjs';
import { connect, freePort, repoRoot, startNode, waitFor } from '../lib/node.mjs';
import { startWorker, verifierSecret, workerBinary, workerCommand } from '../lib/worker.mjs';

const run = promisify(execFile);
const out = process.argv[2] || 'bench/llm.json';
const ROUNDS = Number(process.env.BENCH_LLM_ROUNDS || 3);
const THREADS = Number(process.env.BENCH_LLM_THREADS || 2);
const JOBS = Number(process.env.BENCH_LLM_JOBS || 4);
const PROMPT = 'List three uses of a GPU.';
const TOKENS = 32;
const gguf = requireGguf();
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const candle = async () =>
  JSON.parse((await run(workerBinary(), ['infer', '--model-file', gguf, '--prompt', PROMPT, '--max-tokens', String(TOKENS), '--repeat', '3'], {
    env: { ...process.env, RAYON_NUM_THREADS: String(THREADS), RUST_LOG: 'warn' },
  })).stdout);
const llamaCpp = async (tokens) =>
  JSON.parse((await run(process.execPath, [
    path.join(repoRoot, 'bench', 'llama-cpp', 'reference.mjs'), '--model', gguf, '--tokens', tokens.join(','),
    '--max-tokens', String(TOKENS), '--threads', String(THREADS), '--repeat', '3',
  ])).stdout);

const rows = { candle: [], llama_cpp: [] };
let prompt;
let generated;
for (let round = 0; round < ROUNDS; round++) {
  const ours = await candle();
  prompt = ours.prompt;
  generated = ours.output;
  rows.candle.push(ours);
  rows.llama_cpp.push(await llamaCpp(prompt));
}
const summarize = (runs) => ({
  time_to_first_token_ms: median(runs.map((r) => r.time_to_first_token_ms)),
  prefill_tokens_per_s: median(runs.map((r) => r.prefill_tokens_per_s)),
  decode_tokens_per_s: median(runs.map((r) => r.decode_tokens_per_s)),
});
const engines = { candle: summarize(rows.candle), llama_cpp: summarize(rows.llama_cpp) };
const agree = (() => {
  const theirs = rows.llama_cpp[0].output;
  let n = 0;
  while (n < generated.length && generated[n] === theirs[n]) n++;
  return n;
})();
console.log(JSON.stringify(engines));

const check = async (prompt, output) =>
  JSON.parse((await run(workerBinary(), [
    'check', '--model-file', gguf, '--input', JSON.stringify({ prompt, max_tokens: TOKENS }), '--output', output.join(','),
  ], { env: { ...process.env, RUST_LOG: 'warn' } })).stdout);
const study = [];
for (const prompt of fs.readFileSync(path.join(repoRoot, 'bench', 'llm-prompts.txt'), 'utf8').split('\n').filter(Boolean)) {
  const ours = JSON.parse((await run(workerBinary(), ['infer', '--model-file', gguf, '--prompt', prompt, '--max-tokens', String(TOKENS)], {
    env: { ...process.env, RUST_LOG: 'warn' },
  })).stdout);
  const theirs = JSON.parse((await run(process.execPath, [
    path.join(repoRoot, 'bench', 'llama-cpp', 'reference.mjs'), '--model', gguf, '--tokens', ours.prompt.join(','),
    '--max-tokens', String(TOKENS), '--threads', String(THREADS),
  ])).stdout);
  const claimed = theirs.stopped ? [...theirs.output, theirs.eos] : theirs.output;
  let same = 0;
  while (same < Math.min(ours.output.length, claimed.length) && ours.output[same] === claimed[same]) same++;
  const verdict = await check(prompt, claimed);
  study.push({ prompt, tokens: claimed.length, same_prefix: same, ...verdict });
  console.log(JSON.stringify(study.at(-1)));
}
const accepted = study.filter((s) => s.accepted);
const tolerance = {
  prompts: study.length,
  identical: study.filter((s) => s.same_prefix === s.tokens).length,
  agree_16_or_more: study.filter((s) => s.same_prefix >= Math.min(16, s.tokens)).length,
  llama_cpp_answers_accepted: accepted.length,
  widest_gap_max: Math.max(...accepted.map((s) => s.widest_gap)),
  near_ties_max: Math.max(...accepted.map((s) => s.near_ties)),
  tolerance: study[0]?.tolerance,
  rejected: study.filter((s) => !s.accepted),
  detail: study,
};

await cryptoWaitReady();
const verifierPort = await freePort();
const secret = verifierSecret();
const node = await startNode({
  name: 'llm-bench',
  args: ['--dev', '--tmp', '--inference-verifier-url', `http://127.0.0.1:${verifierPort}`, '--inference-verifier-secret-file', secret.file],
});
const workers = [];
let serving;
try {
  const api = await connect(node.url);
  const published = await workerCommand(node.url, '//Alice', ['model', 'publish', '--model-file', gguf, '--card', cardFile]);
  const model = Number(/MODEL_ID=(\d+)/.exec(published)[1]);
  workers.push(await startWorker({
    rpc: node.url, suri: '//Alice', name: 'llm-bench-verifier', port: verifierPort,
    args: ['--model', String(model), '--model-file', gguf, '--verify-only', '--verifier-secret-file', secret.file],
  }));
  const suris = ['//Bob', '//Charlie', '//Dave'];
  const ports = await Promise.all(suris.map(() => freePort()));
  await Promise.all(suris.map((suri, i) => workerCommand(node.url, suri, [
    'register', '--model', String(model), '--endpoint', `http://127.0.0.1:${ports[i]}`, '--bond', '2000',
  ])));
  for (const [i, suri] of suris.entries()) {
    workers.push(await startWorker({
      rpc: node.url, suri, name: `llm-bench-${suri.slice(2).toLowerCase()}`, port: ports[i],
      args: ['--model', String(model), '--model-file', gguf],
      // Three miners and a verifier share this machine's cores: one thread each (as dev.sh).
      env: { RAYON_NUM_THREADS: '1' },
    }));
  }
  const metric = (text, name) => Number(new RegExp(`^modelchain_worker_${name} (\\S+)$`, 'm').exec(text)[1]);
  const totals = async () => {
    const texts = await Promise.all(workers.slice(1).map((w) => w.metrics()));
    const sum = (name) => texts.reduce((s, t) => s + metric(t, name), 0);
    return { runs: sum('engine_runs_total'), engine: sum('engine_seconds_total'), ready: sum('commit_latency_seconds_total'), readyRuns: sum('commit_latency_runs_total') };
  };
  const quorumAt = new Map();
  await api.query.system.events((records) => {
    for (const { event } of records) {
      if (api.events.inference.QuorumReached.is(event)) quorumAt.set(event.data.job.toNumber(), Date.now());
    }
  });
  const before = await totals();
  const latencies = [];
  for (let i = 0; i < JOBS; i++) {
    const started = Date.now();
    const answer = JSON.parse(await workerCommand(node.url, '//Eve', [
      'ask', '--model', String(model), '--input', JSON.stringify({ prompt: PROMPT, max_tokens: TOKENS }), '--model-file', gguf,
    ]));
    latencies.push({
      job: answer.job,
      outcome: answer.outcome,
      tokens: answer.output?.length ?? 0,
      request_to_quorum_s: (quorumAt.get(answer.job) - started) / 1000,
      request_to_settled_s: (Date.now() - started) / 1000,
      text: answer.text,
    });
    console.log(JSON.stringify(latencies.at(-1)));
  }
  const after = await totals();
  if (latencies.some((l) => l.outcome !== 'Settled')) throw new Error(`a job did not settle: ${JSON.stringify(latencies)}`);
  const engineMs = ((after.engine - before.engine) / (after.runs - before.runs)) * 1e3;
  const readyMs = ((after.ready - before.ready) / (after.readyRuns - before.readyRuns)) * 1e3;
  serving = {
    miners: 3,
    miner_threads: 'one each (RAYON_NUM_THREADS=1): three miners and a verifier share the cores',
    jobs: JOBS,
    engine_ms_per_job_in_worker: engineMs,
    pickup_to_commitment_ready_ms: readyMs,
    worker_overhead_ms_per_job: readyMs - engineMs,
    worker_overhead_ratio: (readyMs - engineMs) / engineMs,
    request_to_quorum_s_median: median(latencies.map((l) => l.request_to_quorum_s)),
    request_to_settled_s_median: median(latencies.map((l) => l.request_to_settled_s)),
    jobs_detail: latencies,
  };
  await api.disconnect();
} finally {
  for (const worker of workers) await worker.kill();
  await node.stop();
}

const result = {
  machine: `${(await import('node:os')).cpus().length} cores, ${(await import('node:os')).cpus()[0].model}`,
  model: 'SmolLM2-135M-Instruct Q4_1 GGUF (98,362,432 B)',
  prompt: PROMPT,
  prompt_tokens: prompt.length,
  generated_tokens: generated.length,
  threads: THREADS,
  rounds: ROUNDS,
  engines,
  decode_ratio_candle_over_llama_cpp: engines.candle.decode_tokens_per_s / engines.llama_cpp.decode_tokens_per_s,
  prefill_ratio_candle_over_llama_cpp: engines.candle.prefill_tokens_per_s / engines.llama_cpp.prefill_tokens_per_s,
  tokens_agreeing_with_llama_cpp: `${agree}/${generated.length}`,
  tolerance_study: tolerance,
  serving,
  command: './scripts/bench-llm.sh',
};
fs.writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result, null, 2));
process.exit(0);
