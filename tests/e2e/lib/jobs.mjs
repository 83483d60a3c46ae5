// Helpers that play a job's miners on a real node: commitments, commit and reveal.

import { u8aToHex } from '@polkadot/util';
import { blake2AsHex } from '@polkadot/util-crypto';

import { sendAndWait, waitFor } from './node.mjs';

/** A salt for miner `index` of `job`, different for every job and miner. */
export const salt = (job, index) => u8aToHex(new Uint8Array(32).fill((Number(job) * 7 + index + 1) % 256));

/** `blake2_256(SCALE(job, miner, output, salt))`, the commitment `commitResult` takes. */
export const commitment = (api, job, miner, output, s) =>
  blake2AsHex(api.createType('(u64, AccountId32, Vec<i64>, [u8; 32])', [job, miner, output, s]).toU8a(), 256);

/**
 * Every assigned miner (addresses, signed by the pair `signerOf(address)` returns) commits to
 * `output` and then reveals it; resolves with the events of the last reveal.
 */
export async function commitAndReveal(api, job, assigned, output, signerOf) {
  // One output for every miner, or one per miner (a list of outputs, in `assigned`'s order).
  const outputOf = (i) => (Array.isArray(output[0]) ? output[i] : output);
  for (const [i, address] of assigned.entries()) {
    await sendAndWait(
      api,
      api.tx.inference.commitResult(job, commitment(api, job, address, outputOf(i), salt(job, i))),
      signerOf(address),
    );
  }
  let last;
  for (const [i, address] of assigned.entries()) {
    last = await sendAndWait(api, api.tx.inference.revealResult(job, outputOf(i), salt(job, i)), signerOf(address));
  }
  return last.events;
}

/**
 * The miners (addresses) drawn for `job`: they are drawn in a block after the request's
 * (`JobAssigned`), so this waits until the job has left its `Assigning` phase. Resolves with
 * the miners and the job's record.
 */
export async function assignedMiners(api, job, { timeoutMs = 30_000 } = {}) {
  let record;
  await waitFor(
    async () => {
      record = (await api.query.inference.jobs(job)).unwrap();
      return !record.phase.isAssigning;
    },
    { timeoutMs, intervalMs: 250, message: `job ${job}'s miners drawn` },
  );
  return { miners: record.assignments.map((a) => a.miner.toString()), record };
}

/** Makes the validators verify every job (root sets `verificationSample` to 100%; the default
 * samples 10% of the unanimous ones). */
export async function verifyEveryJob(api, sudoer) {
  const params = (await api.query.inference.parameters()).toJSON();
  await sendAndWait(
    api,
    api.tx.sudo.sudo(api.tx.inference.setParameters({ ...params, verificationSample: 1_000_000_000 })),
    sudoer,
  );
}
