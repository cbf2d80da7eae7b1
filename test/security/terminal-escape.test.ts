/**
 * Untrusted strings on the terminal: names, versions and messages that an
 * index, an archive or a file name carries reach the human-readable output
 * of `mpy install` and `mpy index build` with their control characters
 * shown as escapes, so they cannot redraw, erase or fake lines; `--json`
 * keeps the raw values.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forTerminal } from '../../host/terminal-text.js';
import { exited, runMpy, mpyUntilFirstLine } from '../helpers/cli.js';
import { fakeIndex, type FakeIndex } from '../helpers/fake-index.js';
import { removeDir, tempDir } from '../helpers/fixture-dir.js';
import { distTarGz } from '../helpers/tar-fixture.js';

/** Runs the `mpy` command with `env` merged over the test's. */
const mpy = (args: string[], env: NodeJS.ProcessEnv = {}): ReturnType<typeof runMpy> => runMpy(args, { env });

const SPOOF_NAME = 'good\x1b[2K\r\x1b]0;owned\x07installed 0 packages\n';
const SPOOF_VERSION = '1.0\x9b31m\u202e';

let root: string;
let index: FakeIndex;

/** No byte a terminal acts on: C0 controls but the newlines that end lines, DEL, C1, bidi overrides. */
function expectInert(text: string): void {
  const lines = text.split('\n');
  for (const line of lines) expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
}

beforeAll(async () => {
  root = tempDir('mpy-term-');
  const archive = distTarGz({ name: 'good', version: '1.0' });
  index = await fakeIndex([], (path, res) => {
    const base = `http://${res.req.headers.host}`;
    if (path === '/pypi/good/json') {
      const file = {
        url: `${base}/files/good-1.0.tar.gz`,
        filename: 'good-1.0.tar.gz',
        packagetype: 'sdist',
        digests: { sha256: createHash('sha256').update(archive).digest('hex') },
      };
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ info: { name: SPOOF_NAME, version: SPOOF_VERSION }, releases: { [SPOOF_VERSION]: [file] } }));
      return true;
    }
    if (path === '/files/good-1.0.tar.gz') {
      res.writeHead(200).end(archive);
      return true;
    }
    if (path === '/pypi/broken/json') {
      res.writeHead(500).end('\x1b[1A\x1b[2K\rmpy install: installed 1 package\x1b[8m');
      return true;
    }
    return false;
  });
});

afterAll(async () => {
  await index.close();
  removeDir(root);
});

describe('forTerminal', () => {
  it('shows controls as escapes and leaves other text alone', () => {
    expect(forTerminal('a\x1b[31mb\r\n\t\x00\x7f\x9b\u202ez é ✓')).toBe('a\\x1b[31mb\\r\\n\\t\\x00\\x7f\\x9b\\u202ez é ✓');
  });
});

describe('mpy install', () => {
  it('escapes a name and version from the index in the progress lines and the summary', async () => {
    const r = await mpy(['install', '-i', index.index, '-p', join(root, 'lib1'), '--no-cache', 'good']);
    expect(r.stderr).toMatch(/^good\\x1b\[2K\\r\\x1b\]0;owned\\x07installed 0 packages\\n 1\.0\\x9b31m\\u202e \d+ B\n$/);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(': good\\x1b[2K\\r\\x1b]0;owned\\x07installed 0 packages\\n 1.0\\x9b31m\\u202e\n');
    expectInert(r.stdout);
    expectInert(r.stderr);
  });

  it('--json keeps the raw values', async () => {
    const r = await mpy(['install', '-i', index.index, '-p', join(root, 'lib2'), '--no-cache', '--json', 'good']);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { packages: Array<{ name: string; version: string }> };
    expect(out.packages[0]).toMatchObject({ name: SPOOF_NAME, version: SPOOF_VERSION });
  });

  it("escapes an error answer's body quoted in the message", async () => {
    const r = await mpy(['install', '-i', index.index, '-p', join(root, 'lib3'), '--no-cache', 'broken']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('answered HTTP 500: \\x1b[1A\\x1b[2K\\rmpy install: installed 1 package\\x1b[8m\n');
    expectInert(r.stderr);
  });
});

describe('mpy index build', () => {
  it('escapes a hostile archive file name in its problem report', async () => {
    const dir = join(root, 'dists');
    mkdirSync(dir);
    writeFileSync(join(dir, 'evil\x1b[2J\r-1.0.tar.gz'), 'not gzip');
    writeFileSync(join(dir, 'good-1.0.tar.gz'), distTarGz({ name: 'good', version: '1.0' }));
    const r = await mpy(['index', 'build', dir, '-o', join(root, 'site'), '--base-url', 'http://127.0.0.1:1/']);
    expect(r.stderr).toContain('mpy index: evil\\x1b[2J\\r-1.0.tar.gz: ');
    expectInert(r.stderr);
    expectInert(r.stdout);
  });
});

describe('mpy serve', () => {
  it('escapes a hostile file name in the warning that it skips it', async () => {
    const dir = join(root, 'served');
    mkdirSync(dir);
    writeFileSync(join(dir, 'evil\x1b[2J\r-1.0.tar.gz'), 'not gzip');
    const serve = await mpyUntilFirstLine(['serve', dir, '--port', '0']);
    try {
      serve.child.kill('SIGTERM');
      await exited(serve.child);
      expect(serve.output.stderr).toContain('mpy serve: skipped evil\\x1b[2J\\r-1.0.tar.gz');
      expectInert(serve.output.stderr);
      expectInert(serve.output.stdout);
    } finally {
      serve.child.kill('SIGKILL');
    }
  });
});
