/**
 * `mpy bin2res` as a library call: an `R.py` resource module for a list of
 * files, keyed exactly by the names given.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { PackagingError } from './errors.js';
import { renderResourceModule } from './resource-module.js';

/** Options of {@link bin2res}. */
export interface Bin2ResOptions {
  /** The files, as the user named them; each name is also its key in `R`. Required. */
  readonly files: readonly string[];
  /** Directory the names are relative to. Default: `process.cwd()`. */
  readonly cwd?: string;
}

/**
 * Reads every file and returns the text of an `R.py` with one entry per file,
 * in the order given.
 * @throws PackagingError (`io`) naming a file that cannot be read, (`conflict`) for a file given twice
 */
export async function bin2res(options: Bin2ResOptions): Promise<string> {
  const cwd = options.cwd ?? process.cwd();
  const resources = await Promise.all(
    options.files.map(async (key) => {
      try {
        return { key, data: new Uint8Array(await readFile(resolve(cwd, key))) };
      } catch (err) {
        throw new PackagingError('io', `cannot read ${key}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
      }
    }),
  );
  return renderResourceModule(resources);
}
