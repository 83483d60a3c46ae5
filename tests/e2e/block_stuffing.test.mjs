// H-7 on a real node: a spammer fills blocks with large, tipped remarks from many accounts
// during a job's reveal window. The assigned miners' reveals still land at once (the
// PrioritizeAnswers extension gives answers the chain would accept priority u64::MAX / 2, above
// any tip), so nobody honest misses a reveal or is slashed. The spammer pays the length fee
// (1 µMDL per byte) and its tips for every block it fills. (The fee multiplier follows blocks'
// weight, as on Polkadot; remarks are light, so it does not move here.)

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { Keyring } from '@polkadot/keyring';
import { u8aToHex } from '@polkadot/util';
import { cryptoWaitReady } from '@polkadot/util-crypto';

import { assignedMiners, commitment, salt } from './lib/jobs.mjs';
import { registerModel } from './lib/models.mjs';
import { connect, nextEvent, sendAndWait, startNode, waitFor } from './lib/node.mjs';
import { UNIT } from './lib/units.mjs';

const PRICE = UNIT;
const OUTPUT = [9000, 700, 300];
/** Spam: SPAMMERS accounts, REMARKS each, REMARK_BYTES per remark, each with a tip. */
const SPAMMERS = 8;
const REMARKS = 6;
const REMARK_BYTES = 300 * 1024;
const TIP = UNIT;
/** The runtime's length fee per byte (`TransactionByteFee`, 1 µMDL). */
const BYTE_FEE = 10n ** 6n;
/** Normal extrinsics may fill three quarters of a 5 MiB block. */
const NORMAL_BLOCK_BYTES = (5 * 1024 * 1024 * 3) / 4;

describe('block stuffing during a reveal window', () => {
  let node;
  let api;
  let alice;
  let eve;
  let miners;
  let spammers;
  let model;

  before(async () => {
    await cryptoWaitReady();
    node = await startNode({ name: 'stuffing' });
    api = await connect(node.url);
    const keyring = new Keyring({ type: 'sr25519' });
    alice = keyring.addFromUri('//Alice');
    eve = keyring.addFromUri('//Eve');
    miners = ['//Bob', '//Charlie', '//Dave'].map((uri) => keyring.addFromUri(uri));
    spammers = Array.from({ length: SPAMMERS }, (_, i) => keyring.addFromUri(`//Spam/${i}`));

    model = await registerModel(api, alice, { price: PRICE });
    for (const miner of miners) {
      await sendAndWait(
        api,
        api.tx.computeStaking.registerWorker('Miner', 'http://127.0.0.1:9/none', '1x CPU', [{ model, version: 0 }]),
        miner,
      );
      await sendAndWait(api, api.tx.computeStaking.bond(2_000n * UNIT), miner);
    }
    // Fund the spammers in one go (Alice's transfers with consecutive nonces).
    const nonce = (await api.rpc.system.accountNextIndex(alice.address)).toNumber();
    await Promise.all(
      spammers.map((spammer, i) =>
        sendAndWait(api, api.tx.balances.transferKeepAlive(spammer.address, 1_000n * UNIT), alice, { nonce: nonce + i }),
      ),
    );
  });

  after(async () => {
    await api?.disconnect();
    await node?.stop();
  });

  test('honest reveals land through full blocks of tipped spam, and nobody honest is slashed', async (t) => {
    const signerOf = (address) => miners.find((m) => m.address === address);
    const { events } = await sendAndWait(
      api,
      api.tx.inference.requestInference(model, { Inline: '0x5b302e312c302e325d' }, PRICE),
      eve,
    );
    const job = events.find(({ event }) => api.events.inference.JobRequested.is(event)).event.data.job.toBigInt();
    const { miners: assigned } = await assignedMiners(api, job);
    const revealPhase = nextEvent(
      api,
      (event) => api.events.inference.RevealPhaseStarted.is(event) && event.data.job.toBigInt() === job,
      { message: 'RevealPhaseStarted' },
    );
    await Promise.all(
      assigned.map((address, i) =>
        sendAndWait(api, api.tx.inference.commitResult(job, commitment(api, job, address, OUTPUT, salt(job, i))), signerOf(address)),
      ),
    );
    const { data: { revealDeadline } } = await revealPhase;
    const balances = async () =>
      Promise.all(spammers.map(async (s) => (await api.query.system.account(s.address)).data.free.toBigInt()));
    const spammersBefore = await balances();

    // The spam: SPAMMERS × REMARKS remarks of 300 KiB with a 1 MDL tip each, about four full
    // blocks' worth, all accepted by the pool before the reveals are sent.
    // (As hex: a Uint8Array would be read as SCALE bytes with a length prefix.)
    const data = u8aToHex(new Uint8Array(REMARK_BYTES).fill(7));
    const spamIncluded = [];
    const accepted = [];
    for (const spammer of spammers) {
      const first = (await api.rpc.system.accountNextIndex(spammer.address)).toNumber();
      for (let i = 0; i < REMARKS; i++) {
        // Resolves once the pool took it (the RPC answered); the callback records its block.
        const submitted = api.tx.system.remark(data).signAndSend(spammer, { nonce: first + i, tip: TIP }, ({ status }) => {
          if (status.isInBlock) {
            api.rpc.chain.getHeader(status.asInBlock).then((header) => spamIncluded.push(header.number.toNumber()));
          }
        });
        accepted.push(submitted);
      }
    }
    const unsubs = (await Promise.allSettled(accepted)).filter((r) => r.status === 'fulfilled').map((r) => r.value);
    assert.ok(unsubs.length >= SPAMMERS * REMARKS / 2, `the pool took most of the spam (${unsubs.length})`);

    // The reveals, sent behind the spam.
    const reveals = await Promise.all(
      assigned.map((address, i) =>
        sendAndWait(api, api.tx.inference.revealResult(job, OUTPUT, salt(job, i)), signerOf(address)),
      ),
    );
    const revealBlocks = await Promise.all(
      reveals.map(async ({ blockHash }) => (await api.rpc.chain.getHeader(blockHash)).number.toNumber()),
    );
    for (const at of revealBlocks) assert.ok(at < revealDeadline.toNumber(), `revealed at block ${at}, before ${revealDeadline}`);
    // (The reveals may have pushed a few remarks out of a full pool.)
    await waitFor(async () => spamIncluded.length >= unsubs.length - assigned.length, {
      timeoutMs: 90_000,
      message: 'the spam included',
    });
    for (const unsub of unsubs) unsub();

    // The spam really competed: it filled blocks before and after the reveals landed.
    const lastSpam = Math.max(...spamIncluded);
    assert.ok(lastSpam > Math.max(...revealBlocks), `spam still landing after the reveals (last at ${lastSpam})`);
    const revealBlock = await api.rpc.chain.getBlock(reveals[0].blockHash);
    const bytes = revealBlock.block.extrinsics.reduce((sum, xt) => sum + xt.encodedLength, 0);
    assert.ok(bytes > NORMAL_BLOCK_BYTES * 0.6, `the reveals' block is full of spam too (${bytes} bytes)`);

    // The job reached its quorum with every miner; nobody was slashed.
    const record = (await api.query.inference.jobs(job)).unwrap();
    assert.ok(record.phase.isChallenge, `job ${job} in its challenge window: ${record.phase}`);
    assert.ok(record.assignments.every((a) => a.revealed.isSome), 'every miner revealed');
    for (const address of assigned) {
      const worker = (await api.query.computeStaking.workers(address)).unwrap();
      assert.ok(worker.jailedUntil.isNone, `${address} not jailed`);
    }
    // The spammer paid the length fee and the tip of every remark that landed.
    const spent = (await balances()).reduce((sum, after, i) => sum + spammersBefore[i] - after, 0n);
    const floor = BigInt(spamIncluded.length) * (BigInt(REMARK_BYTES) * BYTE_FEE + TIP);
    assert.ok(spent >= floor, `spam paid ${spent}, at least ${floor}`);
    const blocks = new Set(spamIncluded).size;
    t.diagnostic(
      `${spamIncluded.length} remarks in ${blocks} blocks (reveals at ${revealBlocks}, spam until ${lastSpam}); ` +
        `spammer paid ${Number(spent) / 1e12} MDL, ${Number(spent / BigInt(blocks)) / 1e12} MDL per block`,
    );
  });
});
