/**
 * Name resolution for the network worker: the system resolver (dns.lookup,
 * i.e. getaddrinfo(3) as the Unix port uses it), or, when DNS servers are
 * configured (`MPY_NET_DNS`, {@link NetOptions.dnsServers}), queries sent
 * to those servers only.
 *
 * Callers check the allow-list first (./policy.ts): nothing here decides
 * whether a name may be looked up.
 *
 * @module
 */
import { lookup, Resolver } from 'node:dns/promises';

/** One address of a name, as node:dns gives it. */
export interface FoundAddress {
  readonly address: string;
  /** 4 or 6. */
  readonly family: 4 | 6;
}

/**
 * Resolves `name` to its addresses (never empty).
 * @param family 0 for both, 4 or 6
 * @param servers DNS servers (`ip` or `ip:port`), or `null` for the system resolver
 * @throws node:dns errors (`ENOTFOUND`, `ENODATA`, `ETIMEOUT`, ...)
 */
export async function resolveName(name: string, family: 0 | 4 | 6, servers: readonly string[] | null): Promise<FoundAddress[]> {
  if (servers === null) {
    const found = await lookup(name, { all: true, family, verbatim: true });
    if (found.length === 0) throw Object.assign(new Error(`no address for ${name}`), { code: 'ENOTFOUND' });
    return found.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
  }
  const resolver = new Resolver({ timeout: 5_000, tries: 1 });
  resolver.setServers([...servers]);
  const asks: Array<Promise<FoundAddress[]>> = [];
  if (family !== 6) asks.push(resolver.resolve4(name).then((a) => a.map((address) => ({ address, family: 4 as const }))));
  if (family !== 4) asks.push(resolver.resolve6(name).then((a) => a.map((address) => ({ address, family: 6 as const }))));
  const settled = await Promise.allSettled(asks);
  const found = settled.flatMap((s) => (s.status === 'fulfilled' ? s.value : []));
  if (found.length > 0) return found;
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  throw failed?.reason ?? Object.assign(new Error(`no address for ${name}`), { code: 'ENOTFOUND' });
}
