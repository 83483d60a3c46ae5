// Paid queries end to end: a dev node, a real `modelchain-worker` miner serving the digits model
// on `/v1/query`, and a requester in JavaScript paying per query with signed vouchers over HTTP.
//
// 1,000 paid queries of held-out images: every answer is what the model predicts (computed
// here independently), every receipt is checked (fields and the miner's signature) and goes
// into the receipts tree the next voucher commits to. The worker claims on its own once the
// unclaimed value reaches its threshold: one claim for all 1,000, and the share holders'
// pending revenue grows by exactly their part of 1,000 prices. Every bad voucher gets a 4xx
// JSON error and runs nothing. The miner is killed (SIGKILL) right after answering, before its
// group commit, restarted on the same state, serves on, and when the requester asks to close
// it claims everything it served; the miner's close then refunds the rest. A miner started
// with a hidden lie flag answers wrong: the requester's challenge of its signed receipt is
// re-executed by the node's verifier and decided by the validators' verdict, the liar is
// slashed, the requester refunded and rewarded; the liar's claim is audited and the lie it
// must reveal is caught too; a challenge of a right answer costs the challenger its deposit,
// paid to the miner. Every claim of the honest miner is audited and passes.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { Keyring } from '@polkadot/keyring';
import { u8aToHex } from '@polkadot/util';
import { cryptoWaitReady } from '@polkadot/util-crypto';

import { loadModel, predict, testSet } from './lib/digits.mjs';
import { connect, freePort, nextEvent, sendAndWait, startNode, waitFor } from './lib/node.mjs';
import { challengeTx, outputHash, PaidChannel, ReceiptsTree, receiptLeaf, receiptMessage } from './lib/queries.mjs';
import { publishDemoModel, registerMiner, serving, startWorker, verifierSecret, workerCommand } from './lib/worker.mjs';
import { holdersVotePolicy } from './lib/governance.mjs';
import { UNIT } from './lib/units.mjs';

const PRICE = 10n ** 9n; // 0.001 MDL per query
const QUERIES = 1_000n;
const PERBILL = 1_000_000_000n;

describe('paid queries against a real worker', () => {
  let node;
  let api;
  let rpc;
  let model;
  let miner; // the worker process, as //Bob
  let port;
  let stateDir;
  let alice; // publisher and only share holder
  let bob;
  let eve; // the requester
  let ferdie;
  let genesis;
  let paid; // the requester's channel
  let verifier; // the node's verifier worker
  let liar; // a miner answering wrong, as //Charlie
  const reference = loadModel();
  const images = testSet();

  const startMiner = async () => {
    miner = await startWorker({
      rpc,
      suri: '//Bob',
      name: 'paid-bob',
      port,
      stateDir,
      // One claim once 1,000 queries are owed (1,000 × 0.001 MDL).
      args: serving(model, ['--claim-threshold', '1']),
    });
    stateDir = miner.stateDir;
  };
  const metric = async (name) => {
    const line = (await miner.metrics()).split('\n').find((l) => l.startsWith(`${name} `));
    return line ? Number(line.split(' ')[1]) : 0;
  };
  const pending = async () => (await api.call.modelSharesApi.pendingRevenue(model, alice.address)).toBigInt();
  const claimedEvent = (cumulative) =>
    nextEvent(
      api,
      (event) => api.events.queryChannels.Claimed.is(event) && event.data.cumulative.toBigInt() === cumulative,
      { message: `a claim of ${cumulative}`, timeoutMs: 60_000 },
    );

  before(async () => {
    await cryptoWaitReady();
    const verifierPort = await freePort();
    const secret = verifierSecret();
    node = await startNode({
      name: 'paid-queries',
      args: [
        '--dev', '--tmp', '--inference-verifier-url', `http://127.0.0.1:${verifierPort}`,
        '--inference-verifier-secret-file', secret.file,
      ],
    });
    rpc = node.url;
    api = await connect(node.url);
    const keyring = new Keyring({ type: 'sr25519' });
    [alice, bob, eve, ferdie] = ['//Alice', '//Bob', '//Eve', '//Ferdie'].map((uri) => keyring.addFromUri(uri));
    genesis = api.genesisHash.toU8a();
    model = await publishDemoModel(rpc, '//Alice', { price: '0.001' });
    verifier = await startWorker({
      rpc, suri: '//Alice', name: 'paid-verifier', port: verifierPort,
      args: serving(model, ['--verify-only', '--verifier-secret-file', secret.file]),
    });
    port = await freePort();
    await registerMiner(rpc, '//Bob', model, port);
    await startMiner();
    const { events } = await sendAndWait(
      api,
      api.tx.queryChannels.openChannel(bob.address, model, 2_000n * PRICE, 1_000),
      eve,
    );
    const opened = events.find(({ event }) => api.events.queryChannels.ChannelOpened.is(event)).event.data;
    paid = new PaidChannel({
      url: miner.url,
      genesis,
      requester: eve,
      miner: bob.address,
      channel: opened.channel.toBigInt(),
      price: PRICE,
      model,
      version: 0,
    });
  });

  after(async () => {
    await liar?.kill();
    await verifier?.kill();
    await miner?.stop();
    await api?.disconnect();
    await node?.stop();
  });

  test('receipts are the documented test vector', () => {
    const receipt = {
      channel: 7n,
      sequence: 3n,
      model: 0,
      version: 1,
      inputHash: `0x${'22'.repeat(32)}`,
      outputHash: `0x${'33'.repeat(32)}`,
      cumulative: 3_000_000_000n,
    };
    // query-protocol/src/lib.rs, `the_documented_test_vector`.
    assert.equal(
      u8aToHex(receiptMessage(new Uint8Array(32).fill(0x11), receipt)),
      `0x486d6f64656c636861696e2f72656365697074${'11'.repeat(32)}07000000000000000300000000000000` +
        `0000000001000000${'22'.repeat(32)}${'33'.repeat(32)}005ed0b2000000000000000000000000`,
    );
    assert.equal(u8aToHex(receiptLeaf(receipt)), '0x26b06c71a9f5fc23ee85dac80170a72a1ed4dde558224b709eb2cfc1c4b3499f');
    const tree = new ReceiptsTree();
    assert.equal(u8aToHex(tree.root()), '0x4a0b17416e47d8e7664e31ac23a96e762ab4a63a493001a0be1ab74f7ec55dde');
    tree.push(receiptLeaf(receipt));
    assert.equal(u8aToHex(tree.root()), '0xf9cef2dd11050d9a8e7a0447faa2809c2beef84f43cb0b220e05a55988932706');
    // query-protocol/src/lib.rs, `the_output_hash_is_the_scale_of_the_output`.
    assert.equal(outputHash([3, -1]), '0x77a5456ab6b0c4a77cef5b9413a572c05b3cc9e1986c65d9a472a287d5b1805c');
  });

  test('1,000 paid queries over HTTP are settled by one claim of the worker, whose audits pass', async () => {
    const before = await pending();
    const passed = [];
    const failedAudits = [];
    const unsubscribe = await api.query.system.events((records) => {
      for (const { event } of records) {
        if (api.events.queryChannels.AuditPassed.is(event) && event.data.channel.toBigInt() === paid.channel) passed.push(event);
        if (api.events.queryChannels.AuditFailed.is(event) || api.events.queryChannels.AuditMissed.is(event)) failedAudits.push(event);
      }
    });
    const claimed = claimedEvent(QUERIES * PRICE);
    for (let n = 0; n < Number(QUERIES); n++) {
      const { pixels } = images[n % images.length];
      const output = await paid.query(pixels);
      assert.deepEqual(output, predict(reference, pixels), `query ${n + 1}`);
    }
    const event = (await claimed).data;
    assert.equal(event.queries.toBigInt(), QUERIES);
    assert.equal(u8aToHex(event.receiptsRoot), u8aToHex(paid.lastVoucher.receiptsRoot));
    const fee = QUERIES * PRICE;
    const protocolFee = (await api.query.inference.parameters()).protocolFee.toBigInt();
    const treasury = (fee * protocolFee) / PERBILL;
    const creator = (fee * 50_000_000n) / PERBILL; // the model's 5% royalty
    const minerPart = (fee * 300_000_000n) / PERBILL; // 30% to the miner
    const holders = fee - treasury - creator - minerPart;
    assert.equal(event.amount.toBigInt(), fee);
    assert.equal(event.holders.toBigInt(), holders);
    assert.equal((await pending()) - before, holders, "the holders' pending revenue grew by exactly their part");
    assert.equal(await metric('modelchain_worker_queries_total'), 1_000);
    // The claim is audited: ⌈2% × 999⌉ = 20 of the receipts it committed to are drawn in a
    // later block; the worker reveals each with its Merkle proof, the node's verifier
    // re-executes it and the validator's verdict passes it.
    await waitFor(async () => passed.length === 20, { timeoutMs: 120_000, message: '20 audits passed' });
    // The worker counts a reveal once its submission reports it in a block (its watcher may
    // resolve after the verdict's block is seen here).
    await waitFor(async () => (await metric('modelchain_worker_audits_answered_total')) === 20, {
      message: 'the worker counted its 20 reveals',
    });
    assert.deepEqual(failedAudits, [], 'no audit of an honest miner failed');
    // The worker counts its claim once its submission reports it in a block.
    await waitFor(async () => (await metric('modelchain_worker_claims_total')) === 1, { message: 'claims_total 1' });
    const record = (await api.query.queryChannels.channels(paid.channel)).unwrap();
    assert.equal(record.claimed.toBigInt(), fee);
    unsubscribe();
  });

  test("the requester CLI picks the miner's endpoint, checks each receipt and reuses its channel", async () => {
    const requesterDir = fs.mkdtempSync(path.join(os.tmpdir(), 'modelchain-requester-'));
    const { pixels } = images[3];
    const query = (count) =>
      workerCommand(rpc, '//Dave', [
        'query', '--model', String(model), '--miner', bob.address, '--pixels', pixels.join(','),
        '--count', String(count), '--deposit', '1', '--state-dir', requesterDir,
      ]);
    const lines = (stdout) => stdout.trim().split('\n').map((line) => JSON.parse(line));
    const first = lines(await query(2));
    const second = lines(await query(1));
    assert.deepEqual(first.map((l) => l.query), [1, 2]);
    assert.deepEqual(second.map((l) => l.query), [3], 'the second run goes on with the same channel');
    assert.equal(new Set([...first, ...second].map((l) => l.channel)).size, 1);
    for (const line of [...first, ...second]) assert.deepEqual(line.output, predict(reference, pixels));
    assert.equal(second[0].cumulative, String(3n * PRICE));
  });

  test('every bad voucher is refused with a 4xx JSON error and runs nothing', async () => {
    const input = images[0].pixels;
    const runsBefore = await metric('modelchain_worker_engine_runs_total');
    const good = paid.nextVoucher();
    const previous = { ...good, cumulative: paid.cumulative, queries: paid.queries };
    const cases = [
      ['signed by another account', paid.body(good, input, { signer: ferdie }), 401, 'bad_signature'],
      ['signed for another chain', paid.body(good, input, { genesis: new Uint8Array(32).fill(1) }), 401, 'bad_signature'],
      [
        'altered after signing',
        { ...paid.body(good, input), voucher: { ...paid.body(good, input).voucher, cumulative: String(good.cumulative + PRICE) } },
        401,
        'bad_signature',
      ],
      ['a replay of the last voucher', paid.body(previous, input), 409, 'replayed'],
      ['a query skipped', paid.body({ ...good, queries: good.queries + 1n }, input), 409, 'out_of_order'],
      ['an amount below the price', paid.body({ ...good, cumulative: good.cumulative - 1n }, input), 402, 'amount_too_low'],
      ['more than the deposit', paid.body({ ...good, cumulative: 2_000n * PRICE + 1n }, input), 402, 'deposit_exhausted'],
      ['a wrong receipts root', paid.body({ ...good, receiptsRoot: new Uint8Array(32) }, input), 409, 'wrong_receipts_root'],
      ['an unknown channel', paid.body({ ...good, channel: 999_999n }, input), 404, 'unknown_channel'],
      ['an input the model cannot read', paid.body(good, [17, ...input.slice(1)]), 400, 'invalid_input'],
      ['a malformed body', { voucher: { channel: 1 } }, 400, 'malformed'],
    ];
    for (const [what, body, status, reason] of cases) {
      const answer = await paid.post(body);
      assert.equal(answer.status, status, what);
      assert.equal(answer.answer.reason, reason, what);
      assert.ok(answer.answer.error.length > 0, what);
    }
    // Another channel of the same requester, to another miner: not this miner's.
    await sendAndWait(api, api.tx.computeStaking.registerWorker('Miner', 'http://127.0.0.1:1', 'cpu', [{ model, version: 0 }]), ferdie);
    await sendAndWait(api, api.tx.computeStaking.bond(2_000n * UNIT), ferdie);
    const { events } = await sendAndWait(api, api.tx.queryChannels.openChannel(ferdie.address, model, 10n * PRICE, 100), eve);
    const otherChannel = events.find(({ event }) => api.events.queryChannels.ChannelOpened.is(event)).event.data.channel.toBigInt();
    const foreign = await paid.post(paid.body({ ...good, channel: otherChannel, queries: 1n, cumulative: PRICE, receiptsRoot: new ReceiptsTree().root() }, input));
    assert.equal(foreign.status, 403);
    assert.equal(foreign.answer.reason, 'not_this_miner');

    assert.equal(await metric('modelchain_worker_engine_runs_total'), runsBefore, 'no refused query ran the model');
    assert.equal(await metric('modelchain_worker_queries_total'), 1_003, "the 1,000 above and the CLI's 3");
    // The channel still works after all that.
    assert.deepEqual(await paid.query(input), predict(reference, input));
  });

  test('a miner killed mid-stream claims everything it served once restarted', async () => {
    for (let n = 0; n < 99; n++) await paid.query(images[n].pixels);
    // Killed right after answering: the last answers were written but not yet fsynced.
    await miner.kill();
    await startMiner();
    paid.url = miner.url;
    for (let n = 0; n < 50; n++) await paid.query(images[n].pixels);
    const total = paid.cumulative;
    assert.equal(total, 1_150n * PRICE);

    // The requester asks to close: the worker claims at once what it was not paid yet.
    const claimed = claimedEvent(total);
    await sendAndWait(api, api.tx.queryChannels.closeChannel(paid.channel), eve);
    const event = (await claimed).data;
    assert.equal(event.amount.toBigInt(), total - QUERIES * PRICE);
    assert.equal(event.queries.toBigInt(), 1_150n);
    assert.equal(u8aToHex(event.receiptsRoot), u8aToHex(paid.lastVoucher.receiptsRoot));

    // Queries on a closing channel are refused.
    const refused = await paid.post(paid.body(paid.nextVoucher(), images[0].pixels));
    assert.equal(refused.status, 410);
    assert.equal(refused.answer.reason, 'channel_closing');

    // The miner closes at once: the rest is refunded and every hold of the channel released.
    const { events } = await sendAndWait(api, api.tx.queryChannels.closeChannel(paid.channel), bob);
    const closed = events.find(({ event }) => api.events.queryChannels.ChannelClosed.is(event)).event.data;
    assert.equal(closed.refunded.toBigInt(), 2_000n * PRICE - total);
  });

  test('a lying miner is caught by a challenge and by an audit and slashed; a false challenge costs its deposit', async () => {
    const charlie = new Keyring({ type: 'sr25519' }).addFromUri('//Charlie');
    const liarPort = await freePort();
    await registerMiner(rpc, '//Charlie', model, liarPort);
    liar = await startWorker({ rpc, suri: '//Charlie', name: 'paid-liar', port: liarPort, args: serving(model, ['--lie-for-tests']) });
    const { events } = await sendAndWait(api, api.tx.queryChannels.openChannel(charlie.address, model, 10n * PRICE, 1_000), eve);
    const channel = events.find(({ event }) => api.events.queryChannels.ChannelOpened.is(event)).event.data.channel.toBigInt();
    const lied = new PaidChannel({ url: liar.url, genesis, requester: eve, miner: charlie.address, channel, price: PRICE, model, version: 0 });
    for (const n of [6, 7]) await lied.query(images[n].pixels);
    const { pixels } = images[5];
    const output = await lied.query(pixels);
    assert.notDeepEqual(output, predict(reference, pixels), 'the liar answered wrong, with a valid receipt');

    const bondBefore = (await api.query.computeStaking.workers(charlie.address)).unwrap().activeBond.toBigInt();
    const upheld = nextEvent(api, (event) => api.events.queryChannels.ChallengeUpheld.is(event), {
      message: 'the challenge upheld', timeoutMs: 120_000,
    });
    await sendAndWait(api, challengeTx(api, lied.lastAnswer), eve);
    const verdict = (await upheld).data;
    assert.equal(verdict.channel.toBigInt(), channel);
    assert.equal(verdict.miner.toString(), charlie.address);
    assert.ok(verdict.slashed.toBigInt() > 0n, 'the liar was slashed');
    assert.equal(verdict.reward.toBigInt(), verdict.slashed.toBigInt() / 5n, "a fifth of the slash to the challenger");
    assert.equal(verdict.refund.toBigInt(), PRICE, "the query's price back to the requester");
    const bondAfter = (await api.query.computeStaking.workers(charlie.address)).unwrap().activeBond.toBigInt();
    assert.ok(bondAfter < bondBefore, 'the bond shrank');

    // The requester asks to close: the liar claims its 3 queries, and the audit drawn from
    // the 2 receipts the claimed voucher signed catches the lie it reveals.
    const audited = nextEvent(api, (event) => api.events.queryChannels.AuditFailed.is(event), {
      message: 'the audit failed', timeoutMs: 120_000,
    });
    await sendAndWait(api, api.tx.queryChannels.closeChannel(channel), eve);
    const failed = (await audited).data;
    assert.equal(failed.miner.toString(), charlie.address);
    assert.equal(failed.channel.toBigInt(), channel);
    assert.equal(failed.refund.toBigInt(), PRICE, "the audited query's price back to the requester");

    // A challenge of the honest miner's right answer: the deposit goes to the miner.
    const { events: opened } = await sendAndWait(api, api.tx.queryChannels.openChannel(bob.address, model, 10n * PRICE, 1_000), ferdie);
    const honestChannel = opened.find(({ event }) => api.events.queryChannels.ChannelOpened.is(event)).event.data.channel.toBigInt();
    const honest = new PaidChannel({ url: miner.url, genesis, requester: ferdie, miner: bob.address, channel: honestChannel, price: PRICE, model, version: 0 });
    assert.deepEqual(await honest.query(pixels), predict(reference, pixels));
    const rejected = nextEvent(api, (event) => api.events.queryChannels.ChallengeRejected.is(event), {
      message: 'the challenge rejected', timeoutMs: 120_000,
    });
    await sendAndWait(api, challengeTx(api, honest.lastAnswer), ferdie);
    const lost = (await rejected).data;
    assert.equal(lost.challenger.toString(), ferdie.address);
    assert.equal(lost.forfeited.toBigInt(), UNIT, 'the 1 MDL deposit went to the miner');
  });
  test("on a licensed model the miner serves what the requester's licence has left, and the claim counts it", async () => {
    // The model's shares are issued: its holder (Alice, every share) votes the policy in.
    const setPolicy = (policy) =>
      holdersVotePolicy(api, { model, policy, holder: alice, shares: 1_000_000, sudoer: alice });
    await setPolicy('Licensed');
    try {
      const offer = (await api.query.modelAccess.nextOfferId(model)).toNumber();
      await sendAndWait(
        api,
        api.tx.modelAccess.createOffer(model, { price: UNIT, duration: null, queries: 3, transferable: false }),
        alice,
      );
      const dave = new Keyring({ type: 'sr25519' }).addFromUri('//Dave');
      await assert.rejects(
        sendAndWait(api, api.tx.queryChannels.openChannel(bob.address, model, 10n * PRICE, 1_000), dave),
        /modelAccess\.NoLicence/,
        'no licence, no channel',
      );
      const { events: bought } = await sendAndWait(api, api.tx.modelAccess.buyLicence(model, offer), dave);
      const licence = bought.find(({ event }) => api.events.modelAccess.LicenceBought.is(event)).event.data.licence.toBigInt();
      const { events } = await sendAndWait(api, api.tx.queryChannels.openChannel(bob.address, model, 10n * PRICE, 1_000), dave);
      const channel = events.find(({ event }) => api.events.queryChannels.ChannelOpened.is(event)).event.data.channel.toBigInt();
      const licensed = new PaidChannel({ url: miner.url, genesis, requester: dave, miner: bob.address, channel, price: PRICE, model, version: 0 });
      for (const n of [0, 1, 2]) {
        assert.deepEqual(await licensed.query(images[n].pixels), predict(reference, images[n].pixels));
      }
      const refused = await licensed.post(licensed.body(licensed.nextVoucher(), images[3].pixels));
      assert.equal(refused.status, 403);
      assert.equal(refused.answer.reason, 'licence_exhausted', refused.answer.error);

      // The requester asks to close; the worker claims the 3 queries, which use the licence up.
      const counted = nextEvent(api, (event) => api.events.modelAccess.LicenceQueriesUsed.is(event), {
        message: 'the claim counted against the licence', timeoutMs: 60_000,
      });
      const exhausted = nextEvent(api, (event) => api.events.modelAccess.LicenceExhausted.is(event), {
        message: 'the licence used up', timeoutMs: 60_000,
      });
      await sendAndWait(api, api.tx.queryChannels.closeChannel(channel), dave);
      const used = (await counted).data;
      assert.equal(used.licence.toBigInt(), licence);
      assert.equal(used.queries.toNumber(), 3);
      assert.equal(used.counted.toNumber(), 3);
      assert.equal((await exhausted).data.licence.toBigInt(), licence);
      assert.ok((await api.query.modelAccess.licences(licence)).isNone, 'the used-up licence is gone');
    } finally {
      await setPolicy('Open');
    }
  });
});
