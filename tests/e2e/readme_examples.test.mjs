// The user guide's `@polkadot/api` examples (docs/user-guide.md) are run, exactly as written,
// against a fresh `./scripts/dev.sh` (its node, verifier and three miners serving the demo
// model): every ```js example``` block, in order, as one ES module — what a newcomer who pastes
// them into a file gets. Then this test reads the chain itself to check that each example did
// what the guide says (a model published with the weights' sha256, shares issued, sold and
// bought, a digit classified by the miners, revenue claimed, an upgrade voted in), and stops
// dev.sh.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { descendants, devPorts, killGroup, startDev } from './lib/dev.mjs';
import { testSet } from './lib/digits.mjs';
import { connect, portOpen, repoRoot, waitFor } from './lib/node.mjs';

/** The code of every ```js example``` block of the user guide (docs/user-guide.md), in order. */
function readmeExamples() {
  const readme = fs.readFileSync(path.join(repoRoot, 'docs', 'user-guide.md'), 'utf8');
  const blocks = [...readme.matchAll(/^```js example\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
  return blocks;
}

/** Runs `code` as an ES module with node from the repository root; resolves with its output. */
function runModule(code, env, timeoutMs) {
  // Inside tests/e2e/node_modules (ignored by git) so that `@polkadot/api` resolves as it
  // would for a user who installed it next to their script.
  const file = path.join(repoRoot, 'tests', 'e2e', 'node_modules', '.readme-examples.mjs');
  fs.writeFileSync(file, code);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [file], { cwd: repoRoot, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

describe('the user guide examples against ./scripts/dev.sh', { timeout: 30 * 60_000 }, () => {
  let dev;
  let ports;
  let api;
  let run;

  before(async () => {
    ports = await devPorts();
    dev = startDev(ports, 'readme');
    await dev.printed('Stop: Ctrl-C', 15 * 60_000);
    for (const port of [ports.rpc, ports.verifier, ...ports.miners]) {
      await waitFor(() => portOpen(port), { timeoutMs: 60_000, message: `port ${port} to listen` });
    }
    api = await connect(`ws://127.0.0.1:${ports.rpc}`);
  });

  after(async () => {
    await api?.disconnect();
    if (dev) {
      const started = descendants(dev.child.pid);
      process.kill(dev.child.pid, 'SIGTERM');
      await Promise.race([dev.exited, new Promise((wake) => setTimeout(wake, 30_000))]);
      killGroup(dev.child);
      for (const pid of started) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // stopped by dev.sh, as it should be
        }
      }
    }
  });

  test('the user guide has one example block per user task', () => {
    const blocks = readmeExamples();
    const code = blocks.join('\n');
    assert.ok(blocks.length >= 7, `${blocks.length} blocks`);
    for (const call of [
      'modelRegistry.registerModel',
      'modelShares.issueShares',
      'modelShares.createOrder',
      'modelShares.fillOrder',
      'inference.requestInference',
      'inferenceApi.jobStatus',
      'modelShares.claim',
      'modelGovernance.proposeUpgrade',
      'modelGovernance.vote',
      'modelGovernance.close',
    ]) {
      assert.ok(code.includes(call), `an example calls ${call}`);
    }
  });

  test('every example runs as written and prints what the user guide says', async () => {
    run = await runModule(readmeExamples().join('\n'), { MODELCHAIN_RPC: `ws://127.0.0.1:${ports.rpc}` }, 15 * 60_000);
    const output = `${run.stdout}\n${run.stderr}`;
    assert.equal(run.code, 0, `the examples exit cleanly\n${output}`);
    assert.match(run.stdout, /^published model \d+$/m);
    assert.match(run.stdout, /^quote of model \d+: none$/m, 'no quote while no miner serves the new model');
    assert.match(run.stdout, /^Alice holds 1000000 shares/m);
    assert.match(run.stdout, /^Bob bought 4000 shares for 40000000000000 plancks; 6000 left on sale$/m);
    assert.match(run.stdout, /^job \d+ assigned to 3 miners$/m);
    const [label] = testSet().map((row) => row.label);
    assert.match(run.stdout, new RegExp(`^job \\d+: digit ${label} \\(logits( -?\\d+){10}\\)`, 'm'));
    assert.match(run.stdout, /^Alice claimed [1-9]\d* of [1-9]\d* pending$/m);
    assert.match(run.stdout, /^proposal \d+: Enacted; active version 1$/m);
  });

  test('the chain holds what the examples did', async () => {
    assert.ok(run, 'the examples ran');
    const model = Number(/^published model (\d+)$/m.exec(run.stdout)[1]);
    const info = (await api.query.modelRegistry.models(model)).unwrap();
    assert.equal(info.activeVersion.toNumber(), 1, 'the upgrade was enacted');
    const first = (await api.query.modelRegistry.versions(model, 0)).unwrap();
    const weights = fs.readFileSync(path.join(repoRoot, 'models', 'digits', 'model.safetensors'));
    assert.equal(first.weightsHash.toHex(), `0x${createHash('sha256').update(weights).digest('hex')}`);

    const { asset, supply } = (await api.query.modelShares.shareClasses(model)).unwrap();
    assert.equal(supply.toBigInt(), 1_000_000n);
    const bob = '5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty';
    const alice = '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY';
    assert.equal((await api.query.shareAssets.account(asset, bob)).unwrap().balance.toBigInt(), 4_000n);
    assert.equal((await api.query.shareAssets.account(asset, alice)).unwrap().balance.toBigInt(), 996_000n);
    assert.equal((await api.call.modelSharesApi.pendingRevenue(0, alice)).toBigInt(), 0n, 'Alice claimed it all');
    // Unserved when published (the quote was None); the upgrade was enacted because three miners
    // announced version 1, so those three now serve the model.
    const served = await api.call.inferenceApi.eligibleWorkers(model);
    assert.equal(served.length, 3, 'the three miners that announced version 1');
    assert.ok((await api.call.inferenceApi.quoteFee(0)).isSome, 'the demo model takes requests');
  });
});
