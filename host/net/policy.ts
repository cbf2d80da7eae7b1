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
 * A denied connect raises `OSError(EACCES)`: that is what Linux's own
 * per-port sandbox (Landlock's `LANDLOCK_ACCESS_NET_CONNECT_TCP`) and
 * SELinux's `name_connect` denial give, and it tells the program (and its
 * user) "not allowed here" rather than ECONNREFUSED's "nobody listens",
 * which would send them looking for a dead server.
 *
 * @module
 */
import { createRequire } from 'node:module';

// node:net costs ~3 ms to load at start-up; only IPv6 patterns need it.
const require = createRequire(import.meta.url);
const isIP = (host: string): number => (require('node:net') as typeof import('node:net')).isIP(host);

interface Rule {
  readonly host: string;
  readonly suffix: boolean;
  readonly port: number | '*';
}

function parseRule(pattern: string): Rule {
  const m = /^(\[[0-9A-Fa-f:.]+\]|[^:[\]]+):(\d{1,5}|\*)$/.exec(pattern.trim());
  if (!m) throw new TypeError(`network allow-list: "${pattern}" is not HOST:PORT (e.g. "example.com:443", "*.example.com:*", "[::1]:8080")`);
  let host = m[1]!.toLowerCase();
  if (host.startsWith('[')) {
    host = host.slice(1, -1);
    if (isIP(host) !== 6) throw new TypeError(`network allow-list: "${pattern}" has a malformed IPv6 address`);
  }
  const port = m[2] === '*' ? '*' : Number(m[2]);
  if (port !== '*' && port > 65535) throw new TypeError(`network allow-list: "${pattern}" has a port above 65535`);
  const suffix = host.startsWith('*.');
  if (host.includes('*') && host !== '*' && !(suffix && !host.slice(2).includes('*'))) {
    throw new TypeError(`network allow-list: "${pattern}": "*" may only be the whole host or a leading "*."`);
  }
  return { host: suffix ? host.slice(1) : host, suffix, port };
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
   * Whether a connection to `port` on any of `names` (a host name, an
   * address, or both for one destination) is allowed.
   */
  allows(names: readonly string[], port: number): boolean {
    if (this.#rules === null) return true;
    return names.some((raw) => {
      const name = raw.toLowerCase().replace(/\.$/, '');
      return this.#rules!.some(
        (r) => (r.port === '*' || r.port === port) && (r.host === '*' || (r.suffix ? name.endsWith(r.host) : name === r.host)),
      );
    });
  }

  /** Whether any rule could allow some port on `name` (for name lookups). */
  mayReach(name: string): boolean {
    return this.#rules === null || this.allows([name], -1) || this.#rules.some((r) => r.port !== '*' && this.allows([name], r.port));
  }
}
