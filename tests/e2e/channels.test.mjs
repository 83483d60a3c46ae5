// Query channels on a real dev node: a requester opens a channel to a bonded miner, signs 1,000
// cumulative vouchers with its account key in JavaScript (the bytes checked against the
// runtime API's `voucherMessage` and the documented test vector), the miner settles all of
// them with one claim, and the share holders' pending revenue grows by exactly the holders'
// part of 1,000 prices; every bad voucher is refused with its error and nothing paid; closing
// refunds the rest and releases every hold. (This test plays the miner; paid_queries.test.mjs
// runs the real worker.)

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { Keyring } from '@polkadot/keyring';
import { bnToU8a, compactStripLength, u8aConcat, u8aToHex } from '@polkadot/util';
import { blake2AsU8a, cryptoWaitReady } from '@polkadot/util-crypto';

import { registerModel } from './lib/models.mjs';
import { connect, freePort, sendAndWait, startNode } from './lib/node.mjs';
import { voucherMessage } from './lib/queries.mjs';
import { UNIT } from './lib/units.mjs';

const PRICE = 10n ** 9n; // one milli-MDL per query
const QUERIES = 1_000n;
const SHARES = 1_000_000n;
const PERBILL = 1_000_000_000n;

describe('query channels over RPC', () => {
  let node;
  let api;
  let alice; // model owner, the only share holder
  let bob; // the miner
  let charlie; // a miner serving nothing
  let eve; // the requester
  let ferdie; // someone else
  let model;
  let genesis;

  before(async () => {
    await cryptoWaitReady();
    node = await startNode({ name: 'channels', args: ['--dev', '--tmp'] });
    api = await connect(node.url);
    const keyring = new Keyring({ type: 'sr25519' });
    [alice, bob, charlie, eve, ferdie] = ['//Alice', '//Bob', '//Charlie', '//Eve', '//Ferdie'].map((uri) =>
      keyring.addFromUri(uri),
    );
    genesis = api.genesisHash.toU8a();
    model = await registerModel(api, alice, { name: 'Channels', symbol: 'CHN', price: PRICE });
    await sendAndWait(api, api.tx.modelShares.issueShares(model, SHARES), alice);
    const port = await freePort();
    await sendAndWait(
      api,
      api.tx.computeStaking.registerWorker('Miner', `http://127.0.0.1:${port}`, 'cpu', [{ model, version: 0 }]),
      bob,
    );
    await sendAndWait(api, api.tx.computeStaking.bond(2_000n * UNIT), bob);
  });

  after(async () => {
    await api?.disconnect();
    await node?.stop();
  });

  const sign = (signer, voucher, chain = genesis) => ({ Sr25519: signer.sign(voucherMessage(chain, voucher)) });
  const claim = (channel, voucher, signature, by = bob) =>
    sendAndWait(api, api.tx.queryChannels.claim(channel, voucher, signature), by);
  const refused = async (promise) => {
    try {
      await promise;
    } catch (error) {
      return error.message.split(':')[0];
    }
    return 'accepted';
  };
  const holdsOf = async (who) =>
    (await api.query.balances.holds(who.address)).reduce((sum, h) => sum + h.amount.toBigInt(), 0n);
  const pending = async () => (await api.call.modelSharesApi.pendingRevenue(model, alice.address)).toBigInt();

  test('the voucher message is the documented test vector and what the runtime API encodes', async () => {
    const voucher = { channel: 7n, cumulative: 3n * PRICE, queries: 3n, receiptsRoot: new Uint8Array(32).fill(0xab) };
    const ours = voucherMessage(new Uint8Array(32).fill(0x11), voucher);
    // The vector in docs/architecture.md and in the pallet's `the_voucher_message_is_the_documented_test_vector`.
    assert.equal(
      u8aToHex(ours),
      '0x486d6f64656c636861696e2f766f7563686572' +
        '11'.repeat(32) +
        '0700000000000000' +
        '005ed0b2000000000000000000000000' +
        '0300000000000000' +
        'ab'.repeat(32),
    );
    const fromChain = await api.call.queryChannelsApi.voucherMessage({
      channel: voucher.channel,
      cumulative: voucher.cumulative,
      queries: voucher.queries,
      receiptsRoot: voucher.receiptsRoot,
    });
    // The runtime API returns the SCALE encoding of a `Vec<u8>`, the length first.
    assert.equal(u8aToHex(compactStripLength(fromChain.toU8a(true))[1]), u8aToHex(voucherMessage(genesis, voucher)));
  });

  test('1,000 vouchers settled by one claim pay the holders exactly their part of 1,000 prices', async () => {
    const deposit = 1_500n * PRICE;
    assert.equal(
      await refused(sendAndWait(api, api.tx.queryChannels.openChannel(charlie.address, model, deposit, 1_000), eve)),
      'queryChannels.MinerNotServing',
    );
    const { events } = await sendAndWait(api, api.tx.queryChannels.openChannel(bob.address, model, deposit, 1_000), eve);
    const opened = events.find(({ event }) => api.events.queryChannels.ChannelOpened.is(event)).event.data;
    const channel = opened.channel.toBigInt();
    assert.equal(opened.price.toBigInt(), PRICE);
    const storageDeposit = (await api.query.queryChannels.channels(channel)).unwrap().storageDeposit.toBigInt();
    assert.equal(await holdsOf(eve), deposit + storageDeposit);

    // One voucher per query, each committing to a running hash of the receipts so far.
    let root = new Uint8Array(32);
    let latest;
    for (let n = 1n; n <= QUERIES; n++) {
      root = blake2AsU8a(u8aConcat(root, bnToU8a(n, { bitLength: 64 })));
      latest = { channel, cumulative: n * PRICE, queries: n, receiptsRoot: root };
      latest.signature = sign(eve, latest);
    }
    const voucher = { channel, cumulative: latest.cumulative, queries: latest.queries, receiptsRoot: latest.receiptsRoot };

    // Bad vouchers: each refused with its error, nothing paid.
    const before = await pending();
    const other = (changes) => ({ ...voucher, ...changes });
    const cases = [
      ['signed by another account', () => claim(channel, voucher, sign(ferdie, voucher)), 'queryChannels.BadSignature'],
      [
        'signed for another chain',
        () => claim(channel, voucher, sign(eve, voucher, new Uint8Array(32).fill(1))),
        'queryChannels.BadSignature',
      ],
      [
        'altered after signing',
        () => claim(channel, other({ cumulative: voucher.cumulative + PRICE }), latest.signature),
        'queryChannels.BadSignature',
      ],
      [
        'above the escrow',
        () => claim(channel, other({ cumulative: deposit + 1n }), sign(eve, other({ cumulative: deposit + 1n }))),
        'queryChannels.VoucherAboveDeposit',
      ],
      [
        'of another channel',
        () => claim(channel, other({ channel: channel + 1n }), sign(eve, other({ channel: channel + 1n }))),
        'queryChannels.WrongChannel',
      ],
      ['claimed by another account', () => claim(channel, voucher, latest.signature, ferdie), 'queryChannels.NotMiner'],
    ];
    for (const [what, attempt, error] of cases) {
      assert.equal(await refused(attempt()), error, what);
    }
    assert.equal(await pending(), before, 'no bad voucher paid anything');

    const { events: claimed } = await claim(channel, voucher, latest.signature);
    const paid = claimed.find(({ event }) => api.events.queryChannels.Claimed.is(event)).event.data;
    const fee = QUERIES * PRICE;
    const protocolFee = (await api.query.inference.parameters()).protocolFee.toBigInt();
    const treasury = (fee * protocolFee) / PERBILL;
    const creator = (fee * 50_000_000n) / PERBILL; // the model's 5% royalty
    const miner = (fee * 300_000_000n) / PERBILL; // 30% to the miner
    const holders = fee - treasury - creator - miner;
    assert.deepEqual(
      [paid.amount, paid.treasury, paid.creator, paid.minerPart, paid.holders].map((v) => v.toBigInt()),
      [fee, treasury, creator, miner, holders],
    );
    assert.equal((await pending()) - before, holders, "the holders' pending revenue grew by exactly their part");
    assert.equal(await holdsOf(eve), deposit - fee + storageDeposit);

    // The same voucher again pays nothing.
    assert.equal(await refused(claim(channel, voucher, latest.signature)), 'queryChannels.VoucherNotNewer');

    // The requester asks to close; the miner closes at once; the rest is refunded.
    const { events: closing } = await sendAndWait(api, api.tx.queryChannels.closeChannel(channel), eve);
    assert.ok(closing.some(({ event }) => api.events.queryChannels.ChannelClosing.is(event)));
    const { events: closed } = await sendAndWait(api, api.tx.queryChannels.closeChannel(channel), bob);
    const done = closed.find(({ event }) => api.events.queryChannels.ChannelClosed.is(event)).event.data;
    assert.equal(done.refunded.toBigInt(), deposit - fee);
    assert.equal(done.depositReleased.toBigInt(), storageDeposit);
    assert.equal(await holdsOf(eve), 0n, 'every hold released');
    assert.ok((await api.query.queryChannels.channels(channel)).isNone);
  });
});
