/**
 * The one errno table of mpy, shared by the filesystem (host/fs), the
 * network (host/net) and the Python modules the host provides (as the
 * `_mpy_errno` module, see {@link LINUX_ERRNO}).
 *
 * Two numberings meet inside the official build:
 *
 * - The emscripten glue's `FS` (and its `FS.ErrnoError`) uses the numbering
 *   of emscripten's musl, which follows WASI: ENOENT is 44, EEXIST is 20.
 * - MicroPython is built with its internal errno table, whose numbers are
 *   Linux's: inside the interpreter `errno.ENOENT == 2`. Every `OSError`
 *   Python sees carries a Linux number, as on the Unix port.
 *
 * @module
 */

/** name → [emscripten number, Linux number], for every name both sides know. */
const TABLE = {
  EPERM: [63, 1],
  ENOENT: [44, 2],
  ESRCH: [71, 3],
  EINTR: [27, 4],
  EIO: [29, 5],
  ENXIO: [60, 6],
  E2BIG: [1, 7],
  ENOEXEC: [45, 8],
  EBADF: [8, 9],
  ECHILD: [12, 10],
  EAGAIN: [6, 11],
  ENOMEM: [48, 12],
  EACCES: [2, 13],
  EFAULT: [21, 14],
  EBUSY: [10, 16],
  EEXIST: [20, 17],
  EXDEV: [75, 18],
  ENODEV: [43, 19],
  ENOTDIR: [54, 20],
  EISDIR: [31, 21],
  EINVAL: [28, 22],
  ENFILE: [41, 23],
  EMFILE: [33, 24],
  ENOTTY: [59, 25],
  ETXTBSY: [74, 26],
  EFBIG: [22, 27],
  ENOSPC: [51, 28],
  ESPIPE: [70, 29],
  EROFS: [69, 30],
  EMLINK: [34, 31],
  EPIPE: [64, 32],
  EDOM: [18, 33],
  ERANGE: [68, 34],
  EDEADLK: [16, 35],
  ENAMETOOLONG: [37, 36],
  ENOLCK: [46, 37],
  ENOSYS: [52, 38],
  ENOTEMPTY: [55, 39],
  ELOOP: [32, 40],
  EOVERFLOW: [61, 75],
  EILSEQ: [25, 84],
  ENOTSOCK: [57, 88],
  EDESTADDRREQ: [17, 89],
  EMSGSIZE: [35, 90],
  EPROTOTYPE: [67, 91],
  ENOPROTOOPT: [50, 92],
  EPROTONOSUPPORT: [66, 93],
  EOPNOTSUPP: [138, 95],
  EAFNOSUPPORT: [5, 97],
  EADDRINUSE: [3, 98],
  EADDRNOTAVAIL: [4, 99],
  ENETDOWN: [38, 100],
  ENETUNREACH: [40, 101],
  ENETRESET: [39, 102],
  ECONNABORTED: [13, 103],
  ECONNRESET: [15, 104],
  ENOBUFS: [42, 105],
  EISCONN: [30, 106],
  ENOTCONN: [53, 107],
  ETIMEDOUT: [73, 110],
  ECONNREFUSED: [14, 111],
  EHOSTUNREACH: [23, 113],
  EALREADY: [7, 114],
  EINPROGRESS: [26, 115],
  ESTALE: [72, 116],
  EDQUOT: [19, 122],
  ECANCELED: [11, 125],
} as const satisfies Record<string, readonly [number, number]>;

/** An errno name both numberings define. */
export type ErrnoName = keyof typeof TABLE;

const NAMES = Object.keys(TABLE) as ErrnoName[];

function column(index: 0 | 1): Readonly<Record<ErrnoName, number>> {
  const out = {} as Record<ErrnoName, number>;
  for (const name of NAMES) out[name] = TABLE[name][index];
  return Object.freeze(out);
}

/** Emscripten's errno numbers (the glue's `ERRNO_CODES`), what `FS.ErrnoError` takes. */
export const EM_ERRNO = column(0);

/**
 * Linux's errno numbers, what MicroPython's `errno` module holds and what
 * `OSError.errno` carries. Registered for Python as `_mpy_errno`, where the
 * host's own Python modules (usocket, select, asyncio, ...) take their
 * constants from: the build's `errno` lacks some (EINTR, EAFNOSUPPORT, ...).
 */
export const LINUX_ERRNO = column(1);

/**
 * The largest errno a call reports negated (the kernel's own bound): results
 * from −1 to −MAX_ERRNO are errnos; anything lower is another namespace
 * (the network's TLS codes, see host/net/errno.ts).
 */
export const MAX_ERRNO = 4095;

const BY_LINUX = new Map<number, ErrnoName>(NAMES.map((name) => [TABLE[name][1], name]));

/** The name of a Linux errno number (`111` → `'ECONNREFUSED'`), or `undefined` for one the table lacks. */
export function errnoName(linux: number): ErrnoName | undefined {
  return BY_LINUX.get(linux);
}

/** Node spells a few codes its own way; ENOTSUP is EOPNOTSUPP on Linux. */
const NODE_ALIASES: Readonly<Record<string, ErrnoName>> = { ENOTSUP: 'EOPNOTSUPP', EWOULDBLOCK: 'EAGAIN' };

/**
 * The errno name of a Node system error's `code` (`'ENOENT'`, or an alias
 * such as `'ENOTSUP'`), or `undefined` when the table has no such name.
 */
export function errnoNameOfCode(code: string): ErrnoName | undefined {
  return code in TABLE ? (code as ErrnoName) : NODE_ALIASES[code];
}
