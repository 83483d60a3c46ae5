// The model registry on a real dev node: register a model with its first version, append a
// version, switch versions, pause, retire (deposit released, history kept), and named errors
// that change nothing.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';

import { defaultEconomics, registerModel, versionInput } from './lib/models.mjs';
import { connect, sendAndWait, startNode } from './lib/node.mjs';

describe('model registry over RPC', () => {
  let node;
  let api;
  let alice;
  let bob;
  let model;

  before(async () => {
    await cryptoWaitReady();
    node = await startNode({ name: 'model-registry' });
    api = await connect(node.url);
    const keyring = new Keyring({ type: 'sr25519' });
    alice = keyring.addFromUri('//Alice');
    bob = keyring.addFromUri('//Bob');
  });

  after(async () => {
    await api?.disconnect();
    await node?.stop();
  });

  const depositHeld = async (who) => {
    const holds = await api.query.balances.holds(who);
    const hold = holds.find((h) => h.id.toString().includes('ModelDeposit'));
    return hold ? hold.amount.toBigInt() : 0n;
  };

  test('registers a model with provenance and holds a deposit', async () => {
    model = await registerModel(api, alice);
    const info = (await api.query.modelRegistry.models(model)).unwrap();
    assert.equal(info.owner.toString(), alice.address);
    assert.equal(info.name.toUtf8(), 'Digits');
    assert.equal(info.status.toString(), 'Active');
    assert.equal(info.activeVersion.toNumber(), 0);
    const version = (await api.query.modelRegistry.versions(model, 0)).unwrap();
    assert.equal(version.weightsHash.toHex(), versionInput(1).weightsHash);
    assert.equal(version.format.toString(), 'Safetensors');
    assert.ok((await depositHeld(alice.address)) > 0n);
  });

  test('appends a version and switches to it', async () => {
    await sendAndWait(api, api.tx.modelRegistry.addVersion(model, versionInput(2)), alice);
    const { events } = await sendAndWait(api, api.tx.modelRegistry.setActiveVersion(model, 1), alice);
    const changed = events.find(({ event }) => api.events.modelRegistry.ActiveVersionChanged.is(event));
    assert.equal(changed.event.data.to.toNumber(), 1);
    assert.equal((await api.query.modelRegistry.versions(model, 0)).unwrap().weightsHash.toHex(), versionInput(1).weightsHash);
  });

  test('rejects bad input with named errors and changes nothing', async () => {
    const before = (await api.query.modelRegistry.models(model)).toHex();
    await assert.rejects(
      sendAndWait(api, api.tx.modelRegistry.setActiveVersion(model, 0), bob),
      /modelRegistry\.NotAllowed/,
    );
    await assert.rejects(
      sendAndWait(api, api.tx.modelRegistry.setActiveVersion(model, 9), alice),
      /modelRegistry\.UnknownVersion/,
    );
    await assert.rejects(
      sendAndWait(api, api.tx.modelRegistry.registerModel('X', 'lower', 'u', versionInput(3), defaultEconomics), alice),
      /modelRegistry\.BadSymbol/,
    );
    await assert.rejects(
      sendAndWait(api, api.tx.modelRegistry.registerModel('X', 'X', 'u', versionInput(3, 0n), defaultEconomics), alice),
      /modelRegistry\.ZeroPrice/,
    );
    assert.equal((await api.query.modelRegistry.models(model)).toHex(), before);
    assert.equal((await api.query.modelRegistry.nextModelId()).toNumber(), model + 1);
  });

  test('pauses, then retires: deposit released, history kept', async () => {
    await sendAndWait(api, api.tx.modelRegistry.setStatus(model, 'Paused'), alice);
    assert.equal((await api.query.modelRegistry.models(model)).unwrap().status.toString(), 'Paused');
    await sendAndWait(api, api.tx.modelRegistry.retireModel(model), alice);
    assert.equal((await api.query.modelRegistry.models(model)).unwrap().status.toString(), 'Retired');
    assert.equal(await depositHeld(alice.address), 0n);
    assert.ok((await api.query.modelRegistry.versions(model, 1)).isSome);
  });
});
