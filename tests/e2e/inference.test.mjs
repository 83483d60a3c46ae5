// Inference jobs on a real dev node: a requester pays per query, the node's off-chain worker
// POSTs the job to the three assigned miners' endpoints, the miners commit and reveal, the
// off-chain worker re-executes the job through the verifier endpoint given with
// --inference-verifier-url and submits a signed verdict (an authorized transaction), and the
// fee is split exactly: treasury, creator, miners, share holders (who claim it). A job whose
// miners disagree is verified although the sample is zero, and only the verdict slashes the
// minority. A job whose miners all lie is overturned by the verdict: they are slashed and the
// requester refunded.
// Requests to the verifier and its answers carry MACs under the secret the node and the verifier
// share: an answer a man in the middle forged is no verdict. The miners and the verifier are
// played by an HTTP server in this test (worker.test.mjs runs the real worker).

import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';

import { Keyring } from '@polkadot/keyring';
import { stringToU8a, u8aConcat, u8aToHex } from '@polkadot/util';
import { blake2AsU8a, cryptoWaitReady } from '@polkadot/util-crypto';

import { assignedMiners, commitAndReveal } from './lib/jobs.mjs';
import { registerModel } from './lib/models.mjs';
import { connect, freePort, nextEvent, sendAndWait, startNode, waitFor } from './lib/node.mjs';
import { verifierSecret } from './lib/worker.mjs';
import { UNIT } from './lib/units.mjs';

const PRICE = UNIT;
const TRUE_OUTPUT = [9000, 700, 300];
const LIE = [1, 2, 3];

describe('inference jobs over RPC', () => {
  let node;
  let api;
  let server;
  let alice;
  let eve;
  let miners;
  const received = { jobs: [], verify: [], routed: [], unauthenticated: 0 };
  let verifierOutput = TRUE_OUTPUT;
  // A man in the middle: answers `verifierOutput` with a MAC it cannot compute.
  let forgeAnswers = false;
  let model;
  const secret = verifierSecret();
  const mac = (key, context, ...parts) =>
    blake2AsU8a(u8aConcat(key, stringToU8a(context), ...parts), 256);

  before(async () => {
    await cryptoWaitReady();
    const port = await freePort();
    server = http.createServer((req, res) => {
      const chunks = [];
      req.on('data', (chunk) => chunks.push(chunk));
      req.on('end', () => {
        const raw = new Uint8Array(Buffer.concat(chunks));
        const body = Buffer.from(raw).toString('utf8');
        const json = body ? JSON.parse(body) : {};
        if (req.url.endsWith('/v1/jobs')) {
          received.jobs.push({ url: req.url, job: json.job });
          res.writeHead(202, { 'Content-Type': 'application/json' }).end('{"accepted":true}');
        } else if (req.url === '/v1/verify' || req.url === '/model0/v1/verify') {
          // Only the node, which holds the secret, may ask; the answer is bound to the request.
          const requestMac = mac(secret.secret, 'modelchain/verify-request', raw);
          if (req.headers['x-modelchain-mac'] !== u8aToHex(requestMac)) {
            received.unauthenticated += 1;
            res.writeHead(401).end();
            return;
          }
          received.verify.push(json.job);
          if (req.url.startsWith('/model0/')) received.routed.push(json.job);
          const answer = stringToU8a(JSON.stringify({ output: verifierOutput }));
          const key = forgeAnswers ? new Uint8Array(32).fill(1) : secret.secret;
          res.writeHead(200, {
            'Content-Type': 'application/json',
            'X-ModelChain-Mac': u8aToHex(mac(key, 'modelchain/verify-response', requestMac, answer)),
          }).end(answer);
        } else {
          res.writeHead(404).end();
        }
      });
    });
    await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
    node = await startNode({
      name: 'inference',
      args: [
        '--dev', '--tmp', '--inference-verifier-url', `http://127.0.0.1:${port}`,
        '--inference-verifier-secret-file', secret.file,
        // Model 0 (the first one registered below) has its own verifier.
        '--inference-verifier-route', `0.0=http://127.0.0.1:${port}/model0`,
        // Jobs are POSTed to the miners (the tests' miners are this test itself).
        '--inference-dispatch',
      ],
    });
    api = await connect(node.url);
    const keyring = new Keyring({ type: 'sr25519' });
    alice = keyring.addFromUri('//Alice');
    eve = keyring.addFromUri('//Eve');
    // Four miners, three per job: the minority slashed (and jailed) by the disagreement test
    // leaves three for the next one.
    miners = ['//Bob', '//Charlie', '//Dave', '//Ferdie'].map((uri) => keyring.addFromUri(uri));

    model = await registerModel(api, alice, { price: PRICE });
    assert.equal(model, 0, 'the first model of a fresh chain (routed to its own verifier)');
    await sendAndWait(api, api.tx.modelShares.issueShares(model, 1_000_000), alice);
    for (const [index, miner] of miners.entries()) {
      await sendAndWait(
        api,
        api.tx.computeStaking.registerWorker(
          'Miner',
          `http://127.0.0.1:${port}/miner${index}`,
          '1x CPU',
          [{ model, version: 0 }],
        ),
        miner,
      );
      await sendAndWait(api, api.tx.computeStaking.bond(2_000n * UNIT), miner);
    }
    // Re-execute every job (the default samples 10%).
    await setSample(1_000_000_000);
  });

  async function setSample(perbill) {
    const params = (await api.query.inference.parameters()).toJSON();
    await sendAndWait(
      api,
      api.tx.sudo.sudo(api.tx.inference.setParameters({ ...params, verificationSample: perbill })),
      alice,
    );
  }

  after(async () => {
    await api?.disconnect();
    await node?.stop();
    server?.close();
  });

  const signerOf = (address) => miners.find((m) => m.address === address);
  async function requestJob() {
    const { events } = await sendAndWait(
      api,
      api.tx.inference.requestInference(model, { Inline: '0x5b302e312c302e325d' }, 2n * PRICE),
      eve,
    );
    const requested = events.find(({ event }) => api.events.inference.JobRequested.is(event));
    assert.ok(requested, 'JobRequested');
    const { job, fee } = requested.event.data;
    assert.equal(fee.toBigInt(), PRICE, 'the price is held, not max_fee');
    // M-7: nobody knows the miners when the request is made: they are drawn in a later block,
    // from that block's slot randomness (the author's VRF output).
    assert.deepEqual(requested.event.data.names, ['job', 'requester', 'version', 'fee'], 'the request names no miners');
    const { miners: assigned, record } = await assignedMiners(api, job);
    assert.ok(record.phaseStarted.toNumber() > record.requestedAt.toNumber(), 'drawn after the request block');
    return { job: job.toBigInt(), assigned };
  }

  const waitForEvent = (check, message) => nextEvent(api, check, { message, timeoutMs: 90_000 });

  // Once Eve's jobs ended she holds only the storage deposits of their records (M-8: released
  // when each record is pruned, `retentionPeriod` blocks later): no fee, no quorum deposit.
  const assertOnlyStorageDepositsHeld = async (message) => {
    const holds = await api.query.balances.holds(eve.address);
    const other = holds.map((h) => h.id.toString()).filter((id) => !id.includes('JobStorage'));
    assert.deepEqual(other, [], message);
    let deposits = 0n;
    for (const [key, deposit] of await api.query.inference.storageDeposits.entries()) {
      const record = (await api.query.inference.jobs(key.args[0])).unwrap();
      if (record.requester.toString() === eve.address) deposits += deposit.unwrap().toBigInt();
    }
    assert.ok(deposits > 0n, 'each record holds a storage deposit');
    assert.equal(holds.reduce((sum, h) => sum + h.amount.toBigInt(), 0n), deposits, message);
  };

  test('a job is dispatched, agreed, verified by the off-chain worker and settled exactly', async () => {
    const { job, assigned } = await requestJob();
    assert.equal(assigned.length, 3);
    const holds = await api.query.balances.holds(eve.address);
    assert.ok(holds.some((h) => h.id.toString().includes('JobFee') && h.amount.toBigInt() === PRICE));

    // The validator's off-chain worker POSTed the job to each assigned miner's endpoint.
    await waitFor(
      async () => new Set(received.jobs.filter((r) => BigInt(r.job) === job).map((r) => r.url)).size === 3,
      { timeoutMs: 30_000, message: 'the job POSTed to its three miners' },
    );

    const settledPromise = waitForEvent(
      (event) => api.events.inference.JobSettled.is(event) && event.data.job.toBigInt() === job,
      'JobSettled',
    );
    const events = await commitAndReveal(api, job, assigned, TRUE_OUTPUT, signerOf);
    assert.ok(events.some(({ event }) => api.events.inference.QuorumReached.is(event)), 'QuorumReached');
    const result = await api.query.inference.results(job);
    assert.deepEqual(result.unwrap().toJSON(), TRUE_OUTPUT);

    // The off-chain worker re-executed it through the verifier and confirmed the majority,
    // which settled the job before the end of its challenge window.
    const settled = await settledPromise;
    assert.ok(received.verify.map(BigInt).includes(job), 'the verifier was called');
    assert.ok(received.routed.map(BigInt).includes(job), "through model 0's own verifier");
    const { treasury: toTreasury, creator, miners: toMiners, holders, refunded } = settled.data;
    assert.equal(toTreasury.toBigInt(), PRICE / 20n);
    assert.equal(creator.toBigInt(), PRICE / 20n);
    assert.equal(toMiners.toBigInt(), (PRICE * 3n) / 10n);
    assert.equal(holders.toBigInt(), (PRICE * 6n) / 10n);
    assert.equal(refunded.toBigInt(), 0n);
    const record = (await api.query.inference.jobs(job)).unwrap();
    assert.ok(record.phase.isFinished && record.phase.asFinished.isSettled, record.phase.toString());
    await assertOnlyStorageDepositsHeld('the fee hold is released');

    // The share holder (Alice holds every share) claims the holders' part.
    const claim = await sendAndWait(api, api.tx.modelShares.claim(model), alice);
    const claimed = claim.events.find(({ event }) => api.events.modelShares.RevenueClaimed.is(event));
    assert.equal(claimed.event.data.amount.toBigInt(), (PRICE * 6n) / 10n);
  });

  test('a verifier answer forged by a man in the middle is no verdict: the honest job settles', async () => {
    forgeAnswers = true;
    verifierOutput = LIE;
    try {
      const { job, assigned } = await requestJob();
      const finished = waitForEvent(
        (event) => api.events.inference.JobFinished.is(event) && event.data.job.toBigInt() === job,
        'JobFinished',
      );
      await commitAndReveal(api, job, assigned, TRUE_OUTPUT, signerOf);
      const { data } = await finished;
      assert.equal(data.outcome.toString(), 'Settled', 'not overturned by the forged "lie"');
      assert.ok(received.verify.map(BigInt).includes(job), 'the verifier was asked (and its answer forged)');
      assert.equal((await api.query.inference.verdictVotes(job)).length, 0, 'no verdict was submitted');
      assert.equal(received.unauthenticated, 0, 'every request the node sent was authenticated');
    } finally {
      forgeAnswers = false;
      verifierOutput = TRUE_OUTPUT;
    }
  });

  test('a disagreement is verified whatever the sample, and only the verdict slashes the minority', async () => {
    await setSample(0);
    try {
      const { job, assigned } = await requestJob();
      const bondOf = async (address) =>
        (await api.query.computeStaking.workers(address)).unwrap().activeBond.toBigInt();
      const before = await Promise.all(assigned.map(bondOf));
      const required = waitForEvent(
        (event) => api.events.inference.VerificationRequired.is(event) && event.data.job.toBigInt() === job,
        'VerificationRequired',
      );
      const confirmed = waitForEvent(
        (event) => api.events.inference.VerdictConfirmed.is(event) && event.data.job.toBigInt() === job,
        'VerdictConfirmed',
      );
      const events = await commitAndReveal(api, job, assigned, [TRUE_OUTPUT, TRUE_OUTPUT, LIE], signerOf);
      assert.ok(events.some(({ event }) => api.events.inference.QuorumReached.is(event)), 'QuorumReached');
      // Nobody is slashed at the quorum: only a verdict can slash the minority.
      assert.deepEqual(await Promise.all(assigned.map(bondOf)), before, 'nothing slashed before the verdict');
      await required;
      const verdict = await confirmed;
      assert.equal(verdict.data.votes.toNumber(), 1, 'the one dev validator is the majority of validators');
      assert.ok(received.verify.map(BigInt).includes(job), 'the verifier was called at a sample of 0');
      const after = await Promise.all(assigned.map(bondOf));
      assert.equal(after[0], before[0], 'majority kept its stake');
      assert.equal(after[1], before[1], 'majority kept its stake');
      assert.equal(after[2], before[2] - before[2] / 10n, 'the verified minority is slashed 10%');
      const record = (await api.query.inference.jobs(job)).unwrap();
      assert.ok(record.phase.isFinished && record.phase.asFinished.isSettled, record.phase.toString());
      assert.equal((await api.query.inference.verdictVotes(job)).length, 1, 'the verdict stays with the job');
    } finally {
      await setSample(1_000_000_000);
    }
  });

  test('a lying majority is overturned by the verdict: slashed, and the requester refunded', async () => {
    const { job, assigned } = await requestJob();
    const overturned = waitForEvent(
      (event) => api.events.inference.JobFinished.is(event) && event.data.job.toBigInt() === job,
      'JobFinished',
    );
    const stakeBefore = await Promise.all(
      assigned.map(async (a) => (await api.query.computeStaking.workers(a)).unwrap().activeBond.toBigInt()),
    );
    await commitAndReveal(api, job, assigned, LIE, signerOf);
    const finished = await overturned;
    assert.equal(finished.data.outcome.toString(), 'Overturned');
    for (const [i, address] of assigned.entries()) {
      const worker = (await api.query.computeStaking.workers(address)).unwrap();
      assert.equal(worker.activeBond.toBigInt(), stakeBefore[i] - stakeBefore[i] / 10n, 'slashed 10%');
      assert.ok(worker.jailedUntil.isSome, 'jailed');
    }
    await assertOnlyStorageDepositsHeld('refunded');
  });

  test('bad requests fail with named errors and hold nothing', async () => {
    const holdsBefore = (await api.query.balances.holds(eve.address)).toJSON();
    await assert.rejects(
      sendAndWait(api, api.tx.inference.requestInference(model, { Inline: '0x01' }, PRICE - 1n), eve),
      /inference\.FeeAboveMax/,
    );
    await assert.rejects(
      sendAndWait(api, api.tx.inference.requestInference(99, { Inline: '0x01' }, PRICE), eve),
      /inference\.ModelNotServing/,
    );
    // Every miner of the model is jailed now: not enough workers.
    await assert.rejects(
      sendAndWait(api, api.tx.inference.requestInference(model, { Inline: '0x01' }, PRICE), eve),
      /inference\.NotEnoughWorkers/,
    );
    assert.deepEqual((await api.query.balances.holds(eve.address)).toJSON(), holdsBefore);
  });
});
