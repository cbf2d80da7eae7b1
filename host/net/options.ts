/**
 * Settings of the network layer, from an embedder or from the environment
 * of the `mpy` command.
 *
 * @module
 */
import { createRequire } from 'node:module';
import type { WorkerConfig } from './protocol.js';
import { IndexMapping } from './index-mapping.js';
import { NetPolicy } from './policy.js';
import { checkProxySettings, proxySettingsFromEnv, type ProxySettings } from './proxy.js';

/** Options of the network bridge. */
export interface NetOptions {
  /**
   * Allowed destinations as `host:port` patterns (see ./policy.ts).
   * `undefined`: everything (the `mpy` command); `[]`: nothing.
   */
  readonly allow?: readonly string[];
  /**
   * Where the program may bind and listen (TCP servers, UDP sockets), as
   * `host:port` patterns of the bound address. `undefined`: anywhere (the
   * `mpy` command, as the Unix port); `[]`: nowhere.
   */
  readonly listen?: readonly string[];
  /** Map upip's default indexes onto this index URL (see ./index-mapping.ts). */
  readonly indexUrl?: string;
  /** Time limit in ms of a blocking operation on a socket with no timeout set. Default 60000. */
  readonly timeoutMs?: number;
  /** Redirects followed per HTTP request. Default 20 (as fetch). */
  readonly maxRedirects?: number;
  /**
   * DNS servers (`ip` or `ip:port`) that Python's lookups ask instead of the
   * system resolver (which also reads /etc/hosts). Default: the system resolver.
   */
  readonly dnsServers?: readonly string[];
  /** HTTP proxies for Python's connections (./proxy.ts). Default none. */
  readonly proxy?: ProxySettings | null;
}

/** Default time limit of a blocking socket operation. */
export const DEFAULT_TIMEOUT_MS = 60_000;
/** Default number of redirects followed. */
export const DEFAULT_MAX_REDIRECTS = 20;

/**
 * The options the environment gives: `MPY_INDEX_URL`, `MPY_NET_TIMEOUT`
 * (seconds), `MPY_NET_ALLOW` (comma-separated patterns; unset allows
 * everything), `MPY_NET_LISTEN` (the same for binding and listening),
 * `MPY_NET_DNS` (comma-separated DNS servers), `HTTP_PROXY`, `HTTPS_PROXY`,
 * `NO_PROXY` (and lower-case; ./proxy.ts). NODE_EXTRA_CA_CERTS is in Node's
 * default store anyway.
 */
export function netOptionsFromEnv(env: NodeJS.ProcessEnv): NetOptions {
  const timeout = Number(env.MPY_NET_TIMEOUT);
  return {
    indexUrl: env.MPY_INDEX_URL || undefined,
    timeoutMs: env.MPY_NET_TIMEOUT && timeout > 0 ? Math.round(timeout * 1000) : undefined,
    allow: patternList(env.MPY_NET_ALLOW),
    listen: patternList(env.MPY_NET_LISTEN),
    dnsServers: env.MPY_NET_DNS
      ? env.MPY_NET_DNS.split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : undefined,
    proxy: proxySettingsFromEnv(env),
  };
}

function patternList(value: string | undefined): string[] | undefined {
  return value === undefined
    ? undefined
    : value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
}

/** The worker's fixed settings. */
export function workerConfig(options: NetOptions): WorkerConfig {
  return {
    allow: options.allow ?? null,
    listen: options.listen ?? null,
    indexUrl: options.indexUrl ?? null,
    maxRedirects: options.maxRedirects ?? DEFAULT_MAX_REDIRECTS,
    connectTimeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    dnsServers: options.dnsServers?.length ? options.dnsServers : null,
    proxy: options.proxy ?? null,
  };
}

/** @throws TypeError naming the first DNS server that is not `ip` or `ip:port` */
function checkDnsServers(servers: readonly string[]): void {
  // node:dns is loaded only when servers are set.
  const { Resolver } = createRequire(import.meta.url)('node:dns') as typeof import('node:dns');
  for (const server of servers) {
    try {
      new Resolver().setServers([server]);
    } catch {
      throw new TypeError(`DNS server "${server}" is not an IP address or ADDRESS:PORT`);
    }
  }
}

/**
 * Checks the options where the embedder sees the error, not in the worker.
 * @throws TypeError for a bad allow-list, listen-list, index URL, DNS server or proxy
 */
export function validateNetOptions(options: NetOptions): void {
  const config = workerConfig(options);
  new NetPolicy(config.allow);
  try {
    new NetPolicy(config.listen);
  } catch (e) {
    throw new TypeError((e as Error).message.replace(/^network allow-list:/, 'network listen-list:'));
  }
  if (config.indexUrl !== null) new IndexMapping(config.indexUrl);
  if (config.dnsServers !== null) checkDnsServers(config.dnsServers);
  checkProxySettings(config.proxy);
}

/**
 * What is wrong with the options, in one sentence naming the setting, or
 * `undefined` when they are usable (the `mpy` command reports it and stops).
 */
export function checkNetOptions(options: NetOptions): string | undefined {
  try {
    validateNetOptions(options);
    return undefined;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e instanceof TypeError && /Invalid URL/.test(e.message)) return `MPY_INDEX_URL ${options.indexUrl} is not a URL`;
    return e.message
      .replace(/^network allow-list:/, 'MPY_NET_ALLOW:')
      .replace(/^network listen-list:/, 'MPY_NET_LISTEN:')
      .replace(/^index URL/, 'MPY_INDEX_URL')
      .replace(/^DNS server/, 'MPY_NET_DNS: DNS server');
  }
}
