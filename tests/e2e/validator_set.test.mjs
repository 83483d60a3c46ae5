// A validator joins and leaves a running chain (`pallet-validator-set`), the way the validator guide's
// runbook says, on a real dev chain where Alice validates alone:
//
// 1. Bob starts a node with an empty keystore, makes session keys on it
//    (`author_rotateKeysWithOwner`) and registers them with `session.setKeys` (deposit held).
// 2. Root (sudo here; a referendum on a production chain) adds Bob with
//    `validatorSet.addValidator`. Refusals first: not root, an account without session keys, Bob
//    twice.
// 3. Two sessions later Bob is in `session.validators` and `aura.authorities`, the GRANDPA set
//    changed, Bob's node authors blocks, and blocks keep being finalized, which with two
//    validators needs Bob's GRANDPA votes too.
// 4. Root removes Bob; two sessions later Alice is alone again, Bob's node is stopped, and Alice
//    keeps authoring and finalizing.
//
// Sessions are shortened to 10 blocks with `system.setStorage` (`SessionPeriod` is a storage
// parameter), so each change takes about a minute.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { WsProvider } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import { bnToU8a, u8aToHex } from '@polkadot/util';
import { cryptoWaitReady, xxhashAsHex } from '@polkadot/util-crypto';

import {
  connect,
  nextEvent,
  peerId,
  sendAndWait,
  startNode,
  sudoAndWait,
  waitFor,
} from './lib/node.mjs';

const SESSION_BLOCKS = 10;

describe('validators join and leave a running chain', () => {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'modelchain-validator-set-'));
  const nodeKeys = { alice: new Uint8Array(32).fill(1), bob: new Uint8Array(32).fill(2) };
  let aliceNode;
  let bobNode;
  let api;
  let bobApi;
  let alice;
  let bob;
  let charlie;
  let bobAuraKey;

  const heads = async (client) => {
    const best = (await client.rpc.chain.getHeader()).number.toNumber();
    const finalized = (await client.rpc.chain.getHeader(await client.rpc.chain.getFinalizedHead()))
      .number.toNumber();
    return { best, finalized };
  };

  /** Waits for `validatorSet.NewSetPlanned` and then for the start of the session it names. */
  const waitForPlannedSession = async () => {
    const planned = await nextEvent(api, (e) => api.events.validatorSet.NewSetPlanned.is(e), {
      message: 'validatorSet.NewSetPlanned',
      timeoutMs: 3 * SESSION_BLOCKS * 3_000 + 30_000,
    });
    const session = planned.data.session.toNumber();
    await waitFor(async () => (await api.query.session.currentIndex()).toNumber() >= session, {
      timeoutMs: 2 * SESSION_BLOCKS * 3_000 + 30_000,
      message: `session ${session}`,
    });
    return planned;
  };

  before(async () => {
    await cryptoWaitReady();
    const keyring = new Keyring({ type: 'sr25519' });
    alice = keyring.addFromUri('//Alice');
    bob = keyring.addFromUri('//Bob');
    charlie = keyring.addFromUri('//Charlie');
    aliceNode = await startNode({
      name: 'validator-set-alice',
      args: [
        '--chain', 'dev',
        '--alice',
        '--validator',
        // Alone, Alice would otherwise wait for peers before authoring.
        '--force-authoring',
        '--base-path', path.join(base, 'alice'),
        '--node-key', u8aToHex(nodeKeys.alice).slice(2),
      ],
    });
    api = await connect(aliceNode.url);
  });

  after(async () => {
    await bobApi?.disconnect();
    await api?.disconnect();
    await bobNode?.stop();
    await aliceNode?.stop();
    fs.rmSync(base, { recursive: true, force: true });
  });

  test('Bob runs a node and registers session keys made on it', async () => {
    bobNode = await startNode({
      name: 'validator-set-bob',
      args: [
        '--chain', 'dev',
        '--validator',
        '--base-path', path.join(base, 'bob'),
        '--node-key', u8aToHex(nodeKeys.bob).slice(2),
        '--bootnodes', `/ip4/127.0.0.1/tcp/${aliceNode.p2pPort}/p2p/${peerId(nodeKeys.alice)}`,
        // author_rotateKeysWithOwner is an unsafe RPC: local access only.
        '--rpc-methods', 'unsafe',
      ],
    });
    bobApi = await connect(bobNode.url);
    await waitFor(async () => (await api.rpc.system.health()).peers.toNumber() >= 1, {
      message: 'Bob peered with Alice',
    });
    // The raw RPC, as the runbook's curl sends it (@polkadot/api 16 does not decorate it).
    const provider = new WsProvider(bobNode.url, false);
    await provider.connect();
    await provider.isReady;
    let generated;
    try {
      generated = await provider.send('author_rotateKeysWithOwner', [u8aToHex(bob.publicKey)]);
    } finally {
      await provider.disconnect();
    }
    // SCALE-encoded keys: Aura (sr25519), GRANDPA (ed25519), inference (sr25519), 32 bytes each.
    assert.equal(generated.keys.length, 2 + 3 * 64);
    bobAuraKey = generated.keys.slice(0, 66);
    // The keys are in Bob's keystore.
    const has = await bobApi.rpc.author.hasSessionKeys(generated.keys);
    assert.equal(has.isTrue, true);

    const { events } = await sendAndWait(
      api,
      api.tx.session.setKeys(generated.keys, generated.proof),
      bob,
    );
    assert.ok(events.some(({ event }) => api.events.balances.Held.is(event)), 'key deposit held');
    assert.equal((await api.query.session.nextKeys(bob.address)).isSome, true);
  });

  test('only root adds validators, and only with session keys', async () => {
    await assert.rejects(
      sendAndWait(api, api.tx.validatorSet.addValidator(bob.address), bob),
      /BadOrigin/,
    );
    await assert.rejects(
      sudoAndWait(api, api.tx.validatorSet.addValidator(charlie.address), alice),
      /validatorSet\.NoSessionKeys/,
    );
    await assert.rejects(
      sudoAndWait(api, api.tx.validatorSet.addValidator(alice.address), alice),
      /validatorSet\.AlreadyValidator/,
    );
    await assert.rejects(
      sudoAndWait(api, api.tx.validatorSet.removeValidator(alice.address), alice),
      /validatorSet\.TooFewValidators/,
    );
    assert.deepEqual((await api.query.validatorSet.validators()).toJSON(), [alice.address]);
  });

  test('Bob joins: two sessions later he authors and his votes finalize blocks', async () => {
    const u32 = (n) => u8aToHex(bnToU8a(n, { bitLength: 32, isLe: true }));
    await sudoAndWait(
      api,
      api.tx.system.setStorage([[xxhashAsHex(':SessionPeriod:', 128), u32(SESSION_BLOCKS)]]),
      alice,
    );
    const setId = (await api.query.grandpa.currentSetId()).toNumber();
    const events = await sudoAndWait(api, api.tx.validatorSet.addValidator(bob.address), alice);
    const added = events.find(({ event }) => api.events.validatorSet.ValidatorAdded.is(event));
    assert.equal(added.event.data.who.toString(), bob.address);
    assert.deepEqual((await api.query.validatorSet.validators()).toJSON(), [
      alice.address,
      bob.address,
    ]);

    const planned = await waitForPlannedSession();
    assert.equal(planned.data.validators.toNumber(), 2);
    assert.deepEqual((await api.query.session.validators()).toJSON(), [alice.address, bob.address]);
    const authorities = (await api.query.aura.authorities()).map((key) => key.toHex());
    assert.ok(authorities.includes(bobAuraKey), 'Bob\'s Aura key is an authority');
    await waitFor(async () => (await api.query.grandpa.currentSetId()).toNumber() > setId, {
      timeoutMs: 60_000,
      message: 'a new GRANDPA authority set',
    });

    // Bob's node authors blocks (Aura takes turns).
    const start = (await api.rpc.chain.getHeader()).number.toNumber();
    const authoredByBob = await waitFor(
      async () => {
        const best = (await api.rpc.chain.getHeader()).number.toNumber();
        for (let n = start; n <= best; n += 1) {
          const header = await api.derive.chain.getHeader(await api.rpc.chain.getBlockHash(n));
          if (header.author?.toString() === bob.address) return n;
        }
        return null;
      },
      { timeoutMs: 60_000, message: 'a block authored by Bob' },
    );
    assert.ok(authoredByBob >= start);

    // Two validators: GRANDPA needs both votes, so finality moving on proves Bob votes.
    const finalizedAt = (await heads(api)).best;
    await waitFor(async () => (await heads(api)).finalized >= finalizedAt + 3, {
      timeoutMs: 60_000,
      message: `finality past block ${finalizedAt + 3} with Alice and Bob`,
    });
    const onBob = await heads(bobApi);
    assert.ok(onBob.finalized >= finalizedAt, 'Bob\'s node finalizes too');
  });

  test('Bob leaves: two sessions later Alice validates alone again', async () => {
    const events = await sudoAndWait(api, api.tx.validatorSet.removeValidator(bob.address), alice);
    assert.ok(events.some(({ event }) => api.events.validatorSet.ValidatorRemoved.is(event)));
    const setId = (await api.query.grandpa.currentSetId()).toNumber();
    const planned = await waitForPlannedSession();
    assert.equal(planned.data.validators.toNumber(), 1);
    assert.deepEqual((await api.query.session.validators()).toJSON(), [alice.address]);
    // The new (Alice-only) GRANDPA set is enacted once the block announcing it is finalized,
    // by Alice and Bob.
    await waitFor(async () => (await api.query.grandpa.currentSetId()).toNumber() > setId, {
      timeoutMs: 60_000,
      message: 'the Alice-only GRANDPA set',
    });
    // The nodes switch to the new set when the block that announced it is finalized, and
    // finalizing it still takes Bob's vote: he leaves only after that.
    const announced = (await heads(api)).best;
    await waitFor(async () => (await heads(api)).finalized >= announced, {
      timeoutMs: 60_000,
      message: `block ${announced} finalized by Alice and Bob`,
    });

    await bobApi.disconnect();
    bobApi = undefined;
    await bobNode.stop();
    const { best } = await heads(api);
    await waitFor(async () => (await heads(api)).finalized >= best + 3, {
      timeoutMs: 60_000,
      message: `Alice alone finalizes past block ${best + 3}`,
    });
    // Bob's session keys and their deposit stay until he purges them.
    assert.equal((await api.query.session.nextKeys(bob.address)).isSome, true);
    await sendAndWait(api, api.tx.session.purgeKeys(), bob);
    assert.equal((await api.query.session.nextKeys(bob.address)).isSome, false);
  });
});
