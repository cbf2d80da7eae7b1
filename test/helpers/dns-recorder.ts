/**
 * A DNS server on 127.0.0.1 (UDP) that records every question it is asked
 * and answers A queries for the names it is given, NXDOMAIN otherwise: a
 * resolver the test controls, to observe which names a program's lookups
 * send (run the network worker with `MPY_NET_DNS=127.0.0.1:PORT`).
 */
import { createSocket } from 'node:dgram';

/** A running recorder. */
export interface DnsRecorder {
  /** The UDP port on 127.0.0.1. */
  readonly port: number;
  /** Names asked so far, lower-case, in order (one entry per question). */
  readonly asked: string[];
  close(): Promise<void>;
}

function readName(msg: Buffer, offset: number): [string, number] {
  const labels: string[] = [];
  let at = offset;
  while (at < msg.length && msg[at]! !== 0) {
    const len = msg[at]!;
    labels.push(msg.subarray(at + 1, at + 1 + len).toString('latin1'));
    at += 1 + len;
  }
  return [labels.join('.').toLowerCase(), at + 1];
}

/**
 * Starts a recorder.
 * @param answers name → IPv4 address for A queries
 */
export function dnsRecorder(answers: Record<string, string>): Promise<DnsRecorder> {
  const asked: string[] = [];
  const socket = createSocket('udp4');
  socket.on('message', (msg, peer) => {
    if (msg.length < 12) return;
    const [name, end] = readName(msg, 12);
    const qtype = msg.readUInt16BE(end);
    asked.push(name);
    const question = msg.subarray(12, end + 4);
    const address = answers[name];
    const answer = address !== undefined && qtype === 1;
    const head = Buffer.alloc(12);
    msg.copy(head, 0, 0, 2);
    head.writeUInt16BE(0x8180 | (address === undefined ? 3 : 0), 2);
    head.writeUInt16BE(1, 4);
    head.writeUInt16BE(answer ? 1 : 0, 6);
    const parts = [head, question];
    if (answer) {
      const rr = Buffer.alloc(16);
      rr.writeUInt16BE(0xc00c, 0);
      rr.writeUInt16BE(1, 2);
      rr.writeUInt16BE(1, 4);
      rr.writeUInt32BE(60, 6);
      rr.writeUInt16BE(4, 10);
      const octets = address.split('.');
      for (let i = 0; i < 4; i++) rr[12 + i] = Number(octets[i]);
      parts.push(rr);
    }
    socket.send(Buffer.concat(parts), peer.port, peer.address);
  });
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => {
      resolve({
        port: socket.address().port,
        asked,
        close: () => new Promise((done) => socket.close(() => done())),
      });
    });
  });
}
