/**
 * Where a host test file appears inside its instance, and the instance
 * options that put it there.
 *
 * @module
 */
import { basename, dirname, relative, resolve, sep } from 'node:path';
import type { MicroPythonOptions, MountOption } from '../embed/options.js';

/** Guest directory a test file's own directory is mounted at when no mount covers it. */
const TEST_DIR_GUEST = '/tests';

/** Options of a test file's instances, without what cannot cross to a child process. */
export type InstanceOptions = Omit<MicroPythonOptions, 'stdout' | 'stderr' | 'stdin'>;

/** A test file, placed. */
export interface PlacedFile {
  /** Absolute host path. */
  readonly hostPath: string;
  /** Path relative to the describePython root, with `/` (the describe title). */
  readonly title: string;
  /** The guest directory holding the file (put first on sys.path). */
  readonly guestDir: string;
  /** The module name the file is imported as. */
  readonly moduleName: string;
  /** Options for the file's instances: the caller's plus the mount showing the file, and cwd. */
  readonly options: InstanceOptions;
}

const MODULE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function hostOf(spec: string | MountOption): string {
  return resolve(typeof spec === 'string' ? spec : spec.host);
}

function freeGuestDir(mounts: Readonly<Record<string, unknown>>): string {
  let guest = TEST_DIR_GUEST;
  for (let n = 1; Object.keys(mounts).some((g) => g === guest || g.startsWith(`${guest}/`) || guest.startsWith(`${g}/`)); n++) {
    guest = `${TEST_DIR_GUEST}${n}`;
  }
  return guest;
}

/**
 * Places a test file: inside the caller's mount that holds it, if any;
 * otherwise its directory is mounted read-only at `/tests` (or `/testsN`
 * when that is taken). The cwd defaults to the file's guest directory.
 * @throws TypeError when the file name is not an importable module name
 */
export function placeTestFile(hostPath: string, root: string, options: InstanceOptions): PlacedFile {
  const file = basename(hostPath);
  const moduleName = file.replace(/\.py$/, '');
  if (!file.endsWith('.py') || !MODULE_NAME.test(moduleName)) {
    throw new TypeError(`describePython: ${hostPath} is not an importable Python file name (like test_calc.py)`);
  }
  const mounts: Record<string, string | MountOption> = { ...(options.mounts ?? {}) };
  const hostDir = dirname(hostPath);
  let guestDir: string | undefined;
  for (const [guest, spec] of Object.entries(mounts)) {
    const rel = relative(hostOf(spec), hostDir);
    if (rel === '' || (!rel.startsWith('..') && !rel.startsWith(sep) && !/^[A-Za-z]:/.test(rel))) {
      guestDir = rel === '' ? guest : `${guest}/${rel.split(sep).join('/')}`;
      break;
    }
  }
  if (guestDir === undefined) {
    guestDir = freeGuestDir(mounts);
    mounts[guestDir] = { host: hostDir, readOnly: true };
  }
  return {
    hostPath,
    title: relative(root, hostPath).split(sep).join('/'),
    guestDir,
    moduleName,
    options: { ...options, mounts, cwd: options.cwd ?? guestDir },
  };
}
