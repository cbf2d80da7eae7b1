/**
 * The parts of the emscripten `Module` object that mpy uses. The glue is
 * untyped; this is the contract we rely on, checked by the tests.
 */

/** An emscripten filesystem node as the FS API hands it out. */
export interface EmscriptenFSNode {
  readonly name: string;
  readonly mode: number;
  readonly parent: EmscriptenFSNode;
  readonly mount: unknown;
  [key: string]: unknown;
}

/** The subset of emscripten's `FS` object used by the host. */
export interface EmscriptenFS {
  mkdir(path: string, mode?: number): EmscriptenFSNode;
  mkdirTree(path: string, mode?: number): void;
  mount(type: unknown, opts: Record<string, unknown>, mountpoint: string): unknown;
  unmount(mountpoint: string): void;
  chdir(path: string): void;
  cwd(): string;
  readdir(path: string): string[];
  readFile(path: string, opts?: { encoding?: 'binary' | 'utf8' }): Uint8Array;
  writeFile(path: string, data: string | ArrayBufferView): void;
  unlink(path: string): void;
  rmdir(path: string): void;
  rename(from: string, to: string): void;
  stat(path: string): { mode: number; size: number; atime: Date; mtime: Date; ctime: Date };
  analyzePath(path: string): { exists: boolean; object: EmscriptenFSNode | null };
  lookupPath(path: string, opts?: Record<string, unknown>): { path: string; node: EmscriptenFSNode };
  isDir(mode: number): boolean;
  isFile(mode: number): boolean;
  isLink(mode: number): boolean;
  createNode(parent: EmscriptenFSNode | null, name: string, mode: number, dev?: number): EmscriptenFSNode;
  ErrnoError: new (errno: number) => Error & { errno: number };
  [key: string]: unknown;
}

/** The emscripten module object the glue resolves to. */
export interface EmscriptenModule {
  readonly FS: EmscriptenFS;
  ccall(name: string, ret: string | null, argTypes: string[], args: unknown[]): unknown;
  getValue(ptr: number, type: string): number;
  setValue(ptr: number, value: number, type: string): void;
  UTF8ToString(ptr: number, maxBytes?: number): string;
  stringToUTF8(str: string, ptr: number, maxBytes: number): number;
  lengthBytesUTF8(str: string): number;
  _malloc(size: number): number;
  _free(ptr: number): void;
  _mp_sched_keyboard_interrupt(): void;
}
