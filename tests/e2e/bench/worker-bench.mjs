// Worker overhead and end-to-end throughput (a benchmark, not a test): run by
// scripts/bench-worker.sh, which writes the result to bench/worker.json.
//
// 1. The bare engine: `modelchain-worker infer --repeat` on one held-out image.
// 2. A dev chain with three miners and a verifier serving the demo model: JOBS inferences are
//    requested at once by four accounts, and the time until the last one finishes gives jobs
//    per minute. The miners' /metrics give the engine time per job inside the worker and the
//    time from picking a job up to having its commitment ready (engine, saving the salt to
//    disk, bookkeeping): the worker's own overhead is the difference.

import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { Keyring } from '@polkadot/keyring';
import { u8aToHex } from '@polkadot/util';
import { cryptoWaitReady } from '@polkadot/util-crypto';

import { modelCard, modelFile, testSet } from '../lib/digits.mjs';
import { connect, freePort, sendAndWait, startNode, waitFor } from '../lib/node.mjs';
import { startWorker, workerBinary, workerCommand } from '../lib/worker.mjs';

const JOBS = Number(process.env.BENCH_JOBS || 40);
const REPEAT = Number(process.env.BENCH_ENGINE_REPEAT || 20000);
const out = process.argv[2] || 'bench/worker.json';
const images = testSet();

const { stdout } = await promisify(execFile)(workerBinary(), [
  'infer', '--model-file', modelFile, '--pixels', images[0].pixels.join(','), '--repeat', String(REPEAT),
]);
const bare = JSON.parse(stdout);
console.log(`bare engine: ${bare.engine_us_per_inference.toFixed(1)} µs per inference (${REPEAT} runs)`);

await cryptoWaitReady();
const verifierPort = await freePort();
const node = await startNode({
  name: 'bench',
  args: ['--dev', '--tmp', '--inference-verifier-url', `http://127.0.0.1:${verifierPort}`],
});
const workers = [];
try {
  const api = await connect(node.url);
  const keyring = new Keyring({ type: 'sr25519' });
  const published = await workerCommand(node.url, '//Alice', [
    'model', 'publish', '--model-file', modelFile, '--card', modelCard, '--price', '1', '--shares', '1000000',
  ]);
  const model = Number(/MODEL_ID=(\d+)/.exec(published)[1]);
  workers.push(await startWorker({
    rpc: node.url, suri: '//Alice', name: 'bench-verifier', port: verifierPort,
    args: ['--model', String(model), '--model-file', modelFile, '--verify-only'],
  }));
  const minerSuris = ['//Bob', '//Charlie', '//Dave'];
  const ports = await Promise.all(minerSuris.map(() => freePort()));
  await Promise.all(minerSuris.map((suri, i) => workerCommand(node.url, suri, [
    'register', '--model', String(model), '--model-file', modelFile,
    '--endpoint', `http://127.0.0.1:${ports[i]}`, '--bond', '2000',
  ])));
  for (const [i, suri] of minerSuris.entries()) {
    workers.push(await startWorker({
      rpc: node.url, suri, name: `bench-${suri.slice(2).toLowerCase()}`, port: ports[i],
      args: ['--model', String(model), '--model-file', modelFile],
    }));
  }

  const finished = new Map();
  const requested = new Map();
  const unsub = await api.query.system.events(async (records) => {
    const now = Date.now();
    for (const { event } of records) {
      if (api.events.inference.JobFinished.is(event)) {
        finished.set(event.data.job.toNumber(), { at: now, outcome: event.data.outcome.toString() });
      }
    }
  });
  const requesters = ['//Eve', '//Ferdie', '//Alice', '//Eve//bench'].map((uri) => keyring.addFromUri(uri));
  await sendAndWait(api, api.tx.balances.transferKeepAlive(requesters[3].address, 1000n * 10n ** 12n), requesters[0]);
  const nonces = await Promise.all(requesters.map(async (r) => (await api.rpc.system.accountNextIndex(r.address)).toNumber()));
  const started = Date.now();
  const firstJob = (await api.query.inference.nextJobId()).toNumber();
  await Promise.all(
    Array.from({ length: JOBS }, (_, i) => {
      const who = i % requesters.length;
      const pixels = images[i % images.length].pixels;
      const nonce = nonces[who]++;
      return api.tx.inference
        .requestInference(model, { Inline: u8aToHex(Uint8Array.from(pixels)) }, 10n ** 12n)
        .signAndSend(requesters[who], { nonce })
        .then(() => requested.set(i, Date.now()));
    }),
  );
  await waitFor(
    async () => [...Array(JOBS).keys()].every((i) => finished.has(firstJob + i)),
    { timeoutMs: 600_000, intervalMs: 1000, message: `${JOBS} jobs finished` },
  );
  const elapsed = (Math.max(...[...finished.values()].map((f) => f.at)) - started) / 1000;
  unsub();
  const outcomes = {};
  for (const { outcome } of finished.values()) outcomes[outcome] = (outcomes[outcome] || 0) + 1;

  const metric = (text, name) => Number(new RegExp(`^modelchain_worker_${name} (\\S+)$`, 'm').exec(text)[1]);
  const perMiner = [];
  for (const worker of workers.slice(1)) {
    const text = await worker.metrics();
    const runs = metric(text, 'engine_runs_total');
    const commitRuns = metric(text, 'commit_latency_runs_total');
    perMiner.push({
      jobs: runs,
      engine_us_per_job: (metric(text, 'engine_seconds_total') / runs) * 1e6,
      pickup_to_commitment_ready_us: (metric(text, 'commit_latency_seconds_total') / commitRuns) * 1e6,
      commits: metric(text, 'commits_total'),
      reveals: metric(text, 'reveals_total'),
      tx_failures: metric(text, 'tx_failures_total'),
    });
  }
  const mean = (key) => perMiner.reduce((s, m) => s + m[key], 0) / perMiner.length;
  const result = {
    measured_at: new Date().toISOString(),
    machine: `${os.cpus().length}x ${os.cpus()[0]?.model ?? 'cpu'}`,
    bare_engine_us_per_inference: bare.engine_us_per_inference,
    worker_engine_us_per_job: mean('engine_us_per_job'),
    worker_pickup_to_commitment_ready_us: mean('pickup_to_commitment_ready_us'),
    worker_overhead_us: mean('pickup_to_commitment_ready_us') - mean('engine_us_per_job'),
    jobs: JOBS,
    seconds_to_finish_all: elapsed,
    jobs_per_minute: (JOBS / elapsed) * 60,
    outcomes,
    miners: perMiner,
  };
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result, null, 2));
  await api.disconnect();
} finally {
  for (const worker of workers) await worker.kill();
  await node.stop();
}
process.exit(0);
