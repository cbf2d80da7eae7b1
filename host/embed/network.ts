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
 * `{ listen }`: the addresses Python may bind (TCP servers and UDP
 * sockets), in the same syntax, matched against the address bound
 * (`'127.0.0.1:*'`); a denied bind raises `OSError(EACCES)`.
 */
export type NetworkOption = false | { readonly allow?: readonly string[]; readonly listen?: readonly string[] };

/**
 * Checks `network.listen` and returns the bind allow-list (empty: every bind denied).
 * @param fail throws the caller's TypeError with a message
 */
export function checkListenOption(value: unknown, fail: (message: string) => never): string[] {
  if (value === undefined || value === false || value === null || typeof value !== 'object') return [];
  const listen = (value as { listen?: unknown }).listen;
  if (listen === undefined) return [];
  if (!Array.isArray(listen) || listen.some((p) => typeof p !== 'string')) return fail("network.listen must be ['host:port', ...]");
  try {
    new NetPolicy(listen as string[]);
  } catch (e) {
    fail(`network.listen: ${(e as Error).message.replace(/^network allow-list: /, '')}`);
  }
  return [...(listen as string[])];
}

/**
 * Checks the option and returns the allow-list (empty: every connection denied).
 * @param fail throws the caller's TypeError with a message
 */
export function checkNetworkOption(value: unknown, fail: (message: string) => never): string[] {
  if (value === undefined || value === false) return [];
  const given = value as { allow?: unknown; listen?: unknown } | null;
  const allow = given?.allow ?? (given?.listen !== undefined ? [] : undefined);
  if (typeof value !== 'object' || !Array.isArray(allow) || allow.some((p) => typeof p !== 'string')) {
    return fail("network must be false or { allow: ['host:port', ...], listen: ['host:port', ...] }");
  }
  try {
    new NetPolicy(allow as string[]);
  } catch (e) {
    fail(`network.allow: ${(e as Error).message.replace(/^network allow-list: /, '')}`);
  }
  return [...(allow as string[])];
}
