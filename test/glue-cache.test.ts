// The glue's V8 code caches (wasm/glue-script.ts, written by the build): V8
// takes each under the flags it was made for, so a thread of the `mpy`
// command and a thread of any other process start the glue from a cache;
// and the glue run as a script boots an interpreter as the module does.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { glueScriptPath, glueScriptSource } from '../wasm/glue-script.js';
import { locateInterpreter } from '../wasm/locate.js';
import { runMpy } from './helpers/cli.js';
import { ensureDist, ROOT } from './helpers/dist.js';

ensureDist(
  ['wasm'],
  [
    'dist/wasm/glue-script.js',
    'dist/wasm/glue-1.27.0.script.js',
    'dist/wasm/glue-1.27.0-default.v8cache',
    'dist/wasm/glue-1.27.0-cli.v8cache',
  ],
);

/** Which caches V8 rejects in a fresh process, with the flags the `mpy` command's interpreter thread loads the glue under, or not. */
function rejections(withCliFlags: boolean): string {
  const probe = `
    const g = await import(${JSON.stringify(`${ROOT}/dist/wasm/glue-script.js`)});
    const { CLI_V8_FLAGS, CLI_BOOT_V8_FLAGS } = await import(${JSON.stringify(`${ROOT}/dist/wasm/cli-v8-flags.js`)});
    if (${withCliFlags}) (await import('node:v8')).setFlagsFromString([...CLI_V8_FLAGS, ...CLI_BOOT_V8_FLAGS].join(' '));
    const out = ['default', 'cli'].map((p) => p + ':' + (g.compileGlueScript(g.glueCachePath(p)) === undefined));
    process.stdout.write(out.join(' '));`;
  return execFileSync(process.execPath, ['--input-type=module', '-e', probe], {
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '' },
  });
}

describe('the glue from a code cache', () => {
  it('a process without the command flags takes the default cache, and only it', () => {
    expect(rejections(false)).toBe('default:false cli:true');
  });

  it('under the command flags the cli cache is taken, and only it', () => {
    expect(rejections(true)).toBe('default:true cli:false');
  });

  it('the command runs programs, and the glue proxy layer works, with the glue loaded as a script', async () => {
    const r = await runMpy(['-c', 'import js\nprint(js.Math.max(2, 7), list(js.Array(1, 2)))']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('7 [1, 2]\n');
  });

  it("the build's copy of the script, which threads read as it is, is the script made from the installed glue", () => {
    const glue = readFileSync(locateInterpreter().glue, 'utf8');
    expect(readFileSync(glueScriptPath(), 'utf8')).toBe(glueScriptSource(glue));
  });

  it("the script leaves out the assertion getters for the build's unexported symbols, and only them", () => {
    const glue = readFileSync(locateInterpreter().glue, 'utf8');
    const calls = (text: string): number => text.split('unexportedRuntimeSymbol').length - 1;
    expect(calls(glue)).toBe(3);
    const script = glueScriptSource(glue)!;
    // Its definition is left; the two lists of 388 symbols it was called on are gone.
    expect(calls(script)).toBe(1);
    expect(script).not.toContain('"SDL_gfx"');
    expect(script.length).toBeGreaterThan(glue.length - 8000);
  });
});
