/**
 * `struct sockaddr` bytes of an address Node reports (a local or remote end,
 * a datagram's sender), as MicroPython's socket module returns them.
 *
 * @module
 */
import { isIP } from 'node:net';
import { AF_INET, AF_INET6, sockaddrBytes } from './lookup-answer.js';

/** The sockaddr of `address:port`; an IPv4-mapped IPv6 address stays IPv6, as the kernel reports it. */
export function sockaddrOf(address: string | undefined, port: number | undefined): Buffer {
  const text = address ?? '0.0.0.0';
  return sockaddrBytes({ family: isIP(text) === 6 ? AF_INET6 : AF_INET, address: text }, port ?? 0);
}
