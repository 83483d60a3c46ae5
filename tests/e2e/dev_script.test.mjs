// `./scripts/dev.sh` stops everything it started, however it is stopped: SIGTERM once it is
// serving (a service manager, `timeout`), SIGINT while it is still starting (the signal must not
// wait for the step in progress), SIGHUP (a closed terminal). After each, no process it started
// is left and none of its ports is taken, so the next `./scripts/dev.sh` starts cleanly.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { describe, test } from 'node:test';

import { alive, descendants, devPorts, killGroup, procStat, startDev } from './lib/dev.mjs';
import { portOpen, sleep, waitFor } from './lib/node.mjs';

async function assertNothingLeft(dev, started, ports, { exitCode }) {
  const { code } = await Promise.race([
    dev.exited,
    sleep(30_000).then(() => {
      throw new Error(`dev.sh did not exit within 30 s of the signal\n${dev.output()}`);
    }),
  ]);
  assert.equal(code, exitCode, `dev.sh exit code\n${dev.output()}`);
  await waitFor(async () => started.every((pid) => !alive(pid)), {
    timeoutMs: 15_000,
    message: 'every process dev.sh started to stop',
  });
  const taken = [];
  for (const port of ports.all) if (await portOpen(port)) taken.push(port);
  assert.deepEqual(taken, [], 'no port of the run is still taken');
}

describe('scripts/dev.sh', { timeout: 20 * 60_000 }, () => {
  test('SIGTERM to the script once it serves stops the node and both models\' verifiers and miners', async () => {
    const ports = await devPorts();
    const dev = startDev(ports, 'term');
    try {
      await dev.printed('Stop: Ctrl-C', 15 * 60_000);
      for (const port of [ports.rpc, ports.verifier, ...ports.miners, ports.llmVerifier, ...ports.llmMiners]) {
        await waitFor(() => portOpen(port), { timeoutMs: 60_000, message: `port ${port} to listen` });
      }
      const started = descendants(dev.child.pid);
      const binaries = started.map((pid) => {
        try {
          return path.basename(fs.readlinkSync(`/proc/${pid}/exe`));
        } catch {
          return '?';
        }
      });
      assert.equal(binaries.filter((b) => b === 'modelchain-node').length, 1, `one node: ${binaries}`);
      assert.equal(binaries.filter((b) => b === 'modelchain-worker').length, 8, `eight workers: ${binaries}`);
      // The workers are the script's own children, not hidden behind a forked shell.
      for (const [i, pid] of started.entries()) {
        if (binaries[i] === 'modelchain-worker') assert.equal(procStat(pid).ppid, dev.child.pid);
      }

      process.kill(dev.child.pid, 'SIGTERM');
      await assertNothingLeft(dev, started, ports, { exitCode: 143 });
    } finally {
      killGroup(dev.child);
    }
  });

  test('SIGINT to the script while it starts stops the step in progress and everything before it', async () => {
    const ports = await devPorts();
    const dev = startDev(ports, 'int');
    try {
      // The node is started and the model is being published (or the RPC awaited).
      await dev.printed('starting the dev node', 15 * 60_000);
      await waitFor(() => portOpen(ports.rpc), { timeoutMs: 60_000, message: 'the node to listen' });
      const started = descendants(dev.child.pid);
      assert.ok(started.length >= 1, 'the node runs');
      process.kill(dev.child.pid, 'SIGINT');
      await assertNothingLeft(dev, started, ports, { exitCode: 130 });
      assert.ok(!dev.output().includes('Stop: Ctrl-C'), 'it stopped before serving');
    } finally {
      killGroup(dev.child);
    }
  });

  test('SIGHUP (a closed terminal) stops everything, and a second run on the same ports starts', async () => {
    const ports = await devPorts();
    const first = startDev(ports, 'hup');
    try {
      await first.printed('Stop: Ctrl-C', 15 * 60_000);
      const started = descendants(first.child.pid);
      process.kill(first.child.pid, 'SIGHUP');
      await assertNothingLeft(first, started, ports, { exitCode: 129 });
    } finally {
      killGroup(first.child);
    }
    // The ports are free again: a second run gets as far as its node (then is stopped).
    const second = startDev(ports, 'hup-again');
    try {
      await second.printed('starting the dev node', 5 * 60_000);
      await waitFor(() => portOpen(ports.rpc), { timeoutMs: 60_000, message: 'the node to listen' });
      const started = descendants(second.child.pid);
      process.kill(second.child.pid, 'SIGTERM');
      await assertNothingLeft(second, started, ports, { exitCode: 143 });
    } finally {
      killGroup(second.child);
    }
  });

  test('a port already taken is refused with a clear error before anything starts', async () => {
    const ports = await devPorts();
    const blocker = net.createServer().listen(ports.rpc, '127.0.0.1');
    await new Promise((resolve) => blocker.once('listening', resolve));
    const dev = startDev(ports, 'taken');
    try {
      const { code } = await dev.exited;
      assert.equal(code, 1);
      assert.match(dev.output(), new RegExp(`port ${ports.rpc} is already in use`));
      assert.ok(!dev.output().includes('starting the dev node'), 'nothing was started');
    } finally {
      killGroup(dev.child);
      blocker.close();
    }
  });
});
