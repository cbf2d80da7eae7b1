// `mpy -m`: modules and packages run as __main__, from source or compiled (.mpy).
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BytecodeCompiler } from '../host/compile/bytecode-compiler.js';
import { ensureDist } from './helpers/dist.js';
import { removeDir, tempDir } from './helpers/fixture-dir.js';
import { runMpy } from './helpers/cli.js';

ensureDist(['host', 'runtime', 'wasm'], ['dist/host/cli/main.js']);

let root: string;
let compiler: BytecodeCompiler;

beforeAll(async () => {
  root = tempDir('mpy-run-module-');
  compiler = await BytecodeCompiler.load();
});
afterAll(() => removeDir(root));

async function tree(files: Record<string, string>): Promise<string> {
  const dir = mkdtempSync(join(root, 'case-'));
  for (const [path, text] of Object.entries(files)) {
    const target = join(dir, path);
    mkdirSync(dirname(target), { recursive: true });
    if (path.endsWith('.mpy')) {
      const out = await compiler.compile(text, { name: path.replace(/\.mpy$/, '.py') });
      if (!out.ok) throw new Error(`fixture ${path} does not compile: ${out.message}`);
      writeFileSync(target, out.mpy);
    } else {
      writeFileSync(target, text);
    }
  }
  return dir;
}

const MAIN = 'import sys\nprint("name", __name__)\nif __name__ == "__main__":\n    print("main ran", sys.argv)\n';

describe('-m', () => {
  it('a compiled module (mod.mpy only) runs as __main__ with its arguments', async () => {
    const cwd = await tree({ 'mod.mpy': MAIN });
    const r = await runMpy(['-m', 'mod', 'a', 'b'], { cwd });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe("name __main__\nmain ran ['mod', 'a', 'b']\n");
    expect(r.status).toBe(0);
  });

  it('a package whose __main__ exists only as .mpy runs it, and its relative imports work', async () => {
    const cwd = await tree({
      'pkg/__main__.mpy': 'from . import helper\nfrom .helper import V\nprint(__name__, helper.V, V)\n',
      'pkg/helper.py': 'V = 5\n',
    });
    const r = await runMpy(['-m', 'pkg'], { cwd });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('__main__ 5 5\n');
  });

  it("a package's __main__.py may import relatively too", async () => {
    const cwd = await tree({
      'pkg/__init__.py': 'INIT = 1\n',
      'pkg/__main__.py': 'from . import helper\nimport pkg\nprint(__name__, helper.V, pkg.INIT)\n',
      'pkg/helper.py': 'V = 6\n',
    });
    const r = await runMpy(['-m', 'pkg'], { cwd });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('__main__ 6 1\n');
  });

  it('a compiled __main__ sees the normal sys.path and can import the modules beside it', async () => {
    const cwd = await tree({ 'app.mpy': 'import sys\nimport other\nprint(other.X, sys.path[0] == "")\n', 'other.py': 'X = 3\n' });
    const r = await runMpy(['-m', 'app'], { cwd });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('3 True\n');
  });

  it('an exception in a compiled __main__ prints its traceback and exits 1', async () => {
    const cwd = await tree({ 'bad.mpy': 'def f():\n    raise ValueError("boom")\nf()\n' });
    const r = await runMpy(['-m', 'bad'], { cwd });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('ValueError: boom');
    expect(r.stderr).not.toContain('_mpy_');
  });

  it('sys.exit in a compiled __main__ gives its status', async () => {
    const cwd = await tree({ 'ex.mpy': 'import sys\nsys.exit(4)\n' });
    expect((await runMpy(['-m', 'ex'], { cwd })).status).toBe(4);
  });

  it('mod.py wins over mod.mpy in the same directory, as the import does', async () => {
    const cwd = await tree({ 'mod.mpy': 'print("compiled")\n', 'mod.py': 'print("source")\n' });
    expect((await runMpy(['-m', 'mod'], { cwd })).stdout).toBe('source\n');
  });
});
