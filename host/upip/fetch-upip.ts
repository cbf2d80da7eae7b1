/**
 * Fetching upip for `mpy -m upip` (./bootstrap.ts) when no copy is cached:
 * the `micropython-upip` distribution from the index, with the host's own
 * downloader, its sha256 checked against the index's, unpacked into the
 * cache. Loaded only on a cache miss: it brings the HTTP client, the archive
 * reader and fflate, which a run from the cache does not need.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { readDistribution } from '../archive/index.js';
import { httpGet } from '../net/http-get.js';
import type { IndexMapping } from '../net/index-mapping.js';

/** The distribution that holds upip. */
export const UPIP_DISTRIBUTION = 'micropython-upip';
const MARKER = '.mpy-upip.json';

interface ReleaseFile {
  url: string;
  sha256: string | undefined;
}

function pickSdist(doc: unknown): { version: string; file: ReleaseFile } {
  const d = doc as { info?: { version?: unknown }; releases?: Record<string, unknown>; urls?: unknown };
  const version = d?.info?.version;
  if (typeof version !== 'string') throw new Error('the index document has no info.version');
  const files = (Array.isArray(d.releases?.[version]) ? d.releases[version] : Array.isArray(d.urls) ? d.urls : []) as Array<{
    url?: unknown;
    filename?: unknown;
    digests?: { sha256?: unknown };
  }>;
  const sdist = files.find((f) => typeof f.url === 'string' && /\.(tar\.gz|tgz)$/i.test(String(f.filename ?? f.url).split('?')[0]!));
  if (!sdist) throw new Error(`release ${version} has no .tar.gz file`);
  const sha = sdist.digests?.sha256;
  return { version, file: { url: sdist.url as string, sha256: typeof sha === 'string' ? sha.toLowerCase() : undefined } };
}

/** Keeps what upip itself would install: the modules, not the packaging metadata. */
function isModuleFile(path: string): boolean {
  const rest = path.split('/').slice(1).join('/');
  return rest !== '' && !/^(setup\.|PKG-INFO|README)/.test(rest) && !rest.includes('.egg-info');
}

/** The URL really fetched for `url`: the mapped one when MPY_INDEX_URL maps it. */
function reallyFetched(url: string, mapping: IndexMapping | undefined): string {
  try {
    return mapping?.map(new URL(url))?.href ?? url;
  } catch {
    return url;
  }
}

/** The index as the messages name it: the URL really used, and what it stands in for. */
export function describeIndex(index: string, mapping: IndexMapping | undefined): string {
  const real = reallyFetched(index, mapping).replace(/\/+$/, '');
  return real === index.replace(/\/+$/, '') ? index : `${real} (MPY_INDEX_URL, standing in for ${index})`;
}

/**
 * Fetches upip from `index` into `cache` (replacing it as a whole).
 * @returns the version fetched
 * @throws Error saying what is missing or wrong
 */
export async function fetchUpip(index: string, cache: string, mapping: IndexMapping | undefined, timeoutMs: number): Promise<string> {
  const get = { timeoutMs, mapping };
  const asked = `${index.replace(/\/+$/, '')}/${UPIP_DISTRIBUTION}/json`;
  const docUrl = reallyFetched(asked, mapping);
  const doc = await httpGet(asked, get);
  if (doc === undefined) throw new Error(`${docUrl} says there is no ${UPIP_DISTRIBUTION} (404)`);
  const { version, file } = pickSdist(JSON.parse(doc.body.toString('utf8')));
  if (file.sha256 === undefined) throw new Error(`${docUrl} gives no sha256 for ${file.url}; refusing an unverifiable download`);
  const fileUrl = new URL(file.url, doc.url).href;
  const shownFile = reallyFetched(fileUrl, mapping);
  const gz = await httpGet(fileUrl, get);
  if (gz === undefined) throw new Error(`${shownFile} is missing (404)`);
  const actual = createHash('sha256').update(gz.body).digest('hex');
  if (actual !== file.sha256) throw new Error(`${shownFile} has sha256 ${actual}, but the index says ${file.sha256}`);
  const dist = readDistribution(gz.body, shownFile);
  const staging = `${cache}.tmp-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  for (const { entry, path } of dist.members) {
    if (entry.type !== 'file' || !isModuleFile(path)) continue;
    const out = join(staging, path.split('/').slice(1).join('/'));
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, entry.data);
  }
  if (!existsSync(join(staging, 'upip.py'))) {
    rmSync(staging, { recursive: true, force: true });
    throw new Error(`${shownFile} has no upip.py`);
  }
  writeFileSync(
    join(staging, MARKER),
    `${JSON.stringify({ distribution: UPIP_DISTRIBUTION, version, url: file.url, sha256: file.sha256 })}\n`,
  );
  rmSync(cache, { recursive: true, force: true });
  mkdirSync(dirname(cache), { recursive: true });
  renameSync(staging, cache);
  return version;
}
