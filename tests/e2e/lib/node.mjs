// Starts and stops a real `modelchain-node` for the end-to-end tests.
//
// Every node gets free ports, its own temporary database (`--tmp`) and a log file under
// `$E2E_LOG_DIR` (default: the OS temp dir). `stop()` always kills the process, and the
// helper also kills every started node when the test process exits, pass or fail.

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { ApiPromise, WsProvider } from '@polkadot/api';
import { u8aConcat } from '@polkadot/util';
import { base58Encode, ed25519PairFromSeed } from '@polkadot/util-crypto';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '..', '..', '..');

/** The node binary: `$MODELCHAIN_NODE`, else the release build in the shared target dir. */
export function nodeBinary() {
  if (process.env.MODELCHAIN_NODE) return process.env.MODELCHAIN_NODE;
  const target =
    process.env.CARGO_TARGET_DIR || path.join(os.homedir(), '.cache', 'modelchain', 'target');
  return path.join(target, 'release', 'modelchain-node');
}

/** Ports this process handed out, so that two calls never return the same one. */
const handedOut = new Set();

/**
 * A TCP port that is free on 127.0.0.1 right now, chosen below the kernel's ephemeral range
 * (32768–60999 by default): a port there can also be given to an outgoing connection (a node's
 * peer connections, an RPC client) between this call and the process that is to listen on it,
 * which then fails with "address already in use".
 */
export async function freePort() {
  for (let attempt = 0; attempt < 500; attempt += 1) {
    const port = 10_000 + Math.floor(Math.random() * 22_000);
    if (handedOut.has(port)) continue;
    const server = net.createServer();
    const listening = await new Promise((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (!listening) continue;
    server.close();
    await once(server, 'close');
    handedOut.add(port);
    return port;
  }
  throw new Error('no free port found below the ephemeral range');
}

const running = new Set();
function killAll() {
  for (const child of running) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
}
process.on('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    killAll();
    process.exit(130);
  });
}

/**
 * Starts a node and resolves once its RPC answers.
 * @param {object} opts
 * @param {string[]} [opts.args] arguments (default `--dev --tmp`)
 * @param {string} [opts.name] used in the log file name
 * @param {object} [opts.ports] `{ rpcPort, p2pPort, prometheusPort }` to reuse
 */
export async function startNode({ args = ['--dev', '--tmp'], name = 'dev', ports = {} } = {}) {
  const binary = nodeBinary();
  if (!fs.existsSync(binary)) {
    throw new Error(`node binary not found at ${binary}: build it with cargo build --release`);
  }
  // `ports` (from an earlier node's result) restarts a node on the same ports.
  const rpcPort = ports.rpcPort ?? (await freePort());
  const p2pPort = ports.p2pPort ?? (await freePort());
  const prometheusPort = ports.prometheusPort ?? (await freePort());
  const logDir = process.env.E2E_LOG_DIR || os.tmpdir();
  fs.mkdirSync(logDir, { recursive: true });
  const logFile = path.join(logDir, `modelchain-${name}-${rpcPort}.log`);
  const log = fs.openSync(logFile, 'w');
  const child = spawn(
    binary,
    [
      ...args,
      '--rpc-port', String(rpcPort),
      '--port', String(p2pPort),
      '--prometheus-port', String(prometheusPort),
      '--no-telemetry',
      '--no-mdns',
    ],
    { stdio: ['ignore', log, log] },
  );
  running.add(child);
  child.on('exit', () => running.delete(child));

  const url = `ws://127.0.0.1:${rpcPort}`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await once(child, 'exit').catch(() => {});
    clearTimeout(timer);
  };

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`node exited with ${child.exitCode}; see ${logFile}`);
    }
    if (await portOpen(rpcPort)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`node RPC did not open within 60 s; see ${logFile}`);
    }
    await sleep(250);
  }
  return { url, rpcPort, p2pPort, prometheusPort, logFile, child, stop };
}

/** libp2p peer id of the ed25519 node key `seed` (identity multihash of its protobuf key), for
 * `--bootnodes` of a node started with `--node-key <seed>`. */
export function peerId(seed) {
  const { publicKey } = ed25519PairFromSeed(seed);
  const key = u8aConcat(new Uint8Array([0x08, 0x01, 0x12, 0x20]), publicKey);
  return base58Encode(u8aConcat(new Uint8Array([0x00, key.length]), key));
}

/** Connects @polkadot/api to `url` with no custom types. */
export async function connect(url) {
  const provider = new WsProvider(url, 1000);
  return ApiPromise.create({ provider, throwOnConnect: true, noInitWarn: true });
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Whether something accepts TCP connections on 127.0.0.1:`port`. */
export async function portOpen(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Waits until `check()` returns a truthy value or `timeoutMs` passes.
 * Returns the value; throws `message` on timeout.
 */
export async function waitFor(check, { timeoutMs = 60_000, intervalMs = 500, message = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${message}`);
    await sleep(intervalMs);
  }
}

/**
 * Signs and sends `tx`, resolving when it is in a block with its events, or rejecting with the
 * dispatch error's `section.name: docs` if it failed. `options` are the signer options of
 * `signAndSend`, e.g. `{ nonce }` to send several transactions of one account at once.
 */
export function sendAndWait(api, tx, signer, options = {}) {
  return new Promise((resolve, reject) => {
    let unsub = () => {};
    tx.signAndSend(signer, options, ({ status, events, dispatchError }) => {
      if (dispatchError) {
        unsub();
        let message = errorName(api, dispatchError);
        if (dispatchError.isModule) {
          message += `: ${api.registry.findMetaError(dispatchError.asModule).docs.join(' ')}`;
        }
        const error = new Error(message);
        error.events = events;
        reject(error);
        return;
      }
      if (status.isInBlock) {
        unsub();
        resolve({ blockHash: status.asInBlock, events });
      } else if (status.isDropped || status.isInvalid || status.isUsurped) {
        unsub();
        reject(new Error(`transaction ${status.type}`));
      }
    })
      .then((u) => {
        unsub = u;
      })
      .catch(reject);
  });
}

/** The name of a dispatch error: `section.name` for a module's error, otherwise its kind, e.g.
 * `BadOrigin`, `Token.FundsUnavailable`, `Arithmetic.Overflow`. */
export function errorName(api, dispatchError) {
  if (dispatchError.isModule) {
    const meta = api.registry.findMetaError(dispatchError.asModule);
    return `${meta.section}.${meta.name}`;
  }
  const inner = dispatchError.value;
  return inner && typeof inner.type === 'string'
    ? `${dispatchError.type}.${inner.type}`
    : dispatchError.type;
}

/**
 * Sends `call` through `sudo.sudo` signed by `signer` (the sudo key) and resolves with the
 * events once it is in a block; rejects with the call's error name (e.g.
 * `validatorSet.NoSessionKeys`) if root's call failed.
 */
export async function sudoAndWait(api, call, signer) {
  const { events } = await sendAndWait(api, api.tx.sudo.sudo(call), signer);
  const sudid = events.find(({ event }) => api.events.sudo.Sudid.is(event));
  if (!sudid) throw new Error('no sudo.Sudid event');
  const result = sudid.event.data.sudoResult;
  if (result.isErr) throw new Error(errorName(api, result.asErr));
  return events;
}

/**
 * Resolves with the first event, from now on, that `check` accepts; throws `message` after
 * `timeoutMs`. Unsubscribes either way.
 */
export async function nextEvent(api, check, { message = 'event', timeoutMs = 90_000 } = {}) {
  let found;
  const unsub = await api.query.system.events((records) => {
    for (const { event } of records) if (!found && check(event)) found = event;
  });
  try {
    await waitFor(async () => found, { timeoutMs, message });
  } finally {
    unsub();
  }
  return found;
}
