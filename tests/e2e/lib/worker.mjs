// Starts `modelchain-worker` processes (miners, verifiers) for the end-to-end tests.

import { execFile, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { modelCard, modelFile } from './digits.mjs';
import { freePort, sleep, waitFor } from './node.mjs';

const run = promisify(execFile);

/** The worker binary: `$MODELCHAIN_WORKER`, else the release build in the shared target dir. */
export function workerBinary() {
  if (process.env.MODELCHAIN_WORKER) return process.env.MODELCHAIN_WORKER;
  const target =
    process.env.CARGO_TARGET_DIR || path.join(os.homedir(), '.cache', 'modelchain', 'target');
  return path.join(target, 'release', 'modelchain-worker');
}

/** Runs a one-shot worker command (`register`, `model publish`, …); resolves to its stdout. */
export async function workerCommand(rpc, suri, args) {
  const { stdout } = await run(workerBinary(), ['--rpc', rpc, '--suri', suri, ...args], {
    env: { ...process.env, RUST_LOG: 'warn' },
    timeout: 120_000,
  });
  return stdout;
}

const running = new Set();
process.on('exit', () => {
  for (const child of running) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
});

/**
 * Starts `modelchain-worker run` and resolves once `/health` answers 200 (connected, or a
 * verifier). `kill()` SIGKILLs it (a crash); `stop()` asks it to stop. `env` adds to its
 * environment.
 */
export async function startWorker({ rpc, suri, name, args, port, stateDir, env = {} }) {
  port ??= await freePort();
  stateDir ??= fs.mkdtempSync(path.join(os.tmpdir(), `modelchain-worker-${name}-`));
  const logDir = process.env.E2E_LOG_DIR || os.tmpdir();
  fs.mkdirSync(logDir, { recursive: true });
  const logFile = path.join(logDir, `worker-${name}-${port}.log`);
  const log = fs.openSync(logFile, 'a');
  const child = spawn(
    workerBinary(),
    ['--rpc', rpc, '--suri', suri, 'run', '--listen', `127.0.0.1:${port}`, '--state-dir', stateDir, ...args],
    { stdio: ['ignore', log, log], env: { ...process.env, RUST_LOG: process.env.RUST_LOG || 'info', ...env } },
  );
  running.add(child);
  child.on('exit', () => running.delete(child));
  const url = `http://127.0.0.1:${port}`;
  const exited = () => child.exitCode !== null || child.signalCode !== null;
  await waitFor(
    async () => {
      if (exited()) throw new Error(`worker ${name} exited with ${child.exitCode}; see ${logFile}`);
      try {
        return (await fetch(`${url}/health`)).status === 200;
      } catch {
        return false;
      }
    },
    { timeoutMs: 60_000, message: `worker ${name} healthy (${logFile})` },
  );
  const end = async (signal) => {
    if (exited()) return;
    child.kill(signal);
    await Promise.race([once(child, 'exit'), sleep(10_000)]);
  };
  return {
    url,
    port,
    stateDir,
    logFile,
    child,
    kill: () => end('SIGKILL'),
    stop: () => end('SIGINT'),
    metrics: async () => (await fetch(`${url}/metrics`)).text(),
  };
}

/**
 * A fresh secret for a node and its verifier (`--inference-verifier-secret-file`,
 * `--verifier-secret-file`): resolves to `{ file, secret }` (the file holds 64 hex digits).
 */
export function verifierSecret() {
  const secret = crypto.randomBytes(32);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modelchain-verifier-secret-'));
  const file = path.join(dir, 'secret');
  fs.writeFileSync(file, secret.toString('hex'), { mode: 0o600 });
  return { file, secret: new Uint8Array(secret) };
}

/** `run` arguments that serve the demo model `model` (plus `extra`). */
export const serving = (model, extra = []) => ['--model', String(model), '--model-file', modelFile, ...extra];

/** Publishes the demo model with `model publish` signed by `suri`; resolves to its id. */
export async function publishDemoModel(rpc, suri, { shares = 1_000_000n, price = '1' } = {}) {
  const stdout = await workerCommand(rpc, suri, [
    'model', 'publish', '--model-file', modelFile, '--card', modelCard,
    '--price', price, '--shares', String(shares),
  ]);
  return Number(/MODEL_ID=(\d+)/.exec(stdout)[1]);
}

/** Registers `suri` as a miner of the demo model at `port` and bonds `bond` MDL. */
export function registerMiner(rpc, suri, model, port, bond = '2000') {
  return workerCommand(rpc, suri, [
    'register', ...serving(model), '--endpoint', `http://127.0.0.1:${port}`, '--bond', bond,
  ]);
}
