// The RPC limits of docker/compose.yml's public node hold on a real node: the test starts a node
// with exactly the `--rpc-max-*` flags of Alice's service (read from the compose file, so the two
// cannot drift) and checks that a batch longer than the limit and a request larger than the
// limit are refused while one at the limit is served — and that a node without the flags, as
// Substrate starts by default, accepts a batch of 50,000 calls (why the flags are needed).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { repoRoot, startNode } from './lib/node.mjs';

/** Alice's `--rpc-max-*` flags in docker/compose.yml. */
function composeRpcLimits() {
  const compose = fs.readFileSync(path.join(repoRoot, 'docker', 'compose.yml'), 'utf8');
  const alice = compose.slice(compose.indexOf('\n  alice:'), compose.indexOf('\n  bob:'));
  return [...alice.matchAll(/^\s+- (--rpc-max-[a-z-]+=\d+)$/gm)].map((m) => m[1]);
}

const flagValue = (flags, name) => Number(flags.find((f) => f.startsWith(`${name}=`)).split('=')[1]);

/** POSTs `body` (an object or a prepared string) to the node's HTTP RPC. */
async function post(url, body) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, text, json };
}

/** Announces a POST body of `length` bytes (headers only, no body) over a plain socket and
 * resolves with the status and body of the answer. A server that checks the announced length
 * answers at once; sending the body as well would race its close (an unread body makes the
 * close a reset, which can discard the answer). Status 0: no answer within 10 s. */
function announcePost(url, length) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname, port: Number(port) });
    let answer = '';
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      const status = Number(/^HTTP\/1\.1 (\d+)/.exec(answer)?.[1] ?? 0);
      resolve({ status, text: answer.slice(answer.indexOf('\r\n\r\n') + 4) });
    };
    const timer = setTimeout(done, 10_000);
    socket.on('data', (chunk) => (answer += chunk));
    socket.on('error', () => {});
    socket.on('close', done);
    socket.write(
      `POST / HTTP/1.1\r\nHost: ${hostname}:${port}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${length}\r\nConnection: close\r\n\r\n`,
    );
  });
}

const batch = (n) => Array.from({ length: n }, (_, id) => ({ id, jsonrpc: '2.0', method: 'system_chain', params: [] }));

describe('RPC limits of the public node', { timeout: 10 * 60_000 }, () => {
  const flags = composeRpcLimits();
  let limited;
  let plain;

  before(async () => {
    limited = await startNode({ args: ['--dev', '--tmp', ...flags], name: 'rpc-limited' });
    plain = await startNode({ name: 'rpc-default' });
  });

  after(async () => {
    await limited?.stop();
    await plain?.stop();
  });

  const http = (node) => node.url.replace(/^ws/, 'http');

  test('compose.yml sets a batch length, a request size and a connection limit', () => {
    assert.deepEqual(
      flags.map((f) => f.split('=')[0]).sort(),
      ['--rpc-max-batch-request-len', '--rpc-max-connections', '--rpc-max-request-size'],
    );
  });

  test('a batch at the limit is served, one call longer is refused as a whole', async () => {
    const limit = flagValue(flags, '--rpc-max-batch-request-len');
    const ok = await post(http(limited), batch(limit));
    assert.equal(ok.status, 200);
    assert.ok(Array.isArray(ok.json), ok.text.slice(0, 200));
    assert.equal(ok.json.length, limit);
    assert.ok(ok.json.every((r) => r.result === 'ModelChain Development'));

    const tooLong = await post(http(limited), batch(limit + 1));
    assert.ok(!Array.isArray(tooLong.json), 'no call of the batch is answered');
    assert.equal(tooLong.json?.error?.code, -32010, tooLong.text.slice(0, 200));
    assert.match(tooLong.json.error.message, /batch request was too large/);
  });

  test('a request above the size limit is refused before it is parsed', async () => {
    const megabytes = flagValue(flags, '--rpc-max-request-size');
    const big = await announcePost(http(limited), megabytes * 1024 * 1024 + 1);
    assert.equal(big.status, 413, big.text.slice(0, 200));
    assert.match(big.text, /Request is too big/);
    // Just under the limit is served.
    const fits = 'x'.repeat(megabytes * 1024 * 1024 - 200);
    const small = await post(http(limited), `{"id":1,"jsonrpc":"2.0","method":"system_chain","params":[],"pad":"${fits}"}`);
    assert.equal(small.json?.result, 'ModelChain Development', small.text.slice(0, 200));
  });

  test('without the flags a node answers a batch of 50,000 calls', async () => {
    const answer = await post(http(plain), batch(50_000));
    assert.equal(answer.status, 200);
    assert.ok(Array.isArray(answer.json), answer.text.slice(0, 200));
    assert.equal(answer.json.length, 50_000);
  });
});
