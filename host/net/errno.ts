/**
 * The network layer's one error convention, and the one mapper from host
 * errors (node:net, node:tls, node:dns, node:dgram) to what Python raises.
 *
 * Every failure inside host/net, from the worker's sockets through the
 * bridge to `_mpy_net`, is a {@link NetError}: one negative number, never a
 * positive errno. Its namespace:
 *
 * - −1 … −{@link MAX_ERRNO}: −errno in Linux numbering (base/errno.ts), as
 *   MicroPython's `errno` module has it: Python raises `OSError(errno)`,
 *   exactly as the Unix port's `connect()` would;
 * - below −{@link MAX_ERRNO}: an mbedTLS error code ({@link TLS_CODES}). TLS
 *   failures are not errnos on the Unix port: its mbedTLS binding raises
 *   `OSError(code, name)` with mbedTLS's negative code, and so does ussl here.
 *
 * Only the `lookup` operation answers in another namespace: negative
 * getaddrinfo(3) codes ({@link Eai}), which Python raises as
 * `OSError("[addrinfo error N]")`, as the Unix port's getaddrinfo does (in C
 * too, getaddrinfo reports EAI codes, not errno).
 *
 * @module
 */
import { type ErrnoName, errnoName, errnoNameOfCode, LINUX_ERRNO, MAX_ERRNO } from '../../base/errno.js';

declare const netErrorBrand: unique symbol;

/** A failure as host/net reports it to Python: always negative (see the module doc). */
export type NetError = number & { readonly [netErrorBrand]: true };

/**
 * What a bridge operation answers: a count, 0, or a {@link NetError}. (The
 * union is documentation: TypeScript sees `number`; the brand is what keeps
 * a positive errno from passing for a failure.)
 */
export type NetResult = number | NetError;

/** Whether an operation's result is a failure (every failure is negative, every success is not). */
export function isFailure(result: number): result is NetError {
  return result < 0;
}

function negated(): Readonly<Record<ErrnoName, NetError>> {
  const out = {} as Record<ErrnoName, NetError>;
  for (const name of Object.keys(LINUX_ERRNO) as ErrnoName[]) out[name] = -LINUX_ERRNO[name] as NetError;
  return Object.freeze(out);
}

/** −errno for every errno name: `ERR.ECONNREFUSED === -111`. */
export const ERR = negated();

/**
 * mbedTLS error codes the Unix port's `ssl` module raises, negative as
 * mbedTLS returns them; all below −{@link MAX_ERRNO}, so never an errno.
 */
export const TLS_CODES = {
  /** The peer's certificate chain or name did not verify. */
  MBEDTLS_ERR_X509_CERT_VERIFY_FAILED: -0x2700 as NetError,
  /** The peer did not speak TLS (for example a plain HTTP server). */
  MBEDTLS_ERR_SSL_INVALID_RECORD: -0x7200 as NetError,
  /** The handshake failed for another reason (alert, no common cipher, ...). */
  MBEDTLS_ERR_SSL_HANDSHAKE_FAILURE: -0x6c00 as NetError,
} as const;

const TLS_NAMES = new Map<number, string>(Object.entries(TLS_CODES).map(([name, code]) => [code, name]));

/**
 * getaddrinfo(3) error codes (glibc values): what the `lookup` operation
 * answers on failure. The Unix port raises `OSError("[addrinfo error N]")`.
 */
export const Eai = {
  /** Name or service not known. */
  EAI_NONAME: -2,
  /** Temporary failure in name resolution (no DNS server reachable). */
  EAI_AGAIN: -3,
  /** Non-recoverable failure in name resolution. */
  EAI_FAIL: -4,
  /** Address family for the name not supported / no address. */
  EAI_NODATA: -5,
  /** ai_family not supported. */
  EAI_FAMILY: -6,
  /** Service not supported for the socket type. */
  EAI_SERVICE: -8,
} as const;

const EAI_NAMES = new Map<number, string>(Object.entries(Eai).map(([name, code]) => [code, name]));

const BY_NODE_CODE: Readonly<Record<string, NetError>> = {
  // Node's names for conditions that have a Linux errno of another name.
  ERR_SOCKET_CONNECTION_TIMEOUT: ERR.ETIMEDOUT,
  ERR_STREAM_DESTROYED: ERR.EPIPE,
  ERR_STREAM_WRITE_AFTER_END: ERR.EPIPE,
  ERR_SOCKET_CLOSED: ERR.EBADF,
  // A name that stops resolving between lookup and connect (a redirect hop).
  ENOTFOUND: ERR.EHOSTUNREACH,
  EAI_AGAIN: ERR.EHOSTUNREACH,
  EAI_FAIL: ERR.EHOSTUNREACH,
  ENODATA: ERR.EHOSTUNREACH,
};

// OpenSSL's certificate verification results, as Node reports them in `code`.
const CERT_CODES = new Set([
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'INVALID_CA',
  'PATH_LENGTH_EXCEEDED',
  'INVALID_PURPOSE',
  'HOSTNAME_MISMATCH',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

const INVALID_RECORD_CODES = new Set([
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'ERR_SSL_PACKET_LENGTH_TOO_LONG',
  'ERR_SSL_RECORD_LAYER_FAILURE',
  'EPROTO',
]);

function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * The one mapper from an error of node:net, node:tls, node:dns or
 * node:dgram to what Python raises: −errno, or an mbedTLS code for a TLS
 * failure. Anything unknown becomes −EIO.
 */
export function netErrorFromNode(err: unknown): NetError {
  const code = codeOf(err);
  if (code === undefined) return ERR.EIO;
  if (CERT_CODES.has(code)) return TLS_CODES.MBEDTLS_ERR_X509_CERT_VERIFY_FAILED;
  if (INVALID_RECORD_CODES.has(code)) return TLS_CODES.MBEDTLS_ERR_SSL_INVALID_RECORD;
  if (code.startsWith('ERR_SSL_') || code === 'ERR_TLS_HANDSHAKE_TIMEOUT') return TLS_CODES.MBEDTLS_ERR_SSL_HANDSHAKE_FAILURE;
  const name = errnoNameOfCode(code);
  return name === undefined ? (BY_NODE_CODE[code] ?? ERR.EIO) : ERR[name];
}

/** Maps a node:dns lookup failure to a getaddrinfo(3) code (see {@link Eai}). */
export function eaiFromNode(err: unknown): number {
  switch (codeOf(err)) {
    case 'ENOTFOUND':
      return Eai.EAI_NONAME;
    case 'ENODATA':
      return Eai.EAI_NODATA;
    case 'EAI_FAIL':
      return Eai.EAI_FAIL;
    case 'EAI_FAMILY':
      return Eai.EAI_FAMILY;
    default:
      // EAI_AGAIN, ETIMEOUT, ECONNREFUSED from the resolver: no usable DNS.
      return Eai.EAI_AGAIN;
  }
}

/** Whether a negative result is an mbedTLS code rather than −errno. */
function isTlsCode(error: number): boolean {
  return error < -MAX_ERRNO;
}

/**
 * The arguments Python's `OSError` gets for a failed operation, as text
 * `"CODE"` or `"CODE TEXT"` (what `_mpy_net.error` answers; usocket.py
 * raises `OSError(CODE)` or `OSError(CODE, TEXT)`): an errno with, when the
 * host knows more, why (`"5 the network worker could not start: ..."`); a
 * TLS failure as its code and mbedTLS name, as the Unix port's ssl raises it.
 * @param error a {@link NetError}
 * @param why what the host knows about this failure, if anything
 */
export function oserrorArgs(error: number, why?: string): string {
  if (isTlsCode(error)) return `${error} ${TLS_NAMES.get(error) ?? 'MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE'}`;
  return why === undefined ? `${-error}` : `${-error} ${why}`;
}

/**
 * A result as a trace shows it: a count as it is, a failure by name
 * (`-ECONNREFUSED`, `MBEDTLS_ERR_SSL_INVALID_RECORD`, `EAI_NONAME` for a lookup).
 * @param lookup whether the result is a `lookup`'s (getaddrinfo codes)
 */
export function resultName(result: number, lookup: boolean): string {
  if (result >= 0) return String(result);
  const name = lookup ? EAI_NAMES.get(result) : isTlsCode(result) ? TLS_NAMES.get(result) : errnoName(-result);
  return name === undefined ? String(result) : `${name} (${result})`;
}
