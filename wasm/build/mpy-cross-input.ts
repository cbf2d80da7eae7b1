/**
 * Serves mpy-cross's reads of its source file inside the wasm. mpy-cross
 * reads its input 20 bytes at a time (MicroPython's POSIX reader), and each
 * read was a call out to the host: about 190 crossings for a 4 KiB module.
 * This pass puts a `fd_read` of its own in front of the host's import: when
 * the fd is the one the host stored in the `fd` global
 * ({@link INPUT_GLOBAL_EXPORTS}), it copies the bytes the host placed in
 * linear memory, from the `pos` global up to the `end` one, and advances the
 * position; any other fd goes to the host's import as before. The host sets the fd global to -1 (no such fd)
 * when it serves the input itself.
 */
import type binaryenModule from 'binaryen';
import { INPUT_GLOBAL_EXPORTS } from '../../host/compile/syscall-files.js';

type Binaryen = typeof binaryenModule;
type BModule = InstanceType<Binaryen['Module']>;

/** The exported mutable i32 globals: the fd whose reads the wasm serves (or -1), the next byte's address, the end's. */
const INPUT_FD_EXPORT = INPUT_GLOBAL_EXPORTS.fd;
const INPUT_POS_EXPORT = INPUT_GLOBAL_EXPORTS.pos;
const INPUT_END_EXPORT = INPUT_GLOBAL_EXPORTS.end;

/**
 * Installs the in-wasm `fd_read` in front of the import `importModule.importBase`
 * (the glue's `_fd_read`: `(fd, iov, iovcnt, pnum) -> errno`).
 * @returns the `name:kind` of the exports it added
 * @throws Error when the module has no such import of that type
 */
export function serveInputInWasm(b: Binaryen, m: BModule, importModule: string, importBase: string): string[] {
  let read: ReturnType<Binaryen['getFunctionInfo']> | undefined;
  for (let i = 0; i < m.getNumFunctions(); i++) {
    const info = b.getFunctionInfo(m.getFunctionByIndex(i));
    if (info.module === importModule && info.base === importBase) read = info;
  }
  const i32 = b.i32;
  const signature = b.createType([i32, i32, i32, i32]);
  if (!read || read.params !== signature || read.results !== i32)
    throw new Error(`the mpy-cross wasm has no fd_read import ${importModule}.${importBase} (i32 x4 -> i32)`);
  // Calls refer to the internal name: a function of that name takes the import's place, and the import gets another.
  const host = `${read.name}_host`;
  m.removeFunction(read.name);
  m.addFunctionImport(host, importModule, importBase, signature, i32);
  m.setFeatures(m.getFeatures() | b.Features.MutableGlobals);
  for (const name of [INPUT_FD_EXPORT, INPUT_POS_EXPORT, INPUT_END_EXPORT]) {
    m.addGlobal(name, i32, true, m.i32.const(name === INPUT_FD_EXPORT ? -1 : 0));
    m.addGlobalExport(name, name);
  }
  const [fd, iov, count, pnum, index, dest, want, n, k, total] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const get = (l: number): number => m.local.get(l, i32);
  const pos = (): number => m.global.get(INPUT_POS_EXPORT, i32);
  const entry = (): number => m.i32.add(get(iov), m.i32.shl(get(index), m.i32.const(3)));
  const copy = m.block('copied', [
    m.loop(
      'copy',
      m.block(null, [
        m.br('copied', m.i32.ge_u(get(k), get(n))),
        m.i32.store8(0, 1, m.i32.add(get(dest), get(k)), m.i32.load8_u(0, 1, m.i32.add(pos(), get(k)))),
        m.local.set(k, m.i32.add(get(k), m.i32.const(1))),
        m.br('copy'),
      ]),
    ),
  ]);
  const left = (): number => m.i32.sub(m.global.get(INPUT_END_EXPORT, i32), pos());
  const body = m.block(
    null,
    [
      m.if(m.i32.ne(get(fd), m.global.get(INPUT_FD_EXPORT, i32)), m.return(m.call(host, [get(fd), get(iov), get(count), get(pnum)], i32))),
      m.block('done', [
        m.loop(
          'buffers',
          m.block(null, [
            m.br('done', m.i32.ge_u(get(index), get(count))),
            m.local.set(dest, m.i32.load(0, 4, entry())),
            m.local.set(want, m.i32.load(4, 4, entry())),
            m.local.set(n, m.select(m.i32.lt_u(get(want), left()), get(want), left())),
            m.local.set(k, m.i32.const(0)),
            copy,
            m.global.set(INPUT_POS_EXPORT, m.i32.add(pos(), get(n))),
            m.local.set(total, m.i32.add(get(total), get(n))),
            m.br('done', m.i32.lt_u(get(n), get(want))),
            m.local.set(index, m.i32.add(get(index), m.i32.const(1))),
            m.br('buffers'),
          ]),
        ),
      ]),
      m.i32.store(0, 4, get(pnum), get(total)),
      m.i32.const(0),
    ],
    i32,
  );
  m.addFunction(read.name, signature, i32, [i32, i32, i32, i32, i32, i32], body);
  return [INPUT_FD_EXPORT, INPUT_POS_EXPORT, INPUT_END_EXPORT].map((name) => `${name}:global`);
}
