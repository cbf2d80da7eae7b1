/**
 * The one mapping from Node's network error codes to the error numbers the
 * MicroPython Unix port raises.
 *
 * MicroPython uses Linux's numbering inside this build (`errno.ECONNREFUSED
 * == 111`), so a socket error reaches Python as `OSError(111)` exactly as
 * it would from the Unix port's `connect()`. TLS failures are not errnos on
 * the Unix port: its mbedTLS binding raises `OSError(code, name)` with
 * mbedTLS's negative error code, and {@link TLS_CODES} keeps that form.
 *
 * @module
 */

/** Linux errno values (as MicroPython's `errno` module has them) used by the network layer. */
export const Errno = {
  EPERM: 1,
  EINTR: 4,
  EIO: 5,
  EBADF: 9,
  EAGAIN: 11,
  ENOMEM: 12,
  EACCES: 13,
  EINVAL: 22,
  EPIPE: 32,
  ENOTSOCK: 88,
  EMSGSIZE: 90,
  EPROTONOSUPPORT: 93,
  EOPNOTSUPP: 95,
  EAFNOSUPPORT: 97,
  EADDRINUSE: 98,
  EADDRNOTAVAIL: 99,
  ENETDOWN: 100,
  ENETUNREACH: 101,
  ECONNABORTED: 103,
  ECONNRESET: 104,
  ENOBUFS: 105,
  EISCONN: 106,
  ENOTCONN: 107,
  ETIMEDOUT: 110,
  ECONNREFUSED: 111,
  EHOSTDOWN: 112,
  EHOSTUNREACH: 113,
  EALREADY: 114,
  EINPROGRESS: 115,
} as const;

/**
 * mbedTLS error codes the Unix port's `ssl` module raises, negative as
 * mbedTLS returns them. They never collide with an errno (all below -4095).
 */
export const TLS_CODES = {
  /** The peer's certificate chain or name did not verify. */
  MBEDTLS_ERR_X509_CERT_VERIFY_FAILED: -0x2700,
  /** The peer did not speak TLS (for example a plain HTTP server). */
  MBEDTLS_ERR_SSL_INVALID_RECORD: -0x7200,
  /** The handshake failed for another reason (alert, no common cipher, ...). */
  MBEDTLS_ERR_SSL_HANDSHAKE_FAILURE: -0x6c00,
} as const;

/**
 * getaddrinfo(3) error codes (glibc values). The Unix port raises
 * `OSError("[addrinfo error N]")` with them.
 */
export const Eai = {
  /** Name or service not known. */
  EAI_NONAME: -2,
  /** Temporary failure in name resolution (no DNS server reachable). */
  EAI_AGAIN: -3,
  /** Non-recoverable failure in name resolution. */
  EAI_FAIL: -4,
  /** ai_family not supported. */
  EAI_FAMILY: -6,
  /** Service not supported for the socket type. */
  EAI_SERVICE: -8,
  /** Address family for the name not supported / no address. */
  EAI_NODATA: -5,
} as const;

const BY_NODE_CODE: Readonly<Record<string, number>> = {
  ...Errno,
  // Node's names for conditions that have a Linux errno of another name.
  ERR_SOCKET_CONNECTION_TIMEOUT: Errno.ETIMEDOUT,
  ERR_STREAM_DESTROYED: Errno.EPIPE,
  ERR_STREAM_WRITE_AFTER_END: Errno.EPIPE,
  ERR_SOCKET_CLOSED: Errno.EBADF,
  // A name that stops resolving between lookup and connect (a redirect hop).
  ENOTFOUND: Errno.EHOSTUNREACH,
  EAI_AGAIN: Errno.EHOSTUNREACH,
  EAI_FAIL: Errno.EHOSTUNREACH,
  ENODATA: Errno.EHOSTUNREACH,
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

function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Maps an error from node:net, node:tls or node:dns to what Python raises:
 * a positive errno (`OSError(errno)`), or a negative mbedTLS code for a TLS
 * failure (`OSError(code, name)`). Unknown errors become EIO.
 */
export function guestErrorFromNode(err: unknown): number {
  const code = codeOf(err);
  if (code === undefined) return Errno.EIO;
  if (CERT_CODES.has(code)) return TLS_CODES.MBEDTLS_ERR_X509_CERT_VERIFY_FAILED;
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG' || code === 'ERR_SSL_RECORD_LAYER_FAILURE') {
    return TLS_CODES.MBEDTLS_ERR_SSL_INVALID_RECORD;
  }
  if (code === 'EPROTO') return TLS_CODES.MBEDTLS_ERR_SSL_INVALID_RECORD;
  if (code.startsWith('ERR_SSL_') || code === 'ERR_TLS_HANDSHAKE_TIMEOUT') return TLS_CODES.MBEDTLS_ERR_SSL_HANDSHAKE_FAILURE;
  return BY_NODE_CODE[code] ?? Errno.EIO;
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
