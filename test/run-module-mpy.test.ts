/**
 * `mpy -m PKG` runs `PKG.__main__` also when it is precompiled (`__main__.mpy`),
 * as `micropython -m mip` needs for a mip installed as `.mpy` files.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runMpy } from './helpers/cli.js';
import { removeDir, tempDir } from './helpers/fixture-dir.js';

let dir: string;

beforeAll(() => {
  dir = tempDir('mpy-run-module-');
});

afterAll(() => removeDir(dir));

it('imports PKG, then runs PKG.__main__ from its .mpy with sys.argv[0] = PKG, as the Unix port does', async () => {
  const pkg = join(dir, 'tool');
  mkdirSync(pkg);
  writeFileSync(join(pkg, '__init__.py'), 'print("init")\n');
  writeFileSync(join(pkg, '__main__.py'), 'import sys\nprint("main", sys.argv)\n');
  const compiled = await runMpy(['compile', join(pkg, '__main__.py')]);
  expect(compiled.status).toBe(0);
  rmSync(join(pkg, '__main__.py'));
  const r = await runMpy(['-m', 'tool', 'install', 'x'], { cwd: dir });
  expect(r.stderr).toBe('');
  expect(r.stdout).toBe("init\nmain ['tool', 'install', 'x']\n");
  const missing = await runMpy(['-m', 'tool.nothing'], { cwd: dir });
  expect(missing.status).toBe(1);
});
