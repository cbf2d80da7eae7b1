// The programs the comparisons may use besides mpy: the native MicroPython
// Unix port (named by MPY_NATIVE), CPython (python3 on PATH), and the
// pystone_lowmem module when it is installed where MicroPython looks for it
// (else from micropython-lib's history, see upstream.mjs).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { upstreamPystoneLowmem } from './upstream.mjs';

function runs(argv) {
  const r = spawnSync(argv[0], [...argv.slice(1)], { stdio: 'ignore' });
  return r.status === 0;
}

/** The native `micropython` binary MPY_NATIVE names, if it runs. */
export function nativeMicroPython() {
  const bin = process.env.MPY_NATIVE;
  return bin && runs([bin, '-c', 'pass']) ? bin : undefined;
}

/** `python3` when it is on PATH and runs. */
export function cpython() {
  return runs(['python3', '-c', 'pass']) ? 'python3' : undefined;
}

/**
 * pystone_lowmem's source when it is installed: on MICROPYPATH, or in
 * ~/.micropython/lib (where `mpy -m upip install micropython-pystone_lowmem`
 * puts it); else the last version in micropython-lib's history, written to a
 * temporary directory removed when the run ends. It is third-party code: read
 * at run time, never kept.
 * @returns {{path: string, source: string} | undefined}
 */
export function findPystoneLowmem() {
  const dirs = [...(process.env.MICROPYPATH ?? '').split(delimiter).filter(Boolean), join(homedir(), '.micropython', 'lib')];
  for (const dir of dirs) {
    const path = join(dir, 'pystone_lowmem.py');
    if (existsSync(path)) return { path, source: readFileSync(path, 'utf8') };
  }
  const source = upstreamPystoneLowmem();
  if (source === undefined) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'mpy-bench-pystone-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'pystone_lowmem.py');
  writeFileSync(path, source);
  return { path, source };
}
