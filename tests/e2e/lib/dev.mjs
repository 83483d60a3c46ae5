// Runs `./scripts/dev.sh` on free ports for the tests that need the whole dev job (its node,
// verifier and three miners serving the demo model): start it, wait for what it prints, find
// the processes it started, stop it.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { portOpen, repoRoot, waitFor } from './node.mjs';

const devScript = path.join(repoRoot, 'scripts', 'dev.sh');

/**
 * Eight consecutive free ports for the verifiers and the miners (the digits model's, then the
 * language model's: VERIFIER_PORT+0..7), and three more for the node.
 */
export async function devPorts() {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    // Below the ephemeral range (see `freePort`).
    const base = 10_000 + Math.floor(Math.random() * 20_000);
    const ports = [...Array(8).keys()].map((i) => base + i).concat([base + 10, base + 11, base + 12]);
    const taken = await Promise.all(ports.map(portOpen));
    if (!taken.some(Boolean)) {
      const [verifier, m1, m2, m3, llmVerifier, l1, l2, l3, rpc, p2p, prometheus] = ports;
      return {
        verifier, miners: [m1, m2, m3], llmVerifier, llmMiners: [l1, l2, l3], rpc, p2p, prometheus, all: ports,
      };
    }
  }
  throw new Error('no free ports');
}

/** The parent pid and state of a process, or null when it is gone. */
export function procStat(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0], ppid: Number(fields[1]) };
  } catch {
    return null;
  }
}

/** Every live descendant of `root` (a process that exited but was not reaped counts as gone). */
export function descendants(root) {
  const parents = new Map();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = procStat(Number(entry));
    if (stat && stat.state !== 'Z') parents.set(Number(entry), stat.ppid);
  }
  const found = [];
  const walk = (pid) => {
    for (const [child, parent] of parents) {
      if (parent === pid) {
        found.push(child);
        walk(child);
      }
    }
  };
  walk(root);
  return found;
}

export const alive = (pid) => {
  const stat = procStat(pid);
  return stat !== null && stat.state !== 'Z';
};

/** Starts `./scripts/dev.sh` on free ports in its own process group. */
export function startDev(ports, name) {
  const logs = fs.mkdtempSync(path.join(os.tmpdir(), `modelchain-dev-${name}-`));
  const child = spawn('bash', [devScript], {
    env: {
      ...process.env,
      RPC_PORT: String(ports.rpc),
      P2P_PORT: String(ports.p2p),
      PROMETHEUS_PORT: String(ports.prometheus),
      VERIFIER_PORT: String(ports.verifier),
      DEV_LOG_DIR: logs,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  let exitStatus = null;
  const exited = new Promise((resolve) =>
    child.once('exit', (code, signal) => {
      exitStatus = { code, signal };
      resolve(exitStatus);
    }),
  );
  /** Waits until `text` is printed; fails at once if the script exits first. */
  const printed = (text, timeoutMs) =>
    waitFor(
      async () => {
        if (output.includes(text)) return true;
        if (exitStatus) throw new Error(`dev.sh exited (${JSON.stringify(exitStatus)}) before "${text}"\n${output}`);
        return false;
      },
      { timeoutMs, message: `dev.sh to print "${text}"` },
    );
  return { child, logs, exited, printed, output: () => output };
}

/** Stops a run's process group for good (after a failed assertion, so nothing leaks). */
export function killGroup(child) {
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
