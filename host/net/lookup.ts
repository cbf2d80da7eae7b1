/**
 * getaddrinfo for Python, in the worker: a real lookup (./resolver.ts) and
 * the stand-in addresses of mapped index hosts (the answer's bytes and an
 * address literal's answer are in ./lookup-answer.ts).
 *
 * Under an allow-list, a name that no rule admits (on any port) is never
 * sent to a resolver: getaddrinfo raises `OSError(EAI_AGAIN)` ("temporary
 * failure in name resolution"), what a sandbox without DNS gives. An
 * address in any spelling (`127.1`, `::ffff:127.0.0.1`) needs no lookup and
 * is returned in canonical form; connecting to it is decided by the
 * allow-list then.
 *
 * @module
 */
import { Eai, eaiFromNode } from './errno.js';
import type { IndexMapping } from './index-mapping.js';
import { AF_INET, AF_INET6, literalAnswer, type Resolved } from './lookup-answer.js';
import { canonicalAddress, type NetPolicy } from './policy.js';
import { resolveName } from './resolver.js';

/** What {@link resolveHost} needs. */
export interface LookupContext {
  readonly mapping: IndexMapping | undefined;
  readonly policy: NetPolicy;
  /** Filled with canonical address → name for each lookup. */
  readonly names: Map<string, string>;
  /** DNS servers to ask instead of the system resolver, or `null`. */
  readonly dnsServers: readonly string[] | null;
}

/**
 * Splits `NAME:PORT` (how upip 1.2.x passes a URL's host) while a mapping
 * is active; see ./index-mapping.ts.
 */
export function splitHostPort(host: string, port: number, mapping: IndexMapping | undefined): [string, number] {
  if (mapping === undefined) return [host, port];
  const m = /^([^:[\]]+):(\d{1,5})$/.exec(host);
  return m ? [m[1]!, Number(m[2])] : [host, port];
}

/**
 * Resolves a host name for getaddrinfo.
 * @param family 0, {@link AF_INET} or {@link AF_INET6}
 * @returns the addresses, or a negative getaddrinfo error code
 */
export async function resolveHost(host: string, family: number, ctx: LookupContext): Promise<Resolved[] | number> {
  if (family !== 0 && family !== AF_INET && family !== AF_INET6) return Eai.EAI_FAMILY;
  const literal = literalAnswer(host, family);
  if (literal !== undefined) return literal;
  const standIn = ctx.mapping?.standIn(host);
  if (standIn !== undefined) return family === AF_INET6 ? Eai.EAI_NODATA : [{ family: AF_INET, address: standIn }];
  if (!ctx.policy.mayReach(host)) return Eai.EAI_AGAIN;
  try {
    const found = await resolveName(host, family === AF_INET ? 4 : family === AF_INET6 ? 6 : 0, ctx.dnsServers);
    const out = found.map((a) => ({ family: a.family === 6 ? AF_INET6 : AF_INET, address: canonicalAddress(a.address) ?? a.address }));
    for (const a of out) ctx.names.set(a.address, host);
    return out;
  } catch (e) {
    return eaiFromNode(e);
  }
}

/**
 * Reads a `struct sockaddr` back: the address (text) and port.
 * @returns `undefined` for a family other than IPv4/IPv6 or a short buffer
 */
export function parseSockaddr(b: Buffer): { address: string; port: number } | undefined {
  if (b.length < 4) return undefined;
  const family = b.readUInt16LE(0);
  const port = b.readUInt16BE(2);
  if (family === AF_INET && b.length >= 8) return { address: [...b.subarray(4, 8)].join('.'), port };
  if (family === AF_INET6 && b.length >= 24) {
    const words: string[] = [];
    for (let i = 0; i < 8; i++) words.push(b.readUInt16BE(8 + i * 2).toString(16));
    return { address: words.join(':'), port };
  }
  return undefined;
}
