// The real worker end to end: a dev node, three `modelchain-worker` miners and one verifier
// serving the demo digits model (models/digits) through the candle engine.
//
// Alice publishes the model with the worker's `model publish` (sha256 of the weights on
// chain) and gives Bob a quarter of the shares. Eve requests inferences on held-out images;
// the miners commit and reveal, the node's off-chain worker re-executes each job through the
// verifier, and the chain's result must equal the model's prediction computed here in
// JavaScript. Fees are split exactly and Alice and Bob claim their pro-rata revenue. Then two
// miners are killed: the job times out and Eve is refunded. One crashes between its commit and
// its reveal and, restarted, reveals from its saved state (no slash). The node restarts and
// the workers reconnect and keep serving. Finally one miner lies: it is slashed and the job
// still succeeds. Remote inputs are fetched from a local HTTP server: one good, one whose bytes
// do not match the job's hash, one that never answers.

import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { Keyring } from '@polkadot/keyring';
import { stringToU8a, u8aConcat, u8aToHex } from '@polkadot/util';
import { blake2AsHex, blake2AsU8a, cryptoWaitReady } from '@polkadot/util-crypto';

import { loadModel, modelCard, predict, testSet } from './lib/digits.mjs';
import { connect, freePort, nextEvent, sendAndWait, startNode, waitFor } from './lib/node.mjs';
import {
  publishDemoModel, registerMiner, serving, startWorker, verifierSecret, workerCommand,
} from './lib/worker.mjs';
import { assignedMiners, verifyEveryJob } from './lib/jobs.mjs';
import { UNIT } from './lib/units.mjs';

const PRICE = UNIT; // 1 MDL per inference
const SHARES = 1_000_000n;
const BOB_SHARES = 250_000n;
const MINERS = ['//Charlie', '//Dave', '//Ferdie'];

describe('modelchain-worker end to end', () => {
  let node;
  let nodeArgs;
  let api;
  let rpc;
  let model;
  let alice;
  let bob;
  let eve;
  let verifier;
  let secret;
  const miners = new Map(); // suri -> { worker, port, stateDir, account }
  const reference = loadModel();
  const images = testSet();

  async function startMiner(suri, extra = []) {
    const entry = miners.get(suri);
    entry.worker = await startWorker({
      rpc,
      suri,
      name: suri.slice(2).toLowerCase(),
      port: entry.port,
      stateDir: entry.stateDir,
      args: serving(model, extra),
    });
    entry.stateDir = entry.worker.stateDir;
  }

  before(async () => {
    await cryptoWaitReady();
    const verifierPort = await freePort();
    secret = verifierSecret();
    nodeArgs = [
      '--dev',
      '--base-path', fs.mkdtempSync(path.join(os.tmpdir(), 'modelchain-worker-e2e-')),
      '--inference-verifier-url', `http://127.0.0.1:${verifierPort}`,
      '--inference-verifier-secret-file', secret.file,
      // The junk-flood test checks that dispatched hints and junk ones are told apart.
      '--inference-dispatch',
    ];
    node = await startNode({ name: 'worker', args: nodeArgs });
    rpc = node.url;
    api = await connect(rpc);
    const keyring = new Keyring({ type: 'sr25519' });
    alice = keyring.addFromUri('//Alice');
    bob = keyring.addFromUri('//Bob');
    eve = keyring.addFromUri('//Eve');

    model = await publishDemoModel(rpc, '//Alice', { shares: SHARES });
    await sendAndWait(api, api.tx.modelShares.transferShares(model, bob.address, BOB_SHARES), alice);
    // Re-execute every job through the verifier (the default samples 10%).
    await verifyEveryJob(api, alice);

    verifier = await startWorker({
      rpc, suri: '//Alice', name: 'verifier', port: verifierPort,
      args: serving(model, ['--verify-only', '--verifier-secret-file', secret.file]),
    });
    for (const suri of MINERS) {
      const port = await freePort();
      miners.set(suri, { port, account: keyring.addFromUri(suri).address });
    }
    // Register the three miners side by side (different signers, so no nonce races).
    await Promise.all(MINERS.map((suri) => registerMiner(rpc, suri, model, miners.get(suri).port)));
    for (const suri of MINERS) await startMiner(suri);
  });

  after(async () => {
    for (const { worker } of miners.values()) await worker?.kill();
    await verifier?.kill();
    await api?.disconnect();
    await node?.stop();
  });

  const metricValue = (text, name) => Number(new RegExp(`^modelchain_worker_${name} (\\S+)$`, 'm').exec(text)[1]);

  const waitForEvent = (check, message) => nextEvent(api, check, { message, timeoutMs: 120_000 });

  // Once Eve's jobs ended she holds no fee and no quorum deposit: only the storage deposits
  // of their records, released when each is pruned (M-8).
  const assertNoFeeHeld = async (message) => {
    const held = (await api.query.balances.holds(eve.address)).map((h) => h.id.toString());
    assert.deepEqual(held.filter((id) => !id.includes('JobStorage')), [], message);
  };

  async function request(pixels) {
    const { events } = await sendAndWait(
      api,
      api.tx.inference.requestInference(model, { Inline: u8aToHex(Uint8Array.from(pixels)) }, PRICE),
      eve,
    );
    const requested = events.find(({ event }) => api.events.inference.JobRequested.is(event));
    const job = requested.event.data.job.toBigInt();
    return { job, assigned: (await assignedMiners(api, job)).miners };
  }

  const finished = (job) =>
    waitForEvent(
      (e) => api.events.inference.JobFinished.is(e) && e.data.job.toBigInt() === job,
      `job ${job} finished`,
    );
  const settled = (job) =>
    waitForEvent(
      (e) => api.events.inference.JobSettled.is(e) && e.data.job.toBigInt() === job,
      `job ${job} settled`,
    );

  test('the committed weights are what the chain records, and the worker refuses others', async () => {
    const version = (await api.query.modelRegistry.versions(model, 0)).unwrap();
    const card = JSON.parse(fs.readFileSync(modelCard, 'utf8'));
    assert.equal(version.weightsHash.toHex(), `0x${card.weights_sha256}`);
    assert.equal(version.architecture.toUtf8(), 'mlp-64-32-10');
    // A worker pointed at other weights (here: the model card instead) will not start.
    await assert.rejects(
      workerCommand(rpc, '//Charlie', ['run', '--model', String(model), '--model-file', modelCard, '--listen', '127.0.0.1:0']),
      /not a safetensors file|weights hash mismatch/,
    );
  });

  test('real inferences: results equal the model prediction, fees split exactly, holders claim', async () => {
    const rows = images.slice(0, 3);
    const jobs = [];
    for (const row of rows) {
      const { job, assigned } = await request(row.pixels);
      assert.equal(assigned.length, 3);
      jobs.push({ job, row, settledEvent: settled(job) });
    }
    for (const { job, row, settledEvent } of jobs) {
      const event = await settledEvent;
      const { treasury, creator, miners: toMiners, holders, refunded, fee } = event.data;
      assert.equal(fee.toBigInt(), PRICE);
      assert.equal(treasury.toBigInt(), PRICE / 20n, 'protocol fee 5%');
      assert.equal(creator.toBigInt(), PRICE / 20n, 'creator royalty 5%');
      assert.equal(toMiners.toBigInt(), (PRICE * 3n) / 10n, 'miners 30%');
      assert.equal(holders.toBigInt(), (PRICE * 6n) / 10n, 'holders the rest');
      assert.equal(refunded.toBigInt(), 0n);
      const result = (await api.query.inference.results(job)).unwrap().toJSON();
      const expected = predict(reference, row.pixels);
      assert.deepEqual(result, expected, `job ${job}: chain result vs the local prediction`);
      assert.equal(result[0], row.label, `job ${job}: the digit is recognised`);
    }
    // The verifier re-executed the jobs; the miners' metrics count their work.
    assert.match(await verifier.metrics(), /modelchain_worker_verifications_total [1-9]/);
    for (const { worker } of miners.values()) {
      assert.match(await worker.metrics(), /modelchain_worker_reveals_total [1-9]/);
    }

    // Holders' revenue: 0.6 MDL per job, pro rata: Alice 3/4, Bob 1/4.
    const claim = async (who) => {
      const { events } = await sendAndWait(api, api.tx.modelShares.claim(model), who);
      return events.find(({ event }) => api.events.modelShares.RevenueClaimed.is(event)).event.data.amount.toBigInt();
    };
    const holdersTotal = (PRICE * 6n * BigInt(rows.length)) / 10n;
    assert.equal(await claim(bob), (holdersTotal * BOB_SHARES) / SHARES);
    assert.equal(await claim(alice), (holdersTotal * (SHARES - BOB_SHARES)) / SHARES);
    await assertNoFeeHeld('no fee left held');
  });

  test('jobs requested together are answered in batches: one commitResults and one revealResults per miner', async () => {
    const rows = images.slice(3, 9);
    const batchesBefore = await Promise.all(
      [...miners.values()].map(async ({ worker }) => metricValue(await worker.metrics(), 'answer_batches_total')),
    );
    let nonce = (await api.rpc.system.accountNextIndex(eve.address)).toNumber();
    const requested = await Promise.all(rows.map((row) => sendAndWait(
      api,
      api.tx.inference.requestInference(model, { Inline: u8aToHex(Uint8Array.from(row.pixels)) }, PRICE),
      eve,
      { nonce: nonce++ },
    )));
    const jobs = requested.map(({ events }) =>
      events.find(({ event }) => api.events.inference.JobRequested.is(event)).event.data.job.toBigInt());
    const blocks = new Set(requested.map(({ blockHash }) => blockHash.toHex()));
    await Promise.all(jobs.map((job) => settled(job)));
    for (const [i, job] of jobs.entries()) {
      const result = (await api.query.inference.results(job)).unwrap().toJSON();
      assert.deepEqual(result, predict(reference, rows[i].pixels), `job ${job}: the model's answer`);
    }
    // Every answer is on chain: find the calls that carried them, from the requests' first
    // block on.
    const first = Math.min(...await Promise.all(
      [...blocks].map(async (hash) => (await api.rpc.chain.getHeader(hash)).number.toNumber()),
    ));
    const best = (await api.rpc.chain.getHeader()).number.toNumber();
    const calls = [];
    for (let number = first; number <= best; number++) {
      const block = await api.rpc.chain.getBlock(await api.rpc.chain.getBlockHash(number));
      for (const extrinsic of block.block.extrinsics) {
        const { section, method, args } = extrinsic.method;
        if (section !== 'inference' || !/^(commit|reveal)Results?$/.test(method)) continue;
        const answered = method.endsWith('s') ? args[0].map((a) => (a.job ?? a[0]).toBigInt()) : [args[0].toBigInt()];
        if (answered.some((job) => jobs.includes(job))) calls.push({ method, signer: extrinsic.signer.toString(), answered });
      }
    }
    const answers = calls.reduce((n, call) => n + call.answered.length, 0);
    assert.equal(answers, jobs.length * 3 * 2, 'each miner committed and revealed each job once');
    assert.ok(
      calls.length <= 2 * 3 * 2,
      `${calls.length} answer transactions for ${jobs.length} jobs (batched: at most two rounds of two per miner)`,
    );
    assert.ok(calls.some((call) => call.method === 'commitResults' && call.answered.length > 1), 'a batch of commitments');
    assert.ok(calls.some((call) => call.method === 'revealResults' && call.answered.length > 1), 'a batch of reveals');
    const batchesAfter = await Promise.all(
      [...miners.values()].map(async ({ worker }) => metricValue(await worker.metrics(), 'answer_batches_total')),
    );
    assert.ok(batchesAfter.some((after, i) => after > batchesBefore[i]), 'the miners count their batches');
    await assertNoFeeHeld('every fee settled');
  });

  test('only its node can use the verifier: unauthenticated and forged requests are refused unrun', async () => {
    const body = JSON.stringify({
      job: 0, model, version: 0, output_precision: 4, input: u8aToHex(Uint8Array.from(images[0].pixels)),
      input_uri: null, input_hash: '',
      miners: [], deadline: 0,
    });
    const post = (url, headers = {}) =>
      fetch(`${url}/v1/verify`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    const before = await verifier.metrics();
    assert.equal((await post(verifier.url)).status, 401, 'no MAC');
    const forged = u8aToHex(blake2AsU8a(u8aConcat(new Uint8Array(32), stringToU8a('modelchain/verify-request'), stringToU8a(body)), 256));
    assert.equal((await post(verifier.url, { 'x-modelchain-mac': forged })).status, 401, 'a MAC under another secret');
    // With the right secret it runs (this is what the node sends).
    const mac = blake2AsU8a(u8aConcat(secret.secret, stringToU8a('modelchain/verify-request'), stringToU8a(body)), 256);
    const answer = await post(verifier.url, { 'x-modelchain-mac': u8aToHex(mac) });
    assert.equal(answer.status, 200);
    const text = await answer.text();
    const expected = blake2AsU8a(u8aConcat(secret.secret, stringToU8a('modelchain/verify-response'), mac, stringToU8a(text)), 256);
    assert.equal(answer.headers.get('x-modelchain-mac'), u8aToHex(expected), 'the answer is authenticated');
    const count = (metrics, name) => Number(new RegExp(`${name} (\\d+)`).exec(metrics)[1]);
    const afterwards = await verifier.metrics();
    assert.equal(count(afterwards, 'modelchain_worker_verifications_unauthorized_total') - count(before, 'modelchain_worker_verifications_unauthorized_total'), 2);
    assert.equal(count(afterwards, 'modelchain_worker_verifications_total') - count(before, 'modelchain_worker_verifications_total'), 1, 'only the authenticated one ran');
    // A miner has no secret: its /v1/verify is off.
    const [miner] = miners.values();
    assert.equal((await post(miner.worker.url, { 'x-modelchain-mac': u8aToHex(mac) })).status, 403);
  });

  test('a flood of junk POSTs while jobs run: no missed reveal, /health stays green', async (t) => {
    // Junk requests, 50 at a time, spread over the three miners and the verifier, from before
    // the jobs are requested until they end (at least 3,000): malformed JSON, hints for jobs
    // that do not exist, unauthenticated verify requests.
    const targets = [...[...miners.values()].map(({ worker }) => worker.url), verifier.url];
    const junk = [
      (url) => fetch(`${url}/v1/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"job":' }),
      (url, i) => fetch(`${url}/v1/jobs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ job: 1_000_000 + i, model, version: 0, input: '0x00', miners: [], deadline: 0 }),
      }),
      (url, i) => fetch(`${url}/v1/verify`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ job: i, model, version: 0, input: '0x00', miners: [], deadline: 0 }),
      }),
    ];
    const statuses = new Map();
    let sent = 0;
    let healthChecks = 0;
    let jobsDone = false;
    const flooding = () => sent < 3_000 || !jobsDone;
    const flood = async () => {
      while (flooding()) {
        const i = sent++;
        const url = targets[i % targets.length];
        try {
          const response = await junk[i % junk.length](url, i);
          await response.arrayBuffer();
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        } catch {
          statuses.set('error', (statuses.get('error') ?? 0) + 1);
        }
      }
    };
    const health = async () => {
      while (flooding()) {
        for (const url of targets) {
          const response = await fetch(`${url}/health`);
          assert.equal(response.status, 200, `${url}/health during the flood`);
          await response.arrayBuffer();
          healthChecks += 1;
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    };
    const rows = images.slice(6, 9);
    const jobs = [];
    const floods = Promise.all([...Array.from({ length: 50 }, flood), health()]);
    for (const row of rows) {
      const { job } = await request(row.pixels);
      jobs.push({ job, row, end: finished(job) });
    }
    await Promise.all(jobs.map(({ end }) => end));
    jobsDone = true;
    await floods;
    assert.ok(sent >= 3_000, `${sent} junk requests`);
    t.diagnostic(`${sent} junk requests answered ${JSON.stringify([...statuses])}; ${healthChecks} health checks`);
    for (const { job, row, end } of jobs) {
      assert.equal((await end).data.outcome.toString(), 'Settled', `job ${job} settled`);
      const record = (await api.query.inference.jobs(job)).unwrap();
      assert.ok(record.assignments.every((a) => a.revealed.isSome), `job ${job}: every miner revealed`);
      assert.deepEqual((await api.query.inference.results(job)).unwrap().toJSON(), predict(reference, row.pixels));
    }
    assert.equal(statuses.get('error') ?? 0, 0, `every junk request was answered: ${[...statuses]}`);
    assert.ok(healthChecks > 0);
    for (const { worker } of [...miners.values(), { worker: verifier }]) {
      assert.equal((await fetch(`${worker.url}/health`)).status, 200, 'green after the flood');
    }
  });

  test('remote inputs are fetched over HTTP, hash-checked and time-bounded, and nothing is lost', async () => {
    // A local input server: /good serves the bytes whose hash the job names, /wrong other
    // bytes, /silent accepts the connection and never answers.
    const good = Uint8Array.from(images[4].pixels);
    const other = Uint8Array.from(images[8].pixels);
    const server = http.createServer((req, res) => {
      if (req.url === '/silent') return;
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(req.url === '/good' ? good : other);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const base = `http://127.0.0.1:${server.address().port}`;
    const bonds = async () =>
      Promise.all([...miners.values()].map(async ({ account }) =>
        (await api.query.computeStaking.workers(account)).unwrap().activeBond.toBigInt()));
    const bondsBefore = await bonds();
    try {
      const jobs = {};
      for (const path of ['/good', '/wrong', '/silent']) {
        const input = { Remote: { uri: `${base}${path}`, hash: blake2AsHex(good, 256) } };
        const { events } = await sendAndWait(api, api.tx.inference.requestInference(model, input, PRICE), eve);
        const job = events.find(({ event }) => api.events.inference.JobRequested.is(event)).event.data.job.toBigInt();
        jobs[path] = { job, settledEvent: settled(job) };
      }
      for (const [path, { job, settledEvent }] of Object.entries(jobs)) {
        const event = await settledEvent;
        assert.equal(event.data.fee.toBigInt(), PRICE, `${path}: the requester chose the input and pays`);
        const result = (await api.query.inference.results(job)).unwrap().toJSON();
        const expected = path === '/good' ? predict(reference, images[4].pixels) : [-1];
        assert.deepEqual(result, expected, `${path}: job ${job}'s result`);
      }
    } finally {
      server.closeAllConnections();
      server.close();
    }
    assert.deepEqual(await bonds(), bondsBefore, 'no honest miner was slashed');
    await assertNoFeeHeld('no fee left held');
    for (const { worker } of miners.values()) {
      assert.match(await worker.metrics(), /modelchain_worker_input_fetches_total ([3-9]|\d\d)/);
    }
  });

  test('a job whose miners were killed times out and the requester is refunded', async () => {
    await miners.get('//Dave').worker.kill();
    await miners.get('//Ferdie').worker.kill();
    const freeBefore = (await api.query.system.account(eve.address)).data.free.toBigInt();
    const { job } = await request(images[3].pixels);
    const refunded = waitForEvent(
      (e) => api.events.inference.JobRefunded.is(e) && e.data.job.toBigInt() === job,
      `job ${job} refunded`,
    );
    const forfeited = waitForEvent(
      (e) => api.events.inference.QuorumDepositForfeited.is(e) && e.data.job.toBigInt() === job,
      `job ${job} quorum deposit forfeited`,
    );
    const end = await finished(job);
    assert.equal(end.data.outcome.toString(), 'NoQuorum');
    assert.equal((await refunded).data.amount.toBigInt(), PRICE);
    const deposit = (await forfeited).data.amount.toBigInt();
    assert.equal(deposit, api.consts.inference.quorumDeposit.toBigInt());
    await assertNoFeeHeld('the fee is released');
    const freeAfter = (await api.query.system.account(eve.address)).data.free.toBigInt();
    assert.ok(
      freeBefore - freeAfter - deposit < PRICE / 10n,
      'the quorum deposit and the transaction fee were spent, not the fee',
    );
  });

  test('a miner that crashes between commit and reveal reveals after its restart', async () => {
    await startMiner('//Dave');
    await startMiner('//Ferdie', ['--crash-after-commit-for-tests']);
    const ferdie = miners.get('//Ferdie');
    const before = (await api.query.computeStaking.workers(ferdie.account)).unwrap();
    const crashed = once(ferdie.worker.child, 'exit');
    const row = images[5];
    const { job, assigned } = await request(row.pixels);
    assert.ok(assigned.includes(ferdie.account));
    const settledEvent = settled(job);
    const [code] = await crashed;
    assert.equal(code, 3, 'the worker crashed after committing');
    const record = (await api.query.inference.jobs(job)).unwrap();
    const mine = record.assignments.find((a) => a.miner.toString() === ferdie.account);
    assert.ok(mine.commitment.isSome && mine.revealed.isNone, 'committed, not revealed');
    // Restarted with the same state directory: the saved salt lets it reveal.
    await startMiner('//Ferdie');
    await settledEvent;
    assert.deepEqual((await api.query.inference.results(job)).unwrap().toJSON(), predict(reference, row.pixels));
    const after = (await api.query.computeStaking.workers(ferdie.account)).unwrap();
    assert.equal(after.activeBond.toBigInt(), before.activeBond.toBigInt(), 'not slashed');
    assert.ok(after.jailedUntil.isNone, 'not jailed');
    assert.match(await ferdie.worker.metrics(), /modelchain_worker_reveals_total 1\n/);
  });

  test('the workers reconnect after the node restarts, and keep serving', async () => {
    // Jobs POSTed to the miners by the node so far (it ran with `--inference-dispatch`).
    const dispatched = async () => {
      let sum = 0;
      for (const { worker } of miners.values()) {
        sum += Number((await worker.metrics()).match(/^modelchain_worker_jobs_dispatched_total (\d+)$/m)[1]);
      }
      return sum;
    };
    assert.ok((await dispatched()) > 0, 'the node dispatched jobs while it was told to');
    const block = (await api.rpc.chain.getHeader()).number.toNumber();
    await node.stop();
    // Restarted on the same database without `--inference-dispatch` (L-2): the node clears the
    // setting it stored before, dispatches nothing, and the miners still serve every job from
    // the chain's `JobAssigned` events.
    const withoutDispatch = nodeArgs.filter((arg) => arg !== '--inference-dispatch');
    node = await startNode({ name: 'worker-restarted', args: withoutDispatch, ports: node });
    // @polkadot/api reconnects by itself; until then its calls fail.
    const height = () => api.rpc.chain.getHeader().then((h) => h.number.toNumber(), () => 0);
    await waitFor(async () => (await height()) > block, {
      timeoutMs: 60_000,
      message: 'the restarted node producing blocks',
    });
    for (const { worker } of miners.values()) {
      await waitFor(
        async () => {
          const text = await worker.metrics();
          return /reconnects_total [1-9]/.test(text) && /connected 1\n/.test(text);
        },
        { timeoutMs: 60_000, message: 'a worker reconnected' },
      );
    }
    const before = await dispatched();
    const row = images[6];
    const { job } = await request(row.pixels);
    await settled(job);
    assert.deepEqual((await api.query.inference.results(job)).unwrap().toJSON(), predict(reference, row.pixels));
    assert.equal(await dispatched(), before, 'nothing was POSTed to the miners');
  });

  test('a lying miner is slashed and the job still succeeds', async () => {
    await miners.get('//Ferdie').worker.stop();
    await startMiner('//Ferdie', ['--lie-for-tests']);
    const ferdie = miners.get('//Ferdie').account;
    const bondBefore = (await api.query.computeStaking.workers(ferdie)).unwrap().activeBond.toBigInt();
    const row = images[7];
    const { job, assigned } = await request(row.pixels);
    assert.ok(assigned.includes(ferdie), 'all three miners serve the job');
    await settled(job);
    const result = (await api.query.inference.results(job)).unwrap().toJSON();
    assert.deepEqual(result, predict(reference, row.pixels), 'the honest majority stands');
    const worker = (await api.query.computeStaking.workers(ferdie)).unwrap();
    assert.ok(worker.activeBond.toBigInt() < bondBefore, 'the liar lost stake');
    assert.ok(worker.jailedUntil.isSome, 'and is jailed');
  });
});
