import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { install, InstallError, UnpackPool, type InstallOptions } from '../../host/install/index.js';
import { ensureDist } from '../helpers/dist.js';
import { deadUrl, fakeIndex, type FakeIndex } from '../helpers/fake-index.js';
import { removeDir, snapshot, tempDir } from '../helpers/fixture-dir.js';
import { distMembers, distTarGz, tarGz, type FixtureMember } from '../helpers/tar-fixture.js';

let pool: UnpackPool;
let root: string;

beforeAll(() => {
  ensureDist(['host'], ['dist/host/install/unpack-worker.js']);
  pool = new UnpackPool({ maxThreads: 2 });
  root = tempDir('mpy-hostile-');
});
afterAll(async () => {
  await pool?.close();
  removeDir(root);
});

/** A target that already holds an earlier install, including a file the new install would replace. */
function populatedTarget(): string {
  const t = join(mkdtempSync(join(root, 'target-')), 'lib');
  mkdirSync(join(t, 'old'), { recursive: true });
  writeFileSync(join(t, 'old', '__init__.py'), 'OLD = 1\n');
  writeFileSync(join(t, 'good.py'), 'previous good\n');
  writeFileSync(join(t, 'evil.py'), 'previous evil\n');
  return t;
}

async function expectRefused(
  index: string,
  requirements: string[],
  code: string,
  more: Partial<InstallOptions> = {},
): Promise<InstallError> {
  const t = populatedTarget();
  const before = snapshot(t);
  const err = await install({ requirements, indexes: [index], target: t, noCache: true, pool, ...more }).catch((e: unknown) => e);
  expect(err, String(err)).toBeInstanceOf(InstallError);
  expect((err as InstallError).code, (err as Error).message).toBe(code);
  expect(snapshot(t)).toEqual(before);
  const siblings = snapshot(join(t, '..'));
  expect(Object.keys(siblings).filter((k) => k.includes('.mpy-'))).toEqual([]);
  return err as InstallError;
}

const good = (requires: string[] = []): Buffer => distTarGz({ name: 'good', version: '1.0', files: { 'good.py': 'GOOD = 1\n' }, requires });

function hostile(extra: FixtureMember[]): Buffer {
  return tarGz([...distMembers({ name: 'evil', version: '1.0', files: { 'evil.py': 'EVIL = 1\n' } }), ...extra]);
}

const bombTar = (): Buffer => {
  const members = distMembers({ name: 'evil', version: '1.0' });
  members.push({ name: 'evil-1.0/zeros.bin', data: new Uint8Array(12 * 1024 * 1024) });
  return zlib.gzipSync(Buffer.concat([Buffer.from(tarGzRaw(members))]), { level: 9 });
};
function tarGzRaw(members: FixtureMember[]): Buffer {
  return zlib.gunzipSync(tarGz(members));
}

const corpus: Array<[string, () => Buffer, string, RegExp]> = [
  ['absolute path', () => hostile([{ name: '/tmp/mpy-evil.py', data: 'x' }]), 'bad-archive', /absolute path/],
  ['.. component', () => hostile([{ name: 'evil-1.0/../../escape.py', data: 'x' }]), 'bad-archive', /"\.\." in path/],
  [
    'symlink',
    () => hostile([{ name: 'evil-1.0/link.py', type: '2', linkname: '/etc/passwd' }]),
    'bad-archive',
    /symlink to "\/etc\/passwd"/,
  ],
  ['hardlink', () => hostile([{ name: 'evil-1.0/hard.py', type: '1', linkname: 'evil-1.0/evil.py' }]), 'bad-archive', /hardlink/],
  ['character device', () => hostile([{ name: 'evil-1.0/tty', type: '3' }]), 'bad-archive', /char-device/],
  ['fifo', () => hostile([{ name: 'evil-1.0/pipe', type: '6' }]), 'bad-archive', /fifo/],
  ['gzip bomb', bombTar, 'bad-archive', /gzip bomb/],
  ['oversized member', () => hostile([{ name: 'evil-1.0/big.bin', data: new Uint8Array(40_000).fill(7) }]), 'bad-archive', /member limit/],
  ['truncated gzip', () => hostile([]).subarray(0, 300), 'bad-archive', /ends early|truncated|trailer/],
  [
    'corrupt gzip',
    () => {
      const b = Buffer.from(hostile([]));
      b.fill(0x55, 20, 60);
      return b;
    },
    'bad-archive',
    /damaged|CRC|ends early/,
  ],
  ['not gzip at all', () => Buffer.from('<html>login</html>'), 'bad-archive', /not gzip/],
  ['block device', () => hostile([{ name: 'evil-1.0/disk', type: '4' }]), 'bad-archive', /block-device/],
  ['bytes after the gzip stream', () => Buffer.concat([hostile([]), Buffer.from('<script>')]), 'bad-archive', /damaged|ends early|trailer/],
  [
    'zeros, then bytes, after the gzip stream',
    () => Buffer.concat([hostile([]), Buffer.alloc(32), Buffer.from([1])]),
    'bad-archive',
    /damaged|ends early|trailer/,
  ],
];

describe('hostile archives are refused and the target is untouched', () => {
  let index: FakeIndex;
  beforeAll(async () => {
    const releases = corpus.map(([label, bytes]) => ({ name: `evil-${label.replace(/\W+/g, '-')}`, version: '1.0', bytes: bytes() }));
    releases.push({ name: 'good', version: '1.0', bytes: good() });
    for (const r of corpus)
      releases.push({ name: `good-then-${r[0].replace(/\W+/g, '-')}`, version: '1.0', bytes: good([`evil-${r[0].replace(/\W+/g, '-')}`]) });
    index = await fakeIndex(releases);
  });
  afterAll(() => index?.close());

  it.each(corpus)('%s', async (label, _bytes, code, message) => {
    const name = `evil-${label.replace(/\W+/g, '-')}`;
    const err = await expectRefused(index.index, ['good', name], code, { limits: { maxMemberBytes: 32 * 1024 } });
    expect(err.message).toMatch(message);
    expect(err.message).toContain(`${name}-1.0.tar.gz`);
    // The same archive as a dependency, one wave later, after good's files were staged.
    await expectRefused(index.index, [`good-then-${label.replace(/\W+/g, '-')}`], code, { limits: { maxMemberBytes: 32 * 1024 } });
  });
});

describe('gzip framing that gzip(1) and CPython accept installs', () => {
  it('zero padding after the last member, and a second member', async () => {
    const padded = Buffer.concat([good(), Buffer.alloc(4096)]);
    const tar = zlib.gunzipSync(good());
    const split = Buffer.concat([zlib.gzipSync(tar.subarray(0, 1024)), zlib.gzipSync(tar.subarray(1024))]);
    const index = await fakeIndex([
      { name: 'padded', version: '1.0', bytes: padded },
      { name: 'split', version: '1.0', bytes: split },
    ]);
    try {
      for (const name of ['padded', 'split']) {
        const t = join(tempDir('mpy-gz-ok-'), 'lib');
        const result = await install({ requirements: [name], indexes: [index.index], target: t, noCache: true, pool });
        expect(result.packages[0]!.files).toContain('good.py');
        removeDir(join(t, '..'));
      }
    } finally {
      await index.close();
    }
  });
});

describe('index and transfer failures', () => {
  it('digest mismatch: expected vs got', async () => {
    const index = await fakeIndex([{ name: 'evil', version: '1.0', bytes: good(), sha256: 'ab'.repeat(32) }]);
    try {
      const err = await expectRefused(index.index, ['evil'], 'digest-mismatch');
      expect(err.message).toContain(`the index says ${'ab'.repeat(32)}`);
      expect(err.message).toMatch(/the download is [0-9a-f]{64}/);
    } finally {
      await index.close();
    }
  });

  it('unreachable index: the URL and the OS error', async () => {
    const url = await deadUrl();
    const err = await expectRefused(url, ['good'], 'index-unreachable');
    expect(err.message).toContain(url);
    expect(err.message).toContain('ECONNREFUSED');
  });

  it('HTTP 500 stops the install (no fall-through to the next index)', async () => {
    const broken = await fakeIndex([], (_path, res) => {
      res.writeHead(500).end('database on fire');
      return true;
    });
    const fine = await fakeIndex([{ name: 'good', version: '1.0', bytes: good() }]);
    try {
      const t = populatedTarget();
      const before = snapshot(t);
      const err = (await install({ requirements: ['good'], indexes: [broken.index, fine.index], target: t, noCache: true, pool }).catch(
        (e: unknown) => e,
      )) as InstallError;
      expect(err.code).toBe('index-error');
      expect(err.message).toMatch(/HTTP 500: database on fire/);
      expect(snapshot(t)).toEqual(before);
      expect(fine.requests).toEqual([]);
    } finally {
      await broken.close();
      await fine.close();
    }
  });

  it('invalid JSON', async () => {
    const index = await fakeIndex([], (_path, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"info": ');
      return true;
    });
    try {
      const err = await expectRefused(index.index, ['good'], 'index-error');
      expect(err.message).toMatch(/did not answer valid package JSON/);
    } finally {
      await index.close();
    }
  });

  it('an archive URL that is not http(s)', async () => {
    const index = await fakeIndex([], (_path, res) => {
      res.end(JSON.stringify({ info: { version: '1.0' }, releases: { '1.0': [{ url: 'file:///etc/passwd', packagetype: 'sdist' }] } }));
      return true;
    });
    try {
      const err = await expectRefused(index.index, ['good'], 'index-error');
      expect(err.message).toContain('not an http(s) URL');
    } finally {
      await index.close();
    }
  });

  it.each([
    ['a file entry that is not an object', [null, 7, 'x']],
    ['a file name that is not valid percent-encoding', [{ url: 'http://127.0.0.1:9/x/%E0%A4%A.tar.gz', packagetype: 'sdist' }]],
  ])('%s is an index error', async (_what, files) => {
    const index = await fakeIndex([], (_path, res) => {
      res.end(JSON.stringify({ info: { name: 'good', version: '1.0' }, releases: { '1.0': files }, urls: files }));
      return true;
    });
    try {
      const err = await expectRefused(index.index, ['good'], 'index-error');
      expect(err.message).toMatch(/release 1\.0 of good/);
    } finally {
      await index.close();
    }
  });

  it('an archive URL that 404s', async () => {
    const index = await fakeIndex([{ name: 'good', version: '1.0', bytes: good() }], (path, res) => {
      if (!path.startsWith('/files/')) return false;
      res.writeHead(404).end();
      return true;
    });
    try {
      await expectRefused(index.index, ['good'], 'download-failed');
    } finally {
      await index.close();
    }
  });

  it('an archive served with Content-Encoding: gzip installs: the digest is over the bytes as sent', async () => {
    const bytes = good();
    const index = await fakeIndex([{ name: 'good', version: '1.0', bytes }], (path, res) => {
      if (!path.startsWith('/files/')) return false;
      res
        .writeHead(200, { 'content-type': 'application/x-tar', 'content-encoding': 'gzip', 'content-length': bytes.length })
        .end(Buffer.from(bytes));
      return true;
    });
    try {
      const t = tempDir('mpy-ce-');
      const result = await install({ requirements: ['good'], indexes: [index.index], target: t, noCache: true, pool });
      expect(result.packages.map((p) => [p.name, p.verified])).toEqual([['good', true]]);
      removeDir(t);
    } finally {
      await index.close();
    }
  });

  it('a connection cut mid-body', async () => {
    const server = createServer((req, res) => {
      if (req.url!.endsWith('/json')) {
        const { port } = server.address() as AddressInfo;
        return void res.end(
          JSON.stringify({ info: { version: '1.0' }, releases: { '1.0': [{ url: `http://127.0.0.1:${port}/files/good-1.0.tar.gz` }] } }),
        );
      }
      res.writeHead(200, { 'content-length': 100_000 });
      res.flushHeaders();
      res.write(Buffer.alloc(1000), () => res.destroy());
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    try {
      const err = await expectRefused(`http://127.0.0.1:${(server.address() as AddressInfo).port}/pypi`, ['good'], 'download-failed');
      expect(err.message).toMatch(/broke off/);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((ok) => server.close(() => ok()));
    }
  });
});

describe('commit', () => {
  let index: FakeIndex;
  beforeAll(async () => {
    index = await fakeIndex([
      { name: 'good', version: '1.0', bytes: good() },
      { name: 'evil', version: '1.0', bytes: hostile([]) },
      { name: 'pkgdir', version: '1.0', bytes: distTarGz({ name: 'pkgdir', version: '1.0', files: { 'good.py/inner.py': 'x' } }) },
      { name: 'clash', version: '1.0', bytes: distTarGz({ name: 'clash', version: '1.0', files: { 'good.py': 'other\n' } }) },
      {
        name: 'broken-syntax',
        version: '1.0',
        bytes: distTarGz({ name: 'broken-syntax', version: '1.0', files: { 'broken.py': 'x = 1\ndef f(:\n' } }),
      },
    ]);
  });
  afterAll(() => index?.close());

  it('rolls back every step when the commit fails part-way', async () => {
    let steps = 0;
    const err = await expectRefused(index.index, ['good', 'evil'], 'io-error', {
      onEvent: (e) => {
        if (e.type === 'commit' && ++steps === 2) throw new InstallError('io-error', 'disk unplugged', 'plug it back');
      },
    });
    expect(err.message).toBe('disk unplugged');
    expect(steps).toBe(2);
  });

  it('refuses a directory where the target has a file, and the reverse', async () => {
    await expectRefused(index.index, ['pkgdir'], 'file-conflict'); // needs good.py/ as a directory
    const t = join(mkdtempSync(join(root, 'target-')), 'lib');
    mkdirSync(join(t, 'good.py'), { recursive: true });
    writeFileSync(join(t, 'good.py', 'x'), 'x');
    const before = snapshot(t);
    const err = (await install({ requirements: ['good'], indexes: [index.index], target: t, noCache: true, pool }).catch(
      (e: unknown) => e,
    )) as InstallError;
    expect(err.code).toBe('file-conflict');
    expect(err.message).toContain(`${join(t, 'good.py')}: there is a directory there`);
    expect(snapshot(t)).toEqual(before);
  });

  it('refuses two packages writing the same file differently', async () => {
    const err = await expectRefused(index.index, ['good', 'clash'], 'file-conflict');
    expect(err.message).toMatch(/good 1.0 and clash 1.0 both install good.py/);
  });

  it('creates a missing target, and on failure leaves no trace of it', async () => {
    const parent = join(mkdtempSync(join(root, 'fresh-')), 'a', 'b');
    const t = join(parent, 'lib');
    const err = (await install({
      requirements: ['good', 'broken-syntax'],
      indexes: [index.index],
      target: t,
      noCache: true,
      pool,
      compile: true,
    }).catch((e: unknown) => e)) as InstallError;
    expect(err.code).toBe('compile-failed');
    expect(err.message).toMatch(/broken\.py:2/);
    expect(snapshot(join(parent, '..', '..'))).toEqual({});
    await install({ requirements: ['good'], indexes: [index.index], target: t, noCache: true, pool });
    expect(Object.keys(snapshot(t))).toEqual(['.mpy-installed.json', 'good.py']);
  });
});
