/**
 * `mpy index build`: the same documents `mpy serve` answers, written as
 * files so that any static web host serves the same URLs:
 *
 *   OUT/pypi/<name>/json             (name: normalised, and as declared)
 *   OUT/pypi/<name>/<version>/json
 *   OUT/files/<filename>             (copies of the packages)
 *
 * The tree is written next to OUT and swapped in whole, so OUT is always
 * one complete build; the same inputs give byte-identical files.
 */
import { copyFile, mkdir, mkdtemp, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { ArchiveLimits } from '../archive/index.js';
import { type CatalogProblem, scanCatalog } from './catalog.js';
import { encodeJson, type FileUrlMode, projectJson, releaseJson } from './responses.js';

/** Options of {@link buildStaticIndex}. */
export interface StaticIndexOptions {
  /** Directory of `.tar.gz` distribution packages. Default none: no PyPI layout is written. */
  dir?: string;
  /** Output directory; created, or replaced if it holds a previous build. Required. */
  out: string;
  /**
   * URL at which OUT will be served, written into file URLs. Default none:
   * file URLs are relative to each document, which `mpy install` resolves
   * but upip cannot (it needs absolute URLs).
   */
  baseUrl?: string;
  /** Archive limits for reading packages. Default `DEFAULT_LIMITS`. */
  limits?: Partial<ArchiveLimits>;
  /** More files to write, by path below OUT (index v2). Default none. */
  extraFiles?: ReadonlyMap<string, Buffer>;
}

/** What {@link buildStaticIndex} wrote. */
export interface StaticIndexResult {
  /** Absolute output directory. */
  out: string;
  projects: number;
  /** Archives copied. */
  files: number;
  /** Paths written, relative to OUT, sorted. */
  written: string[];
  /** Packages skipped and versions reported (see `CatalogProblem`). */
  problems: CatalogProblem[];
}

/** Marks a directory as written by this command, so a rebuild may replace it. */
const MARKER = '.mpy-index';

function safeSegment(s: string): boolean {
  return s !== '' && !s.startsWith('.') && !/[/\\\u0000-\u001f]/.test(s);
}

async function assertReplaceable(out: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(out);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  if (names.length && !names.includes(MARKER)) {
    throw new Error(`${out} is not empty and was not written by "mpy index build"; refusing to replace it`);
  }
}

/** Writes the static index of `options.dir` into `options.out`. */
export async function buildStaticIndex(options: StaticIndexOptions): Promise<StaticIndexResult> {
  const out = resolve(options.out);
  await assertReplaceable(out);
  const catalog =
    options.dir === undefined
      ? { projects: new Map(), files: new Map(), problems: [] }
      : await scanCatalog(resolve(options.dir), { limits: options.limits });
  const mode: FileUrlMode = options.baseUrl ? { absolute: options.baseUrl } : { relative: true };
  await mkdir(dirname(out), { recursive: true });
  const stage = await mkdtemp(join(dirname(out), `.${basename(out)}.build-`));
  const written: string[] = [];
  const problems = [...catalog.problems];
  const put = async (rel: string, body: Buffer): Promise<void> => {
    await mkdir(dirname(join(stage, rel)), { recursive: true });
    await writeFile(join(stage, rel), body);
    written.push(rel);
  };
  try {
    for (const p of catalog.projects.values()) {
      const names = [...new Set([p.key, p.name])].filter(safeSegment);
      for (const name of names) {
        await put(`pypi/${name}/json`, encodeJson(projectJson(p, mode)));
        for (const v of p.releases.keys()) {
          if (!safeSegment(v)) {
            if (name === p.key)
              problems.push({
                filename: p.releases.get(v)!.filename,
                stamp: '',
                message: `version ${JSON.stringify(v)} cannot be a path segment; no per-version document`,
              });
            continue;
          }
          await put(`pypi/${name}/${v}/json`, encodeJson(releaseJson(p, v, mode)));
        }
      }
    }
    await writeAll(stage, options.extraFiles ?? new Map(), written);
    if (options.dir !== undefined) await mkdir(join(stage, 'files'), { recursive: true });
    for (const f of catalog.files.values()) {
      await copyFile(f.path, join(stage, 'files', f.filename));
      written.push(`files/${f.filename}`);
    }
    await writeFile(join(stage, MARKER), 'written by mpy index build; replaced whole by the next build\n');
    await swapIn(stage, out);
  } catch (err) {
    await rm(stage, { recursive: true, force: true });
    throw err;
  }
  return { out, projects: catalog.projects.size, files: catalog.files.size, written: written.sort(), problems };
}

/** Writes many small files: each directory made once, then the files 32 at a time. */
async function writeAll(stage: string, files: ReadonlyMap<string, Buffer>, written: string[]): Promise<void> {
  for (const d of new Set([...files.keys()].map((rel) => dirname(join(stage, rel))))) await mkdir(d, { recursive: true });
  const entries = [...files];
  for (let i = 0; i < entries.length; i += 32) {
    await Promise.all(entries.slice(i, i + 32).map(([rel, body]) => writeFile(join(stage, rel), body)));
  }
  written.push(...files.keys());
}

async function swapIn(stage: string, out: string): Promise<void> {
  const old = `${stage}.old`;
  let moved = false;
  try {
    await rename(out, old);
    moved = true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  try {
    await rename(stage, out);
  } catch (err) {
    if (moved) await rename(old, out);
    throw err;
  }
  if (moved) await rm(old, { recursive: true, force: true });
}
