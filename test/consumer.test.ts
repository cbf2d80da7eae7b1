// A new consumer project, as a user makes one: installs the packed tarball,
// type-checks TypeScript that imports mpy with Node-only libs (no DOM), and
// runs every JavaScript example of README.md and docs/embedding.md verbatim
// as an .mjs file.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDist, ROOT } from './helpers/dist.js';
import { removeDir, tempDir } from './helpers/fixture-dir.js';

const NPM_QUIET = ['--no-audit', '--no-fund', '--ignore-scripts', '--prefer-offline', '--loglevel=error'];

/** The ```js blocks of a markdown file. */
function jsBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

/** The lines a block marks with `// prints: TEXT`, in order. */
function expectedPrints(code: string): string[] {
  return [...code.matchAll(/\/\/ prints: (.*)$/gm)].map((m) => m[1]!.trimEnd());
}

/**
 * The type errors `tsc -p PROJECT` reports in the project's own files and in
 * mpy's published declarations, with the project's options (skipLibCheck
 * off). The checker resolves what those use from other packages (Node's
 * types, vitest and Vite) without checking those packages' own declarations,
 * which are not mpy's to fix and were half the CPU of a whole `tsc` run.
 */
function typeErrors(project: string): string {
  const config = ts.getParsedCommandLineOfConfigFile(
    join(project, 'tsconfig.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    },
  );
  if (!config) throw new Error(`no tsconfig.json in ${project}`);
  const program = ts.createProgram(config.fileNames, config.options);
  const checked = program
    .getSourceFiles()
    .filter((f) => !f.fileName.includes('/node_modules/') || f.fileName.includes('/node_modules/mpy/'));
  const diagnostics = [
    ...config.errors,
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...checked.flatMap((f) => [...program.getSyntacticDiagnostics(f), ...program.getSemanticDiagnostics(f)]),
  ];
  return ts.formatDiagnostics(diagnostics, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => project, getNewLine: () => '\n' });
}

/** The line the example runner prints after each example. */
const EXAMPLE_END = '--- end of example ---';

/**
 * Runs `.mjs` files of `dir` one after another in one node process (each
 * imported as the module it is, after the previous one settled), and returns
 * what each printed. One process for all: each would otherwise pay node's
 * start and the wasm compile again. An example that leaves an instance alive
 * still keeps the process from exiting, and one that throws still fails it.
 */
function runExamples(dir: string, files: string[]): string[] {
  const runner = join(dir, 'run-examples.mjs');
  writeFileSync(
    runner,
    `for (const file of process.argv.slice(2)) {\n  await import(new URL(file, import.meta.url).href);\n  console.log(${JSON.stringify(EXAMPLE_END)});\n}\n`,
  );
  let stdout: string;
  try {
    stdout = execFileSync(process.execPath, [runner, ...files], { cwd: dir, encoding: 'utf8', stdio: 'pipe', timeout: 100_000 });
  } catch (e) {
    const { stdout: out = '', stderr = '' } = e as { stdout?: string; stderr?: string };
    const done = out.split(`${EXAMPLE_END}\n`).length - 1;
    const what = done < files.length ? `${files[done]} failed` : 'every example ran, but the process did not exit';
    throw new Error(`${what}:\n${stderr}`);
  }
  const outputs = stdout.split(`${EXAMPLE_END}\n`);
  expect(outputs.pop()).toBe('');
  expect(outputs).toHaveLength(files.length);
  return outputs;
}

describe('a consumer project', () => {
  let project: string;

  beforeAll(() => {
    ensureDist(['host', 'runtime', 'wasm'], ['dist/index.js', 'dist/index.d.ts', 'dist/host/vitest/index.d.ts']);
    project = tempDir('mpy-consumer-');
    const packed = execFileSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', project], {
      cwd: ROOT,
      encoding: 'utf8',
    }).trim();
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    execFileSync('npm', ['install', ...NPM_QUIET, join(project, packed)], { cwd: project, stdio: 'pipe' });
    // The consumer's own tools, Node's types and vitest (for its config), are
    // this repository's locked copies, linked: installing them (43 packages)
    // cost more CPU than the rest of the file's set-up.
    mkdirSync(join(project, 'node_modules', '@types'), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules', '@types', 'node'), join(project, 'node_modules', '@types', 'node'));
    symlinkSync(join(ROOT, 'node_modules', 'vitest'), join(project, 'node_modules', 'vitest'));
  }, 180_000);

  afterAll(() => removeDir(project));

  it('ships no source maps and no TypeScript sources', () => {
    const files = execFileSync('find', ['node_modules/mpy', '-name', '*.map', '-o', '-name', '*.ts', '-not', '-name', '*.d.ts'], {
      cwd: project,
      encoding: 'utf8',
    });
    expect(files.trim()).toBe('');
  });

  it('type-checks code importing mpy, mpy/vitest and mpy/vitest/plugin with Node-only libs', () => {
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          lib: ['ES2023'],
          types: ['node'],
          strict: true,
          noEmit: true,
          skipLibCheck: false,
        },
        files: ['main.ts', 'vitest.config.ts'],
      }),
    );
    writeFileSync(
      join(project, 'main.ts'),
      [
        "import { MicroPython, PythonError, type MicroPythonOptions } from 'mpy';",
        "import { describePython } from 'mpy/vitest';",
        "const options: MicroPythonOptions = { heapSize: '4M' };",
        'const mp = await MicroPython.create(options);',
        "const two: unknown = await mp.eval('1+1');",
        'await mp.dispose();',
        'export { two, PythonError, describePython };',
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(project, 'vitest.config.ts'),
      "import { defineConfig } from 'vitest/config';\nimport { mpyPython } from 'mpy/vitest/plugin';\nexport default defineConfig({ plugins: [mpyPython()] });\n",
    );
    expect(typeErrors(project)).toBe('');
  }, 120_000);

  it("runs README.md's JavaScript examples verbatim", () => {
    const blocks = jsBlocks(readFileSync(join(ROOT, 'README.md'), 'utf8'));
    expect(blocks.length).toBeGreaterThan(0);
    mkdirSync(join(project, 'src'), { recursive: true });
    const files = blocks.map((code, i) => {
      writeFileSync(join(project, `readme-${i}.mjs`), code);
      return `readme-${i}.mjs`;
    });
    const outputs = runExamples(project, files);
    expect(outputs[0]).toBe('5\nZeroDivisionError\n0\n');
  }, 120_000);

  it("runs docs/embedding.md's JavaScript examples verbatim, printing what they say they print", () => {
    const blocks = jsBlocks(readFileSync(join(ROOT, 'docs', 'embedding.md'), 'utf8'));
    expect(blocks.length).toBeGreaterThanOrEqual(9);
    mkdirSync(join(project, 'src'), { recursive: true });
    const files = blocks.map((code, i) => {
      writeFileSync(join(project, `embedding-${i}.mjs`), code);
      return `embedding-${i}.mjs`;
    });
    const outputs = runExamples(project, files);
    for (const [i, code] of blocks.entries()) {
      const stdout = outputs[i]!;
      const expected = expectedPrints(code);
      expect(expected.length, `example ${i} marks what it prints`).toBeGreaterThan(0);
      expect(stdout.trimEnd().split('\n'), `example ${i}:\n${code}`).toEqual(expected);
    }
  }, 120_000);
});
