// Share-holder governance from tests: after a model's shares are issued, its access policy
// changes only by a holders' vote.

import assert from 'node:assert/strict';

import { sendAndWait, sudoAndWait, waitFor } from './node.mjs';
import { PERBILL } from './units.mjs';

/**
 * The holders of `model` vote `policy` in: `sudoer` (root, the dev chain's sudo key) sets a
 * 20-block vote (an owner's own rules last at least a day), `holder` proposes it and votes aye
 * with `shares`, and once the vote ended `closer` closes it. Resolves with the close's events
 * after checking the policy was enacted.
 */
export async function holdersVotePolicy(api, { model, policy, holder, shares, sudoer, closer = holder }) {
  await sudoAndWait(
    api,
    api.tx.modelGovernance.setVotingParams(model, {
      votingPeriod: 20,
      minTurnout: PERBILL / 10,
      approvalThreshold: PERBILL / 2,
    }),
    sudoer,
  );
  const { events: proposedEvents } = await sendAndWait(
    api,
    api.tx.modelGovernance.proposeAccessPolicy(model, policy),
    holder,
  );
  const proposed = proposedEvents.find(({ event }) => api.events.modelGovernance.Proposed.is(event)).event.data;
  await sendAndWait(api, api.tx.modelGovernance.vote(proposed.proposal, 'Aye', shares), holder);
  await waitFor(
    async () => (await api.rpc.chain.getHeader()).number.toNumber() >= proposed.end.toNumber(),
    { timeoutMs: 120_000, message: 'the end of the vote' },
  );
  const { events } = await sendAndWait(api, api.tx.modelGovernance.close(proposed.proposal), closer);
  const closed = events.find(({ event }) => api.events.modelGovernance.Closed.is(event)).event;
  assert.equal(closed.data.outcome.toString(), 'Enacted');
  assert.ok(events.some(({ event }) => api.events.modelAccess.PolicySetByHolders.is(event)));
  return events;
}
