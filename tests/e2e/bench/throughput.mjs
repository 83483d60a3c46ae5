// Throughput of a fresh dev node (a benchmark, not a test): run by scripts/throughput.sh, which
// writes the result to bench/throughput.json. Loopback only; every phase is bounded in count
// and in time.
//
// In one run, against one node, with everything signed beforehand and submitted at once so that
// the transaction pool is never the bottleneck:
//   (a) balance transfers (`balances.transferKeepAlive`) included per second;
//   (c) share transfers (`modelShares.transferShares`) per second;
//   (d) full job lifecycles per second: `inference.requestInference`, three `commitResult`,
//       three `revealResult`, and settlement (`inference.JobSettled`), the commits and reveals
//       sent by this script for three registered miners as soon as each phase opens;
//   (b) `inference.requestInference` calls per second (last: their jobs are left to expire).
// Each rate is also given as a ratio to (a), over the blocks from the first that included the
// phase's calls to the last that counted (for lifecycles: from the first request to the last
// settlement). For every block of a phase: the calls it included, how full it was
// (`system.blockWeight` of normal extrinsics against their limit, and of all classes, hooks
// included, against the block's) and the time the node spent building it (its "Prepared block
// for proposing … (N ms)" log line).

import fs from 'node:fs';

import { Keyring } from '@polkadot/keyring';
import { u8aToHex } from '@polkadot/util';
import { blake2AsHex, cryptoWaitReady } from '@polkadot/util-crypto';

import { registerModel } from '../lib/models.mjs';
import { connect, sendAndWait, sleep, startNode } from '../lib/node.mjs';

const UNIT = 10n ** 12n;
const TRANSFERS = Number(process.env.THROUGHPUT_TRANSFERS || 3000);
const SHARE_TRANSFERS = Number(process.env.THROUGHPUT_SHARE_TRANSFERS || 1500);
const LIFECYCLES = Number(process.env.THROUGHPUT_LIFECYCLES || 64);
const REQUESTS = Number(process.env.THROUGHPUT_REQUESTS || 1000);
const SENDERS = Number(process.env.THROUGHPUT_SENDERS || 50);
const PHASE_LIMIT_MS = Number(process.env.THROUGHPUT_PHASE_LIMIT_S || 180) * 1000;
const out = process.argv[2] || 'bench/throughput.json';
const OUTPUT = [9000, 700, 300];

await cryptoWaitReady();
const node = await startNode({
  name: 'throughput',
  // A pool large enough to hold every phase at once.
  args: ['--dev', '--tmp', '--pool-limit', '20000', '--pool-kbytes', '65536'],
});
const api = await connect(node.url);
const keyring = new Keyring({ type: 'sr25519' });
const alice = keyring.addFromUri('//Alice');
const senders = Array.from({ length: SENDERS }, (_, i) => keyring.addFromUri(`//Load//${i}`));
// address → promise of its next nonce; taken and advanced synchronously, so concurrent
// signers never share a nonce.
const nonces = new Map();
const nextNonce = (pair) => {
  const nonce =
    nonces.get(pair.address) ??
    api.rpc.system.accountNextIndex(pair.address).then((index) => index.toNumber());
  nonces.set(pair.address, nonce.then((n) => n + 1));
  return nonce;
};
/** Signs `tx` for `pair` with its next nonce, immortal (no block hash to fetch). */
const sign = async (tx, pair) => tx.signAsync(pair, { nonce: await nextNonce(pair), era: 0 });
const submit = async (signed) => {
  for (let i = 0; i < signed.length; i += 500) {
    await Promise.all(signed.slice(i, i + 500).map((tx) => api.rpc.author.submitExtrinsic(tx)));
  }
};
const maxNormal = api.consts.system.blockWeights.perClass.normal.maxTotal.unwrap().refTime.toBigInt();
const maxBlock = api.consts.system.blockWeights.maxBlock.refTime.toBigInt();

/** "Prepared block for proposing at N (X ms)" lines of the node's log: block → ms. */
function buildTimes() {
  const times = new Map();
  const text = fs.readFileSync(node.logFile, 'utf8');
  for (const match of text.matchAll(/Prepared block for proposing at (\d+) \((\d+) ms\)/g)) {
    times.set(Number(match[1]), Number(match[2]));
  }
  return times;
}

/**
 * Watches new blocks until `expected` events accepted by `count(event)` are seen or the phase
 * limit passes; `onEvent(event)` sees every event first (to send follow-up calls). Returns the
 * phase's blocks and its rate per second over the blocks from the first that counted to the
 * last.
 */
async function watch(label, expected, count, onEvent = () => {}, begins = () => false) {
  const blocks = [];
  let seen = 0;
  let done;
  const finished = new Promise((resolve) => (done = resolve));
  // Only blocks made from now on count (the subscription starts with the current head).
  const after = (await api.rpc.chain.getHeader()).number.toNumber();
  const unsub = await api.rpc.chain.subscribeNewHeads(async (header) => {
    if (header.number.toNumber() <= after) return;
    const hash = header.hash;
    const at = await api.at(hash);
    const [events, weight, now] = await Promise.all([
      at.query.system.events(),
      at.query.system.blockWeight(),
      at.query.timestamp.now(),
    ]);
    let counted = 0;
    let failed = 0;
    let began = false;
    for (const { event } of events) {
      onEvent(event);
      if (count(event)) counted += 1;
      if (begins(event)) began = true;
      if (api.events.system.ExtrinsicFailed.is(event)) failed += 1;
    }
    const signedBlock = await api.rpc.chain.getBlock(hash);
    blocks.push({
      number: header.number.toNumber(),
      timestamp: now.toNumber(),
      extrinsics: signedBlock.block.extrinsics.length,
      counted,
      began,
      failed,
      fullness: Number((weight.normal.refTime.toBigInt() * 10_000n) / maxNormal) / 100,
      totalFullness:
        Number(
          ((weight.normal.refTime.toBigInt() +
            weight.operational.refTime.toBigInt() +
            weight.mandatory.refTime.toBigInt()) *
            10_000n) /
            maxBlock,
        ) / 100,
    });
    seen += counted;
    if (seen >= expected) done();
  });
  const timer = setTimeout(() => done(), PHASE_LIMIT_MS);
  return {
    finished: finished.then(() => {
      clearTimeout(timer);
      unsub();
      const times = buildTimes();
      // The callbacks finish out of order: sort by number.
      blocks.sort((x, y) => x.number - y.number);
      // From the first block that counted or began the phase to the last that counted.
      const active = blocks.filter((b) => b.counted > 0);
      const first = blocks.findIndex((b) => b.counted > 0 || b.began);
      const last = blocks.indexOf(active.at(-1));
      // From the end of the block before the first that counted to the last that counted.
      // (The genesis block has no timestamp.)
      const start =
        first > 0 && blocks[first - 1].timestamp > 0 ? blocks[first - 1].timestamp : blocks[first]?.timestamp - 3000;
      const seconds = active.length && first >= 0 ? (blocks[last].timestamp - start) / 1000 : 0;
      const span = blocks.slice(first, last + 1).map((b) => ({ ...b, buildMs: times.get(b.number) ?? null }));
      const result = {
        label,
        expected,
        counted: seen,
        seconds,
        perSecond: seconds > 0 ? seen / seconds : 0,
        blocks: span.length,
        maxPerBlock: Math.max(0, ...span.map((b) => b.counted)),
        avgFullnessPercent: span.length ? span.reduce((s, b) => s + b.fullness, 0) / span.length : 0,
        maxFullnessPercent: Math.max(0, ...span.map((b) => b.fullness)),
        avgTotalFullnessPercent: span.length ? span.reduce((s, b) => s + b.totalFullness, 0) / span.length : 0,
        avgBuildMs: span.length ? span.reduce((s, b) => s + (b.buildMs ?? 0), 0) / span.length : 0,
        maxBuildMs: Math.max(0, ...span.map((b) => b.buildMs ?? 0)),
        failedExtrinsics: span.reduce((s, b) => s + b.failed, 0),
        perBlock: span,
      };
      console.log(
        `${label}: ${seen}/${expected} in ${seconds.toFixed(1)} s = ${result.perSecond.toFixed(1)}/s ` +
          `(${span.length} blocks, ≤ ${result.maxPerBlock} per block, fullness ≤ ${result.maxFullnessPercent}%, ` +
          `build ≤ ${result.maxBuildMs} ms)`,
      );
      return result;
    }),
  };
}

const results = {};

// Set-up: fund the senders, publish a model with shares, register three miners per model.
{
  const funding = await Promise.all(
    senders.map(async (s) => sign(api.tx.balances.transferKeepAlive(s.address, 10_000n * UNIT), alice)),
  );
  const watcher = await watch('funding', SENDERS, (e) => api.events.balances.Transfer.is(e));
  await submit(funding);
  await watcher.finished;
}
async function modelWithMiners(minerUris, { price = UNIT, seed = 1 } = {}) {
  const model = await registerModel(api, alice, { price, seed, name: `Load${seed}`, symbol: `LD${seed}` });
  await sendAndWait(api, api.tx.modelShares.issueShares(model, 1_000_000_000), alice);
  const miners = minerUris.map((uri) => keyring.addFromUri(uri));
  for (const miner of miners) {
    nonces.delete(miner.address);
    // An endpoint nothing listens on: the off-chain worker's POSTs fail fast.
    await sendAndWait(
      api,
      api.tx.computeStaking.registerWorker('Miner', 'http://127.0.0.1:9/', '1x CPU', [{ model, version: 0 }]),
      miner,
    );
    await sendAndWait(api, api.tx.computeStaking.bond(2_000n * UNIT), miner);
  }
  nonces.delete(alice.address);
  return { model, miners };
}
const lifecycleModel = await modelWithMiners(['//Bob', '//Charlie', '//Dave'], { seed: 1 });
const requestModel = await modelWithMiners(['//Eve', '//Ferdie', '//Bob//stash'], { seed: 2 });

// (a) Balance transfers.
{
  const signed = [];
  for (let i = 0; i < TRANSFERS; i += 1) {
    const from = senders[i % SENDERS];
    const to = senders[(i + 1) % SENDERS].address;
    signed.push(await sign(api.tx.balances.transferKeepAlive(to, UNIT), from));
  }
  const watcher = await watch('transfers', TRANSFERS, (e) => api.events.balances.Transfer.is(e));
  await submit(signed);
  results.transfers = await watcher.finished;
}

// (c) Share transfers: Alice first gives every sender shares.
{
  const { model } = lifecycleModel;
  const gifts = await Promise.all(
    senders.map(async (s) => sign(api.tx.modelShares.transferShares(model, s.address, 1_000_000), alice)),
  );
  const giving = await watch('share gifts', SENDERS, (e) => api.events.modelShares.SharesTransferred.is(e));
  await submit(gifts);
  await giving.finished;
  const signed = [];
  for (let i = 0; i < SHARE_TRANSFERS; i += 1) {
    const from = senders[i % SENDERS];
    const to = senders[(i + 1) % SENDERS].address;
    signed.push(await sign(api.tx.modelShares.transferShares(model, to, 1), from));
  }
  const watcher = await watch('share transfers', SHARE_TRANSFERS, (e) =>
    api.events.modelShares.SharesTransferred.is(e),
  );
  await submit(signed);
  results.shareTransfers = await watcher.finished;
}

// (d) Full job lifecycles: commits are sent when a job's miners are drawn (`JobAssigned`, the
// block after its request), reveals when its reveal phase starts; the lifecycle counts when the
// job is settled.
{
  const { model, miners } = lifecycleModel;
  const byAddress = new Map(miners.map((m) => [m.address, m]));
  const salt = (job, i) => u8aToHex(new Uint8Array(32).fill((Number(job) * 7 + i + 1) % 256));
  const commitment = (job, miner, s) =>
    blake2AsHex(api.createType('(u64, AccountId32, Vec<i64>, [u8; 32])', [job, miner, OUTPUT, s]).toU8a(), 256);
  const ours = new Set();
  const assigned = new Map();
  const followUps = [];
  const onEvent = (event) => {
    if (api.events.inference.JobRequested.is(event) && event.data.version.model.toNumber() === model) {
      ours.add(event.data.job.toBigInt());
    } else if (api.events.inference.JobAssigned.is(event) && ours.has(event.data.job.toBigInt())) {
      const job = event.data.job.toBigInt();
      const jobMiners = event.data.miners.map((m) => m.toString());
      assigned.set(job, jobMiners);
      followUps.push(
        (async () => {
          const commits = [];
          for (const [i, address] of jobMiners.entries()) {
            commits.push(
              await sign(api.tx.inference.commitResult(job, commitment(job, address, salt(job, i))), byAddress.get(address)),
            );
          }
          await submit(commits);
        })(),
      );
    } else if (api.events.inference.RevealPhaseStarted.is(event)) {
      const job = event.data.job.toBigInt();
      const jobMiners = assigned.get(job);
      if (!jobMiners) return;
      followUps.push(
        (async () => {
          const reveals = [];
          for (const [i, address] of jobMiners.entries()) {
            reveals.push(await sign(api.tx.inference.revealResult(job, OUTPUT, salt(job, i)), byAddress.get(address)));
          }
          await submit(reveals);
        })(),
      );
    }
  };
  const signed = [];
  for (let i = 0; i < LIFECYCLES; i += 1) {
    signed.push(
      await sign(api.tx.inference.requestInference(model, { Inline: '0x5b302e312c302e325d' }, 2n * UNIT), senders[i % SENDERS]),
    );
  }
  const watcher = await watch(
    'job lifecycles',
    LIFECYCLES,
    (e) => api.events.inference.JobSettled.is(e) && assigned.has(e.data.job.toBigInt()),
    onEvent,
    (e) => api.events.inference.JobRequested.is(e) && e.data.version.model.toNumber() === model,
  );
  await submit(signed);
  results.jobLifecycles = await watcher.finished;
  await Promise.allSettled(followUps);
}

// (b) Inference requests (their jobs are left to expire).
{
  const { model } = requestModel;
  const signed = [];
  for (let i = 0; i < REQUESTS; i += 1) {
    signed.push(
      await sign(api.tx.inference.requestInference(model, { Inline: '0x5b302e312c302e325d' }, 2n * UNIT), senders[i % SENDERS]),
    );
  }
  const watcher = await watch(
    'inference requests',
    REQUESTS,
    (e) => api.events.inference.JobRequested.is(e) && e.data.version.model.toNumber() === model,
  );
  await submit(signed);
  results.inferenceRequests = await watcher.finished;
}

const base = results.transfers.perSecond;
const summary = Object.fromEntries(
  ['transfers', 'inferenceRequests', 'shareTransfers', 'jobLifecycles'].map((key) => [
    key,
    {
      perSecond: Number(results[key].perSecond.toFixed(2)),
      ratioToTransfers: base > 0 ? Number((results[key].perSecond / base).toFixed(4)) : null,
      counted: results[key].counted,
      expected: results[key].expected,
      maxPerBlock: results[key].maxPerBlock,
      avgFullnessPercent: Number(results[key].avgFullnessPercent.toFixed(2)),
      maxFullnessPercent: results[key].maxFullnessPercent,
      avgTotalFullnessPercent: Number(results[key].avgTotalFullnessPercent.toFixed(2)),
      avgBuildMs: Number(results[key].avgBuildMs.toFixed(1)),
      maxBuildMs: results[key].maxBuildMs,
    },
  ]),
);
console.table(summary);
const report = {
  date: new Date().toISOString(),
  machine: `${(await import('node:os')).cpus().length} cores`,
  node: 'modelchain-node --dev (release build), one validator, 3 s blocks',
  parameters: { TRANSFERS, SHARE_TRANSFERS, LIFECYCLES, REQUESTS, SENDERS, phaseLimitSeconds: PHASE_LIMIT_MS / 1000 },
  summary,
  phases: results,
};
fs.writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
console.log(`written ${out}`);
await api.disconnect();
await node.stop();
await sleep(100);
process.exit(0);
