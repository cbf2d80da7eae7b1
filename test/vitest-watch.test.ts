// vitest watch mode with the mpyPython() plugin, driven through vitest's own
// Node API in a child process: editing a module under test re-runs only the
// test file whose Python tests loaded it; a new Python test file re-runs the
// test file whose pattern matches it.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDist, ROOT } from './helpers/dist.js';
import { removeDir, tempDir } from './helpers/fixture-dir.js';

// Reacts to each run's end by making the next edit; prints one JSON line per event.
const DRIVER = `
import { appendFileSync, writeFileSync } from 'node:fs';
import { createVitest } from ${JSON.stringify(join(ROOT, 'node_modules/vitest/dist/node.js'))};
const root = process.cwd();
const rel = (f) => f.slice(root.length + 1);
let runs = 0;
const reporter = {
  onWatcherRerun(files) { console.log(JSON.stringify({ rerun: files.map(rel).sort() })); },
  onTestRunEnd(modules) {
    runs++;
    console.log(JSON.stringify({ end: runs, modules: modules.map((m) => [rel(m.moduleId), m.state()]).sort() }));
    if (runs === 1) appendFileSync('lib/shapes.py', '\\ndef perimeter(s):\\n    return 4 * s\\n');
    else if (runs === 2) writeFileSync('py2/test_new.py', 'def test_new():\\n    assert False\\n');
    else process.exit(0);
  },
};
const vitest = await createVitest('test', { root, watch: true, reporters: [reporter] });
await vitest.start();
`;

describe('watch mode', () => {
  let dir: string;
  beforeAll(() => {
    ensureDist(['host', 'runtime', 'wasm'], ['dist/host/vitest/index.js', 'dist/host/vitest/plugin.js']);
    dir = tempDir('mpy-watch-');
    for (const sub of ['lib', 'py', 'py2']) mkdirSync(join(dir, sub));
    writeFileSync(join(dir, 'lib', 'shapes.py'), 'def area(s):\n    return s * s\n');
    writeFileSync(join(dir, 'py', 'test_area.py'), 'import shapes\n\ndef test_area():\n    assert shapes.area(3) == 9\n');
    writeFileSync(join(dir, 'py2', 'test_other.py'), 'def test_other():\n    pass\n');
    const entry = JSON.stringify(join(ROOT, 'dist/host/vitest/index.js'));
    writeFileSync(
      join(dir, 'a.test.mjs'),
      `import { describePython } from ${entry};\ndescribePython('py/test_*.py', { mounts: { '/lib': './lib' } });\n`,
    );
    writeFileSync(join(dir, 'b.test.mjs'), `import { describePython } from ${entry};\ndescribePython('py2/test_*.py');\n`);
    writeFileSync(
      join(dir, 'vitest.config.mjs'),
      `import { mpyPython } from ${JSON.stringify(join(ROOT, 'dist/host/vitest/plugin.js'))};\nexport default { plugins: [mpyPython()] };\n`,
    );
    writeFileSync(join(dir, 'drive.mjs'), DRIVER);
  });
  afterAll(() => removeDir(dir));

  it('re-runs the test files that use an edited or new Python file, and no others', () => {
    const out = execFileSync(process.execPath, ['drive.mjs'], { cwd: dir, encoding: 'utf8', timeout: 90_000 });
    const events = out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as unknown);
    expect(events).toEqual([
      {
        end: 1,
        modules: [
          ['a.test.mjs', 'passed'],
          ['b.test.mjs', 'passed'],
        ],
      },
      { rerun: ['a.test.mjs'] },
      { end: 2, modules: [['a.test.mjs', 'passed']] },
      { rerun: ['b.test.mjs'] },
      { end: 3, modules: [['b.test.mjs', 'failed']] },
    ]);
  }, 120_000);
});
