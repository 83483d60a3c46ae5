// Worker overhead and end-to-end throughput (a benchmark, not a test): run by
// scripts/bench-worker.sh, which writes the result to bench/worker.json.
//
// 1. The bare engine: `modelchain-worker infer --repeat` on one held-out image.
// 2. A dev chain with three miners and a verifier serving the demo model: one job alone (its
//    request-to-finished latency), then a stream of BENCH_JOB_RATE requests per second for
//    BENCH_STREAM_SECONDS from four accounts: sustained lifecycles per second and latency. The miners' /metrics give the engine time per job inside the worker and the
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

import { modelFile, testSet } from '../lib/digits.mjs';
import { connect, freePort, sendAndWait, sleep, startNode, waitFor } from '../lib/node.mjs';
import {
  publishDemoModel, registerMiner, serving, startWorker, verifierSecret, workerBinary,
} from '../lib/worker.mjs';

const RATE = Number(process.env.BENCH_JOB_RATE || 12);
const STREAM_SECONDS = Number(process.env.BENCH_STREAM_SECONDS || 60);
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
const secret = verifierSecret();
const node = await startNode({
  name: 'bench',
  args: [
    '--dev', '--tmp', '--inference-verifier-url', `http://127.0.0.1:${verifierPort}`,
    '--inference-verifier-secret-file', secret.file,
  ],
});
const workers = [];
try {
  const api = await connect(node.url);
  const keyring = new Keyring({ type: 'sr25519' });
  const model = await publishDemoModel(node.url, '//Alice');
  workers.push(await startWorker({
    rpc: node.url, suri: '//Alice', name: 'bench-verifier', port: verifierPort,
    args: serving(model, ['--verify-only', '--verifier-secret-file', secret.file]),
  }));
  const minerSuris = ['//Bob', '//Charlie', '//Dave'];
  const ports = await Promise.all(minerSuris.map(() => freePort()));
  await Promise.all(minerSuris.map((suri, i) => registerMiner(node.url, suri, model, ports[i])));
  for (const [i, suri] of minerSuris.entries()) {
    workers.push(await startWorker({
      rpc: node.url, suri, name: `bench-${suri.slice(2).toLowerCase()}`, port: ports[i], args: serving(model),
    }));
  }

  const metric = (text, name) => Number(new RegExp(`^modelchain_worker_${name} (\\S+)$`, 'm').exec(text)[1]);
  const snapshot = async () =>
    Promise.all(workers.slice(1).map(async (worker) => {
      const text = await worker.metrics();
      return Object.fromEntries(
        ['engine_runs_total', 'engine_seconds_total', 'commit_latency_runs_total', 'commit_latency_seconds_total',
          'commits_total', 'reveals_total', 'answer_batches_total', 'tx_failures_total'].map((name) => [name, metric(text, name)]),
      );
    }));
  const perJob = (before, after) =>
    after.map((a, i) => {
      const d = (name) => a[name] - before[i][name];
      return {
        jobs: d('engine_runs_total'),
        engine_us_per_job: (d('engine_seconds_total') / d('engine_runs_total')) * 1e6,
        pickup_to_commitment_ready_us: (d('commit_latency_seconds_total') / d('commit_latency_runs_total')) * 1e6,
        commits: d('commits_total'),
        reveals: d('reveals_total'),
        answer_batches: d('answer_batches_total'),
        tx_failures: d('tx_failures_total'),
      };
    });
  const mean = (rows, key) => rows.reduce((s, m) => s + m[key], 0) / rows.length;

  // One job alone: the worker's overhead without a queue, and a job's end-to-end latency.
  const eve = keyring.addFromUri('//Eve');
  const idle = await snapshot();
  const single = await sendAndWait(
    api,
    api.tx.inference.requestInference(model, { Inline: u8aToHex(Uint8Array.from(images[0].pixels)) }, 10n ** 12n),
    eve,
  );
  const singleJob = single.events.find(({ event }) => api.events.inference.JobRequested.is(event)).event.data.job.toNumber();
  const singleStart = Date.now();
  await waitFor(async () => (await api.query.inference.jobs(singleJob)).unwrap().phase.isFinished, {
    timeoutMs: 120_000, message: 'the single job finished',
  });
  const singleSeconds = (Date.now() - singleStart) / 1000;
  const afterSingle = await snapshot();
  const alone = perJob(idle, afterSingle);

  // A sustained stream: RATE requests per second for STREAM_SECONDS, spread over four
  // requesters (explicit nonces, nothing awaited but the submission). Sustained lifecycles
  // per second = jobs finished per second from the first finish to the last: a chain or a
  // worker that cannot keep up stretches that span.
  const finished = new Map();
  const unsub = await api.query.system.events(async (records) => {
    const now = Date.now();
    for (const { event } of records) {
      if (api.events.inference.JobFinished.is(event)) {
        finished.set(event.data.job.toNumber(), { at: now, outcome: event.data.outcome.toString() });
      }
    }
  });
  const requesters = ['//Eve', '//Ferdie', '//Alice', '//Eve//bench'].map((uri) => keyring.addFromUri(uri));
  await sendAndWait(api, api.tx.balances.transferKeepAlive(requesters[3].address, 100_000n * 10n ** 12n), requesters[0]);
  const nonces = await Promise.all(requesters.map(async (r) => (await api.rpc.system.accountNextIndex(r.address)).toNumber()));
  const firstJob = (await api.query.inference.nextJobId()).toNumber();
  const total = Math.round(RATE * STREAM_SECONDS);
  const submittedAt = [];
  const started = Date.now();
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / RATE;
    if (due > Date.now()) await sleep(due - Date.now());
    const who = i % requesters.length;
    const pixels = images[i % images.length].pixels;
    submittedAt.push(Date.now());
    api.tx.inference
      .requestInference(model, { Inline: u8aToHex(Uint8Array.from(pixels)) }, 10n ** 12n)
      .signAndSend(requesters[who], { nonce: nonces[who]++ })
      .catch((error) => console.error(`request ${i}: ${error.message}`));
  }
  const submitSeconds = (Date.now() - started) / 1000;
  await waitFor(
    async () => [...Array(total).keys()].every((i) => finished.has(firstJob + i)),
    { timeoutMs: 300_000 + total * 1000, intervalMs: 1000, message: `${total} jobs finished` },
  );
  unsub();
  const ours = [...finished].filter(([job]) => job >= firstJob && job < firstJob + total);
  const ends = ours.map(([, f]) => f.at).sort((x, y) => x - y);
  const latencies = ours.map(([job, f]) => (f.at - submittedAt[job - firstJob]) / 1000).sort((x, y) => x - y);
  const quantile = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  const outcomes = {};
  for (const [, { outcome }] of ours) outcomes[outcome] = (outcomes[outcome] || 0) + 1;

  const perMiner = perJob(afterSingle, await snapshot());
  const result = {
    measured_at: new Date().toISOString(),
    machine: `${os.cpus().length}x ${os.cpus()[0]?.model ?? 'cpu'}`,
    bare_engine_us_per_inference: bare.engine_us_per_inference,
    single_job: {
      worker_engine_us: mean(alone, 'engine_us_per_job'),
      worker_pickup_to_commitment_ready_us: mean(alone, 'pickup_to_commitment_ready_us'),
      worker_overhead_us: mean(alone, 'pickup_to_commitment_ready_us') - mean(alone, 'engine_us_per_job'),
      request_included_to_finished_seconds: singleSeconds,
    },
    stream: {
      offered_jobs_per_second: RATE,
      jobs: total,
      submit_seconds: submitSeconds,
      worker_engine_us_per_job: mean(perMiner, 'engine_us_per_job'),
      worker_pickup_to_commitment_ready_us: mean(perMiner, 'pickup_to_commitment_ready_us'),
      sustained_lifecycles_per_second: (ends.length - 1) / ((ends[ends.length - 1] - ends[0]) / 1000),
      submitted_to_finished_seconds_p50: quantile(0.5),
      submitted_to_finished_seconds_p99: quantile(0.99),
      outcomes,
      miners: perMiner,
    },
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
