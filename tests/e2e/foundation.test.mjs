// Foundation: a real dev node produces and finalizes blocks, exposes its runtime and metadata
// to @polkadot/api with no custom types, applies a signed balance transfer, and rejects invalid
// extrinsics with a clear error without changing state.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { merkleizeMetadata } from '@polkadot-api/merkleize-metadata';
import { Keyring } from '@polkadot/keyring';
import { u8aToHex } from '@polkadot/util';
import { cryptoWaitReady } from '@polkadot/util-crypto';

import { connect, sendAndWait, startNode, waitFor } from './lib/node.mjs';
import { UNIT } from './lib/units.mjs';


describe('foundation: dev node over RPC', () => {
  let node;
  let api;
  let alice;
  let bob;

  before(async () => {
    await cryptoWaitReady();
    node = await startNode({ name: 'foundation' });
    api = await connect(node.url);
    const keyring = new Keyring({ type: 'sr25519' });
    alice = keyring.addFromUri('//Alice');
    bob = keyring.addFromUri('//Bob');
  });

  after(async () => {
    await api?.disconnect();
    await node?.stop();
  });

  test('produces blocks and finalizes them', async () => {
    const best = await waitFor(
      async () => {
        const header = await api.rpc.chain.getHeader();
        return header.number.toNumber() >= 3 ? header.number.toNumber() : 0;
      },
      { timeoutMs: 60_000, message: 'block #3' },
    );
    const finalized = await waitFor(
      async () => {
        const hash = await api.rpc.chain.getFinalizedHead();
        const header = await api.rpc.chain.getHeader(hash);
        return header.number.toNumber() >= 2 ? header.number.toNumber() : 0;
      },
      { timeoutMs: 60_000, message: 'finalized block #2' },
    );
    assert.ok(best >= 3, `best block ${best}`);
    assert.ok(finalized >= 2, `finalized block ${finalized}`);
  });

  test('exposes its runtime version, chain properties and metadata V14, V15 and V16', async () => {
    const version = await api.rpc.state.getRuntimeVersion();
    assert.equal(version.specName.toString(), 'modelchain');
    assert.ok(version.specVersion.toNumber() >= 100);

    const properties = await api.rpc.system.properties();
    assert.equal(properties.tokenSymbol.unwrap()[0].toString(), 'MDL');
    assert.equal(properties.tokenDecimals.unwrap()[0].toNumber(), 12);
    assert.equal((await api.rpc.system.chain()).toString(), 'ModelChain Development');

    const versions = await api.call.metadata.metadataVersions();
    for (const served of [14, 15, 16]) {
      assert.ok(versions.map((v) => v.toNumber()).includes(served), `metadata versions ${versions}`);
    }
    assert.ok(api.runtimeMetadata.version >= 14);

    for (const pallet of [
      'system', 'timestamp', 'aura', 'grandpa', 'balances', 'transactionPayment', 'sudo',
      'session', 'assets', 'preimage', 'scheduler', 'democracy', 'treasury',
    ]) {
      assert.ok(api.tx[pallet] || api.query[pallet], `pallet ${pallet} is in the metadata`);
    }
    assert.ok(api.registry.signedExtensions.includes('CheckMetadataHash'));

    const methods = (await api.rpc.rpc.methods()).methods.map((m) => m.toString());
    for (const method of [
      'system_health', 'system_accountNextIndex', 'author_submitExtrinsic', 'author_rotateKeys',
      'state_getMetadata', 'payment_queryInfo', 'chain_getFinalizedHead',
    ]) {
      assert.ok(methods.includes(method), `RPC method ${method}`);
    }
  });

  test('applies a balance transfer signed by Alice', async () => {
    const amount = 12n * UNIT + 345n;
    const aliceBefore = (await api.query.system.account(alice.address)).data.free.toBigInt();
    const bobBefore = (await api.query.system.account(bob.address)).data.free.toBigInt();

    const { events } = await sendAndWait(
      api,
      api.tx.balances.transferKeepAlive(bob.address, amount),
      alice,
    );

    const transfer = events.find(({ event }) => api.events.balances.Transfer.is(event));
    assert.ok(transfer, 'balances.Transfer event');
    const [from, to, value] = transfer.event.data;
    assert.equal(from.toString(), alice.address);
    assert.equal(to.toString(), bob.address);
    assert.equal(value.toBigInt(), amount);
    assert.ok(events.some(({ event }) => api.events.system.ExtrinsicSuccess.is(event)));
    const feePaid = events.find(({ event }) =>
      api.events.transactionPayment.TransactionFeePaid.is(event),
    );
    assert.ok(feePaid, 'transactionPayment.TransactionFeePaid event');
    const fee = feePaid.event.data.actualFee.toBigInt();
    assert.ok(fee > 0n, 'a fee was charged');

    const aliceAfter = (await api.query.system.account(alice.address)).data.free.toBigInt();
    const bobAfter = (await api.query.system.account(bob.address)).data.free.toBigInt();
    assert.equal(bobAfter - bobBefore, amount);
    assert.equal(aliceBefore - aliceAfter, amount + fee);
  });

  // Hardware wallets (Ledger's generic app) sign with `CheckMetadataHash` mode 1: the signed
  // payload carries the RFC-78 digest of the metadata, which the runtime adds from its build.
  // The digest is computed here by an external client library (polkadot-api's), from the
  // metadata V15 the node serves.
  test('includes a transfer signed with the metadata hash (mode 1) and refuses a wrong hash', async () => {
    const raw = (await api.call.metadata.metadataAtVersion(15)).unwrap();
    const bytes = api.createType('Bytes', raw).toU8a(true);
    const properties = await api.rpc.system.properties();
    const digest = merkleizeMetadata(bytes, {
      decimals: properties.tokenDecimals.unwrap()[0].toNumber(),
      tokenSymbol: properties.tokenSymbol.unwrap()[0].toString(),
    }).digest();
    const bobBefore = (await api.query.system.account(bob.address)).data.free.toBigInt();
    const { blockHash } = await sendAndWait(
      api, api.tx.balances.transferKeepAlive(bob.address, UNIT), alice,
      { mode: 1, metadataHash: u8aToHex(digest) },
    );
    const { block } = await api.rpc.chain.getBlock(blockHash);
    const signed = block.extrinsics.find((x) => x.isSigned && x.method.section === 'balances');
    assert.equal(signed.mode.toNumber(), 1, 'the included transaction was signed in mode 1');
    assert.equal((await api.query.system.account(bob.address)).data.free.toBigInt(), bobBefore + UNIT);

    const wrong = new Uint8Array(digest);
    wrong[0] ^= 0xff;
    await assert.rejects(
      sendAndWait(api, api.tx.balances.transferKeepAlive(bob.address, UNIT), alice,
        { mode: 1, metadataHash: u8aToHex(wrong) }),
      /bad signature|Invalid Transaction|1010/,
    );
    assert.equal((await api.query.system.account(bob.address)).data.free.toBigInt(), bobBefore + UNIT);
  });

  test('rejects an extrinsic with a bad signature and changes nothing', async () => {
    const tx = api.tx.balances.transferKeepAlive(bob.address, UNIT);
    await tx.signAsync(alice);
    const bytes = tx.toU8a();
    // The raw 64 signature bytes follow the MultiSignature variant byte.
    const signature = tx.signature.toU8a();
    const at = indexOf(bytes, signature);
    assert.ok(at > 0, 'signature found in the encoded extrinsic');
    const tampered = bytes.slice();
    tampered[at + 10] ^= 0xff;

    const nonceBefore = (await api.query.system.account(alice.address)).nonce.toNumber();
    const bobBefore = (await api.query.system.account(bob.address)).data.free.toBigInt();
    await assert.rejects(
      api.rpc.author.submitExtrinsic(u8aToHex(tampered)),
      (error) => {
        assert.match(error.message, /1010: Invalid Transaction: Transaction has a bad signature/);
        return true;
      },
    );
    await waitForNextBlock(api);
    assert.equal((await api.query.system.account(alice.address)).nonce.toNumber(), nonceBefore);
    assert.equal((await api.query.system.account(bob.address)).data.free.toBigInt(), bobBefore);
  });

  test('rejects a transfer from an account that cannot pay the fee and changes nothing', async () => {
    const pauper = new Keyring({ type: 'sr25519' }).addFromUri('//ModelChainPauper');
    const tx = api.tx.balances.transferKeepAlive(bob.address, UNIT);
    const bobBefore = (await api.query.system.account(bob.address)).data.free.toBigInt();
    await assert.rejects(tx.signAndSend(pauper), (error) => {
      assert.match(error.message, /1010: Invalid Transaction: Inability to pay some fees/);
      return true;
    });
    await waitForNextBlock(api);
    const account = await api.query.system.account(pauper.address);
    assert.equal(account.nonce.toNumber(), 0);
    assert.equal(account.data.free.toBigInt(), 0n);
    assert.equal((await api.query.system.account(bob.address)).data.free.toBigInt(), bobBefore);
  });

  test('fails a transfer beyond the balance with a named error, charging only the fee', async () => {
    const bobFree = (await api.query.system.account(bob.address)).data.free.toBigInt();
    const aliceBefore = (await api.query.system.account(alice.address)).data.free.toBigInt();
    await assert.rejects(
      sendAndWait(api, api.tx.balances.transferKeepAlive(alice.address, bobFree * 2n), bob),
      (error) => {
        assert.match(error.message, /^balances\.|^Token\./);
        assert.ok(
          error.events.some(({ event }) => api.events.system.ExtrinsicFailed.is(event)),
          'system.ExtrinsicFailed event',
        );
        return true;
      },
    );
    const fee = bobFree - (await api.query.system.account(bob.address)).data.free.toBigInt();
    assert.ok(fee > 0n && fee < UNIT, `only a fee was charged (${fee})`);
    assert.equal((await api.query.system.account(alice.address)).data.free.toBigInt(), aliceBefore);
  });

  test('registers session keys only with a valid ownership proof (validator runbook)', async () => {
    // The validator guide's runbook: author_rotateKeysWithOwner(account) then session.setKeys(keys, proof).
    const generated = await rpc(node, 'author_rotateKeysWithOwner', [u8aToHex(bob.publicKey)]);
    assert.match(generated.keys, /^0x[0-9a-f]+$/);
    assert.match(generated.proof, /^0x[0-9a-f]+$/);
    assert.equal(
      (await rpc(node, 'author_hasSessionKeys', [generated.keys])),
      true,
      'the new keys are in the node keystore',
    );

    // A proof made for another account is refused and nothing is stored.
    const forAlice = await rpc(node, 'author_rotateKeysWithOwner', [u8aToHex(alice.publicKey)]);
    await assert.rejects(
      sendAndWait(api, api.tx.session.setKeys(forAlice.keys, generated.proof), bob),
      /session\.InvalidProof/,
    );
    assert.ok((await api.query.session.nextKeys(bob.address)).isNone);

    await sendAndWait(api, api.tx.session.setKeys(generated.keys, generated.proof), bob);
    const stored = await api.query.session.nextKeys(bob.address);
    assert.ok(stored.isSome);
    assert.equal(stored.unwrap().toHex(), generated.keys);
  });
});

function indexOf(haystack, needle) {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) {
      if (haystack[i + j] !== needle[j]) continue outer;
    }
    return i;
  }
  return -1;
}

/** A raw JSON-RPC call over HTTP (the RPC port serves HTTP and WebSocket). */
async function rpc(node, method, params) {
  const response = await fetch(`http://127.0.0.1:${node.rpcPort}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ id: 1, jsonrpc: '2.0', method, params }),
  });
  const body = await response.json();
  if (body.error) throw new Error(`${method}: ${JSON.stringify(body.error)}`);
  return body.result;
}

async function waitForNextBlock(api) {
  const start = (await api.rpc.chain.getHeader()).number.toNumber();
  await waitFor(
    async () => (await api.rpc.chain.getHeader()).number.toNumber() > start,
    { timeoutMs: 30_000, message: 'the next block' },
  );
}
