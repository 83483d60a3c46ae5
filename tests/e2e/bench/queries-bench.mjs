// Paid queries (a benchmark, not a test): run by scripts/bench-queries.sh, which adds the
// on-chain job path's numbers (bench/worker-bench.mjs, same machine, same script run) and
// writes bench/queries.json.
//
// 1. The bare engine: `modelchain-worker infer --repeat` on one held-out image.
// 2. A dev chain and one miner serving the digits model on /v1/query; the requester CLI
//    (`modelchain-worker query --summary`) sends QUERIES_ONE queries from 1 client and
//    QUERIES_MANY from 16 concurrent clients (one channel each): queries/s and latency p50/p99
//    over loopback HTTP, every receipt checked by the client. Client and miner share the
//    machine's cores.
// 3. Settlement: the worker's claims (one per channel) settle every query served; claims per
//    block is the normal class's block weight over a claim's weight (the benchmarked
//    weight, as the chain charges it), queries per claim is what one claim of this run settled.

import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';

import { modelFile, testSet } from '../lib/digits.mjs';
import { connect, freePort, startNode } from '../lib/node.mjs';
import { publishDemoModel, registerMiner, serving, startWorker, workerBinary } from '../lib/worker.mjs';

const REPEAT = Number(process.env.BENCH_ENGINE_REPEAT || 20000);
const QUERIES_ONE = Number(process.env.BENCH_QUERIES_ONE || 3000);
const QUERIES_MANY = Number(process.env.BENCH_QUERIES_MANY || 20000);
const CLIENTS = 16;
const out = process.argv[2] || 'bench/queries-paid.json';
const run = promisify(execFile);
const images = testSet();
const pixels = images[0].pixels.join(',');

const { stdout } = await run(workerBinary(), ['infer', '--model-file', modelFile, '--pixels', pixels, '--repeat', String(REPEAT)]);
const bare = JSON.parse(stdout);
console.log(`bare engine: ${bare.engine_us_per_inference.toFixed(1)} µs per inference (${REPEAT} runs)`);

await cryptoWaitReady();
const node = await startNode({ name: 'bench-queries', args: ['--dev', '--tmp'] });
let miner;
try {
  const api = await connect(node.url);
  const keyring = new Keyring({ type: 'sr25519' });
  const bob = keyring.addFromUri('//Bob');
  // A micro-MDL per query: 20,000 queries fit the CLI's default 10 MDL... per channel.
  const model = await publishDemoModel(node.url, '//Alice', { price: '0.000001' });
  const port = await freePort();
  await registerMiner(node.url, '//Bob', model, port);
  // Claims only when the requester closes or the channel nears its end: none during the runs.
  miner = await startWorker({ rpc: node.url, suri: '//Bob', name: 'bench-queries-bob', port, args: serving(model, ['--claim-threshold', '1000']) });
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'modelchain-bench-requester-'));
  const paid = async (count, concurrency) => {
    const { stdout: summary } = await run(
      workerBinary(),
      ['--rpc', node.url, '--suri', '//Dave', 'query', '--model', String(model), '--miner', bob.address, '--pixels', pixels,
        '--count', String(count), '--concurrency', String(concurrency), '--summary', '--deposit', '1', '--state-dir', stateDir],
      { env: { ...process.env, RUST_LOG: 'warn' }, timeout: 600_000, maxBuffer: 1 << 20 },
    );
    return JSON.parse(summary.trim().split('\n').pop());
  };
  await paid(200, CLIENTS); // opens the 16 channels and warms the miner up
  const one = await paid(QUERIES_ONE, 1);
  console.log(`1 client: ${one.queries_per_second.toFixed(0)} queries/s, p50 ${one.p50_us.toFixed(0)} µs, p99 ${one.p99_us.toFixed(0)} µs`);
  const many = await paid(QUERIES_MANY, CLIENTS);
  console.log(`${CLIENTS} clients: ${many.queries_per_second.toFixed(0)} queries/s, p50 ${many.p50_us.toFixed(0)} µs, p99 ${many.p99_us.toFixed(0)} µs`);
  const metricsText = await miner.metrics();
  const metric = (name) => Number(new RegExp(`^modelchain_worker_${name} (\\S+)$`, 'm').exec(metricsText)[1]);
  const engineUs = (metric('engine_seconds_total') / metric('engine_runs_total')) * 1e6;

  // Settlement: close the busiest channel; the worker claims it at once.
  const channels = [];
  for (const [key, value] of (await api.query.queryChannels.channels.entries())) {
    const record = value.unwrap();
    if (record.miner.toString() === bob.address) channels.push({ id: key.args[0].toBigInt(), record });
  }
  const served = fs
    .readdirSync(stateDir)
    .map((name) => JSON.parse(fs.readFileSync(path.join(stateDir, name), 'utf8')))
    .sort((a, b) => b.queries - a.queries)[0];
  const dave = keyring.addFromUri('//Dave');
  const claimed = new Promise((resolve) => {
    api.query.system.events((records) => {
      for (const { event } of records) {
        if (api.events.queryChannels.Claimed.is(event) && event.data.channel.toBigInt() === BigInt(served.channel)) resolve(event.data);
      }
    });
  });
  await api.tx.queryChannels.closeChannel(served.channel).signAndSend(dave);
  const claim = await claimed;
  const queriesPerClaim = claim.queries.toNumber();
  const claimTx = api.tx.queryChannels.claim(served.channel, {
    channel: served.channel, cumulative: claim.cumulative, queries: claim.queries, receiptsRoot: claim.receiptsRoot,
  }, { Sr25519: new Uint8Array(64) });
  const info = await api.call.transactionPaymentApi.queryInfo(claimTx.toU8a(), claimTx.encodedLength);
  const blockWeights = api.consts.system.blockWeights;
  const normal = blockWeights.perClass.normal;
  const maxNormal = normal.maxTotal.unwrap();
  const claimRefTime = info.weight.refTime.toBigInt();
  const claimProof = info.weight.proofSize.toBigInt();
  // The block's normal class bounds both computation and proof size; the tighter one counts.
  const claimsPerBlock = Number(
    [maxNormal.refTime.toBigInt() / claimRefTime, maxNormal.proofSize.toBigInt() / claimProof].reduce((a, b) => (a < b ? a : b)),
  );

  const result = {
    measured_at: new Date().toISOString(),
    machine: `${os.cpus().length}x ${os.cpus()[0]?.model ?? 'cpu'}`,
    bare_engine_us_per_inference: bare.engine_us_per_inference,
    worker_engine_us_per_query: engineUs,
    paid_queries: {
      one_client: one,
      clients_16: many,
      p50_overhead_over_bare_engine_us: one.p50_us - bare.engine_us_per_inference,
      channels_used: channels.length,
    },
    settlement: {
      claim_ref_time_ps: claimRefTime.toString(),
      claim_proof_size_bytes: claimProof.toString(),
      normal_class_max_ref_time_ps: maxNormal.refTime.toString(),
      normal_class_max_proof_size_bytes: maxNormal.proofSize.toString(),
      claims_per_block: claimsPerBlock,
      queries_settled_by_one_claim: queriesPerClaim,
      queries_settled_per_block: claimsPerBlock * queriesPerClaim,
      note: 'a claim costs the same whatever the number of queries it settles: queries per block = claims per block x queries per claim',
    },
  };
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result, null, 2));
  await api.disconnect();
} finally {
  await miner?.kill();
  await node.stop();
}
process.exit(0);
