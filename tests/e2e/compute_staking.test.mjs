// Compute staking on a real dev node: a miner registers, bonds (a named hold), is rejected with
// named errors on bad input (nothing changes), unbonds and sees its unbonding chunk; root changes
// the parameters through sudo.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';

import { registerModel } from './lib/models.mjs';
import { connect, sendAndWait, startNode } from './lib/node.mjs';
import { UNIT } from './lib/units.mjs';


describe('compute staking over RPC', () => {
  let node;
  let api;
  let alice;
  let charlie;

  before(async () => {
    await cryptoWaitReady();
    node = await startNode({ name: 'compute-staking' });
    api = await connect(node.url);
    const keyring = new Keyring({ type: 'sr25519' });
    alice = keyring.addFromUri('//Alice');
    charlie = keyring.addFromUri('//Charlie');
    assert.equal(await registerModel(api, alice), 0);
  });

  after(async () => {
    await api?.disconnect();
    await node?.stop();
  });

  const versions = [{ model: 0, version: 0 }];

  test('a miner registers and bonds; the bond is a named hold', async () => {
    const { events } = await sendAndWait(
      api,
      api.tx.computeStaking.registerWorker('Miner', 'http://127.0.0.1:7001', '1x CPU', versions),
      charlie,
    );
    assert.ok(events.some(({ event }) => api.events.computeStaking.WorkerRegistered.is(event)));

    const bond = 1_500n * UNIT;
    const bonded = await sendAndWait(api, api.tx.computeStaking.bond(bond), charlie);
    const event = bonded.events.find(({ event }) => api.events.computeStaking.Bonded.is(event));
    assert.equal(event.event.data.activeBond.toBigInt(), bond);

    const holds = await api.query.balances.holds(charlie.address);
    const bondHold = holds.find((h) => h.id.toString().includes('WorkerBond'));
    assert.ok(bondHold, `holds: ${holds.toString()}`);
    assert.equal(bondHold.amount.toBigInt(), bond);

    const worker = (await api.query.computeStaking.workers(charlie.address)).unwrap();
    assert.equal(worker.role.toString(), 'Miner');
    assert.equal(worker.activeBond.toBigInt(), bond);
  });

  test('bad input fails with a named error and changes nothing', async () => {
    const before = (await api.query.computeStaking.workers(charlie.address)).toHex();
    await assert.rejects(
      sendAndWait(api, api.tx.computeStaking.updateWorker('ftp://nope', null, null), charlie),
      /computeStaking\.InvalidEndpoint/,
    );
    await assert.rejects(
      sendAndWait(api, api.tx.computeStaking.updateWorker(null, null, [{ model: 9, version: 0 }]), charlie),
      /computeStaking\.UnknownVersion/,
    );
    await assert.rejects(
      sendAndWait(api, api.tx.computeStaking.bond(0), charlie),
      /computeStaking\.ZeroAmount/,
    );
    await assert.rejects(
      sendAndWait(
        api,
        api.tx.computeStaking.registerWorker('Miner', 'http://x', '', versions),
        charlie,
      ),
      /computeStaking\.AlreadyRegistered/,
    );
    await assert.rejects(
      sendAndWait(api, api.tx.computeStaking.unbond(1_000n * UNIT), charlie),
      /computeStaking\.BondBelowMinimum/,
    );
    assert.equal((await api.query.computeStaking.workers(charlie.address)).toHex(), before);
  });

  test('unbonding moves stake into a slashable chunk', async () => {
    const { events } = await sendAndWait(api, api.tx.computeStaking.unbond(500n * UNIT), charlie);
    const unbonded = events.find(({ event }) => api.events.computeStaking.Unbonded.is(event));
    assert.ok(unbonded);
    const worker = (await api.query.computeStaking.workers(charlie.address)).unwrap();
    assert.equal(worker.activeBond.toBigInt(), 1_000n * UNIT);
    assert.equal(worker.unlocking.length, 1);
    assert.equal(worker.unlocking[0].value.toBigInt(), 500n * UNIT);
  });

  test('root changes the parameters through sudo; others cannot', async () => {
    const params = (await api.query.computeStaking.parameters()).unwrap().toJSON();
    const changed = { ...params, jailPeriod: 42 };
    const { events } = await sendAndWait(
      api,
      api.tx.sudo.sudo(api.tx.computeStaking.setParameters(changed)),
      alice,
    );
    assert.ok(events.some(({ event }) => api.events.computeStaking.ParametersSet.is(event)));
    assert.equal((await api.query.computeStaking.parameters()).unwrap().jailPeriod.toNumber(), 42);
    await assert.rejects(
      sendAndWait(api, api.tx.computeStaking.setParameters(params), charlie),
      /BadOrigin/,
    );
  });
});
