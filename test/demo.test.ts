import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const DEMO = fileURLToPath(new URL('../examples/packaging/demo.mjs', import.meta.url));

describe('npm run demo (the offline packaging workflow)', () => {
  // The limit is the child's own (120 s): the workflow's mpy processes can take over 30 s on a loaded machine.
  it('builds, serves, installs, compiles and runs the example app with its resources', () => {
    const cache = mkdtempSync(join(tmpdir(), 'mpy-demo-cache-'));
    const r = spawnSync(process.execPath, [DEMO], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, XDG_CACHE_HOME: cache } });
    rmSync(cache, { recursive: true, force: true });
    // stderr carries the installer's per-package progress lines, nothing else.
    expect(r.stderr).not.toMatch(/error|failed|Traceback/i);
    expect(r.status).toBe(0);
    for (const step of ['mpy sdist', 'mpy serve', 'mpy install', 'upip', 'mpy compile', 'MICROPYPATH=frozen']) {
      expect(r.stdout).toContain(step);
    }
    expect(r.stdout).toContain('installed 3 packages');
    expect(r.stdout).toMatch(/\d+ compiled/);
    // The app ran from .mpy bytecode and read both resources through pkg_resources.
    expect(r.stdout).toContain('*** hello-app ***');
    expect(r.stdout).toContain('Hello, MicroPython! This');
    expect(r.stdout).toContain('Done.');
  }, 120_000);
});
