// The chain's units and constants, written once for every test.

/** One MDL in planck (12 decimals). */
export const UNIT = 10n ** 12n;
/** `Perbill::one()`: parts per billion. */
export const PERBILL = 1_000_000_000;
/** Model `m`'s shares are asset `SHARE_ASSET_ID_BASE + m` of `shareAssets`. */
export const SHARE_ASSET_ID_BASE = 2 ** 31;
