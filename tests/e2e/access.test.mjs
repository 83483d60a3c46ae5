// Model access on a real dev node: the share holders make a model licensed, an unlicensed
// request is refused with nothing held, licences are bought (the price split like a fee), used
// one query per request, used up, expired, refused a transfer when not transferable and moved
// when transferable; a holders-only model admits holders only. Every client runtime API is
// called through @polkadot/api's `api.call`: fee quotes, eligible miners, job status and result,
// pending revenue, access policy, access checks, licence status and the access history, and
// the node's `modelchain_quoteFee` and `modelchain_pendingRevenue` JSON RPC methods.
// The miners are played by this test (commit and reveal), as in inference.test.mjs.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { Keyring } from '@polkadot/keyring';
import { u8aToHex } from '@polkadot/util';
import { cryptoWaitReady } from '@polkadot/util-crypto';

import { assignedMiners, commitAndReveal } from './lib/jobs.mjs';
import { registerModel } from './lib/models.mjs';
import { holdersVotePolicy } from './lib/governance.mjs';
import { connect, freePort, sendAndWait, startNode, waitFor } from './lib/node.mjs';
import { UNIT } from './lib/units.mjs';

const PRICE = UNIT;
const LICENCE_PRICE = 10n * UNIT;
const OUTPUT = [9000, 700, 300];
const INPUT = { Inline: '0x5b302e312c302e325d' };

describe('model access, licences and client runtime APIs over RPC', () => {
  let node;
  let api;
  let alice; // owner and only share holder of the model
  let eve; // requester
  let ferdie; // another requester
  let miners;
  let model;

  before(async () => {
    await cryptoWaitReady();
    node = await startNode({ name: 'access', args: ['--dev', '--tmp'] });
    api = await connect(node.url);
    const keyring = new Keyring({ type: 'sr25519' });
    alice = keyring.addFromUri('//Alice');
    eve = keyring.addFromUri('//Eve');
    ferdie = keyring.addFromUri('//Ferdie');
    miners = ['//Bob', '//Charlie', '//Dave'].map((uri) => keyring.addFromUri(uri));

    model = await registerModel(api, alice, { name: 'Licensed', symbol: 'LIC', price: PRICE });
    await sendAndWait(api, api.tx.modelShares.issueShares(model, 1_000_000), alice);
    // Nothing listens on this port: the off-chain worker's POSTs fail, the miners below follow
    // the chain instead.
    const port = await freePort();
    for (const [index, miner] of miners.entries()) {
      await sendAndWait(
        api,
        api.tx.computeStaking.registerWorker('Miner', `http://127.0.0.1:${port}/m${index}`, 'cpu', [
          { model, version: 0 },
        ]),
        miner,
      );
      await sendAndWait(api, api.tx.computeStaking.bond(2_000n * UNIT), miner);
    }
  });

  after(async () => {
    await api?.disconnect();
    await node?.stop();
  });

  const signerOf = (address) => miners.find((m) => m.address === address);
  const holdsOf = async (who) => (await api.query.balances.holds(who.address)).map((h) => h.id.toString());
  const licenceDepositOf = async (who) =>
    (await api.query.balances.holds(who.address))
      .filter((h) => h.id.toString().includes('LicenceDeposit'))
      .reduce((sum, h) => sum + h.amount.toBigInt(), 0n);
  const metaError = (dispatchError) => {
    const meta = api.registry.findMetaError(dispatchError.asModule);
    return `${meta.section}.${meta.name}`;
  };
  const licenceStatus = async (who) => {
    const status = await api.call.modelAccessApi.licenceStatus(model, who.address);
    if (status.isNone) return null;
    const [licence, usable] = status.unwrap();
    return { licence, usable: usable.isTrue };
  };
  const request = (who) => sendAndWait(api, api.tx.inference.requestInference(model, INPUT, 2n * PRICE), who);
  const eventOf = (events, kind) => events.find(({ event }) => kind.is(event))?.event;
  /** A plain JSON-RPC call over HTTP, as `curl` would make it. */
  const jsonRpc = async (method, params) => {
    const response = await fetch(node.url.replace(/^ws/, 'http'), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ id: 1, jsonrpc: '2.0', method, params }),
    });
    const body = await response.json();
    if (body.error) throw new Error(`${method}: ${body.error.message}`);
    return body.result;
  };

  test('fee quote and eligible miners come from the runtime API', async () => {
    const quote = (await api.call.inferenceApi.quoteFee(model)).unwrap();
    assert.equal(quote.fee.toBigInt(), PRICE);
    assert.equal(quote.treasury.toBigInt(), PRICE / 20n, '5% protocol fee');
    assert.equal(quote.creator.toBigInt(), PRICE / 20n, '5% royalty');
    assert.equal(quote.perMiner.toBigInt(), PRICE / 10n, '30% among 3 miners');
    assert.equal(quote.miners.toBigInt(), (PRICE * 3n) / 10n);
    assert.equal(quote.holders.toBigInt(), (PRICE * 6n) / 10n);
    assert.ok((await api.call.inferenceApi.quoteFee(999)).isNone, 'no quote for an unknown model');
    // The same quote over the node's JSON RPC (balances as decimal strings).
    assert.deepEqual(await jsonRpc('modelchain_quoteFee', [model]), {
      fee: String(PRICE),
      treasury: String(PRICE / 20n),
      creator: String(PRICE / 20n),
      perMiner: String(PRICE / 10n),
      miners: String((PRICE * 3n) / 10n),
      holders: String((PRICE * 6n) / 10n),
    });
    assert.equal(await jsonRpc('modelchain_quoteFee', [999]), null);

    const eligible = await api.call.inferenceApi.eligibleWorkers(model);
    assert.deepEqual(
      eligible.map(([who]) => who.toString()).sort(),
      miners.map((m) => m.address).sort(),
    );
    assert.ok(eligible.every(([, stake]) => stake.toBigInt() === 2_000n * UNIT));
    assert.equal((await api.call.modelAccessApi.accessPolicy(model)).toString(), 'Open');
  });

  /** The holders (Alice, with every share) vote `policy` in. */
  const holdersVote = (policy) =>
    holdersVotePolicy(api, { model, policy, holder: alice, shares: 1_000_000, sudoer: alice, closer: eve });

  test('a licensed model refuses a request without a licence, holding nothing', async () => {
    // Shares were issued: nobody sets the policy directly any more, not even the owner holding
    // every share (a majority bought in one block decides nothing); the holders vote on it.
    await assert.rejects(
      sendAndWait(api, api.tx.modelAccess.setAccessPolicy(model, 'Licensed'), eve),
      /modelAccess\.NotOwner/,
    );
    await assert.rejects(
      sendAndWait(api, api.tx.modelAccess.setAccessPolicy(model, 'Licensed'), alice),
      /modelAccess\.DecidedByHolders/,
    );
    await holdersVote('Licensed');
    assert.equal((await api.call.modelAccessApi.accessPolicy(model)).toString(), 'Licensed');

    const check = await api.call.modelAccessApi.checkAccess(model, eve.address);
    assert.ok(check.isErr);
    assert.equal(metaError(check.asErr), 'modelAccess.NoLicence');
    await assert.rejects(request(eve), /modelAccess\.NoLicence/);
    assert.deepEqual(await holdsOf(eve), [], 'no fee held');
    // The owner needs no licence of its own model.
    const own = await api.call.modelAccessApi.checkAccess(model, alice.address);
    assert.ok(own.isOk && own.asOk.isNone);
  });

  test('a bought licence pays holders, creator and treasury, is used per request and used up', async () => {
    // Offer 0: 2 queries within 500 blocks, transferable.
    await sendAndWait(
      api,
      api.tx.modelAccess.createOffer(model, {
        price: LICENCE_PRICE,
        duration: 500,
        queries: 2,
        transferable: true,
      }),
      alice,
    );
    const pendingBefore = (await api.call.modelSharesApi.pendingRevenue(model, alice.address)).toBigInt();
    const { events } = await sendAndWait(api, api.tx.modelAccess.buyLicence(model, 0), eve);
    const bought = eventOf(events, api.events.modelAccess.LicenceBought);
    assert.ok(bought, 'LicenceBought');
    const split = bought.data.split;
    assert.equal(split.fee.toBigInt(), LICENCE_PRICE);
    assert.equal(split.treasury.toBigInt(), LICENCE_PRICE / 20n);
    assert.equal(split.creator.toBigInt(), LICENCE_PRICE / 20n);
    assert.equal(split.miners.toBigInt(), 0n, 'no miners in a licence sale');
    assert.equal(split.holders.toBigInt(), (LICENCE_PRICE * 9n) / 10n);
    // Alice holds every share: the holders' part is her pending revenue.
    const pendingAfter = (await api.call.modelSharesApi.pendingRevenue(model, alice.address)).toBigInt();
    assert.equal(pendingAfter - pendingBefore, (LICENCE_PRICE * 9n) / 10n);
    assert.equal(await jsonRpc('modelchain_pendingRevenue', [model, alice.address]), String(pendingAfter));
    // The account also as its public key in hex; anything else is refused with a clear error.
    assert.equal(
      await jsonRpc('modelchain_pendingRevenue', [model, u8aToHex(alice.publicKey)]),
      String(pendingAfter),
    );
    await assert.rejects(
      jsonRpc('modelchain_pendingRevenue', [model, 'alice']),
      /account "alice": not a valid SS58 address; give an SS58 address or a 0x-prefixed 32-byte public key/,
    );
    await assert.rejects(jsonRpc('modelchain_pendingRevenue', [model, '0x1234']), /not 32 bytes/);
    assert.ok((await holdsOf(eve)).some((id) => id.includes('LicenceDeposit')), 'deposit held');

    const id = bought.data.licence.toBigInt();
    let status = await licenceStatus(eve);
    assert.ok(status.usable);
    assert.equal(status.licence.queriesLeft.unwrap().toNumber(), 2);
    assert.equal((await api.call.modelAccessApi.checkAccess(model, eve.address)).asOk.unwrap().toBigInt(), id);

    // First request: one query used, the access recorded with model, version, licence, job.
    const first = await request(eve);
    const requested = eventOf(first.events, api.events.inference.JobRequested);
    const accessed = eventOf(first.events, api.events.modelAccess.Accessed);
    const job = requested.data.job.toBigInt();
    assert.equal(accessed.data.model.toNumber(), model);
    assert.equal(accessed.data.version.version.toNumber(), 0);
    assert.equal(accessed.data.requester.toString(), eve.address);
    assert.equal(accessed.data.licence.unwrap().toBigInt(), id);
    assert.equal(accessed.data.job.toBigInt(), job);
    status = await licenceStatus(eve);
    assert.equal(status.licence.queriesLeft.unwrap().toNumber(), 1);

    // The job's status and result through the runtime API: first waiting for its miners,
    // drawn in a later block.
    let jobStatus = (await api.call.inferenceApi.jobStatus(job)).unwrap();
    assert.ok(jobStatus.job.phase.isAssigning || jobStatus.job.phase.isCommit, jobStatus.job.phase.toString());
    const { miners: assigned } = await assignedMiners(api, job);
    jobStatus = (await api.call.inferenceApi.jobStatus(job)).unwrap();
    assert.ok(jobStatus.job.phase.isCommit, jobStatus.job.phase.toString());
    assert.ok(jobStatus.result.isNone);
    assert.equal(jobStatus.job.requester.toString(), eve.address);
    await commitAndReveal(api, job, assigned, OUTPUT, signerOf);
    jobStatus = (await api.call.inferenceApi.jobStatus(job)).unwrap();
    assert.ok(jobStatus.job.phase.isChallenge, jobStatus.job.phase.toString());
    assert.deepEqual(jobStatus.result.unwrap().toJSON(), OUTPUT);
    assert.ok((await api.call.inferenceApi.jobStatus(10n ** 12n)).isNone);

    // Second request uses the last query: the licence ends and its deposit is released.
    const second = await request(eve);
    assert.ok(eventOf(second.events, api.events.modelAccess.LicenceExhausted), 'LicenceExhausted');
    assert.equal(await licenceStatus(eve), null);
    assert.ok(!(await holdsOf(eve)).some((id) => id.includes('LicenceDeposit')), 'deposit released');
    const holdsBefore = await holdsOf(eve);
    await assert.rejects(request(eve), /modelAccess\.NoLicence/);
    assert.deepEqual(await holdsOf(eve), holdsBefore, 'a refused request holds nothing');

    // The access history pages through the recorded accesses.
    const page = await api.call.modelAccessApi.accessHistory(model, 0, 1);
    assert.equal(page.accesses.length, 1);
    assert.equal(page.next.toNumber(), 2);
    assert.equal(page.nextPage.unwrap().toNumber(), 1);
    const [sequence, record] = page.accesses[0];
    assert.equal(sequence.toNumber(), 0);
    assert.equal(record.job.toBigInt(), job);
    assert.equal(record.licence.unwrap().toBigInt(), id);
    const rest = await api.call.modelAccessApi.accessHistory(model, 1, 100);
    assert.equal(rest.accesses.length, 1);
    assert.ok(rest.nextPage.isNone);

    // Alice claims what the licence and the jobs earned her; nothing is pending after.
    await sendAndWait(api, api.tx.modelShares.claim(model), alice);
    assert.equal((await api.call.modelSharesApi.pendingRevenue(model, alice.address)).toBigInt(), 0n);
  });

  test('transfers: a non-transferable licence stays, a transferable one moves', async () => {
    // Offer 1: 5 queries, not transferable.
    await sendAndWait(
      api,
      api.tx.modelAccess.createOffer(model, { price: UNIT, duration: null, queries: 5, transferable: false }),
      alice,
    );
    await sendAndWait(api, api.tx.modelAccess.buyLicence(model, 1), ferdie);
    await assert.rejects(
      sendAndWait(api, api.tx.modelAccess.transferLicence(model, eve.address), ferdie),
      /modelAccess\.NotTransferable/,
    );
    assert.ok((await licenceStatus(ferdie)).usable, 'still Ferdie’s');
    await sendAndWait(api, api.tx.modelAccess.dropLicence(model), ferdie);
    assert.equal(await licenceStatus(ferdie), null);

    // Eve buys from the transferable offer and gives the licence to Ferdie.
    await sendAndWait(api, api.tx.modelAccess.buyLicence(model, 0), eve);
    const { events } = await sendAndWait(api, api.tx.modelAccess.transferLicence(model, ferdie.address), eve);
    assert.ok(eventOf(events, api.events.modelAccess.LicenceTransferred));
    assert.equal(await licenceStatus(eve), null);
    assert.equal((await licenceStatus(ferdie)).licence.holder.toString(), ferdie.address);
    const used = await request(ferdie);
    assert.ok(eventOf(used.events, api.events.modelAccess.Accessed).data.licence.isSome);
  });

  test('a licence expires at its block and is removed by the chain', async () => {
    // Offer 2: unlimited queries for 3 blocks.
    await sendAndWait(
      api,
      api.tx.modelAccess.createOffer(model, { price: UNIT, duration: 3, queries: null, transferable: false }),
      alice,
    );
    // Eve's deposit for the licence she gave Ferdie stays held until that one ends.
    const depositBefore = await licenceDepositOf(eve);
    const { events } = await sendAndWait(api, api.tx.modelAccess.buyLicence(model, 2), eve);
    const bought = eventOf(events, api.events.modelAccess.LicenceBought);
    assert.equal(await licenceDepositOf(eve), depositBefore + bought.data.deposit.toBigInt());
    const expiresAt = bought.data.expiresAt.unwrap().toNumber();
    await waitFor(async () => (await api.query.system.number()).toNumber() >= expiresAt, {
      timeoutMs: 30_000,
      message: `block ${expiresAt}`,
    });
    assert.equal(await licenceStatus(eve), null, 'removed at its expiry block');
    await assert.rejects(request(eve), /modelAccess\.NoLicence/);
    assert.equal(await licenceDepositOf(eve), depositBefore, 'its deposit released');
  });

  test('a holders-only model admits holders of the minimum only', async () => {
    await holdersVote({ HoldersOnly: { minShares: 1_000 } });
    await assert.rejects(request(eve), /modelAccess\.InsufficientShares/);
    await sendAndWait(api, api.tx.modelShares.transferShares(model, eve.address, 1_000), alice);
    const check = await api.call.modelAccessApi.checkAccess(model, eve.address);
    assert.ok(check.isOk && check.asOk.isNone);
    const { events } = await request(eve);
    assert.ok(eventOf(events, api.events.modelAccess.Accessed).data.licence.isNone);
  });
});
