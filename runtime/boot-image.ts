/**
 * Boot images: a booted interpreter's state, captured by the build and
 * restored instead of booting (the issue's "boot snapshot").
 *
 * After a boot, the VM's state is its wasm memory (the Python heap, the C
 * heap, the static data), the stack pointer, and the host's JS state that
 * points into it: the JS-object table the glue shares with Python, the
 * stack-overflow guard, the start of the writable heap. The build boots once
 * per profile (the `mpy` command's boot, an embedded instance's), through the
 * same code as every run, and writes that state to `dist/boot-images/`. A
 * later boot with the same options instantiates the module, writes the
 * image's pages into its fresh memory and puts back the JS state with the
 * session's own host objects, then sets what differs per run (argv,
 * `sys.path`). It skips `mp_init`, the boot modules' imports and the syscalls
 * they make.
 *
 * An image is used only when everything that shaped it is as it was: the key
 * (the options that reach the boot), the format, and, in a checkout (where
 * `tsc` and the build steps rewrite `dist/`), none of its input files newer
 * than it. Anything else boots as before. `MPY_DEBUG=boot` says which, and why.
 *
 * @module
 */
import { type Dirent, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { isSourceCheckout, PACKAGE_ROOT } from '../base/package-files.js';
import { interpreterWasmFile } from '../wasm/compiled-module.js';

/** The profiles the build captures: the `mpy` command's boot and an embedded instance's. */
export type BootImageProfile = 'cli' | 'embed';

/** Where the build writes the images. */
export const BOOT_IMAGE_DIR: string = join(PACKAGE_ROOT, 'dist', 'boot-images');

/** The path of a profile's image. */
export function bootImagePath(profile: BootImageProfile): string {
  return join(BOOT_IMAGE_DIR, `${profile}.img`);
}

/** Set to `1` by the build: a boot with a profile captures its image instead of using one. */
export const CAPTURE_BOOT_IMAGE_ENV = 'MPY_CAPTURE_BOOT_IMAGE';

/** Set to `1` to boot without images (for comparing). */
export const NO_BOOT_IMAGE_ENV = 'MPY_NO_BOOT_IMAGE';

/** Bytes per page of an image. */
export const IMAGE_PAGE_BYTES = 4096;

const MAGIC = 'mpy-boot-image\n';
const FORMAT = 1;

/** A slot of the JS-object table, by what filled it: a host module registered by name, or one of its members. */
export interface TableSlot {
  readonly slot: number;
  readonly module: string;
  /** The member's name; `null`: the module itself. */
  readonly member: string | null;
}

/** The interpreter's JS-side state that points into an image's memory. */
export interface InterpreterImageState {
  /** The stack pointer between calls (the relocated shadow stack's top). */
  readonly stackTop: number;
  /** The word index of the thread state's `stack_limit` (c-stack.ts). */
  readonly stateIndex: number;
  /** The lowest address a host call may write (the C heap's start). */
  readonly writableFrom: number;
  /** The stack-overflow guard's arming (stack-overflow.ts), when armed. */
  readonly guard: { readonly exception: number; readonly pystackField: number } | null;
  /** The JS-object table's length, where the glue looks for a free slot first, and what each slot past the fixed ones held. */
  readonly tableLength: number;
  readonly tableNext: number;
  readonly slots: readonly TableSlot[];
  /** Bytes below which a fresh instance's memory may hold data (its static data): cleared before the pages go in. */
  readonly freshExtent: number;
  /** The memory's size when captured. */
  readonly memoryBytes: number;
}

/** An image as read from its file. */
export interface BootImage {
  readonly key: string;
  readonly state: InterpreterImageState;
  /** Page numbers of the memory's pages that are not all zero. */
  readonly pages: readonly number[];
  /** Those pages' bytes, in the same order. */
  readonly data: Uint8Array;
}

interface Header {
  readonly format: number;
  readonly key: string;
  readonly state: InterpreterImageState;
  readonly pages: readonly number[];
  /** Files below the package root whose change makes the image stale (checked in a checkout). */
  readonly inputs: readonly string[];
}

const traceBoot = (process.env.MPY_DEBUG ?? '').split(',').some((t) => t.trim() === 'boot');

/** Writes a `MPY_DEBUG=boot` line (nothing when that topic is off). */
export function traceBootImage(text: string): void {
  if (traceBoot) writeSync(2, `mpy: boot image ${text}\n`);
}

/** The pages of `memory` that are not all zero, and their bytes. */
export function nonZeroPages(memory: ArrayBufferLike, below = memory.byteLength): { pages: number[]; data: Uint8Array } {
  const words = new Int32Array(memory, 0, below >>> 2);
  const wordsPerPage = IMAGE_PAGE_BYTES / 4;
  const pages: number[] = [];
  for (let page = 0; page * wordsPerPage < words.length; page++) {
    const start = page * wordsPerPage;
    const end = Math.min(start + wordsPerPage, words.length);
    for (let i = start; i < end; i++) {
      if (words[i] !== 0) {
        pages.push(page);
        break;
      }
    }
  }
  const data = new Uint8Array(pages.length * IMAGE_PAGE_BYTES);
  const bytes = new Uint8Array(memory);
  for (const [i, page] of pages.entries()) {
    data.set(bytes.subarray(page * IMAGE_PAGE_BYTES, (page + 1) * IMAGE_PAGE_BYTES), i * IMAGE_PAGE_BYTES);
  }
  return { pages, data };
}

/** The end of the last page of `memory` that is not all zero (0 when all are). */
export function dataExtent(memory: ArrayBufferLike): number {
  const words = new Int32Array(memory);
  for (let i = words.length - 1; i >= 0; i--) {
    if (words[i] !== 0) return Math.ceil(((i + 1) * 4) / IMAGE_PAGE_BYTES) * IMAGE_PAGE_BYTES;
  }
  return 0;
}

/**
 * Puts an image's memory into a fresh instance's: clears what the fresh
 * instance holds (below `freshExtent`), then writes the pages.
 * @throws RangeError when the memory is smaller than the image's
 */
export function restorePages(memory: ArrayBufferLike, image: BootImage): void {
  const bytes = new Uint8Array(memory);
  if (bytes.byteLength < image.state.memoryBytes) throw new RangeError('mpy: the memory is smaller than the boot image');
  bytes.fill(0, 0, image.state.freshExtent);
  for (const [i, page] of image.pages.entries()) {
    bytes.set(image.data.subarray(i * IMAGE_PAGE_BYTES, (i + 1) * IMAGE_PAGE_BYTES), page * IMAGE_PAGE_BYTES);
  }
}

/** The files an image depends on, below the package root: mpy's compiled runtime and the wasm it booted. */
function imageInputs(wasmFile: string): string[] {
  const files: string[] = [relative(PACKAGE_ROOT, wasmFile)];
  const walk = (dir: string, suffix: string): void => {
    let entries: Dirent[];
    try {
      entries = readdirSync(join(PACKAGE_ROOT, dir), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const below = join(dir, e.name);
      if (e.isDirectory()) walk(below, suffix);
      else if (e.name.endsWith(suffix)) files.push(below);
    }
  };
  for (const dir of ['dist/base', 'dist/runtime', 'dist/host/fs', 'dist/boot-modules'])
    walk(dir, dir === 'dist/boot-modules' ? '.mpy' : '.js');
  for (const file of readdirSync(join(PACKAGE_ROOT, 'dist', 'wasm'))) if (file.endsWith('.js')) files.push(join('dist', 'wasm', file));
  walk('runtime/lib', '.py');
  return files.sort();
}

/** Writes an image of the interpreter whose memory is `memory` (atomically: a reader sees the old file or the new one). */
export function writeBootImage(profile: BootImageProfile, key: string, state: InterpreterImageState, memory: ArrayBufferLike): void {
  const { pages, data } = nonZeroPages(memory);
  const header: Header = { format: FORMAT, key, state, pages, inputs: imageInputs(interpreterWasmFile()) };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32LE(json.length);
  const path = bootImagePath(profile);
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, Buffer.concat([Buffer.from(MAGIC, 'latin1'), length, json, data]));
    renameSync(temporary, path);
  } catch (e) {
    rmSync(temporary, { force: true });
    throw e;
  }
}

/** Removes a profile's image (the build, when it cannot capture one). */
export function removeBootImage(profile: BootImageProfile): void {
  rmSync(bootImagePath(profile), { force: true });
}

/**
 * A profile's image when it exists, is whole, was captured under `key` and,
 * in a checkout, is newer than each of its inputs; else undefined (and, under
 * `MPY_DEBUG=boot`, why).
 */
export function readBootImage(profile: BootImageProfile, key: string): BootImage | undefined {
  const path = bootImagePath(profile);
  const image = readImageFile(path);
  if (typeof image === 'string') {
    traceBootImage(`${profile}: ${image}`);
    return undefined;
  }
  if (image.key !== key) {
    traceBootImage(`${profile}: not used: captured for ${image.key}, this boot is ${key}`);
    return undefined;
  }
  const stale = staleInputOf(image, path);
  if (stale !== undefined) {
    traceBootImage(`${profile}: not used: ${stale} is newer or gone (run "npm run build")`);
    return undefined;
  }
  traceBootImage(`${profile}: used (${image.pages.length} pages)`);
  return image;
}

type ImageFile = BootImage & { readonly inputs: readonly string[] };

/** The image file at `path`, or why it cannot be used (missing, not whole). */
function readImageFile(path: string): ImageFile | string {
  let file: Buffer;
  try {
    file = readFileSync(path);
  } catch {
    return `none (${path})`;
  }
  const image = parseBootImage(file);
  return typeof image === 'string' ? `not used: ${image}` : image;
}

/** In a checkout, the first of the image's inputs newer than the image at `path` (or gone); else undefined. */
function staleInputOf(image: ImageFile, path: string): string | undefined {
  return isSourceCheckout() ? staleInput(image.inputs, statSync(path).mtimeMs) : undefined;
}

/**
 * The first of `inputs` (paths below `root`) changed after `builtMs` or
 * missing, or undefined when none is: one `stat` each.
 */
export function staleInput(inputs: readonly string[], builtMs: number, root = PACKAGE_ROOT): string | undefined {
  for (const input of inputs) {
    let changed: number;
    try {
      changed = statSync(join(root, input)).mtimeMs;
    } catch {
      return input;
    }
    if (changed > builtMs) return input;
  }
  return undefined;
}

/**
 * Whether a profile's image is there, whole and, in a checkout, not older
 * than its inputs (whatever options it was captured under): what the test
 * set-up checks before it rebuilds the images.
 */
export function bootImageIsCurrent(profile: BootImageProfile): boolean {
  const path = bootImagePath(profile);
  const image = readImageFile(path);
  return typeof image !== 'string' && staleInputOf(image, path) === undefined;
}

/** An image file's contents, or what is wrong with it. */
export function parseBootImage(file: Uint8Array): ImageFile | string {
  const magic = Buffer.from(file.buffer, file.byteOffset, Math.min(MAGIC.length, file.byteLength)).toString('latin1');
  if (magic !== MAGIC || file.byteLength < MAGIC.length + 4) return 'not a boot image';
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const jsonLength = view.getUint32(MAGIC.length, true);
  const dataStart = MAGIC.length + 4 + jsonLength;
  if (dataStart > file.byteLength) return 'truncated';
  let header: Header;
  try {
    header = JSON.parse(Buffer.from(file.buffer, file.byteOffset + MAGIC.length + 4, jsonLength).toString('utf8')) as Header;
  } catch {
    return 'its header is not JSON';
  }
  if (header.format !== FORMAT) return `format ${String(header.format)}, not ${FORMAT}`;
  const data = file.subarray(dataStart);
  if (!Array.isArray(header.pages) || data.byteLength !== header.pages.length * IMAGE_PAGE_BYTES) return 'truncated';
  const pageLimit = header.state.memoryBytes / IMAGE_PAGE_BYTES;
  if (!header.pages.every((p, i) => Number.isInteger(p) && p >= 0 && p < pageLimit && (i === 0 || p > header.pages[i - 1]!)))
    return 'its page list is out of order or out of range';
  return { key: header.key, state: header.state, pages: header.pages, data, inputs: header.inputs };
}
