/**
 * Bounds on what reading one archive may cost. A distribution package for
 * MicroPython is a few kilobytes to a few megabytes; the defaults leave wide
 * room for that and stop anything built to exhaust memory.
 */

/** Limits applied while inflating and unpacking one archive. */
export interface ArchiveLimits {
  /** Largest total inflated size in bytes. Default 64 MiB. */
  maxInflatedBytes: number;
  /** Largest single member in bytes. Default 16 MiB. */
  maxMemberBytes: number;
  /** Largest inflated/compressed ratio, checked once past `ratioGraceBytes`. Default 200. */
  maxRatio: number;
  /** Inflated bytes allowed before the ratio is enforced. Default 1 MiB. */
  ratioGraceBytes: number;
  /** Largest number of members (headers included). Default 20000. */
  maxMembers: number;
}

/** The default limits. */
const DEFAULT_LIMITS: Readonly<ArchiveLimits> = Object.freeze({
  maxInflatedBytes: 64 * 1024 * 1024,
  maxMemberBytes: 16 * 1024 * 1024,
  maxRatio: 200,
  ratioGraceBytes: 1024 * 1024,
  maxMembers: 20_000,
});

/** The defaults overridden by whatever `partial` sets. */
export function resolveLimits(partial?: Partial<ArchiveLimits>): ArchiveLimits {
  return { ...DEFAULT_LIMITS, ...partial };
}
