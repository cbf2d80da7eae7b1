/**
 * The `network` option of an embedded instance: off unless `host:port`
 * patterns are granted.
 *
 * @module
 */

/**
 * `false` (or absent, or `{ allow: [] }`): no network. `{ allow }`: the
 * `host:port` patterns Python may connect to; `*` in the host matches one or
 * more labels (`*.example.com`), `*` as the port matches any port.
 */
export type NetworkOption = false | { readonly allow: readonly string[] };

const PATTERN = /^(\*|\*\.[A-Za-z0-9.-]+|[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]):(\*|\d{1,5})$/;

/**
 * Checks the option and returns the allow-list (empty: off).
 * @param fail throws the caller's TypeError with a message
 * @throws Error when network access is asked for: the network bridge for
 *   embedded instances is not available yet
 */
export function checkNetworkOption(value: unknown, fail: (message: string) => never): string[] {
  if (value === undefined || value === false) return [];
  if (typeof value !== 'object' || value === null || !Array.isArray((value as { allow?: unknown }).allow)) {
    return fail("network must be false or { allow: ['host:port', ...] }");
  }
  const allow = (value as { allow: unknown[] }).allow;
  for (const p of allow) {
    if (typeof p !== 'string' || !PATTERN.test(p) || Number(p.slice(p.lastIndexOf(':') + 1)) > 65535) {
      fail(`network.allow entry ${JSON.stringify(p)} is not a host:port pattern like '127.0.0.1:8080' or '*.example.com:443'`);
    }
  }
  if (allow.length === 0) return [];
  throw new Error(
    'MicroPython.create: network access for embedded instances is not available yet ' +
      '(the network bridge has not landed); remove the network option or pass { allow: [] }',
  );
}
