/**
 * The `network` option of an embedded instance: off unless `host:port`
 * patterns are granted. Enforced by the network bridge's allow-list
 * (host/net/policy.ts): a denied connect raises `OSError(EACCES)` in Python.
 *
 * @module
 */
import { NetPolicy } from '../net/policy.js';

/**
 * `false` (or absent, or `{ allow: [] }`): no network. `{ allow }`: the
 * `HOST:PORT` patterns Python may connect to: HOST is a name
 * (`*.example.com` matches names below example.com, `*` any host), an IPv4
 * address or a bracketed IPv6 address; PORT is a number or `*`.
 */
export type NetworkOption = false | { readonly allow: readonly string[] };

/**
 * Checks the option and returns the allow-list (empty: every connection denied).
 * @param fail throws the caller's TypeError with a message
 */
export function checkNetworkOption(value: unknown, fail: (message: string) => never): string[] {
  if (value === undefined || value === false) return [];
  const allow = (value as { allow?: unknown } | null)?.allow;
  if (typeof value !== 'object' || !Array.isArray(allow) || allow.some((p) => typeof p !== 'string')) {
    return fail("network must be false or { allow: ['host:port', ...] }");
  }
  try {
    new NetPolicy(allow as string[]);
  } catch (e) {
    fail(`network.allow: ${(e as Error).message.replace(/^network allow-list: /, '')}`);
  }
  return [...(allow as string[])];
}
