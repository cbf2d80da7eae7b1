/**
 * A minimal tar + gzip writer for test fixtures, able to write the hostile
 * members (links, devices, absolute paths) a real packaging tool never would.
 */
import zlib from 'node:zlib';

/** One member to write. */
export interface FixtureMember {
  name: string;
  /** File contents (string as UTF-8). Default empty. */
  data?: string | Uint8Array;
  /** Tar typeflag: '0' file (default), '1' hardlink, '2' symlink, '3' char, '4' block, '5' dir, '6' fifo. */
  type?: string;
  linkname?: string;
  /** Declared size when it must differ from the data (oversize tricks). */
  size?: number;
}

const enc = new TextEncoder();

function field(block: Buffer, offset: number, length: number, value: string): void {
  block.write(value, offset, Math.min(length, Buffer.byteLength(value)), 'utf-8');
}

function octal(block: Buffer, offset: number, length: number, value: number): void {
  field(block, offset, length, `${value.toString(8).padStart(length - 1, '0')}\0`);
}

function header(name: string, type: string, size: number, linkname = ''): Buffer {
  const block = Buffer.alloc(512);
  field(block, 0, 100, name);
  octal(block, 100, 8, type === '5' ? 0o755 : 0o644);
  octal(block, 108, 8, 0);
  octal(block, 116, 8, 0);
  octal(block, 124, 12, size);
  octal(block, 136, 12, 1_700_000_000);
  block.fill(0x20, 148, 156);
  field(block, 156, 1, type);
  field(block, 157, 100, linkname);
  field(block, 257, 6, 'ustar\0');
  field(block, 263, 2, '00');
  let sum = 0;
  for (const b of block) sum += b;
  field(block, 148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  return block;
}

function pad(data: Uint8Array): Buffer {
  const rest = data.length % 512;
  return Buffer.concat([Buffer.from(data), Buffer.alloc(rest ? 512 - rest : 0)]);
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let len = body.length + 1;
  while (`${len}${body}`.length !== len) len = `${len}${body}`.length;
  return `${len}${body}`;
}

/** Writes an uncompressed tar. Names over 100 bytes get a pax `path` record. */
export function tarBytes(members: FixtureMember[], opts: { endMarker?: boolean } = {}): Buffer {
  const parts: Buffer[] = [];
  for (const m of members) {
    const data = typeof m.data === 'string' ? enc.encode(m.data) : (m.data ?? new Uint8Array());
    const type = m.type ?? '0';
    let name = m.name;
    if (Buffer.byteLength(name) > 100) {
      const pax = enc.encode(paxRecord('path', name));
      parts.push(header('PaxHeader/long', 'x', pax.length), pad(pax));
      name = name.slice(0, 99);
    }
    parts.push(header(name, type, m.size ?? data.length, m.linkname ?? ''), pad(data));
  }
  if (opts.endMarker !== false) parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

/** gzip of {@link tarBytes}, with the 4 KiB window MicroPython packages use. */
export function tarGz(members: FixtureMember[]): Buffer {
  return zlib.gzipSync(tarBytes(members), { windowBits: 12, level: 9 });
}

/** A well-formed distribution package `NAME-VERSION.tar.gz`. */
export interface DistSpec {
  name: string;
  version: string;
  /** Module files relative to the package root, e.g. `{'foo.py': 'x = 1'}`. */
  files?: Record<string, string>;
  /** Dependency lines for requires.txt. */
  requires?: string[];
  summary?: string;
}

/** Builds the members of a distribution package as the sdist writer lays them out. */
export function distMembers(spec: DistSpec): FixtureMember[] {
  const top = `${spec.name}-${spec.version}`;
  const files = spec.files ?? { [`${spec.name.replace(/-/g, '_')}.py`]: `VERSION = ${JSON.stringify(spec.version)}\n` };
  const pkgInfo = `Metadata-Version: 1.0\nName: ${spec.name}\nVersion: ${spec.version}\nSummary: ${spec.summary ?? `the ${spec.name} package`}\n`;
  const members: FixtureMember[] = [
    { name: `${top}/`, type: '5' },
    { name: `${top}/PKG-INFO`, data: pkgInfo },
    { name: `${top}/setup.py`, data: 'raise SystemExit("not for upip")\n' },
    { name: `${top}/README.md`, data: `# ${spec.name}\n` },
    { name: `${top}/${spec.name}.egg-info/PKG-INFO`, data: pkgInfo },
  ];
  if (spec.requires?.length) members.push({ name: `${top}/${spec.name}.egg-info/requires.txt`, data: `${spec.requires.join('\n')}\n` });
  for (const [path, data] of Object.entries(files)) members.push({ name: `${top}/${path}`, data });
  return members;
}

/** A well-formed distribution package as gzip bytes. */
export function distTarGz(spec: DistSpec): Buffer {
  return tarGz(distMembers(spec));
}
