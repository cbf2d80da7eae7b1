/**
 * What getaddrinfo answers, as bytes and text, and the answer for an address
 * literal, which needs no lookup: the interpreter thread gives that one
 * itself (./host-module.ts), without a crossing to the network worker (upip
 * asks for `127.0.0.1` before each of its requests to a loopback index).
 * Nothing here touches the network or node:dns.
 *
 * @module
 */
import { Eai } from './errno.js';
import { canonicalAddress } from './policy.js';

/** Linux address family numbers, as MicroPython's socket module has them. */
export const AF_INET = 2;
/** See {@link AF_INET}. */
export const AF_INET6 = 10;

/** One resolved address. */
export interface Resolved {
  readonly family: number;
  readonly address: string;
}

/**
 * The answer for `host` when it is an address in any spelling (`127.1`,
 * `::ffff:127.0.0.1`), in canonical form.
 * @param family 0, {@link AF_INET} or {@link AF_INET6}
 * @returns the address, a negative getaddrinfo error code, or `undefined`
 *   when `host` is a name (or `family` is not one of the three)
 */
export function literalAnswer(host: string, family: number): Resolved[] | number | undefined {
  if (family !== 0 && family !== AF_INET && family !== AF_INET6) return undefined;
  const literal = canonicalAddress(host, false);
  if (literal === undefined) return undefined;
  const f = literal.includes(':') ? AF_INET6 : AF_INET;
  return family === 0 || family === f ? [{ family: f, address: literal }] : Eai.EAI_NODATA;
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

/** The lookup's answer as `_mpy_net.getaddrinfo` gives it to Python: lines of `family hex-sockaddr`. */
export function lookupText(found: readonly Resolved[], port: number): string {
  return found.map((r) => `${r.family} ${sockaddrBytes(r, port).toString('hex')}`).join('\n');
}
