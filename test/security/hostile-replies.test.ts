// Python in a sandboxed instance can rewrite the host's own Python side
// (`_mpy_embed`) and so hand the host any reply text it likes. Whatever it
// sends, the call fails with an error and the host process lives on: a reply
// is untrusted input like any other.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDist } from '../helpers/dist.js';
import type * as Api from '../../dist/index.js';

ensureDist(['host', 'runtime', 'wasm'], ['dist/index.js', 'dist/host/embed/worker.js']);
const { MicroPython } = (await import('../../dist/index.js')) as typeof Api;

/** Reply texts `_mpy_embed.run` never makes, each with what the call must reject with. */
const FORGED: readonly [reply: string, error: RegExp][] = [
  ['{"error": [1, 2]}', /replied/],
  ['{"error": ["X", {"a": 1}]}', /replied/],
  ['{"error": "X"}', /replied/],
  ['{"error": ["X"]}', /replied/],
  ['{"exit": "0"}', /replied/],
  ['{"exit": 1.5}', /replied/],
  ['null', /replied/],
  ['[1]', /replied/],
  ['not json', /JSON/],
  ['{"ok":{"t":"i","v":"zz"}}', /BigInt|zz/],
  ['{"ok":{"t":"o","v":null}}', /null|object/],
  [`{"ok":${'['.repeat(20_000)}${']'.repeat(20_000)}}`, /stack/i],
];

describe.each(['worker', 'current'] as const)('forged replies (thread: %s)', (thread) => {
  let mp: Api.MicroPython;
  beforeAll(async () => {
    mp = await MicroPython.create({ thread });
    await mp.exec('import _mpy_embed\nREAL = _mpy_embed._plain_result');
  });
  afterAll(() => mp.dispose());

  it.each(FORGED)('%#: a forged reply fails the call, not the host', async (reply, error) => {
    // The exec that forges replies already gets a forged one.
    await expect(mp.exec(`_mpy_embed._plain_result = lambda v: ${JSON.stringify(reply)}`)).rejects.toThrow(error);
    await expect(mp.eval('1 + 1')).rejects.toThrow(error);
    await mp.exec('_mpy_embed._plain_result = REAL');
    expect(await mp.eval('1 + 1')).toBe(2);
  });
});
