// A runtime upgrade of a running chain, the way a live chain takes one: a chain started on the
// last released runtime (spec 107, built by scripts/build-old-runtime.sh: shares in `assets`,
// governance proposals that store a `version`) with models, shares, an open sell order, pending
// revenue, a licence, an open upgrade proposal with votes and a job in flight is upgraded to
// this checkout's runtime (spec 108) by a democracy referendum that dispatches
// `system.setCode`. The migrations run in the first block of the new runtime; comparing that
// block's state with its parent's:
// - every account's free, reserved and frozen balance and every hold is unchanged;
// - every share balance is unchanged, now in `shareAssets` (nothing left in `assets`);
// - every holder's pending revenue, the open order and the licence are unchanged;
// - the open proposal is the same proposal, its version now an `Upgrade` action.
// Then the job in flight finishes (refunded: nobody answered it), shares move, revenue is
// claimed, the order fills, and holders use what the new field allows: an access-policy
// proposal.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { WsProvider } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import { bnToU8a, u8aConcat, u8aToHex } from '@polkadot/util';
import { blake2AsHex, cryptoWaitReady, xxhashAsHex } from '@polkadot/util-crypto';

import { registerModel, versionInput } from './lib/models.mjs';
import {
  connect, nextEvent, nodeBinary, repoRoot, sendAndWait, startNode, sudoAndWait, waitFor,
} from './lib/node.mjs';
import { UNIT, PERBILL, SHARE_ASSET_ID_BASE } from './lib/units.mjs';

const SUPPLY = 1_000_000n;
// The commit the old runtime is built from, as scripts/build-old-runtime.sh reads it.
const OLD_COMMIT = fs.readFileSync(path.join(repoRoot, 'scripts', 'upgrade-from'), 'utf8').trim();
const OLD_RUNTIME = process.env.MODELCHAIN_OLD_RUNTIME
  ?? path.join(os.homedir(), '.cache', 'modelchain', 'runtimes', `${OLD_COMMIT}.wasm`);
const MINERS = ['//Dave', '//Ferdie', '//Eve//stash'];
// Where the state of the last block of the old runtime is written, for the native try-runtime
// check of the upgrade (runtime/tests/live_upgrade.rs, run by scripts/test.sh after these tests).
const SNAPSHOT = process.env.MODELCHAIN_SNAPSHOT
  ?? path.join(os.tmpdir(), 'modelchain-upgrade-snapshot.json');
const CODE_KEY = '0x3a636f6465'; // `:code`: the wasm, which the native check does not run

/** Writes every storage pair at block `hash` but the code to `file` as `[[key, value], …]`. */
async function writeSnapshot(url, hash, file) {
  const provider = new WsProvider(url, false);
  await provider.connect();
  await provider.isReady;
  try {
    const pairs = [];
    for (let start = null; ;) {
      const page = await provider.send('state_getKeysPaged', ['0x', 1000, start, hash]);
      const keys = page.filter((key) => key !== CODE_KEY);
      if (keys.length > 0) {
        const [{ changes }] = await provider.send('state_queryStorageAt', [keys, hash]);
        for (const [key, value] of changes) if (value !== null) pairs.push([key, value]);
      }
      if (page.length < 1000) break;
      start = page[page.length - 1];
    }
    fs.writeFileSync(file, JSON.stringify(pairs));
    return pairs.length;
  } finally {
    await provider.disconnect();
  }
}

/** A dev chain spec whose genesis is built by the old runtime; returns [spec path, new code]. */
function oldChainSpec() {
  const spec = JSON.parse(execFileSync(nodeBinary(), ['build-spec', '--chain', 'dev'], {
    maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'ignore'],
  }).toString());
  const newCode = spec.genesis.runtimeGenesis.code;
  spec.genesis.runtimeGenesis.code = `0x${fs.readFileSync(OLD_RUNTIME).toString('hex')}`;
  // The old runtime's genesis still has the verifiers' minimum bond (removed in spec 108).
  const staking = spec.genesis.runtimeGenesis.patch.computeStaking.parameters;
  staking.minVerifierBond = staking.minMinerBond;
  spec.id = 'modelchain_upgrade_test';
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'modelchain-upgrade-')), 'spec.json');
  fs.writeFileSync(file, JSON.stringify(spec));
  return [file, newCode];
}

/** `ModelSharesApi::pending_revenue` at block `hash` (`api.at` has no runtime calls). */
async function pendingRevenueAt(api, hash, model, who) {
  const args = u8aConcat(api.createType('u32', model).toU8a(), api.createType('AccountId', who).toU8a());
  const raw = await api.rpc.state.call('ModelSharesApi_pending_revenue', u8aToHex(args), hash);
  return api.createType('u128', raw).toBigInt();
}

/**
 * Everything the upgrade must keep, read at block `hash` (old or new layout). Storage is
 * decoded with the runtime that wrote it; runtime calls run at `callsAt`, a block whose state
 * holds the code that wrote it (the block that sets new code already holds the new code).
 */
async function books(api, hash, models, callsAt = hash) {
  const at = await api.at(hash);
  const version = (await at.query.system.lastRuntimeUpgrade()).unwrap().specVersion.toNumber();
  const accounts = {};
  for (const [key, info] of await at.query.system.account.entries()) {
    const { free, reserved, frozen } = info.data;
    accounts[key.args[0].toString()] = [free, reserved, frozen].map((v) => v.toBigInt());
  }
  const holds = {};
  for (const [key, list] of await at.query.balances.holds.entries()) {
    holds[key.args[0].toString()] = list
      .map((hold) => `${JSON.stringify(hold.id.toJSON())}=${hold.amount.toBigInt()}`)
      .sort();
  }
  const shareAssets = at.query.shareAssets ?? at.query.assets;
  const shares = {};
  const pending = {};
  for (const model of models) {
    const asset = SHARE_ASSET_ID_BASE + model;
    for (const [key, account] of await shareAssets.account.entries(asset)) {
      const who = key.args[1].toString();
      shares[`${model}/${who}`] = account.unwrap().balance.toBigInt();
      pending[`${model}/${who}`] = await pendingRevenueAt(api, callsAt, model, who);
    }
  }
  const orders = (await at.query.modelShares.orders.entries()).map(([, o]) => JSON.stringify(o.toJSON()));
  const licences = (await at.query.modelAccess.licences.entries()).map(([, l]) => JSON.stringify(l.toJSON()));
  const proposals = Object.fromEntries(
    (await at.query.modelGovernance.proposals.entries()).map(([key, p]) => [key.args[0].toNumber(), p.toJSON()]),
  );
  const sharesInAssets = at.query.shareAssets
    ? (await at.query.assets.account.entries()).filter(([key]) => key.args[0].toNumber() >= SHARE_ASSET_ID_BASE).length
    : null;
  return { version, accounts, holds, shares, pending, orders, licences, proposals, sharesInAssets };
}

describe('a runtime upgrade through a referendum keeps every balance', () => {
  let node;
  let api;
  let keyring;
  let alice;
  let bob;
  let charlie;
  let eve;
  let newCode;
  let shared; // model with shares, an order and a proposal
  let licensed; // model with a licence
  let order;
  let proposal;
  let job;
  let upgradeBlock;

  before(async () => {
    assert.ok(
      fs.existsSync(OLD_RUNTIME),
      `no runtime to upgrade from at ${OLD_RUNTIME}: run scripts/build-old-runtime.sh`,
    );
    await cryptoWaitReady();
    let spec;
    [spec, newCode] = oldChainSpec();
    node = await startNode({
      name: 'upgrade',
      args: [
        '--chain', spec, '--alice', '--validator', '--force-authoring', '--tmp', '--rpc-cors', 'all',
        '--node-key', '0000000000000000000000000000000000000000000000000000000000000001',
      ],
    });
    api = await connect(node.url);
    keyring = new Keyring({ type: 'sr25519' });
    [alice, bob, charlie, eve] = ['//Alice', '//Bob', '//Charlie', '//Eve'].map((uri) => keyring.addFromUri(uri));
  });

  after(async () => {
    await api?.disconnect();
    await node?.stop();
  });

  test('the chain starts on the old runtime', async () => {
    assert.equal(api.runtimeVersion.specVersion.toNumber(), 107);
    assert.ok(api.query.shareAssets === undefined, 'spec 107 has no shareAssets');
  });

  test('models, shares, an order, revenue, a licence, a proposal and bonded miners exist', async () => {
    // Dev-length democracy periods (storage parameters, set by sudo as the runtime documents).
    const u32 = (n) => u8aToHex(bnToU8a(n, { bitLength: 32, isLe: true }));
    const period = (name) => xxhashAsHex(`:${name}:`, 128);
    await sudoAndWait(api, api.tx.system.setStorage([
      [period('DemocracyLaunchPeriod'), u32(5)],
      [period('DemocracyVotingPeriod'), u32(5)],
      [period('DemocracyEnactmentPeriod'), u32(6)],
    ]), alice);

    // Jobs wait 20 blocks for commits (dev: 5), so that the job in flight is still waiting
    // when the new runtime takes over, and ends under it.
    const params = (await api.query.inference.parameters()).toJSON();
    await sudoAndWait(api, api.tx.inference.setParameters({ ...params, commitPeriod: 20 }), alice);

    shared = await registerModel(api, alice, { name: 'Upgraded', symbol: 'UPG', seed: 11 });
    await sendAndWait(api, api.tx.modelRegistry.addVersion(shared, versionInput(12)), alice);
    // A vote that stays open across the upgrade (spec 107 lets an owner set any period).
    await sendAndWait(api, api.tx.modelGovernance.setVotingParams(shared, {
      votingPeriod: 600, minTurnout: PERBILL / 5, approvalThreshold: PERBILL / 2,
    }), alice);
    await sendAndWait(api, api.tx.modelShares.issueShares(shared, SUPPLY), alice);
    await sendAndWait(api, api.tx.modelShares.transferShares(shared, bob.address, 300_000n), alice);
    const { events: created } = await sendAndWait(api, api.tx.modelShares.createOrder(shared, 100_000n, UNIT / 100n), bob);
    order = created.find(({ event }) => api.events.modelShares.OrderCreated.is(event)).event.data.order.toNumber();
    await sendAndWait(api, api.tx.modelShares.fillOrder(order, 40_000n), charlie);
    await sendAndWait(api, api.tx.modelShares.distributeRevenue(shared, 1_000n * UNIT), eve);
    const { events: proposed } = await sendAndWait(api, api.tx.modelGovernance.proposeUpgrade(shared, 1), bob);
    proposal = proposed.find(({ event }) => api.events.modelGovernance.Proposed.is(event)).event.data.proposal.toNumber();
    await sendAndWait(api, api.tx.modelGovernance.vote(proposal, 'Aye', 400_000n), alice);

    licensed = await registerModel(api, alice, { name: 'Licensed', symbol: 'LIC', seed: 13 });
    await sendAndWait(api, api.tx.modelAccess.setAccessPolicy(licensed, 'Licensed'), alice);
    await sendAndWait(api, api.tx.modelAccess.createOffer(licensed, {
      price: 10n * UNIT, duration: 5_000, queries: 10, transferable: true,
    }), alice);
    await sendAndWait(api, api.tx.modelAccess.buyLicence(licensed, 0), charlie);

    await Promise.all(MINERS.map(async (uri) => {
      const miner = keyring.addFromUri(uri);
      await sendAndWait(api, api.tx.computeStaking.registerWorker(
        'Miner', 'http://127.0.0.1:9/none', 'cpu', [{ model: shared, version: 0 }],
      ), miner);
      await sendAndWait(api, api.tx.computeStaking.bond(1_000n * UNIT), miner);
    }));
    assert.ok((await api.call.inferenceApi.quoteFee(shared)).isSome, 'the model takes requests');
  });

  test('a referendum dispatches system.setCode; a job is in flight when it lands', async () => {
    const call = api.tx.system.setCode(newCode);
    const encoded = call.method.toHex();
    const hash = blake2AsHex(encoded);
    await sendAndWait(api, api.tx.preimage.notePreimage(encoded), alice);
    const started = nextEvent(api, (e) => api.events.democracy.Started.is(e), { message: 'democracy.Started' });
    await sendAndWait(api, api.tx.democracy.propose(
      { Lookup: { hash, len: (encoded.length - 2) / 2 } },
      api.consts.democracy.minimumDeposit.toBigInt(),
    ), alice);
    const refIndex = (await started).data.refIndex.toNumber();
    const passed = nextEvent(
      api, (e) => api.events.democracy.Passed.is(e) && e.data.refIndex.toNumber() === refIndex,
      { message: 'democracy.Passed' },
    );
    const updated = nextEvent(api, (e) => api.events.system.CodeUpdated.is(e), {
      message: 'system.CodeUpdated', timeoutMs: 180_000,
    });
    await sendAndWait(api, api.tx.democracy.vote(refIndex, {
      Standard: { vote: { aye: true, conviction: 'Locked1x' }, balance: 1_000n * UNIT },
    }), bob);
    await passed;
    // The enactment is 6 blocks away: a job requested now is assigned and in its commit phase
    // when the new runtime takes over (its miners never answer).
    const quote = (await api.call.inferenceApi.quoteFee(shared)).unwrap();
    const { events } = await sendAndWait(
      api, api.tx.inference.requestInference(shared, { Inline: '0x5b305d' }, quote.fee), eve,
    );
    job = events.find(({ event }) => api.events.inference.JobRequested.is(event)).event.data.job.toNumber();
    await nextEvent(api, (e) => api.events.inference.JobAssigned.is(e) && e.data.job.toNumber() === job, {
      message: 'inference.JobAssigned',
    });
    await updated;
    const header = await api.rpc.chain.getHeader();
    await waitFor(async () => api.runtimeVersion.specVersion.toNumber() === 108, {
      timeoutMs: 60_000, message: 'spec 108',
    });
    // A client connected before the upgrade keeps the old runtime calls; a new one (as
    // polkadot.js apps on reload) reads the new metadata with every runtime API.
    await api.disconnect();
    api = await connect(node.url);
    // The block that dispatched setCode is the last of the old runtime.
    for (let n = header.number.toNumber(); ; n -= 1) {
      const at = await api.at(await api.rpc.chain.getBlockHash(n));
      const events = await at.query.system.events();
      if (events.some(({ event }) => event.section === 'system' && event.method === 'CodeUpdated')) {
        upgradeBlock = n;
        break;
      }
    }
    // The new code runs from the next block on (`api.at` reads a block with its parent's
    // runtime): wait until that block is there.
    await waitFor(async () => (await api.rpc.chain.getHeader()).number.toNumber() > upgradeBlock + 1, {
      timeoutMs: 30_000, message: `block ${upgradeBlock + 2}`,
    });
  });

  test('the first block of the new runtime keeps every balance, share, revenue, order and licence', async () => {
    const lastOld = await api.rpc.chain.getBlockHash(upgradeBlock);
    const firstNew = await api.rpc.chain.getBlockHash(upgradeBlock + 1);
    const beforeUpgrade = await api.rpc.chain.getBlockHash(upgradeBlock - 1);
    for (const hash of [lastOld, firstNew]) {
      const { block } = await api.rpc.chain.getBlock(hash);
      assert.equal(block.extrinsics.filter((x) => x.isSigned).length, 0, 'no transaction around the upgrade');
    }
    // Revenue moves only by deposits and claims, and neither block has one: what holders are
    // owed is read with the old code (the parent of the block that set the new one).
    const before = await books(api, lastOld, [shared, licensed], beforeUpgrade);
    const written = await writeSnapshot(node.url, lastOld.toHex(), SNAPSHOT);
    assert.ok(written > 100, `a snapshot of ${written} pairs`);
    const after = await books(api, firstNew, [shared, licensed]);
    assert.equal(before.version, 107);
    assert.equal(after.version, 108);
    const events = (await (await api.at(firstNew)).query.system.events()).map(({ event }) => `${event.section}.${event.method}`);
    assert.deepEqual(after.accounts, before.accounts, `free/reserved/frozen changed; events ${events}`);
    assert.deepEqual(after.holds, before.holds);
    assert.ok(Object.keys(before.shares).length >= 4, 'alice, bob, charlie and the escrow hold shares');
    assert.deepEqual(after.shares, before.shares);
    assert.equal(after.sharesInAssets, 0, 'no share asset left in assets');
    assert.deepEqual(after.pending, before.pending);
    assert.ok(Object.values(before.pending).some((p) => p > 0n));
    assert.deepEqual(after.orders, before.orders);
    assert.equal(after.licences.length, 1);
    assert.deepEqual(after.licences, before.licences);
    const { version, ...kept } = before.proposals[proposal];
    const { action, ...keptAfter } = after.proposals[proposal];
    assert.equal(version, 1);
    assert.deepEqual(action, { upgrade: 1 }, 'the stored version became an Upgrade action');
    assert.deepEqual(keptAfter, kept);
  });

  test('after the upgrade the job finishes, shares move, revenue is claimed, the order fills', async () => {
    await waitFor(async () => {
      const status = await api.call.inferenceApi.jobStatus(job);
      return status.isSome && status.unwrap().job.phase.isFinished;
    }, { timeoutMs: 120_000, message: `job ${job} finished` });
    const eveHolds = await api.query.balances.holds(eve.address);
    assert.ok(
      !eveHolds.some((hold) => JSON.stringify(hold.id.toJSON()).includes('JobFee')),
      'the job fee was released',
    );
    await sendAndWait(api, api.tx.modelShares.transferShares(shared, charlie.address, 10_000n), alice);
    const asset = SHARE_ASSET_ID_BASE + shared;
    assert.equal((await api.query.shareAssets.account(asset, charlie.address)).unwrap().balance.toBigInt(), 50_000n);
    const { events: claimed } = await sendAndWait(api, api.tx.modelShares.claim(shared), bob);
    assert.ok(claimed.some(({ event }) => api.events.modelShares.RevenueClaimed.is(event)));
    await sendAndWait(api, api.tx.modelShares.fillOrder(order, 60_000n), eve);
    assert.equal((await api.query.modelShares.orders(order)).isNone, true, 'the order filled');
  });

  test('holders use the new field: an access policy proposal next to the migrated upgrade', async () => {
    const { events } = await sendAndWait(
      api, api.tx.modelGovernance.proposeAccessPolicy(shared, { HoldersOnly: { minShares: 1 } }), bob,
    );
    const proposed = events.find(({ event }) => api.events.modelGovernance.Proposed.is(event)).event.data;
    assert.ok(proposed.action.isSetAccessPolicy);
    const migrated = (await api.query.modelGovernance.proposals(proposal)).unwrap();
    assert.ok(migrated.action.isUpgrade && migrated.action.asUpgrade.toNumber() === 1);
    await assert.rejects(
      sendAndWait(api, api.tx.modelAccess.setAccessPolicy(shared, 'Licensed'), alice),
      /modelAccess\.DecidedByHolders/,
    );
  });
});
