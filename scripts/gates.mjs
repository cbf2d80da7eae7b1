#!/usr/bin/env node
// The gates `npm test` passes before it runs the tests: the type-check of
// the sources and the tests (`npm run typecheck`) and the lint (`npm run
// lint`: biome, then knip), run at the same time. One after the other they
// took ~13 s on the 2-core machine, at the same time ~10 s: the type-check
// is ~9 s of mostly one core, the lint ~4 s. Each one's output is printed
// whole when it ends, the type-check's first. Exits 1 when either fails.
import { spawn } from 'node:child_process';

const GATES = ['typecheck', 'lint'];

/** Runs `npm run --silent <script>`; resolves to its exit status and output. */
function run(script) {
  return new Promise((resolve) => {
    const child = spawn('npm', ['run', '--silent', script], {
      stdio: ['ignore', 'pipe', 'pipe'],
      shell: process.platform === 'win32',
    });
    const chunks = [];
    child.stdout.on('data', (c) => chunks.push(c));
    child.stderr.on('data', (c) => chunks.push(c));
    child.on('error', (e) => resolve({ script, status: 1, output: `${e.message}\n` }));
    child.on('close', (status) => resolve({ script, status: status ?? 1, output: Buffer.concat(chunks).toString() }));
  });
}

const results = await Promise.all(GATES.map(run));
let failed = false;
for (const { script, status, output } of results) {
  process.stdout.write(output);
  if (status !== 0) {
    failed = true;
    process.stderr.write(`npm test: the ${script} gate failed (npm run ${script}, status ${status})\n`);
  }
}
process.exit(failed ? 1 : 0);
