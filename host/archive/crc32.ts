/** CRC-32 (the gzip polynomial), native where Node has it. */
import zlib from 'node:zlib';

type Crc32 = (data: Uint8Array, previous: number) => number;

let table: Uint32Array | undefined;

function portableCrc32(data: Uint8Array, previous: number): number {
  if (table === undefined) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let crc = ~previous >>> 0;
  for (let i = 0; i < data.length; i++) crc = table[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return ~crc >>> 0;
}

// zlib.crc32 arrived in Node 20.15; engines allows 20.10.
const native = (zlib as unknown as { crc32?: Crc32 }).crc32;

/** CRC-32 of `data`, continuing from `previous` (0 to start). */
export const crc32: Crc32 = typeof native === 'function' ? (d, p) => native(d, p) >>> 0 : portableCrc32;
