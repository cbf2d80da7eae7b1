/**
 * A MicroPython firmware `manifest.py` for an installed tree (the last step
 * of freezing: `mpy install -p modules ...`, then the port's
 * `make FROZEN_MANIFEST=.../manifest.py`). The firmware build runs the file
 * from its own directory, so paths are relative to it:
 *
 * - a top-level directory holding `.py` files: `package("name")` (every
 *   `.py` below it is frozen);
 * - a top-level `name.py`: `module("name.py")`;
 * - `.mpy` files (a `--compile` install): `freeze_mpy(BASE, (...))`, which
 *   freezes them as they are (they must suit the firmware's .mpy version);
 * - other files are not frozen (packages built by mpy sdist carry their
 *   resources in `R.py`), each named in a comment.
 *
 * Hidden names (the install record), `__pycache__` and the manifest itself
 * are skipped.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { writeFileAtomic } from '../atomic-write.js';
import { PackagingError } from './errors.js';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { pyString } from '../../runtime/py-literal.js';

/** First line of every manifest written here (a later run may replace such a file). */
const MANIFEST_MARK = '# Written by mpy manifest';

async function walk(dir: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of (await readdir(join(dir, rel), { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (e.name.startsWith('.') || e.name === '__pycache__') continue;
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await walk(dir, r)));
    else if (e.isFile()) out.push(r);
  }
  return out;
}

/**
 * The manifest text for the tree `dir`, for a manifest file at `manifestPath`.
 * @param includes manifests to `include()` first (such as `$(PORT_DIR)/boards/manifest.py`)
 */
export async function renderFirmwareManifest(dir: string, manifestPath: string, includes: readonly string[] = []): Promise<string> {
  const tree = resolve(dir);
  const self = resolve(manifestPath);
  const files = (await walk(tree)).filter((f) => join(tree, f) !== self);
  const base = relative(dirname(self), tree).split(sep).join('/') || '.';
  const at = base === '.' ? '' : `, base_path=${pyString(base)}`;
  const lines = [
    `${MANIFEST_MARK} for the installed tree ${base === '.' ? 'in this directory' : base}.`,
    '# Build the firmware with: make FROZEN_MANIFEST=<this file> (in the port directory).',
  ];
  for (const inc of includes) lines.push(`include(${pyString(inc)})`);
  const packages = new Set<string>();
  const mpy: string[] = [];
  const skipped: string[] = [];
  for (const f of files) {
    const top = f.split('/')[0]!;
    if (f.endsWith('.mpy')) mpy.push(f);
    else if (f.includes('/') && f.endsWith('.py')) packages.add(top);
    else if (!f.includes('/') && f.endsWith('.py')) lines.push(`module(${pyString(f)}${at})`);
    else skipped.push(f);
  }
  for (const p of packages) lines.push(`package(${pyString(p)}${at})`);
  if (mpy.length) lines.push(`freeze_mpy(${pyString(base)}, (${mpy.map(pyString).join(', ')},))`);
  for (const s of skipped) lines.push(`# not frozen (not a module): ${s}`);
  return `${lines.join('\n')}\n`;
}

/**
 * Writes the manifest of `dir` to `file` atomically. An existing file is
 * replaced only if this command wrote it.
 * @throws PackagingError `conflict` for another file of that name, `io` when `dir` is not a directory or the write fails
 */
export async function writeFirmwareManifest(dir: string, file: string, includes: readonly string[] = []): Promise<void> {
  const isDir = await stat(dir).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isDir) throw new PackagingError('io', `${dir} is not a directory: give the directory mpy install -p wrote`);
  const old = await readFile(file, 'utf8').catch(() => undefined);
  if (old !== undefined && !old.startsWith(MANIFEST_MARK)) {
    throw new PackagingError(
      'conflict',
      `${file} exists and was not written by mpy manifest; refusing to replace it (give another -o, or include() the new one from it)`,
    );
  }
  const text = await renderFirmwareManifest(dir, file, includes);
  try {
    await writeFileAtomic(file, text);
  } catch (err) {
    throw new PackagingError('io', `cannot write ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}
