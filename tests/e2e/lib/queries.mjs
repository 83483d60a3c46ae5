// The paid-query protocol in JavaScript (the requester's side): the voucher a requester signs,
// the receipt a miner signs, and the receipts tree a voucher commits to. The bytes are those of
// the Rust crate `modelchain-query-protocol` (query-protocol/src/lib.rs), whose documented test
// vector the tests check here too.

import { bnToU8a, compactAddLength, compactToU8a, hexToU8a, stringToU8a, u8aConcat, u8aToHex } from '@polkadot/util';
import { blake2AsU8a, signatureVerify } from '@polkadot/util-crypto';

const DEPTH = 32;
const ZERO = new Uint8Array(32);
const u64 = (n) => bnToU8a(BigInt(n), { bitLength: 64 });
const u32 = (n) => bnToU8a(BigInt(n), { bitLength: 32 });
const u128 = (n) => bnToU8a(BigInt(n), { bitLength: 128 });
const inner = (left, right) => blake2AsU8a(u8aConcat(left, right));
const mixCount = (node, count) => blake2AsU8a(u8aConcat(node, u64(count)));

/** `SCALE(b"modelchain/voucher", genesis, voucher)`: what a requester signs. */
export function voucherMessage(genesis, { channel, cumulative, queries, receiptsRoot }) {
  return u8aConcat(
    compactAddLength(stringToU8a('modelchain/voucher')),
    genesis,
    u64(channel),
    u128(cumulative),
    u64(queries),
    receiptsRoot,
  );
}

/** SCALE of a receipt `{ channel, sequence, model, version, inputHash, outputHash, cumulative }`. */
export function receiptBytes(r) {
  return u8aConcat(
    u64(r.channel),
    u64(r.sequence),
    u32(r.model),
    u32(r.version),
    hexToU8a(r.inputHash),
    hexToU8a(r.outputHash),
    u128(r.cumulative),
  );
}

/** `SCALE(b"modelchain/receipt", genesis, receipt)`: what the miner signs. */
export const receiptMessage = (genesis, receipt) =>
  u8aConcat(compactAddLength(stringToU8a('modelchain/receipt')), genesis, receiptBytes(receipt));

/** A receipt's leaf in its channel's receipts tree. */
export const receiptLeaf = (receipt) => blake2AsU8a(receiptBytes(receipt));

/** `blake2_256(SCALE(output))` of a `Vec<i64>` output. */
export function outputHash(output) {
  const values = output.map((v) => bnToU8a(BigInt(v), { bitLength: 64, isNegative: true }));
  return u8aToHex(blake2AsU8a(u8aConcat(compactToU8a(output.length), ...values)));
}

/** The append-only receipts tree, kept as its right frontier (as the Rust `ReceiptsTree`). */
export class ReceiptsTree {
  constructor() {
    this.count = 0n;
    this.frontier = Array.from({ length: DEPTH }, () => ZERO);
  }

  push(leaf) {
    let node = leaf;
    let index = this.count;
    for (let h = 0; h < DEPTH; h++) {
      if ((index & 1n) === 0n) {
        this.frontier[h] = node;
        break;
      }
      node = inner(this.frontier[h], node);
      index >>= 1n;
    }
    this.count += 1n;
  }

  root() {
    let node = ZERO;
    let zero = ZERO;
    let size = this.count;
    for (let h = 0; h < DEPTH; h++) {
      node = (size & 1n) === 1n ? inner(this.frontier[h], node) : inner(node, zero);
      zero = inner(zero, zero);
      size >>= 1n;
    }
    return mixCount(node, this.count);
  }
}

/**
 * `queryChannels.challenge` of a checked answer (`PaidChannel.lastAnswer`): the receipt, the
 * miner's signature of it, the input and the output.
 */
export function challengeTx(api, { receipt, signature, input, output }) {
  return api.tx.queryChannels.challenge(
    {
      channel: receipt.channel,
      sequence: receipt.sequence,
      model: receipt.model,
      version: receipt.version,
      inputHash: receipt.inputHash,
      outputHash: receipt.outputHash,
      cumulative: receipt.cumulative,
    },
    { Sr25519: signature },
    u8aToHex(Uint8Array.from(input)),
    output,
  );
}

/**
 * A requester's open channel to a miner's `/v1/query`: signs each voucher, checks each
 * answer's receipt (fields and the miner's signature), and keeps the tree and totals.
 */
export class PaidChannel {
  constructor({ url, genesis, requester, miner, channel, price, model, version }) {
    Object.assign(this, { url, genesis, requester, miner, channel, price, model, version });
    this.cumulative = 0n;
    this.queries = 0n;
    this.tree = new ReceiptsTree();
  }

  /** The voucher for the next query (`changes` override its fields, for bad vouchers). */
  nextVoucher(changes = {}) {
    return {
      channel: this.channel,
      cumulative: this.cumulative + this.price,
      queries: this.queries + 1n,
      receiptsRoot: this.tree.root(),
      ...changes,
    };
  }

  /** The request body for `voucher` and `input`, signed by `signer` for `genesis`. */
  body(voucher, input, { signer = this.requester, genesis = this.genesis } = {}) {
    return {
      voucher: {
        channel: Number(voucher.channel),
        cumulative: voucher.cumulative.toString(),
        queries: Number(voucher.queries),
        receiptsRoot: u8aToHex(voucher.receiptsRoot),
      },
      signature: u8aToHex(signer.sign(voucherMessage(genesis, voucher))),
      input: u8aToHex(Uint8Array.from(input)),
    };
  }

  /** POSTs a body; resolves to `{ status, answer }`. */
  async post(body) {
    const response = await fetch(`${this.url}/v1/query`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, answer: await response.json() };
  }

  /** Sends one paid query; checks the receipt; resolves to the output. Throws on a refusal. */
  async query(input) {
    const voucher = this.nextVoucher();
    const { status, answer } = await this.post(this.body(voucher, input));
    if (status !== 200) throw new Error(`${status} ${answer.reason}: ${answer.error}`);
    const expected = {
      channel: this.channel,
      sequence: voucher.queries,
      model: this.model,
      version: this.version,
      inputHash: u8aToHex(blake2AsU8a(Uint8Array.from(input))),
      outputHash: outputHash(answer.output),
      cumulative: voucher.cumulative,
    };
    const got = answer.receipt;
    const same =
      BigInt(got.channel) === expected.channel &&
      BigInt(got.sequence) === expected.sequence &&
      got.model === expected.model &&
      got.version === expected.version &&
      got.inputHash === expected.inputHash &&
      got.outputHash === expected.outputHash &&
      BigInt(got.cumulative) === expected.cumulative;
    if (!same) throw new Error(`the receipt does not describe the query: ${JSON.stringify(got)}`);
    if (!signatureVerify(receiptMessage(this.genesis, expected), answer.signature, this.miner).isValid) {
      throw new Error('the receipt is not signed by the miner');
    }
    this.tree.push(receiptLeaf(expected));
    this.lastVoucher = voucher;
    this.lastAnswer = { receipt: expected, signature: answer.signature, input: Array.from(input), output: answer.output };
    this.cumulative = voucher.cumulative;
    this.queries = voucher.queries;
    return answer.output;
  }
}
