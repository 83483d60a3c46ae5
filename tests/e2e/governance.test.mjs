// Governance on a real dev node, with @polkadot/api and no custom types (what polkadot.js apps
// does):
// - share holders vote a model's upgrade: the voted shares are locked (a transfer fails with
//   modelShares.SharesLocked) until the proposal closes, the closed proposal activates the new
//   version, the deposit and the locks are released and the votes are reaped;
// - token holders pass a democracy referendum (preimage + scheduler) that changes an economic
//   parameter of another pallet: the inference protocol fee.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { Keyring } from '@polkadot/keyring';
import { bnToU8a, u8aToHex } from '@polkadot/util';
import { blake2AsHex, cryptoWaitReady, xxhashAsHex } from '@polkadot/util-crypto';

import { registerModel, versionInput } from './lib/models.mjs';
import { connect, nextEvent, sendAndWait, startNode, sudoAndWait, waitFor } from './lib/node.mjs';
import { UNIT, PERBILL } from './lib/units.mjs';

const SUPPLY = 1_000_000n;
// The shortest voting period the runtime allows a model (1 minute of 3 s blocks), which only
// root may set.
const VOTING_PERIOD = 20;
// Miners that serve the new version: an upgrade fewer miners serve than the model's
// redundancy (3) is not enacted.
const NEW_VERSION_MINERS = ['//Dave', '//Eve', '//Ferdie'];

describe('governance over RPC', () => {
  let node;
  let api;
  let alice;
  let bob;
  let charlie;
  let model;
  let proposal;
  let proposalEnd;

  before(async () => {
    await cryptoWaitReady();
    node = await startNode({ name: 'governance' });
    api = await connect(node.url);
    const keyring = new Keyring({ type: 'sr25519' });
    alice = keyring.addFromUri('//Alice');
    bob = keyring.addFromUri('//Bob');
    charlie = keyring.addFromUri('//Charlie');
  });

  after(async () => {
    await api?.disconnect();
    await node?.stop();
  });

  const blockNumber = async () => (await api.rpc.chain.getHeader()).number.toNumber();
  const activeVersion = async () =>
    (await api.query.modelRegistry.models(model)).unwrap().activeVersion.toNumber();
  // What `who` has on hold for `pallet` (e.g. `modelGovernance`).
  const heldFor = async (who, pallet) =>
    (await api.query.balances.holds(who))
      .filter((hold) => Object.keys(hold.id.toJSON())[0] === pallet)
      .reduce((sum, hold) => sum + hold.amount.toBigInt(), 0n);

  test('share holders propose and vote an upgrade; voted shares are locked', async () => {
    model = await registerModel(api, alice, { name: 'Governed', symbol: 'GOV', seed: 7 });
    await sendAndWait(api, api.tx.modelRegistry.addVersion(model, versionInput(8)), alice);
    // Before its shares exist the owner sets the model's voting rules, but gives holders at
    // least a day and needs at least 10% of the shares to vote; root (here sudo, on a live chain
    // a referendum) may choose a 1-minute vote.
    const rules = { votingPeriod: VOTING_PERIOD, minTurnout: PERBILL / 5, approvalThreshold: PERBILL / 2 };
    await assert.rejects(
      sendAndWait(api, api.tx.modelGovernance.setVotingParams(model, rules), alice),
      /modelGovernance\.InvalidParams/,
    );
    await assert.rejects(
      sendAndWait(
        api,
        api.tx.modelGovernance.setVotingParams(model, { ...rules, votingPeriod: 28_800, minTurnout: 0 }),
        alice,
      ),
      /modelGovernance\.InvalidParams/,
    );
    await sudoAndWait(api, api.tx.modelGovernance.setVotingParams(model, rules), alice);
    await sendAndWait(api, api.tx.modelShares.issueShares(model, SUPPLY), alice);
    await sendAndWait(api, api.tx.modelShares.transferShares(model, bob.address, 300_000n), alice);
    // Afterwards the rules are governance's.
    await assert.rejects(
      sendAndWait(
        api,
        api.tx.modelGovernance.setVotingParams(model, {
          votingPeriod: 100,
          minTurnout: 0,
          approvalThreshold: PERBILL / 2,
        }),
        alice,
      ),
      /modelGovernance\.NotAllowed/,
    );
    // Charlie holds no shares: no proposal, no vote.
    await assert.rejects(
      sendAndWait(api, api.tx.modelGovernance.proposeUpgrade(model, 1), charlie),
      /modelGovernance\.NotHolder/,
    );

    const { events } = await sendAndWait(api, api.tx.modelGovernance.proposeUpgrade(model, 1), bob);
    const proposed = events.find(({ event }) => api.events.modelGovernance.Proposed.is(event)).event;
    proposal = proposed.data.proposal.toNumber();
    proposalEnd = proposed.data.end.toNumber();
    const deposit = proposed.data.deposit.toBigInt();
    assert.equal(deposit, 10n * UNIT);
    assert.equal(await heldFor(bob.address, 'modelGovernance'), deposit);

    await sendAndWait(api, api.tx.modelGovernance.vote(proposal, 'Aye', 300_000n), bob);
    await sendAndWait(api, api.tx.modelGovernance.vote(proposal, 'Aye', 400_000n), alice);
    await assert.rejects(
      sendAndWait(api, api.tx.modelGovernance.vote(proposal, 'Aye', 1n), charlie),
      /modelGovernance\.InsufficientShares/,
    );
    assert.ok((await blockNumber()) < proposalEnd);
    await assert.rejects(
      sendAndWait(api, api.tx.modelGovernance.close(proposal), charlie),
      /modelGovernance\.VotingOngoing/,
    );
    const open = (await api.query.modelGovernance.proposals(proposal)).unwrap();
    assert.equal(open.ayes.toBigInt(), 700_000n);
    assert.equal(open.voters.toNumber(), 2);

    // Bob's shares are all locked; Alice's 300,000 unvoted shares are free.
    await assert.rejects(
      sendAndWait(api, api.tx.modelShares.transferShares(model, charlie.address, 1n), bob),
      /modelShares\.SharesLocked/,
    );
    await assert.rejects(
      sendAndWait(api, api.tx.modelShares.createOrder(model, 1n, UNIT), bob),
      /modelShares\.SharesLocked/,
    );
    await sendAndWait(api, api.tx.modelShares.transferShares(model, charlie.address, 300_000n), alice);
    await assert.rejects(
      sendAndWait(api, api.tx.modelShares.transferShares(model, charlie.address, 1n), alice),
      /modelShares\.SharesLocked/,
    );
    assert.equal(await activeVersion(), 0);
  });

  test('a democracy referendum changes the inference protocol fee', async () => {
    // Dev-length democracy periods, set by sudo as the runtime documents (storage parameters).
    const u32 = (n) => u8aToHex(bnToU8a(n, { bitLength: 32, isLe: true }));
    const period = (name) => xxhashAsHex(`:${name}:`, 128);
    // Rejects unless root's call succeeded.
    await sudoAndWait(
      api,
      api.tx.system.setStorage([
        [period('DemocracyLaunchPeriod'), u32(5)],
        [period('DemocracyVotingPeriod'), u32(5)],
        [period('DemocracyEnactmentPeriod'), u32(1)],
      ]),
      alice,
    );

    const before = (await api.query.inference.parameters()).toJSON();
    assert.equal(before.protocolFee, PERBILL / 20, 'the genesis protocol fee is 5%');
    const newFee = (PERBILL / 100) * 7;
    const call = api.tx.inference.setParameters({ ...before, protocolFee: newFee });
    const encoded = call.method.toHex();
    const hash = blake2AsHex(encoded);
    await sendAndWait(api, api.tx.preimage.notePreimage(encoded), alice);

    const started = nextEvent(api, (e) => api.events.democracy.Started.is(e), {
      message: 'democracy.Started',
    });
    const minimumDeposit = api.consts.democracy.minimumDeposit.toBigInt();
    await sendAndWait(
      api,
      api.tx.democracy.propose({ Lookup: { hash, len: (encoded.length - 2) / 2 } }, minimumDeposit),
      alice,
    );
    const refIndex = (await started).data.refIndex.toNumber();

    const passed = nextEvent(
      api,
      (e) => api.events.democracy.Passed.is(e) && e.data.refIndex.toNumber() === refIndex,
      { message: 'democracy.Passed' },
    );
    const dispatched = nextEvent(api, (e) => api.events.scheduler.Dispatched.is(e), {
      message: 'scheduler.Dispatched',
    });
    await sendAndWait(
      api,
      api.tx.democracy.vote(refIndex, {
        Standard: { vote: { aye: true, conviction: 'Locked1x' }, balance: 1_000n * UNIT },
      }),
      bob,
    );
    await passed;
    const result = (await dispatched).data.result;
    assert.equal(result.isOk, true, `enactment failed: ${result.toString()}`);
    const after = (await api.query.inference.parameters()).toJSON();
    assert.equal(after.protocolFee, newFee);
    assert.deepEqual({ ...after, protocolFee: before.protocolFee }, before, 'only the fee changed');
  });

  test('closing the proposal enacts the upgrade and releases deposit and locks', async () => {
    // Three miners announce version 1 (and bond) before the proposal is closed.
    const keyring = new Keyring({ type: 'sr25519' });
    await Promise.all(
      NEW_VERSION_MINERS.map(async (uri) => {
        const miner = keyring.addFromUri(uri);
        await sendAndWait(
          api,
          api.tx.computeStaking.registerWorker('Miner', 'http://127.0.0.1:9/none', 'cpu', [{ model, version: 1 }]),
          miner,
        );
        await sendAndWait(api, api.tx.computeStaking.bond(1_000n * UNIT), miner);
      }),
    );
    await waitFor(async () => (await blockNumber()) >= proposalEnd, {
      timeoutMs: (VOTING_PERIOD + 10) * 3_000,
      message: `block ${proposalEnd}`,
    });
    const reaped = nextEvent(
      api,
      (e) => api.events.modelGovernance.VotesReaped.is(e) && e.data.done.isTrue,
      { message: 'modelGovernance.VotesReaped' },
    );
    // Anyone may close.
    const { events } = await sendAndWait(api, api.tx.modelGovernance.close(proposal), charlie);
    const closed = events.find(({ event }) => api.events.modelGovernance.Closed.is(event)).event;
    assert.equal(closed.data.outcome.toString(), 'Enacted');
    assert.equal(closed.data.ayes.toBigInt(), 700_000n);
    assert.equal(closed.data.supply.toBigInt(), SUPPLY);
    assert.ok(events.some(({ event }) => api.events.modelRegistry.ActiveVersionChanged.is(event)));
    assert.equal(await activeVersion(), 1);
    assert.equal(await heldFor(bob.address, 'modelGovernance'), 0n);
    assert.equal((await api.query.modelGovernance.proposals(proposal)).isNone, true);

    // The locks stopped binding at once: Bob's shares move.
    await sendAndWait(api, api.tx.modelShares.transferShares(model, charlie.address, 300_000n), bob);
    // The votes and lock entries are removed with spare block weight.
    await reaped;
    assert.equal((await api.query.modelGovernance.votes.entries(proposal)).length, 0);
    assert.equal((await api.query.modelShares.shareLocks(model, alice.address)).length, 0);
  });
});
