/**
 * The network allow-list: which `host:port` destinations a program may
 * connect to. The `mpy` command allows everything; an embedder passes a
 * list, and `[]` denies every connection.
 *
 * Pattern syntax, one destination per pattern: `HOST:PORT` where HOST is a
 * host name (case-insensitive; `*.example.com` matches any name below
 * example.com, `*` any host), an IPv4 address, or an IPv6 address in
 * brackets (`[::1]`); PORT is a number or `*`.
 *
 * Names and addresses are told apart before anything is looked up, and the
 * policy is decided on what the program asked for, never after a DNS
 * query (a query for a denied name would itself leak data):
 *
 * - A name rule matches names only. A name is resolved only once a rule
 *   admits it; the addresses it resolves to are then admitted too.
 * - An address rule matches addresses only, compared in canonical form
 *   ({@link canonicalAddress}): every spelling `inet_aton` accepts (`127.1`,
 *   `0x7f000001`, `017700000001`) is the dotted quad, IPv6 is compressed
 *   and lower-case, and an IPv4-mapped IPv6 address (`::ffff:127.0.0.1`) is
 *   the IPv4 address it maps. A rule spelled any of these ways is
 *   canonicalised the same way.
 * - An address the program got from getaddrinfo of an admitted name is
 *   admitted as that name.
 *
 * A denied connect raises `OSError(EACCES)`: that is what Linux's own
 * per-port sandbox (Landlock's `LANDLOCK_ACCESS_NET_CONNECT_TCP`) and
 * SELinux's `name_connect` denial give, and it tells the program (and its
 * user) "not allowed here" rather than ECONNREFUSED's "nobody listens",
 * which would send them looking for a dead server.
 *
 * @module
 */
import { createRequire } from 'node:module';

// node:net costs ~3 ms to load at start-up; only address checks need it.
const require = createRequire(import.meta.url);
const isIP = (host: string): number => (require('node:net') as typeof import('node:net')).isIP(host);

/**
 * The canonical text of an IP address, or `undefined` when `host` is not
 * one (it is then a name). Accepts brackets around IPv6 and drops an IPv6
 * zone (`%eth0`); see the module doc for the forms.
 * @param unmap give an IPv4-mapped IPv6 address as the IPv4 address (default true)
 */
export function canonicalAddress(host: string, unmap = true): string | undefined {
  let h = host.trim();
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  if (h.includes(':')) {
    const zone = h.indexOf('%');
    const bare = zone < 0 ? h : h.slice(0, zone);
    if (isIP(bare) !== 6) return undefined;
    const compressed = new URL(`http://[${bare}]/`).hostname.slice(1, -1);
    const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(compressed);
    if (!mapped || !unmap) return compressed;
    const hi = parseInt(mapped[1]!, 16);
    const lo = parseInt(mapped[2]!, 16);
    return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  // The WHATWG host parser reads IPv4 as inet_aton does (octal, hex, 1 to 4 parts).
  if (!/^[0-9a-fA-FxX.]+$/.test(h)) return undefined;
  try {
    const parsed = new URL(`http://${h}/`).hostname;
    return isIP(parsed) === 4 ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** A host name as the allow-list compares it: lower-case, no trailing dot. */
function canonicalName(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, '');
}

interface Rule {
  /** `*`, a canonical address, a canonical name, or a suffix `.example.com`. */
  readonly host: string;
  readonly kind: 'any' | 'address' | 'name' | 'suffix';
  readonly port: number | '*';
}

function parseRule(pattern: string): Rule {
  const m = /^(\[[0-9A-Fa-f:.]+\]|[^:[\]]+):(\d{1,5}|\*)$/.exec(pattern.trim());
  if (!m)
    throw new TypeError(`network allow-list: "${pattern}" is not HOST:PORT (e.g. "example.com:443", "*.example.com:*", "[::1]:8080")`);
  const written = m[1]!;
  const port = m[2] === '*' ? '*' : Number(m[2]);
  if (port !== '*' && port > 65535) throw new TypeError(`network allow-list: "${pattern}" has a port above 65535`);
  if (written.startsWith('[')) {
    const address = canonicalAddress(written);
    if (address === undefined) throw new TypeError(`network allow-list: "${pattern}" has a malformed IPv6 address`);
    return { host: address, kind: 'address', port };
  }
  const address = canonicalAddress(written);
  if (address !== undefined) return { host: address, kind: 'address', port };
  const host = canonicalName(written);
  if (host === '*') return { host, kind: 'any', port };
  if (host.startsWith('*.') && !host.slice(2).includes('*')) return { host: host.slice(1), kind: 'suffix', port };
  if (host.includes('*')) throw new TypeError(`network allow-list: "${pattern}": "*" may only be the whole host or a leading "*."`);
  return { host, kind: 'name', port };
}

function ruleMatches(rule: Rule, host: string, isAddress: boolean): boolean {
  switch (rule.kind) {
    case 'any':
      return true;
    case 'address':
      return isAddress && host === rule.host;
    case 'name':
      return !isAddress && host === rule.host;
    case 'suffix':
      return !isAddress && host.endsWith(rule.host);
  }
}

/** A compiled allow-list. */
export class NetPolicy {
  readonly #rules: readonly Rule[] | null;

  /**
   * @param allow patterns (see the module doc); `null` or `undefined` allows everything
   * @throws TypeError naming a malformed pattern
   */
  constructor(allow: readonly string[] | null | undefined) {
    this.#rules = allow == null ? null : allow.map(parseRule);
  }

  /** True when every destination is allowed (no list). */
  get open(): boolean {
    return this.#rules === null;
  }

  /**
   * Whether a connection to `port` on any of `hosts` (names or addresses,
   * in any spelling, for one destination) is allowed. Decided without any
   * lookup.
   */
  allows(hosts: readonly string[], port: number): boolean {
    if (this.#rules === null) return true;
    return hosts.some((raw) => {
      const address = canonicalAddress(raw);
      const host = address ?? canonicalName(raw);
      return this.#rules!.some((r) => (r.port === '*' || r.port === port) && ruleMatches(r, host, address !== undefined));
    });
  }

  /** Whether some rule admits `host` on some port: only then may a name be looked up. */
  mayReach(host: string): boolean {
    if (this.#rules === null) return true;
    const address = canonicalAddress(host);
    const h = address ?? canonicalName(host);
    return this.#rules.some((r) => ruleMatches(r, h, address !== undefined));
  }
}
