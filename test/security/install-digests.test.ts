/**
 * Digests: an archive the index gives no sha256 for is installed with a
 * warning in human output (and `verified: false` in JSON);
 * `--require-hashes` (pip's hash-checking mode) refuses any requirement
 * without a digest of the caller's, leaving the target untouched; a digest
 * the caller gives verifies an archive the index gives none for, and must
 * match.
 */
import { createHash } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkDigests, install, InstallError, type ResolvedRelease } from '../../host/install/index.js';
import { runMpy } from '../helpers/cli.js';
import { fakeIndex, type FakeIndex } from '../helpers/fake-index.js';
import { removeDir, tempDir } from '../helpers/fixture-dir.js';
import { distTarGz } from '../helpers/tar-fixture.js';

/** Runs the `mpy` command with `env` merged over the test's. */
const mpy = (args: string[], env: NodeJS.ProcessEnv = {}): ReturnType<typeof runMpy> => runMpy(args, { env });

let root: string;
let index: FakeIndex;

beforeAll(async () => {
  root = tempDir('mpy-digests-');
  index = await fakeIndex([
    { name: 'nodigest', version: '1.0', bytes: distTarGz({ name: 'nodigest', version: '1.0' }), sha256: null },
    { name: 'digested', version: '1.0', bytes: distTarGz({ name: 'digested', version: '1.0' }) },
  ]);
});

afterAll(async () => {
  await index.close();
  removeDir(root);
});

describe('mpy install and missing digests', () => {
  it('installs an archive without a digest, with a warning naming it', async () => {
    const target = join(root, 'warned');
    const r = await mpy(['install', '-i', index.index, '-p', target, '--no-cache', 'nodigest']);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain(
      `mpy install: warning: nodigest 1.0 (${index.index.replace('/pypi', '')}/files/nodigest-1.0.tar.gz): the index gives no sha256 digest; installed unverified (--require-hashes refuses this)\n`,
    );
    expect(existsSync(join(target, 'nodigest.py'))).toBe(true);
  });

  it('no warning for an archive whose digest was checked', async () => {
    const r = await mpy(['install', '-i', index.index, '-p', join(root, 'quiet'), '--no-cache', 'digested']);
    expect(r.status).toBe(0);
    expect(r.stderr).not.toContain('warning');
  });

  it('--json reports verified:false and prints no warning text', async () => {
    const r = await mpy(['install', '-i', index.index, '-p', join(root, 'json'), '--no-cache', '--json', 'nodigest']);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect((JSON.parse(r.stdout) as { packages: Array<{ verified: boolean }> }).packages[0]!.verified).toBe(false);
  });

  it("--require-hashes (pip's hash-checking mode) refuses a requirement without a --hash: status 1, nothing installed", async () => {
    const target = join(root, 'strict');
    const r = await mpy(['install', '-i', index.index, '-p', target, '--no-cache', '--require-hashes', 'nodigest==1.0']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(
      'mpy install: error: in hash-checking mode every requirement needs --hash=sha256:…; these have none: nodigest==1.0\n',
    );
    expect(existsSync(target)).toBe(false);
    const json = await mpy(['install', '-i', index.index, '-p', target, '--no-cache', '--require-hashes', '--json', 'nodigest==1.0']);
    expect((JSON.parse(json.stdout) as { error: { code: string } }).error.code).toBe('missing-hash');
  });

  it("in hash-checking mode the caller's digest verifies an archive the index gives none for; a wrong one is refused", async () => {
    const sha = createHash('sha256')
      .update(distTarGz({ name: 'nodigest', version: '1.0' }))
      .digest('hex');
    const good = join(root, 'locked.txt');
    writeFileSync(good, `nodigest==1.0 --hash=sha256:${sha}\n`);
    const ok = await mpy(['install', '-i', index.index, '-p', join(root, 'strict-ok'), '--no-cache', '--json', '-r', good]);
    expect(ok.status).toBe(0);
    expect((JSON.parse(ok.stdout) as { packages: Array<{ verified: boolean }> }).packages[0]!.verified).toBe(true);
    const bad = join(root, 'tampered.txt');
    writeFileSync(bad, `nodigest==1.0 --hash=sha256:${'ab'.repeat(32)}\n`);
    const target = join(root, 'strict-bad');
    const refused = await mpy(['install', '-i', index.index, '-p', target, '--no-cache', '-r', bad]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('sha256');
    expect(existsSync(target)).toBe(false);
  });

  it('the API: requireHashes rejects an unhashed requirement with InstallError missing-hash', async () => {
    const err = await install({
      requirements: ['nodigest==1.0'],
      indexes: [index.index],
      target: join(root, 'api'),
      noCache: true,
      requireHashes: true,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InstallError);
    expect((err as InstallError).code).toBe('missing-hash');
    expect(existsSync(join(root, 'api'))).toBe(false);
  });
});

describe('checkDigests (the check a requirement line with --hash= uses)', () => {
  const release: ResolvedRelease = {
    name: 'p',
    key: 'p',
    version: '1',
    url: 'http://127.0.0.1:1/p-1.tar.gz',
    filename: 'p-1.tar.gz',
    sha256: undefined,
    size: undefined,
    index: 'i',
  };
  const sha = 'ab'.repeat(32);
  it('a matching expected digest verifies even without the index digest', () => {
    expect(checkDigests(release, sha, { required: true, expected: ['00'.repeat(32), sha.toUpperCase()] })).toBe('verified');
  });
  it('a digest that matches none of the expected ones is digest-mismatch naming both', () => {
    let caught: unknown;
    try {
      checkDigests({ ...release, sha256: sha }, sha, { required: false, expected: ['cd'.repeat(32)] });
    } catch (e) {
      caught = e;
    }
    expect((caught as InstallError).code).toBe('digest-mismatch');
    expect((caught as Error).message).toContain(`expected ${'cd'.repeat(32)}, the download is ${sha}`);
  });
  it('no digest at all: unverified, or digest-missing when required', () => {
    expect(checkDigests(release, sha, { required: false })).toBe('unverified');
    expect(() => checkDigests(release, sha, { required: true })).toThrow(/hashes are required/);
  });
});
