/**
 * Requirements files (`-r FILE`) in pip's format, the part that makes sense
 * for MicroPython packages: `#` comments, blank lines, lines continued with
 * a trailing `\`, one requirement per line optionally followed by
 * `--hash=sha256:HEX` (repeatable), and the option lines `-r`/`--requirement`
 * (included relative to the including file), `-i`/`--index-url`,
 * `--extra-index-url` and `--require-hashes`. Any other option (`-e`,
 * `--find-links`, `-c`, ...) is an error naming it, never silently ignored.
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { InstallError } from './errors.js';
import { parseRequirement, type Requirement } from './requirement.js';

/** What a requirements file (and its includes) says. */
export interface RequirementsFile {
  /** Requirements in file order, includes expanded in place. */
  requirements: Requirement[];
  /** The last `--index-url`/`-i`, if any (it replaces the default index). */
  indexUrl: string | undefined;
  /** Every `--extra-index-url`, in order. */
  extraIndexUrls: string[];
  /** Whether `--require-hashes` appeared. */
  requireHashes: boolean;
}

interface Logical {
  text: string;
  line: number;
}

/** Joins `\`-continued lines and drops comments; keeps the first physical line number. */
function logicalLines(text: string): Logical[] {
  const out: Logical[] = [];
  let pending: Logical | undefined;
  text.split(/\r?\n/).forEach((physical, i) => {
    const stripped = physical.replace(/(^|\s)#.*$/, '');
    const continued = /\\\s*$/.test(stripped) && !/^\s*#/.test(physical);
    const body = continued ? stripped.replace(/\\\s*$/, '') : stripped;
    pending = pending ? { text: `${pending.text} ${body}`, line: pending.line } : { text: body, line: i + 1 };
    if (!continued) {
      if (pending.text.trim() !== '') out.push({ text: pending.text.trim(), line: pending.line });
      pending = undefined;
    }
  });
  if (pending && pending.text.trim() !== '') out.push({ text: pending.text.trim(), line: pending.line });
  return out;
}

/** Splits `--opt=value` / `--opt value` / `-ovalue` / `-o value` at the start of `tokens`. */
function takeOption(tokens: string[], names: readonly string[]): { name: string; value: string | undefined } {
  const first = tokens.shift()!;
  const eq = first.indexOf('=');
  if (first.startsWith('--') && eq > 0) return { name: first.slice(0, eq), value: first.slice(eq + 1) };
  const short = names.find((n) => n.length === 2 && first.startsWith(n) && first.length > 2);
  if (short) return { name: short, value: first.slice(2) };
  return { name: first, value: undefined };
}

const WITH_VALUE = ['-r', '--requirement', '-i', '--index-url', '--extra-index-url'];
const FLAGS = ['--require-hashes'];
const HASH_RE = /^sha256:([0-9a-fA-F]{64})$/;

function unsupported(where: string, option: string): InstallError {
  return new InstallError(
    'bad-requirement',
    `${where}: option ${option} is not supported in requirements files`,
    'mpy install reads requirements, --hash, -r, -i/--index-url, --extra-index-url and --require-hashes; remove the line or install that package another way',
  );
}

function requirementLine(text: string, where: string): Requirement {
  const at = text.search(/(^|\s)--?[A-Za-z]/);
  const spec = (at < 0 ? text : text.slice(0, at)).trim();
  const tokens = at < 0 ? [] : text.slice(at).trim().split(/\s+/);
  const hashes: string[] = [];
  while (tokens.length) {
    const { name, value: inline } = takeOption(tokens, []);
    if (name !== '--hash') throw unsupported(where, name);
    const value = inline ?? tokens.shift();
    const m = value === undefined ? null : HASH_RE.exec(value);
    if (!m) {
      throw new InstallError(
        'bad-requirement',
        `${where}: --hash must be sha256:<64 hex digits>, got ${JSON.stringify(value ?? '')}`,
        'write the archive digest as --hash=sha256:HEX (mpy lock writes these lines)',
      );
    }
    hashes.push(m[1]!.toLowerCase());
  }
  let req: Requirement;
  try {
    req = parseRequirement(spec);
  } catch (err) {
    if (err instanceof InstallError) throw new InstallError(err.code, `${where}: ${err.message}`, err.hint);
    throw err;
  }
  return hashes.length ? { ...req, hashes } : req;
}

/**
 * Parses requirements-file text. `-r` lines are read through `include`
 * (given the path resolved against `source`'s directory).
 * @throws InstallError `bad-requirement` naming `source:LINE`
 */
async function parseRequirementsFile(
  text: string,
  source: string,
  include: (path: string) => Promise<RequirementsFile>,
): Promise<RequirementsFile> {
  const result: RequirementsFile = { requirements: [], indexUrl: undefined, extraIndexUrls: [], requireHashes: false };
  for (const { text: line, line: n } of logicalLines(text)) {
    const where = `${source}:${n}`;
    if (!line.startsWith('-')) {
      result.requirements.push(requirementLine(line, where));
      continue;
    }
    const tokens = line.split(/\s+/);
    const { name, value: inline } = takeOption(tokens, WITH_VALUE);
    if (FLAGS.includes(name) && inline === undefined) {
      result.requireHashes = true;
    } else if (WITH_VALUE.includes(name)) {
      const value = inline ?? tokens.shift();
      if (!value) throw new InstallError('bad-requirement', `${where}: ${name} needs a value`, `write ${name} VALUE`);
      if (name === '-r' || name === '--requirement') {
        const sub = await include(resolve(dirname(source), value));
        result.requirements.push(...sub.requirements);
        result.indexUrl = sub.indexUrl ?? result.indexUrl;
        result.extraIndexUrls.push(...sub.extraIndexUrls);
        result.requireHashes ||= sub.requireHashes;
      } else if (name === '--extra-index-url') result.extraIndexUrls.push(value);
      else result.indexUrl = value;
    } else {
      throw unsupported(where, name);
    }
    if (tokens.length)
      throw new InstallError(
        'bad-requirement',
        `${where}: unexpected ${JSON.stringify(tokens.join(' '))} after ${name}`,
        'give one option per line',
      );
  }
  return result;
}

/**
 * Reads a requirements file and the files it includes.
 * @throws InstallError `bad-requirement` for an unreadable file, an include cycle or a bad line
 */
export async function readRequirementsFile(path: string, including: readonly string[] = []): Promise<RequirementsFile> {
  const abs = resolve(path);
  if (including.includes(abs)) {
    throw new InstallError(
      'bad-requirement',
      `requirements files include each other: ${[...including, abs].join(' → ')}`,
      'remove one of the -r lines',
    );
  }
  let text: string;
  try {
    text = await readFile(abs, 'utf-8');
  } catch (err) {
    const from = including.length ? ` (included from ${including.at(-1)})` : '';
    throw new InstallError(
      'bad-requirement',
      `cannot read requirements file ${path}${from}: ${(err as Error).message}`,
      'check the path given to -r',
      err,
    );
  }
  return parseRequirementsFile(text, path, (sub) => readRequirementsFile(sub, [...including, abs]));
}
