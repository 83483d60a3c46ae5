// A real language model on chain, end to end: SmolLM2-135M-Instruct (Q4_1 GGUF, 98 MB) run by
// the worker's candle engine on a dev node with three miners and a verifier.
//
// Alice publishes the GGUF with `model publish` (format Gguf, architecture llama, the card in
// models/smollm2) and a `weightsUri` on a local HTTP server. The miners start without the file:
// `run` fetches it from the chain's `weightsUri` and checks its sha256 against the chain; a
// tampered mirror is refused. Eve asks "What is 2+2?" with `modelchain-worker ask`: the three
// miners reveal the same token ids, the node's verifier accepts them by teacher forcing, the
// text is printed, and the fee splits as for any job. Then one miner substitutes tokens
// (`--lie-for-tests`): the verifier rejects its output and it is slashed, while the honest two
// are paid.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';

import { card, cardFile, requireGguf, serveFiles } from './lib/llm.mjs';
import { verifyEveryJob } from './lib/jobs.mjs';
import { connect, freePort, startNode } from './lib/node.mjs';
import { startWorker, verifierSecret, workerCommand } from './lib/worker.mjs';
import { UNIT } from './lib/units.mjs';

const PRICE = 5n * UNIT; // the card's price_mdl
const MINERS = ['//Charlie', '//Dave', '//Ferdie'];
const QUESTION = 'What is 2+2?';
// The worker's greedy answer (and llama.cpp's: see worker/src/engine/llm.rs's tests and
// llm_reference.test.mjs): "The answer to this classic math problem is 4."
const ANSWER = [504, 2988, 288, 451, 8170, 4119, 1732, 314, 216, 36, 30, 2];

describe('a language model on chain (SmolLM2-135M): served, verified and paid for', () => {
  let node;
  let api;
  let rpc;
  let model;
  let files;
  let verifier;
  let gguf;
  const keyring = new Keyring({ type: 'sr25519' });
  const miners = new Map(); // suri -> { worker, port, file, account }
  const seen = []; // inference events: { name, data }

  const startMiner = async (suri, extra = []) => {
    const entry = miners.get(suri);
    entry.worker = await startWorker({
      rpc, suri, name: `llm-${suri.slice(2).toLowerCase()}`, port: entry.port, stateDir: entry.stateDir,
      args: ['--model', String(model), '--model-file', entry.file, ...extra],
      // Three miners and a verifier share two cores: one thread each.
      env: { RAYON_NUM_THREADS: '1' },
    });
    entry.stateDir = entry.worker.stateDir;
  };

  /** `ask` as Eve; resolves to its JSON answer. */
  const ask = async (prompt, maxTokens) =>
    JSON.parse(
      await workerCommand(rpc, '//Eve', [
        'ask', '--model', String(model), '--prompt', prompt, '--max-tokens', String(maxTokens),
        '--model-file', gguf, '--timeout', '300',
      ]),
    );

  const eventsOf = (job, name) => seen.filter((e) => e.name === name && e.data.job !== undefined && BigInt(e.data.job) === BigInt(job));

  before(async () => {
    await cryptoWaitReady();
    gguf = requireGguf();
    files = await serveFiles({
      '/smollm2.gguf': { file: gguf },
      '/tampered.gguf': { file: gguf, flipByte: 4_000_000 },
    });
    const verifierPort = await freePort();
    const secret = verifierSecret();
    node = await startNode({
      name: 'llm',
      args: [
        '--dev', '--base-path', fs.mkdtempSync(path.join(os.tmpdir(), 'modelchain-llm-')),
        '--inference-verifier-url', `http://127.0.0.1:${verifierPort}`,
        '--inference-verifier-secret-file', secret.file,
      ],
    });
    rpc = node.url;
    api = await connect(rpc);
    await api.query.system.events((records) => {
      for (const { event } of records) {
        if (event.section !== 'inference') continue;
        // Named fields (job, miner, reason, …) as plain JSON.
        const data = Object.fromEntries(event.data.names.map((name, i) => [name, event.data[i].toJSON()]));
        seen.push({ name: event.method, data });
      }
    });
    const alice = keyring.addFromUri('//Alice');
    const published = await workerCommand(rpc, '//Alice', [
      'model', 'publish', '--model-file', gguf, '--card', cardFile,
      '--weights-uri', files.url('/smollm2.gguf'), '--shares', '1000000',
    ]);
    model = Number(/MODEL_ID=(\d+)/.exec(published)[1]);
    // Re-execute every job through the verifier (the default samples 10%).
    await verifyEveryJob(api, alice);
    verifier = await startWorker({
      rpc, suri: '//Alice', name: 'llm-verifier', port: verifierPort,
      args: ['--model', String(model), '--model-file', gguf, '--verify-only', '--verifier-secret-file', secret.file],
    });
    for (const suri of MINERS) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modelchain-llm-miner-'));
      miners.set(suri, { port: await freePort(), file: path.join(dir, 'weights', 'smollm2.gguf'), account: keyring.addFromUri(suri).address });
    }
    await Promise.all(
      MINERS.map((suri) =>
        workerCommand(rpc, suri, [
          'register', '--model', String(model), '--endpoint', `http://127.0.0.1:${miners.get(suri).port}`, '--bond', '2000',
        ]),
      ),
    );
    for (const suri of MINERS) await startMiner(suri);
  });

  after(async () => {
    for (const { worker } of miners.values()) await worker?.kill();
    await verifier?.kill();
    await api?.disconnect();
    await node?.stop();
    await files?.close();
  });

  test('the version is registered as a GGUF llama with the card\'s provenance', async () => {
    const version = (await api.query.modelRegistry.versions(model, 0)).unwrap();
    assert.equal(version.format.toString(), 'Gguf');
    assert.equal(Buffer.from(version.architecture).toString(), 'llama');
    assert.equal(version.weightsHash.toHex(), `0x${card().weights_sha256}`);
    assert.equal(version.datasetFingerprint.toHex(), `0x${card().dataset_sha256}`);
    assert.equal(Buffer.from(version.licence).toString(), 'Apache-2.0');
    assert.equal(version.pricePerInference.toBigInt(), PRICE);
  });

  test('miners fetch the weights from the chain\'s weightsUri, checked; a tampered mirror is refused', async () => {
    for (const { file, worker } of miners.values()) {
      assert.equal(fs.statSync(file).size, card().weights_bytes);
      assert.match(fs.readFileSync(worker.logFile, 'utf8'), /fetched .*sha256 0x[0-9a-f]{64} checked/);
    }
    const mirror = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'modelchain-llm-mirror-')), 'smollm2.gguf');
    await assert.rejects(
      workerCommand(rpc, '//Eve', ['fetch', '--model', String(model), '--model-file', mirror, '--from', files.url('/tampered.gguf')]),
      (error) => /but the chain records 0x/.test(error.stderr) && !fs.existsSync(mirror),
    );
  });

  test('a prompt settles with the same token ids from all three miners, verified, and the fee splits', async () => {
    const answer = await ask(QUESTION, 16);
    assert.equal(answer.outcome, 'Settled', JSON.stringify(answer));
    assert.deepEqual(answer.output, ANSWER);
    assert.equal(answer.text, 'The answer to this classic math problem is 4.');
    console.log(`# ${QUESTION} -> ${JSON.stringify(answer.text)} (${answer.seconds.toFixed(1)} s request to settled)`);
    const job = answer.job;
    const record = (await api.query.inference.jobs(job)).unwrap();
    const revealed = record.assignments.map((a) => a.revealed.toHex());
    assert.equal(new Set(revealed).size, 1, `one output revealed by all three: ${revealed}`);
    assert.equal(eventsOf(job, 'VerdictConfirmed').length, 1, 'the verifier confirmed the output');
    assert.equal(eventsOf(job, 'MinerSlashed').length, 0);
    const [settled] = eventsOf(job, 'JobSettled');
    // 5 % protocol fee, 5 % royalty, 30 % to the three miners, the rest to the holders.
    assert.equal(BigInt(settled.data.fee), PRICE);
    assert.equal(BigInt(settled.data.treasury), PRICE / 20n);
    assert.equal(BigInt(settled.data.creator), PRICE / 20n);
    assert.equal(BigInt(settled.data.miners), (PRICE * 3n) / 10n);
    assert.equal(BigInt(settled.data.holders), PRICE - PRICE / 10n - (PRICE * 3n) / 10n);
  });

  test('a miner that substitutes tokens is slashed after verification; the honest two are paid', async () => {
    const liar = '//Ferdie';
    await miners.get(liar).worker.stop();
    await startMiner(liar, ['--lie-for-tests']);
    const answer = await ask(QUESTION, 16);
    assert.equal(answer.outcome, 'Settled', JSON.stringify(answer));
    assert.deepEqual(answer.output, ANSWER);
    const job = answer.job;
    const slashed = eventsOf(job, 'MinerSlashed');
    assert.equal(slashed.length, 1, JSON.stringify(slashed));
    assert.equal(slashed[0].data.miner, miners.get(liar).account);
    assert.equal(slashed[0].data.reason, 'WrongResult');
    assert.equal(eventsOf(job, 'VerdictConfirmed').length, 1);
    const verifierLog = fs.readFileSync(verifier.logFile, 'utf8');
    assert.match(verifierLog, /revealed output rejected: token \d+ \(\d+\) is [\d.]+ below the best logit/);
    await miners.get(liar).worker.stop();
    await startMiner(liar);
  });
});
