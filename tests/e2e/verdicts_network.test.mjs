// k-of-n verdicts on a real 4-validator network (`--chain local4`, loopback only): every
// validator's node re-executes the jobs it must verify through its own verifier worker, and a
// verdict decides only once a strict majority of the validators (3 of 4) found the same output.
// Dave's verifier lies (`--lie-for-tests`: the next class).
//
// 1. Honest miners: the three honest validators confirm the miners' output and the job settles;
//    Dave's lie changes nothing (if his verdict came in before the decision, it is recorded as
//    contradicted).
// 2. A cartel: all three miners lie exactly as Dave does, so Dave's verdict agrees with them; the
//    three honest validators still overturn the majority: every miner is slashed and the
//    requester refunded.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { Keyring } from '@polkadot/keyring';
import { u8aToHex } from '@polkadot/util';
import { cryptoWaitReady } from '@polkadot/util-crypto';

import { predict, loadModel, testSet } from './lib/digits.mjs';
import { verifyEveryJob } from './lib/jobs.mjs';
import { connect, freePort, peerId, sendAndWait, startNode, waitFor } from './lib/node.mjs';
import { publishDemoModel, registerMiner, serving, startWorker, verifierSecret } from './lib/worker.mjs';
import { UNIT } from './lib/units.mjs';

const VALIDATORS = ['alice', 'bob', 'charlie', 'dave'];
const MINERS = ['//Miner//1', '//Miner//2', '//Miner//3'];

describe('k-of-n verdicts on a 4-validator network with one lying verifier', () => {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'modelchain-verdicts-'));
  const nodes = {};
  const verifiers = {};
  const miners = {};
  let api;
  let keyring;
  let model;
  const secret = verifierSecret();
  const reference = loadModel();
  const images = testSet();
  // Every inference event seen, in order: { name, data }.
  const seen = [];

  const startMiners = async (extra) => {
    for (const suri of MINERS) {
      const { port, stateDir } = miners[suri];
      miners[suri].worker = await startWorker({
        rpc: nodes.alice.url, suri, name: `verdicts-${suri.slice(-1)}`, port, stateDir, args: serving(model, extra),
      });
      miners[suri].stateDir = miners[suri].worker.stateDir;
    }
  };

  /** Requests an inference of `pixels` by Eve; resolves to the job id. */
  const request = async (pixels) => {
    const { events } = await sendAndWait(
      api,
      api.tx.inference.requestInference(model, { Inline: u8aToHex(Uint8Array.from(pixels)) }, UNIT),
      keyring.addFromUri('//Eve'),
    );
    return events.find(({ event }) => api.events.inference.JobRequested.is(event)).event.data.job.toBigInt();
  };

  /** The inference events of `job`, once it finished. */
  const eventsOf = async (job) => {
    await waitFor(
      async () => seen.some((e) => e.name === 'JobFinished' && e.data.job.toBigInt() === job),
      { timeoutMs: 150_000, intervalMs: 1000, message: `job ${job} finished` },
    );
    return seen.filter((e) => e.data.job?.toBigInt() === job);
  };

  /** If Dave's verdict on the job counted (it came before the decision), it is recorded as
   * contradicted: his verifier lies, so it never agrees with the decided output. */
  const assertDaveContradictedIfCounted = (events, message) => {
    const dave = u8aToHex(keyring.addFromUri('//Dave').publicKey);
    const byDave = (name) => events.some((e) => e.name === name && e.data.authority.toHex() === dave);
    assert.equal(byDave('VerdictContradicted'), byDave('VerdictSubmitted'), message);
  };

  before(async () => {
    await cryptoWaitReady();
    keyring = new Keyring({ type: 'sr25519' });
    const ports = {};
    for (const [i, name] of VALIDATORS.entries()) {
      ports[name] = {
        rpcPort: await freePort(), p2pPort: await freePort(), prometheusPort: await freePort(), verifier: await freePort(),
      };
      const key = new Uint8Array(32).fill(i + 11);
      ports[name].key = key;
    }
    for (const name of VALIDATORS) {
      const args = [
        '--chain', 'local4', `--${name}`,
        '--base-path', path.join(base, name),
        '--node-key', u8aToHex(ports[name].key).slice(2),
        '--inference-verifier-url', `http://127.0.0.1:${ports[name].verifier}`,
        '--inference-verifier-secret-file', secret.file,
      ];
      if (name !== 'alice') {
        args.push('--bootnodes', `/ip4/127.0.0.1/tcp/${ports.alice.p2pPort}/p2p/${peerId(ports.alice.key)}`);
      }
      nodes[name] = await startNode({ args, name: `verdicts-${name}`, ports: ports[name] });
    }
    api = await connect(nodes.alice.url);
    await waitFor(async () => (await api.rpc.system.health()).peers.toNumber() >= 3, {
      timeoutMs: 60_000, message: 'Alice sees the 3 other validators',
    });
    await api.query.system.events((records) => {
      for (const { event } of records) {
        if (event.section === 'inference') seen.push({ name: event.method, data: event.data });
      }
    });

    const alice = keyring.addFromUri('//Alice');
    model = await publishDemoModel(nodes.alice.url, '//Alice');
    // Re-execute every job through the verifier (the default samples 10%).
    await verifyEveryJob(api, alice);
    for (const name of VALIDATORS) {
      const extra = ['--verify-only', '--verifier-secret-file', secret.file];
      if (name === 'dave') extra.push('--lie-for-tests');
      verifiers[name] = await startWorker({
        rpc: nodes[name].url, suri: `//${name[0].toUpperCase()}${name.slice(1)}`, name: `verdicts-verifier-${name}`,
        port: ports[name].verifier, args: serving(model, extra),
      });
    }
    let nonce = (await api.rpc.system.accountNextIndex(alice.address)).toNumber();
    await Promise.all(MINERS.map((suri) => sendAndWait(
      api, api.tx.balances.transferKeepAlive(keyring.addFromUri(suri).address, 10_000n * UNIT), alice, { nonce: nonce++ },
    )));
    for (const suri of MINERS) miners[suri] = { port: await freePort() };
    await Promise.all(MINERS.map((suri) => registerMiner(nodes.alice.url, suri, model, miners[suri].port)));
    await startMiners([]);
  });

  after(async () => {
    for (const { worker } of Object.values(miners)) await worker?.kill();
    for (const verifier of Object.values(verifiers)) await verifier?.kill();
    await api?.disconnect();
    for (const node of Object.values(nodes)) await node.stop();
    fs.rmSync(base, { recursive: true, force: true });
  });

  test("one lying validator cannot overturn honest miners: 3 of 4 confirm and the job settles", async () => {
    const pixels = images[0].pixels;
    const job = await request(pixels);
    const events = await eventsOf(job);
    const names = events.map((e) => e.name);
    const confirmed = events.find((e) => e.name === 'VerdictConfirmed');
    assert.ok(confirmed, `confirmed by the validators (events: ${names.join(', ')})`);
    assert.equal(confirmed.data.votes.toNumber(), 3, 'a strict majority of 4');
    assert.ok(!names.includes('VerdictAgainst') && !names.includes('MinerSlashed'), 'nobody overturned or slashed');
    assert.equal(events.find((e) => e.name === 'JobFinished').data.outcome.toString(), 'Settled');
    assert.deepEqual((await api.query.inference.results(job)).unwrap().toJSON(), predict(reference, pixels));
    assertDaveContradictedIfCounted(events, "Dave's lie, if it counted, is recorded as contradicted");
  });

  test('a cartel of miners lying with one validator is overturned by the three others and slashed', async () => {
    for (const { worker } of Object.values(miners)) await worker.kill();
    await startMiners(['--lie-for-tests']);
    const job = await request(images[1].pixels);
    const events = await eventsOf(job);
    const names = events.map((e) => e.name);
    const against = events.find((e) => e.name === 'VerdictAgainst');
    assert.ok(against, `overturned (events: ${names.join(', ')})`);
    assert.equal(against.data.votes.toNumber(), 3);
    const slashed = events.filter((e) => e.name === 'MinerSlashed').map((e) => e.data.miner.toString());
    assert.deepEqual(
      slashed.sort(),
      MINERS.map((suri) => keyring.addFromUri(suri).address).sort(),
      'every miner of the lying majority is slashed',
    );
    assert.ok(names.includes('JobRefunded'), 'the requester is refunded');
    assert.equal(events.find((e) => e.name === 'JobFinished').data.outcome.toString(), 'Overturned');
    assertDaveContradictedIfCounted(events, "Dave's vote for the cartel, if it counted, is recorded as contradicted");
  });
});
