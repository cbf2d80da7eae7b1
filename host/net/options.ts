/**
 * Settings of the network layer, from an embedder or from the environment
 * of the `mpy` command.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import type { WorkerConfig } from './protocol.js';

/** Options of the network bridge. */
export interface NetOptions {
  /**
   * Allowed destinations as `host:port` patterns (see ./policy.ts).
   * `undefined`: everything (the `mpy` command); `[]`: nothing.
   */
  readonly allow?: readonly string[];
  /** Map upip's default indexes onto this index URL (see ./index-mapping.ts). */
  readonly indexUrl?: string;
  /** Time limit in ms of a blocking operation on a socket with no timeout set. Default 60000. */
  readonly timeoutMs?: number;
  /** A PEM file of extra CA certificates. Default: NODE_EXTRA_CA_CERTS of the environment given. */
  readonly extraCaFile?: string;
  /** Redirects followed per HTTP request. Default 20 (as fetch). */
  readonly maxRedirects?: number;
}

/** Default time limit of a blocking socket operation. */
export const DEFAULT_TIMEOUT_MS = 60_000;
/** Default number of redirects followed. */
export const DEFAULT_MAX_REDIRECTS = 20;

/**
 * The options the environment gives: `MPY_INDEX_URL`, `MPY_NET_TIMEOUT`
 * (seconds), `MPY_NET_ALLOW` (comma-separated patterns; unset allows
 * everything), `NODE_EXTRA_CA_CERTS`.
 */
export function netOptionsFromEnv(env: NodeJS.ProcessEnv): NetOptions {
  const timeout = Number(env.MPY_NET_TIMEOUT);
  return {
    indexUrl: env.MPY_INDEX_URL || undefined,
    timeoutMs: env.MPY_NET_TIMEOUT && timeout > 0 ? Math.round(timeout * 1000) : undefined,
    allow: env.MPY_NET_ALLOW === undefined ? undefined : env.MPY_NET_ALLOW.split(',').map((s) => s.trim()).filter(Boolean),
    extraCaFile: env.NODE_EXTRA_CA_CERTS || undefined,
  };
}

/**
 * The worker's fixed settings. Reads the CA file now, so a missing file is
 * reported to the embedder instead of failing every handshake.
 * @throws Error when the CA file cannot be read
 */
export function workerConfig(options: NetOptions): WorkerConfig {
  const caFile = options.extraCaFile ?? process.env.NODE_EXTRA_CA_CERTS;
  return {
    allow: options.allow ?? null,
    indexUrl: options.indexUrl ?? null,
    extraCa: caFile ? readFileSync(caFile, 'utf8') : null,
    maxRedirects: options.maxRedirects ?? DEFAULT_MAX_REDIRECTS,
    connectTimeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
  };
}
