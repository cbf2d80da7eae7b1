#!/usr/bin/env node
// The offline packaging demo (`npm run demo`): every step of MicroPython's
// packaging workflow through the real `mpy` command, with nothing from the
// internet. Builds the example packages with `mpy sdist`, serves them with
// `mpy serve`, installs them with `mpy install` (and with the in-wasm upip
// path when upip is available), compiles them to .mpy, and runs the app, which
// reads its resources through pkg_resources.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const mpyBin = fileURLToPath(new URL('../../dist/host/cli/bin.cjs', import.meta.url));
const packages = ['tinywrap', 'greeting', 'hello-app'];
const work = mkdtempSync(join(tmpdir(), 'mpy-demo-'));
const bold = (s) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
let stepNo = 0;

function step(title) {
  stepNo += 1;
  process.stdout.write(`\n${bold(`${stepNo}. ${title}`)}\n`);
}

function mpy(args, env = {}) {
  process.stdout.write(`$ mpy ${args.join(' ')}\n`);
  const r = spawnSync(process.execPath, [mpyBin, ...args], { stdio: 'inherit', env: { ...process.env, ...env } });
  if (r.status !== 0) throw new Error(`mpy ${args[0]} failed with status ${r.status}`);
}

function startIndex(dir) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [mpyBin, 'serve', dir, '--port', '0', '--host', '127.0.0.1'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let seen = '';
    const onData = (d) => {
      seen += d;
      const url = /http:\/\/127\.0\.0\.1:\d+\/pypi/.exec(seen)?.[0];
      if (url) {
        child.stdout.off('data', onData);
        child.stdout.resume();
        resolve({ url, stop: () => child.kill('SIGTERM') });
      }
    };
    child.stdout.setEncoding('utf8').on('data', onData);
    child.stderr.resume();
    child.on('exit', (code) => reject(new Error(`mpy serve exited early with status ${code}`)));
  });
}

let index;
try {
  step('Build distribution packages with mpy sdist');
  for (const p of packages) mpy(['sdist', join(here, 'packages', p), '-o', join(work, 'dist')]);

  step('Serve them as a package index with mpy serve');
  index = await startIndex(join(work, 'dist'));
  process.stdout.write(`index at ${index.url}\n`);

  step('Install the app and its dependencies with mpy install (parallel, all-or-nothing)');
  mpy(['install', '-p', join(work, 'modules'), '-i', index.url, 'hello-app']);
  process.stdout.write(`installed: ${readdirSync(join(work, 'modules')).sort().join(', ')}\n`);

  step('Install the same with the in-wasm upip path');
  const probe = spawnSync(process.execPath, [mpyBin, '-c', 'import upip'], { encoding: 'utf8' });
  if (probe.status === 0) {
    mpy(['-m', 'upip', 'install', '-p', join(work, 'modules-upip'), '-i', index.url, 'hello-app']);
  } else {
    process.stdout.write(
      'skipped: upip is not importable here and this demo stays offline\n(run `mpy -m upip install ...` once with network access to fetch and cache it)\n',
    );
  }

  step('Compile the installed modules to .mpy bytecode with mpy compile');
  mpy(['compile', join(work, 'modules'), '-o', join(work, 'frozen')]);

  step('Run the app from the compiled modules (MICROPYPATH=frozen)');
  mpy(['-c', 'import hello_app; hello_app.main()'], { MICROPYPATH: join(work, 'frozen') });

  process.stdout.write(`\n${bold('Done.')} Everything ran offline through the real mpy command.\n`);
} catch (e) {
  process.stderr.write(`demo failed: ${e.message}\n`);
  process.exitCode = 1;
} finally {
  index?.stop();
  rmSync(work, { recursive: true, force: true });
}
