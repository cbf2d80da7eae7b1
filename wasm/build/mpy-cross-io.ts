/**
 * Serves mpy-cross's reads of its source file and its writes of the .mpy
 * inside the wasm. mpy-cross reads its input 20 bytes at a time (MicroPython's
 * POSIX reader) and writes the .mpy a few bytes at a time, and each was a
 * call out to the host: about 300 crossings for a 4 KiB module.
 *
 * This pass puts a `fd_read` and a `fd_write` of its own in front of the
 * host's imports, each driven by three exported mutable globals
 * ({@link INPUT_GLOBAL_EXPORTS}, {@link OUTPUT_GLOBAL_EXPORTS}): an fd (-1:
 * none), the address of the next byte and the address of the end of a region
 * of linear memory the host set aside. A read of the input fd copies from the
 * region and advances; a write to the output fd appends to the region when
 * all of it fits, and otherwise gives the fd back (sets it to -1) and lets
 * the host take this write and every later one, so the output is the region's
 * bytes followed by the host's. Any other fd goes to the host's import.
 */
import type binaryenModule from 'binaryen';
import { INPUT_GLOBAL_EXPORTS, OUTPUT_GLOBAL_EXPORTS } from '../../host/compile/syscall-files.js';

type Binaryen = typeof binaryenModule;
type BModule = InstanceType<Binaryen['Module']>;

/** The three globals of one direction. */
type Globals = Readonly<Record<'fd' | 'pos' | 'end', string>>;

/** Renames the import `importModule.importBase` (i32 x4 -> i32) and returns its old internal name, which calls still use. */
function displaceImport(b: Binaryen, m: BModule, importModule: string, importBase: string): { name: string; host: string } {
  let found: ReturnType<Binaryen['getFunctionInfo']> | undefined;
  for (let i = 0; i < m.getNumFunctions(); i++) {
    const info = b.getFunctionInfo(m.getFunctionByIndex(i));
    if (info.module === importModule && info.base === importBase) found = info;
  }
  const signature = b.createType([b.i32, b.i32, b.i32, b.i32]);
  if (!found || found.params !== signature || found.results !== b.i32)
    throw new Error(`the mpy-cross wasm has no import ${importModule}.${importBase} (i32 x4 -> i32)`);
  // Calls refer to the internal name: a function of that name takes the import's place, and the import gets another.
  const host = `${found.name}_host`;
  m.removeFunction(found.name);
  m.addFunctionImport(host, importModule, importBase, signature, b.i32);
  return { name: found.name, host };
}

function addGlobals(m: BModule, i32: number, g: Globals): void {
  for (const name of [g.fd, g.pos, g.end]) {
    m.addGlobal(name, i32, true, m.i32.const(name === g.fd ? -1 : 0));
    m.addGlobalExport(name, name);
  }
}

/**
 * Installs the in-wasm `fd_read` and `fd_write` in front of the imports
 * `importModule.readBase` and `importModule.writeBase` (the glue's `_fd_read`
 * and `_fd_write`: `(fd, iov, iovcnt, pnum) -> errno`).
 * @returns the `name:kind` of the exports it added
 * @throws Error when the module has no such imports of that type
 */
export function serveFilesInWasm(b: Binaryen, m: BModule, importModule: string, readBase: string, writeBase: string): string[] {
  const i32 = b.i32;
  const read = displaceImport(b, m, importModule, readBase);
  const write = displaceImport(b, m, importModule, writeBase);
  m.setFeatures(m.getFeatures() | b.Features.MutableGlobals);
  addGlobals(m, i32, INPUT_GLOBAL_EXPORTS);
  addGlobals(m, i32, OUTPUT_GLOBAL_EXPORTS);
  const [fd, iov, count, pnum, index, addr, len, n, k, total] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const get = (l: number): number => m.local.get(l, i32);
  const inc = (l: number, by: number): number => m.local.set(l, m.i32.add(get(l), by));
  const entry = (): number => m.i32.add(get(iov), m.i32.shl(get(index), m.i32.const(3)));
  const toHost = (host: string): number => m.return(m.call(host, [get(fd), get(iov), get(count), get(pnum)], i32));
  /** Copies `n` bytes from `from()` to `to()` (k counts). */
  const copy = (label: string, to: () => number, from: () => number): number[] => [
    m.local.set(k, m.i32.const(0)),
    m.block(`${label}_copied`, [
      m.loop(
        `${label}_copy`,
        m.block(null, [
          m.br(`${label}_copied`, m.i32.ge_u(get(k), get(n))),
          m.i32.store8(0, 1, m.i32.add(to(), get(k)), m.i32.load8_u(0, 1, m.i32.add(from(), get(k)))),
          inc(k, m.i32.const(1)),
          m.br(`${label}_copy`),
        ]),
      ),
    ]),
  ];
  /** Runs `body` for each buffer of the iovec, with `addr` and `len` set, until it breaks out to `label`. */
  const eachBuffer = (label: string, body: number[]): number =>
    m.block(label, [
      m.local.set(index, m.i32.const(0)),
      m.loop(
        `${label}_next`,
        m.block(null, [
          m.br(label, m.i32.ge_u(get(index), get(count))),
          m.local.set(addr, m.i32.load(0, 4, entry())),
          m.local.set(len, m.i32.load(4, 4, entry())),
          ...body,
          inc(index, m.i32.const(1)),
          m.br(`${label}_next`),
        ]),
      ),
    ]);
  const finish = (): number[] => [m.i32.store(0, 4, get(pnum), get(total)), m.i32.const(0)];

  const inPos = (): number => m.global.get(INPUT_GLOBAL_EXPORTS.pos, i32);
  const inLeft = (): number => m.i32.sub(m.global.get(INPUT_GLOBAL_EXPORTS.end, i32), inPos());
  const readBody = m.block(
    null,
    [
      m.if(m.i32.ne(get(fd), m.global.get(INPUT_GLOBAL_EXPORTS.fd, i32)), toHost(read.host)),
      eachBuffer('read', [
        m.local.set(n, m.select(m.i32.lt_u(get(len), inLeft()), get(len), inLeft())),
        ...copy('read', () => get(addr), inPos),
        m.global.set(INPUT_GLOBAL_EXPORTS.pos, m.i32.add(inPos(), get(n))),
        inc(total, get(n)),
        // A short read ends the call, as a file's does.
        m.br('read', m.i32.lt_u(get(n), get(len))),
      ]),
      ...finish(),
    ],
    i32,
  );
  m.addFunction(read.name, b.createType([i32, i32, i32, i32]), i32, [i32, i32, i32, i32, i32, i32], readBody);

  const outPos = (): number => m.global.get(OUTPUT_GLOBAL_EXPORTS.pos, i32);
  const writeBody = m.block(
    null,
    [
      m.if(m.i32.ne(get(fd), m.global.get(OUTPUT_GLOBAL_EXPORTS.fd, i32)), toHost(write.host)),
      eachBuffer('size', [inc(total, get(len))]),
      m.if(
        m.i32.gt_u(get(total), m.i32.sub(m.global.get(OUTPUT_GLOBAL_EXPORTS.end, i32), outPos())),
        m.block(null, [m.global.set(OUTPUT_GLOBAL_EXPORTS.fd, m.i32.const(-1)), toHost(write.host)]),
      ),
      eachBuffer('write', [
        m.local.set(n, get(len)),
        ...copy('write', outPos, () => get(addr)),
        m.global.set(OUTPUT_GLOBAL_EXPORTS.pos, m.i32.add(outPos(), get(n))),
      ]),
      ...finish(),
    ],
    i32,
  );
  m.addFunction(write.name, b.createType([i32, i32, i32, i32]), i32, [i32, i32, i32, i32, i32, i32], writeBody);
  return [...Object.values(INPUT_GLOBAL_EXPORTS), ...Object.values(OUTPUT_GLOBAL_EXPORTS)].map((name) => `${name}:global`);
}
