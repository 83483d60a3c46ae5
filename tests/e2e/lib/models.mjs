// Helpers to register models on a real node.

import { sendAndWait } from './node.mjs';

/** A version record for `registerModel` / `addVersion`. */
export function versionInput(seed = 1, price = 10n ** 10n) {
  return {
    weightsHash: `0x${seed.toString(16).padStart(2, '0').repeat(32)}`,
    weightsUri: 'file://models/digits/model.safetensors',
    format: 'Safetensors',
    architecture: 'mlp-64-32-10',
    datasetFingerprint: `0x${'ab'.repeat(32)}`,
    licence: 'Apache-2.0',
    outputPrecision: 4,
    pricePerInference: price,
  };
}

export const defaultEconomics = {
  creatorRoyalty: 50_000_000, // 5% (Perbill)
  minersShare: 300_000_000, // 30%
  redundancy: 3,
};

/** Registers a model signed by `owner`; resolves to its id. `price` is per inference. */
export async function registerModel(api, owner, { name = 'Digits', symbol = 'DGT', seed = 1, price } = {}) {
  const { events } = await sendAndWait(
    api,
    api.tx.modelRegistry.registerModel(
      name,
      symbol,
      'https://example.invalid/card',
      versionInput(seed, price),
      defaultEconomics,
    ),
    owner,
  );
  const registered = events.find(({ event }) => api.events.modelRegistry.ModelRegistered.is(event));
  if (!registered) throw new Error('no ModelRegistered event');
  return registered.event.data.model.toNumber();
}
