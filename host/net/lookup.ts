/**
 * getaddrinfo for Python, in the worker: a real lookup (./resolver.ts), the
 * stand-in addresses of mapped index hosts, and the raw `struct sockaddr`
 * bytes the Unix port returns.
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
import { canonicalAddress, type NetPolicy } from './policy.js';
import { resolveName } from './resolver.js';

/** Linux address family numbers, as MicroPython's socket module has them. */
export const AF_INET = 2;
/** See {@link AF_INET}. */
export const AF_INET6 = 10;

/** One resolved address. */
export interface Resolved {
  readonly family: number;
  readonly address: string;
}

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
  const literal = canonicalAddress(host, false);
  if (literal !== undefined) {
    const f = literal.includes(':') ? AF_INET6 : AF_INET;
    return family === 0 || family === f ? [{ family: f, address: literal }] : Eai.EAI_NODATA;
  }
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

function ipv6Bytes(address: string): Buffer {
  const [head, tail] = address.split('::') as [string, string | undefined];
  const toWords = (s: string | undefined): number[] => {
    if (!s) return [];
    const parts = s.split(':');
    const last = parts[parts.length - 1]!;
    if (last.includes('.')) {
      parts.pop();
      const v4 = last.split('.').map(Number);
      parts.push(((v4[0]! << 8) | v4[1]!).toString(16), ((v4[2]! << 8) | v4[3]!).toString(16));
    }
    return parts.map((p) => parseInt(p, 16));
  };
  const h = toWords(head);
  const t = tail === undefined ? [] : toWords(tail);
  const words = [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t];
  const out = Buffer.alloc(16);
  for (const [i, w] of words.entries()) out.writeUInt16BE(w, i * 2);
  return out;
}

/**
 * The `struct sockaddr_in` / `sockaddr_in6` bytes (Linux layout, family in
 * host order, little-endian) the Unix port's getaddrinfo returns.
 */
export function sockaddrBytes(r: Resolved, port: number): Buffer {
  if (r.family === AF_INET) {
    const b = Buffer.alloc(16);
    b.writeUInt16LE(AF_INET, 0);
    b.writeUInt16BE(port, 2);
    for (const [i, octet] of r.address.split('.').entries()) b[4 + i] = Number(octet);
    return b;
  }
  const scope = r.address.indexOf('%');
  const b = Buffer.alloc(28);
  b.writeUInt16LE(AF_INET6, 0);
  b.writeUInt16BE(port, 2);
  ipv6Bytes(scope < 0 ? r.address : r.address.slice(0, scope)).copy(b, 8);
  return b;
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
