// Model shares on a real dev node: issue shares (visible in pallet-assets with the model's
// metadata), transfer some to Bob, deposit revenue, both claim exactly their pro-rata part; the
// order book sells escrowed shares in parts; pallet-assets cannot move shares.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';

import { registerModel } from './lib/models.mjs';
import { connect, sendAndWait, startNode, sudoAndWait } from './lib/node.mjs';
import { UNIT, SHARE_ASSET_ID_BASE } from './lib/units.mjs';

const SUPPLY = 1_000_000n;

describe('model shares over RPC', () => {
  let node;
  let api;
  let alice;
  let bob;
  let charlie;
  let dave;
  let model;
  let asset;

  before(async () => {
    await cryptoWaitReady();
    node = await startNode({ name: 'model-shares' });
    api = await connect(node.url);
    const keyring = new Keyring({ type: 'sr25519' });
    alice = keyring.addFromUri('//Alice');
    bob = keyring.addFromUri('//Bob');
    charlie = keyring.addFromUri('//Charlie');
    dave = keyring.addFromUri('//Dave');
    model = await registerModel(api, alice, { name: 'Digits MLP', symbol: 'DGT' });
    asset = SHARE_ASSET_ID_BASE + model;
  });

  after(async () => {
    await api?.disconnect();
    await node?.stop();
  });

  const sharesOf = async (who) => {
    const account = await api.query.shareAssets.account(asset, who);
    return account.isSome ? account.unwrap().balance.toBigInt() : 0n;
  };
  const free = async (who) => (await api.query.system.account(who)).data.free.toBigInt();
  const feeOf = (events) =>
    events
      .filter(({ event }) => api.events.transactionPayment.TransactionFeePaid.is(event))
      .reduce((sum, { event }) => sum + event.data.actualFee.toBigInt(), 0n);

  test('issues shares as an asset with the model name and symbol', async () => {
    await sendAndWait(api, api.tx.modelShares.issueShares(model, SUPPLY), alice);
    assert.equal(await sharesOf(alice.address), SUPPLY);
    const metadata = await api.query.shareAssets.metadata(asset);
    assert.equal(metadata.name.toUtf8(), 'Digits MLP');
    assert.equal(metadata.symbol.toUtf8(), 'DGT');
    assert.equal((await api.query.shareAssets.asset(asset)).unwrap().supply.toBigInt(), SUPPLY);
    assert.equal((await api.query.modelRegistry.models(model)).unwrap().sharesIssued.isTrue, true);
  });

  test('pallet-assets cannot move shares: shareAssets has no calls, assets.* finds no share', async () => {
    assert.equal(api.tx.shareAssets, undefined);
    assert.ok(api.query.shareAssets.account);
    await assert.rejects(
      sendAndWait(api, api.tx.assets.transfer(asset, bob.address, 1), alice),
      /assets\.(Unknown|NoAccount)/,
    );
    await assert.rejects(
      sudoAndWait(api, api.tx.assets.startDestroy(asset), alice),
      /assets\.Unknown/,
    );
    assert.equal(await sharesOf(alice.address), SUPPLY);
    assert.equal(await sharesOf(bob.address), 0n);
  });

  test('revenue is shared pro rata and claimed exactly', async () => {
    await sendAndWait(api, api.tx.modelShares.transferShares(model, bob.address, SUPPLY / 4n), alice);
    assert.equal(await sharesOf(bob.address), SUPPLY / 4n);

    const revenue = 1_000n * UNIT;
    await sendAndWait(api, api.tx.modelShares.distributeRevenue(model, revenue), dave);

    const aliceBefore = await free(alice.address);
    const aliceClaim = await sendAndWait(api, api.tx.modelShares.claim(model), alice);
    const aliceGot = (await free(alice.address)) - aliceBefore + feeOf(aliceClaim.events);
    assert.equal(aliceGot, (revenue * 3n) / 4n);

    const bobBefore = await free(bob.address);
    const bobClaim = await sendAndWait(api, api.tx.modelShares.claim(model), bob);
    const bobGot = (await free(bob.address)) - bobBefore + feeOf(bobClaim.events);
    assert.equal(bobGot, revenue / 4n);

    await assert.rejects(
      sendAndWait(api, api.tx.modelShares.claim(model), bob),
      /modelShares\.NothingToClaim/,
    );
    const cls = (await api.query.modelShares.shareClasses(model)).unwrap();
    assert.equal(cls.totalDeposited.toBigInt(), revenue);
    assert.equal(cls.totalClaimed.toBigInt(), revenue);
  });

  test('the order book sells escrowed shares in parts', async () => {
    const price = UNIT / 100n;
    const created = await sendAndWait(api, api.tx.modelShares.createOrder(model, 1_000, price), bob);
    const order = created.events
      .find(({ event }) => api.events.modelShares.OrderCreated.is(event))
      .event.data.order.toNumber();
    assert.equal((await api.query.modelShares.escrowed(model, bob.address)).toBigInt(), 1_000n);

    const bobBefore = await free(bob.address);
    await sendAndWait(api, api.tx.modelShares.fillOrder(order, 400), charlie);
    assert.equal(await sharesOf(charlie.address), 400n);
    assert.equal((await free(bob.address)) - bobBefore, 400n * price);
    assert.equal((await api.query.modelShares.orders(order)).unwrap().remaining.toNumber(), 600);

    await assert.rejects(
      sendAndWait(api, api.tx.modelShares.fillOrder(order, 601), charlie),
      /modelShares\.ExceedsOrder/,
    );
    await sendAndWait(api, api.tx.modelShares.cancelOrder(order), bob);
    assert.ok((await api.query.modelShares.orders(order)).isNone);
    assert.equal(await sharesOf(bob.address), SUPPLY / 4n - 400n);
  });
});
