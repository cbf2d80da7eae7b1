/** `mpy manifest` and `mpy install --manifest`: a firmware manifest.py for an installed tree. */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIndexServer } from '../host/index/index.js';
import { runMpy } from './helpers/cli.js';
import { ensureDist } from './helpers/dist.js';
import { removeDir, tempDir, writeDists } from './helpers/fixture-dir.js';

let root: string;

function tree(dir: string, files: Record<string, string>): void {
  for (const [path, data] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), data);
  }
}

beforeAll(() => {
  ensureDist(['host', 'wasm', 'runtime'], ['dist/host/cli/main.js', 'dist/host/install/unpack-worker.js']);
  root = tempDir('mpy-fwmanifest-');
});
afterAll(() => removeDir(root));

describe('mpy manifest', () => {
  it('lists packages, modules and .mpy files relative to the manifest, skipping the record and other files', async () => {
    const modules = join(root, 'proj', 'modules');
    tree(modules, {
      '.mpy-installed.json': '{}',
      'pkg/__init__.py': '',
      'pkg/sub/x.py': '',
      'pkg/R.py': 'R = {}\n',
      'pkg/data.txt': 'res',
      'mod.py': '',
      'comp.mpy': 'M',
      'README.txt': 'hi',
    });
    const printed = await runMpy(['manifest', modules]);
    expect(printed.status).toBe(0);
    expect(printed.stdout).toBe(
      [
        '# Written by mpy manifest for the installed tree in this directory.',
        '# Build the firmware with: make FROZEN_MANIFEST=<this file> (in the port directory).',
        "module('mod.py')",
        "package('pkg')",
        "freeze_mpy('.', ('comp.mpy',))",
        '# not frozen (not a module): README.txt',
        '# not frozen (not a module): pkg/data.txt',
        '',
      ].join('\n'),
    );
    const out = join(root, 'proj', 'manifest.py');
    const written = await runMpy(['manifest', modules, '-o', out, '--include', '$(PORT_DIR)/boards/manifest.py']);
    expect(written.status).toBe(0);
    const text = readFileSync(out, 'utf-8');
    expect(text).toContain(
      "include('$(PORT_DIR)/boards/manifest.py')\nmodule('mod.py', base_path='modules')\npackage('pkg', base_path='modules')\nfreeze_mpy('modules', ('comp.mpy',))\n",
    );
    expect((await runMpy(['manifest', modules, '-o', out])).status).toBe(0);

    const foreign = join(root, 'proj', 'board.py');
    writeFileSync(foreign, 'freeze("$(MPY_DIR)/lib")\n');
    const refused = await runMpy(['manifest', modules, '-o', foreign]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('exists and was not written by mpy manifest; refusing to replace it');
    expect(readFileSync(foreign, 'utf-8')).toBe('freeze("$(MPY_DIR)/lib")\n');
    const missing = await runMpy(['manifest', join(root, 'nope'), '-o', join(root, 'm.py')]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('is not a directory');
  });

  it('mpy install --manifest writes it after the install', async () => {
    const pkgs = join(root, 'pkgs');
    mkdirSync(pkgs);
    writeDists(pkgs, [
      { name: 'drv', version: '1.0', files: { 'drv/__init__.py': 'D = 1\n', 'drv/spi.py': '' } },
      { name: 'util', version: '2.0' },
    ]);
    const server = await startIndexServer({ dir: pkgs, port: 0 });
    try {
      const target = join(root, 'fw', 'modules');
      const manifest = join(root, 'fw', 'manifest.py');
      const r = await runMpy(['install', '-p', target, '-i', server.indexUrl, '--no-cache', '--manifest', manifest, 'drv', 'util']);
      expect(r.status).toBe(0);
      expect(readFileSync(manifest, 'utf-8').split('\n').slice(2)).toEqual([
        "module('util.py', base_path='modules')",
        "package('drv', base_path='modules')",
        '',
      ]);
    } finally {
      await server.close();
    }
  });
});
