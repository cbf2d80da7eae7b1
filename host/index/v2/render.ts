/**
 * The files of index v2, as micropython-lib's index builder lays them out
 * and mip reads them:
 *
 *   index.json                          every package, its latest version and all versions
 *   package/<6|py>/<name>/<version>.json  one release (also as `latest.json`):
 *                                       {"v": 1, "hashes": [[path, h]], "urls": [], "deps": [[name, "latest"]], "version": V}
 *   file/<h[:2]>/<h>                    a file, named by the first 8 hex digits of its sha256
 *
 * `package/6/` lists `.py` files compiled to `.mpy` (version 6, what this
 * interpreter imports) and `package/py/` the sources; other files (data)
 * are the same in both. Two different files with the same hash prefix are
 * an error naming both. A `.py` file that mpy-cross 1.19 rejects but the
 * 1.27 interpreter compiles (newer syntax) is listed as source in
 * `package/6/` too, with a warning; one that neither compiles is an error.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { compileAll, compileKey, type CompileInput, V2CompileError } from './compile.js';
import { interpreterCompiles } from './syntax-check.js';
import type { V2Package } from './model.js';

/** The hash prefix length mip's index uses. */
const HASH_PREFIX_LENGTH = 8;
/** The bytecode directory: the .mpy major version this interpreter imports. */
const MPY_VERSION_DIR = '6';

/** The files of a rendered index v2, by path below its root. */
export type V2Files = Map<string, Buffer>;

/** Two different files whose hash prefixes are equal. */
export class HashCollisionError extends Error {
  override name = 'HashCollisionError';
}

function json(body: unknown): Buffer {
  return Buffer.from(`${JSON.stringify(body)}\n`);
}

/** Whether `s` can be one path segment of the index. */
function safeSegment(s: string): boolean {
  return s !== '' && !s.startsWith('.') && !/[/\\\u0000-\u001f?#%]/.test(s);
}

/** Options of {@link renderV2}. */
export interface RenderOptions {
  /** The `updated` time of index.json, in seconds. Required. */
  readonly updated: number;
  /** Receives a line for each package, release or file that is left out or shipped as source. Default: dropped. */
  readonly problems?: string[];
  /** Hex digits of sha256 that name a file. Default {@link HASH_PREFIX_LENGTH}, as mip's index. */
  readonly hashPrefixLength?: number;
  /**
   * A `.py` file no compiler accepts is an error (`mpy index build`). When
   * false (a live server), it is shipped as source with a problem line, so
   * one broken package does not stop the index. Default true.
   */
  readonly strict?: boolean;
  /** Compiled files kept between renderings (see `compileAll`). Default none. */
  readonly compileCache?: Map<string, Buffer>;
}

/**
 * Renders `packages` (compiling their `.py` files) into the files of index v2.
 * @throws HashCollisionError; V2CompileError when `strict`
 */
export async function renderV2(packages: readonly V2Package[], options: RenderOptions): Promise<V2Files> {
  const problems = options.problems ?? [];
  const hashPrefixLength = options.hashPrefixLength ?? HASH_PREFIX_LENGTH;
  const inputs: CompileInput[] = [];
  for (const p of packages)
    for (const r of p.releases)
      for (const f of r.files)
        if (f.target.endsWith('.py')) inputs.push({ bytes: f.bytes, target: f.target, opt: f.opt, origin: f.origin });
  const { compiled, failed } = await compileAll(inputs, options.compileCache);
  const verdicts = await interpreterCompiles(failed.map((f) => ({ bytes: f.input.bytes, name: f.input.target })));
  const broken = failed.flatMap((f, i) => (verdicts[i] === undefined ? [] : [`${f.input.origin}: ${verdicts[i]}`]));
  if (broken.length && options.strict !== false) throw new V2CompileError(`cannot compile:\n  ${broken.sort().join('\n  ')}`);
  for (const b of broken) problems.push(`${b}; listed as source in package/${MPY_VERSION_DIR}/`);
  failed.forEach((f, i) => {
    if (verdicts[i] === undefined)
      problems.push(`${f.message} (mpy-cross 1.19); MicroPython 1.27 compiles it, so package/${MPY_VERSION_DIR}/ lists it as source`);
  });
  const files: V2Files = new Map();
  const owners = new Map<string, { full: string; origin: string }>();
  const store = (bytes: Buffer, origin: string): string => {
    const full = createHash('sha256').update(bytes).digest('hex');
    const short = full.slice(0, hashPrefixLength);
    const prev = owners.get(short);
    if (prev && prev.full !== full) {
      throw new HashCollisionError(
        `hash prefix ${short} is shared by ${prev.origin} (sha256 ${prev.full}) and ${origin} (sha256 ${full}); these two files cannot both be in one index`,
      );
    }
    if (!prev) {
      owners.set(short, { full, origin });
      files.set(`file/${short.slice(0, 2)}/${short}`, bytes);
    }
    return short;
  };
  const index: unknown[] = [];
  for (const p of packages) {
    const names = [p.name, ...p.aliases].filter((n, i, all) => safeSegment(n) && all.indexOf(n) === i);
    if (!names.length) {
      problems.push(`package ${JSON.stringify(p.name)}: the name cannot be a URL path segment; not in index v2`);
      continue;
    }
    const versions: string[] = [];
    p.releases.forEach((r, n) => {
      const doc = (dir: string): Buffer => {
        const hashes: Array<[string, string]> = [];
        for (const f of r.files) {
          if (dir === MPY_VERSION_DIR && f.target.endsWith('.py') && compiled.has(compileKey(f))) {
            hashes.push([`${f.target.slice(0, -3)}.mpy`, store(compiled.get(compileKey(f))!, `${f.origin} (compiled)`)]);
          } else hashes.push([f.target, store(f.bytes, f.origin)]);
        }
        return json({ v: 1, hashes, urls: [], deps: r.deps.map((d) => [d, 'latest']), version: r.version });
      };
      const latest = n === p.releases.length - 1;
      const versioned = safeSegment(r.version) && r.version !== 'latest';
      if (r.version && !versioned)
        problems.push(`package ${p.name}: version ${JSON.stringify(r.version)} cannot be a file name; served only as latest`);
      if (versioned) versions.push(r.version);
      for (const dir of [MPY_VERSION_DIR, 'py']) {
        const body = doc(dir);
        for (const name of names) {
          if (versioned) files.set(`package/${dir}/${name}/${r.version}.json`, body);
          if (latest) files.set(`package/${dir}/${name}/latest.json`, body);
        }
      }
    });
    const last = p.releases[p.releases.length - 1];
    index.push({
      name: p.name,
      version: last?.version ?? '',
      author: p.author,
      description: p.description,
      license: p.license,
      versions: { [MPY_VERSION_DIR]: versions, py: versions },
      ...(p.path !== undefined ? { path: p.path } : {}),
    });
  }
  files.set('index.json', json({ v: 2, updated: options.updated, packages: index }));
  return files;
}
