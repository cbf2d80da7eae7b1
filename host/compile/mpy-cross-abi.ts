/**
 * The names behind the minified keys of mpy-cross's wasm imports and exports,
 * read from the text of the pinned package's emscripten glue (its
 * `asmLibraryArg` table and its `Module["asm"][KEY]` accessors). The glue is
 * read, never run: this host supplies every import itself.
 */
import { readFileSync } from 'node:fs';
import { locateMpyCross } from './mpy-cross-files.js';

/** Where the wasm's parts are, by their glue names. */
export interface MpyCrossAbi {
  /** The wasm's import module name (the glue passes every import under one). */
  readonly importModule: string;
  /** Import key → glue function name, e.g. `q` → `___syscall_open`. */
  readonly imports: ReadonlyMap<string, string>;
  /** Glue name → export key for the functions, e.g. `_main` → `u`. */
  readonly exports: ReadonlyMap<string, string>;
  /** Export key of the linear memory. */
  readonly memory: string;
  /** Export key of the function table. */
  readonly table: string;
}

/** What the glue's text must contain for it to be read. */
const IMPORT_TABLE = /var asmLibraryArg=\{([^}]*)\}/;
const IMPORT_ENTRY = /"(\w+)":(\w+)/g;
const IMPORT_MODULE = /var info=\{"(\w+)":asmLibraryArg\}/;
const EXPORT_ACCESSOR = /Module\["(\w+)"\]=function\(\)\{return\(\w+=Module\["\w+"\]=Module\["asm"\]\["(\w+)"\]\)/g;
const MEMORY = /wasmMemory=Module\["asm"\]\["(\w+)"\]/;
const TABLE = /wasmTable=Module\["asm"\]\["(\w+)"\]/;

let cached: MpyCrossAbi | undefined;

/**
 * Reads the glue's tables (once per thread).
 * @param glueText the glue's source. Default: the pinned package's
 * @throws Error when the glue does not have the expected shape
 */
export function mpyCrossAbi(glueText?: string): MpyCrossAbi {
  if (cached && glueText === undefined) return cached;
  const text = glueText ?? readFileSync(locateMpyCross().glue, 'utf8');
  const table = IMPORT_TABLE.exec(text);
  const memory = MEMORY.exec(text);
  const functionTable = TABLE.exec(text);
  const importModule = IMPORT_MODULE.exec(text);
  if (!table || !memory || !functionTable || !importModule)
    throw new Error('mpy: the mpy-cross glue does not have the expected import and export tables');
  const abi: MpyCrossAbi = {
    importModule: importModule[1]!,
    imports: new Map([...table[1]!.matchAll(IMPORT_ENTRY)].map((m) => [m[1]!, m[2]!])),
    exports: new Map([...text.matchAll(EXPORT_ACCESSOR)].map((m) => [m[1]!, m[2]!])),
    memory: memory[1]!,
    table: functionTable[1]!,
  };
  if (glueText === undefined) cached = abi;
  return abi;
}
