/** The network worker's readiness signal: what a waiting poll sees. */
import { describe, expect, it } from 'vitest';
import { INTERRUPTED, Readiness } from '../host/net/readiness.js';

describe('Readiness.until', () => {
  it('answers at once when something is ready, or when it may not wait', () => {
    const r = new Readiness();
    expect(r.until(() => 2, 1000)).toBe(2);
    expect(r.until(() => 0, 0)).toBe(0);
  });

  it('re-checks on each change and resolves with the first ready count', async () => {
    const r = new Readiness();
    let ready = 0;
    const waiting = r.until(() => ready, 60_000);
    r.changed();
    ready = 3;
    r.changed();
    expect(await waiting).toBe(3);
  });

  it('resolves 0 when the time passes, and INTERRUPTED when interrupted', async () => {
    const r = new Readiness();
    expect(await r.until(() => 0, 5)).toBe(0);
    const waiting = r.until(() => 0, 60_000);
    r.interrupt();
    expect(await waiting).toBe(INTERRUPTED);
  });
});
