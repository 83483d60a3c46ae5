// Reliability under faults on a real 4-validator network (`--chain local4`, loopback only):
// Alice, Bob, Charlie and Dave author blocks (Aura) and finalize them (GRANDPA needs more than
// two thirds: 3 of 4).
//
// 1. All four up: blocks are produced and finalized.
// 2. Dave is killed (SIGKILL): finality continues with 3 of 4.
// 3. Dave restarts on his database: he syncs back to the tip.
// 4. Charlie and Dave are killed: finality stalls (2 of 4), but blocks are still produced and the
//    transaction pool still takes transfers into blocks.
// 5. Charlie returns: finality resumes and covers the blocks made meanwhile; Dave returns too.
// 6. Every transfer submitted along the way is in the finalized state exactly once: each
//    recipient holds the sum of what was sent to it and each sender's nonce moved by the number of
//    transfers it signed (none lost, none doubled).
//
// Run it alone with ./scripts/test-network.sh.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { after, before, describe, test } from 'node:test';

import { Keyring } from '@polkadot/keyring';
import { u8aToHex } from '@polkadot/util';
import { cryptoWaitReady } from '@polkadot/util-crypto';

import { connect, freePort, peerId, sendAndWait, sleep, startNode, waitFor } from './lib/node.mjs';
import { UNIT } from './lib/units.mjs';

const VALIDATORS = ['alice', 'bob', 'charlie', 'dave'];

describe('a 4-validator network under faults', () => {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'modelchain-reliability-'));
  const nodes = {};
  const ports = {};
  const keys = {};
  let aliceApi;
  let bobApi;
  let keyring;
  // Every transfer submitted: { from, to, amount, block }.
  const transfers = [];
  const nonces = {};
  const startNonces = {};

  const startValidator = async (name) => {
    const args = [
      '--chain', 'local4',
      `--${name}`,
      '--base-path', path.join(base, name),
      '--node-key', u8aToHex(keys[name]).slice(2),
    ];
    if (name !== 'alice') {
      args.push('--bootnodes', `/ip4/127.0.0.1/tcp/${ports.alice.p2pPort}/p2p/${peerId(keys.alice)}`);
    }
    nodes[name] = await startNode({ args, name: `reliability-${name}`, ports: ports[name] });
  };

  const kill = async (name) => {
    const { child } = nodes[name];
    child.kill('SIGKILL');
    if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
  };

  const heads = async (api) => {
    const best = (await api.rpc.chain.getHeader()).number.toNumber();
    const finalizedHash = await api.rpc.chain.getFinalizedHead();
    const finalized = (await api.rpc.chain.getHeader(finalizedHash)).number.toNumber();
    return { best, finalized };
  };

  /** Sends `count` transfers from `sender` through `api` at once (explicit nonces) and waits
   * until each is in a block. */
  const transferBatch = async (api, sender, count) => {
    const pending = [];
    for (let i = 0; i < count; i += 1) {
      const to = keyring.addFromUri(`//Recipient/${transfers.length % 5}`).address;
      const amount = UNIT + BigInt(transfers.length + 1);
      const nonce = nonces[sender.address];
      nonces[sender.address] += 1;
      const record = { from: sender.address, to, amount, block: null };
      transfers.push(record);
      pending.push(
        sendAndWait(api, api.tx.balances.transferKeepAlive(to, amount), sender, { nonce }).then(
          ({ blockHash }) => {
            record.block = blockHash.toHex();
          },
        ),
      );
    }
    await Promise.all(pending);
  };

  before(async () => {
    await cryptoWaitReady();
    keyring = new Keyring({ type: 'sr25519' });
    for (const [i, name] of VALIDATORS.entries()) {
      keys[name] = new Uint8Array(32).fill(i + 1);
      ports[name] = { rpcPort: await freePort(), p2pPort: await freePort(), prometheusPort: await freePort() };
    }
    for (const name of VALIDATORS) await startValidator(name);
    aliceApi = await connect(nodes.alice.url);
    bobApi = await connect(nodes.bob.url);
    for (const uri of ['//Eve', '//Ferdie']) {
      const { address } = keyring.addFromUri(uri);
      nonces[address] = (await aliceApi.rpc.system.accountNextIndex(address)).toNumber();
      startNonces[address] = nonces[address];
    }
  });

  after(async () => {
    await aliceApi?.disconnect();
    await bobApi?.disconnect();
    for (const node of Object.values(nodes)) await node.stop();
    fs.rmSync(base, { recursive: true, force: true });
  });

  const eve = () => keyring.addFromUri('//Eve');
  const ferdie = () => keyring.addFromUri('//Ferdie');

  test('four validators produce and finalize blocks, all peered', async () => {
    await waitFor(async () => (await aliceApi.rpc.system.health()).peers.toNumber() >= 3, {
      timeoutMs: 60_000,
      message: 'Alice sees the 3 other validators',
    });
    await waitFor(async () => (await heads(aliceApi)).finalized >= 3, {
      timeoutMs: 90_000,
      message: 'finalized block 3',
    });
    await Promise.all([transferBatch(aliceApi, eve(), 3), transferBatch(bobApi, ferdie(), 3)]);
  });

  test('one validator down: finality continues', async () => {
    await kill('dave');
    const { finalized } = await heads(aliceApi);
    await Promise.all([transferBatch(aliceApi, eve(), 3), transferBatch(bobApi, ferdie(), 3)]);
    await waitFor(async () => (await heads(aliceApi)).finalized >= finalized + 4, {
      timeoutMs: 60_000,
      message: `finality past ${finalized + 4} without Dave`,
    });
  });

  test('the restarted validator syncs back to the tip', async () => {
    const tip = await heads(aliceApi);
    await startValidator('dave');
    const daveApi = await connect(nodes.dave.url);
    try {
      await waitFor(
        async () => {
          const dave = await heads(daveApi);
          return dave.best >= tip.best && dave.finalized >= tip.finalized;
        },
        { timeoutMs: 90_000, message: `Dave at block ${tip.best}, finalized ${tip.finalized}` },
      );
      // And he follows it: within a couple of blocks of Alice's best.
      const [dave, alice] = await Promise.all([heads(daveApi), heads(aliceApi)]);
      assert.ok(alice.best - dave.best <= 2, `Dave ${dave.best}, Alice ${alice.best}`);
    } finally {
      await daveApi.disconnect();
    }
  });

  let stalledAt;
  test('two validators down: finality stalls, blocks and transfers go on', async () => {
    await Promise.all([kill('charlie'), kill('dave')]);
    // Let a round in flight conclude, then watch.
    await sleep(6_000);
    const start = await heads(aliceApi);
    await Promise.all([transferBatch(aliceApi, eve(), 3), transferBatch(bobApi, ferdie(), 3)]);
    await waitFor(async () => (await heads(aliceApi)).best >= start.best + 4, {
      timeoutMs: 60_000,
      message: 'Alice and Bob keep authoring',
    });
    const end = await heads(aliceApi);
    assert.equal(end.finalized, start.finalized, 'nothing is finalized with 2 of 4 validators');
    assert.ok(end.best >= start.best + 4);
    stalledAt = end;
  });

  test('a validator returns: finality resumes over the blocks made meanwhile', async () => {
    await startValidator('charlie');
    await waitFor(async () => (await heads(aliceApi)).finalized >= stalledAt.best, {
      timeoutMs: 120_000,
      message: `finality reaches block ${stalledAt.best}`,
    });
    await startValidator('dave');
    await Promise.all([transferBatch(aliceApi, eve(), 3), transferBatch(bobApi, ferdie(), 3)]);
  });

  test('every transfer is in the finalized state exactly once', async () => {
    // Wait until the last transfer's block is finalized on the canonical chain.
    const blocks = transfers.map(({ block }) => block);
    assert.ok(blocks.every(Boolean), 'every transfer was included in a block');
    const lastNumbers = await Promise.all(
      blocks.map(async (hash) => (await aliceApi.rpc.chain.getHeader(hash)).number.toNumber()),
    );
    const last = Math.max(...lastNumbers);
    await waitFor(async () => (await heads(aliceApi)).finalized >= last + 1, {
      timeoutMs: 90_000,
      message: `finalized past block ${last}`,
    });
    const finalizedHash = await aliceApi.rpc.chain.getFinalizedHead();
    const at = await aliceApi.at(finalizedHash);
    const expected = new Map();
    for (const { to, amount } of transfers) expected.set(to, (expected.get(to) ?? 0n) + amount);
    for (const [to, sum] of expected) {
      const { data } = await at.query.system.account(to);
      assert.equal(data.free.toBigInt() + data.reserved.toBigInt(), sum, `balance of ${to}`);
    }
    for (const [address, start] of Object.entries(startNonces)) {
      const signed = transfers.filter(({ from }) => from === address).length;
      const { nonce } = await at.query.system.account(address);
      assert.equal(nonce.toNumber(), start + signed, `nonce of ${address}`);
    }
    assert.equal(transfers.length, 24);
  });
});
