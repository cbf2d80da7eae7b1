/**
 * The boot's own Python modules as bytecode, compiled at build time
 * (`wasm/build/boot-bytecode-main.ts`, part of `npm run build`), so that
 * starting an interpreter does not lex, parse and compile ~20 KB of Python
 * every time. Each .mpy lives in `dist/runtime/boot-bytecode/` beside the
 * exact source it was compiled from; a module whose source in `runtime/lib`
 * differs (edited since the build), a missing file or another interpreter
 * version means the boot compiles the sources as before.
 *
 * For the boot, the bytecode is written into a directory of the memory
 * filesystem that `sys.path` searches first, and removed once the modules
 * are loaded: the program never sees it.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../base/package-files.js';
import { INTERPRETER_VERSION } from '../wasm/locate.js';
import type { EmFS } from '../wasm/emscripten-module.js';
import { GUEST_LIB_DIR, RUNTIME_LIB_DIR } from './guest-layout.js';

/** The modules the boot imports (`_mpy_boot` and what it imports). */
export const BOOT_MODULES: readonly string[] = ['_mpy_boot', '_mpy_resolve', '_mpy_run', '_mpy_outcome'];

/** File name of the manifest the build writes last. */
export const BOOT_BYTECODE_MANIFEST = 'boot-bytecode.json';

/** What the manifest records. */
export interface BootBytecodeManifest {
  /** The interpreter version whose .mpy format the files are in. */
  readonly interpreterVersion: string;
  /** The modules compiled. */
  readonly modules: readonly string[];
}

/** Where Python sees the bytecode during the boot (a directory of the memory filesystem, removed after it). */
const GUEST_BOOT_DIR = '/.mpy-boot';

/** The build's output directory: `dist/runtime/boot-bytecode/`. */
export function bootBytecodeDir(): string {
  return join(PACKAGE_ROOT, 'dist', 'runtime', 'boot-bytecode');
}

/** The source name stored in a module's bytecode: its path as Python sees it from source (tracebacks read the same). */
export function bootModuleGuestPath(name: string): string {
  return `${GUEST_LIB_DIR}/${name}.py`;
}

let loaded: ReadonlyMap<string, Uint8Array> | null | undefined;

function readBootBytecode(): ReadonlyMap<string, Uint8Array> | null {
  const dir = bootBytecodeDir();
  try {
    const manifest = JSON.parse(readFileSync(join(dir, BOOT_BYTECODE_MANIFEST), 'utf8')) as BootBytecodeManifest;
    if (manifest.interpreterVersion !== INTERPRETER_VERSION) return null;
    const out = new Map<string, Uint8Array>();
    for (const name of BOOT_MODULES) {
      if (!manifest.modules.includes(name)) return null;
      const compiledFrom = readFileSync(join(dir, `${name}.py`));
      if (!compiledFrom.equals(readFileSync(join(RUNTIME_LIB_DIR, `${name}.py`)))) return null;
      out.set(name, readFileSync(join(dir, `${name}.mpy`)));
    }
    return out;
  } catch {
    return null;
  }
}

/** The boot modules' bytecode when the build made it from the current sources (read once per thread), else undefined. */
function bootBytecode(): ReadonlyMap<string, Uint8Array> | undefined {
  if (loaded === undefined) loaded = readBootBytecode();
  return loaded ?? undefined;
}

/** The boot's bytecode, placed where its `sys.path` finds it first. */
export interface PlacedBootBytecode {
  /** The directory to put in front of the boot's `sys.path`. */
  readonly dir: string;
  /** Removes the directory and its files. */
  remove(): void;
}

/**
 * Writes the boot modules' bytecode into the memory filesystem, or returns
 * undefined (the boot then compiles the sources): no bytecode built for
 * these sources, or the directory cannot be made (a host directory of that
 * name, a full memory filesystem).
 */
export function placeBootBytecode(fs: EmFS): PlacedBootBytecode | undefined {
  const bytecode = bootBytecode();
  if (bytecode === undefined) return undefined;
  const written: string[] = [];
  const remove = (): void => {
    for (const path of written) fs.unlink(path);
    fs.rmdir(GUEST_BOOT_DIR);
  };
  try {
    fs.mkdir(GUEST_BOOT_DIR);
  } catch {
    return undefined;
  }
  try {
    for (const [name, mpy] of bytecode) {
      const path = `${GUEST_BOOT_DIR}/${name}.mpy`;
      fs.writeFile(path, mpy);
      written.push(path);
    }
  } catch {
    remove();
    return undefined;
  }
  return { dir: GUEST_BOOT_DIR, remove };
}
