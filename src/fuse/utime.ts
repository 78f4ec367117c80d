/**
 * Sentinels the rebuilt fuse-native addon (native/build.ts) passes to utimens for
 * UTIME_OMIT and UTIME_NOW. Both are exact doubles far beyond any real time in ms.
 */
export const UTIME_OMIT_MS = 2 ** 52;
export const UTIME_NOW_MS = 2 ** 52 + 1;

/** A utimens argument as a SetAttr time: undefined leaves it, 'now' is now. */
export function utimeArg(ms: number): number | 'now' | undefined {
  if (ms === UTIME_OMIT_MS) return undefined;
  if (ms === UTIME_NOW_MS) return 'now';
  return ms;
}
