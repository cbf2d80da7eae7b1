/**
 * Child-process entry of test discovery (see discovery.ts): reads a
 * DiscoveryRequest on stdin, writes DiscoveredFile[] as JSON on stdout.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { mapLimited } from '../../base/limiter.js';
import { MicroPython } from '../embed/client.js';
import { PythonError } from '../../runtime/errors.js';
import type { DiscoveredFile, DiscoveredTest, DiscoveryRequest } from './discovery.js';
import { stripRunnerFrames } from './failure.js';

/** Instances listing at the same time. */
const PARALLEL = 4;

type Row = [string | null, string, string | null, boolean];

/** The files of every module loaded so far (frozen ones included; the caller keeps those a mount shows). */
const LOADED_FILES = "[f for f in (getattr(m, '__file__', None) for m in __import__('sys').modules.values()) if isinstance(f, str)]";

async function list(file: DiscoveryRequest['files'][number]): Promise<DiscoveredFile> {
  let mp: MicroPython | undefined;
  try {
    mp = await MicroPython.create({ ...file.options, stdout: 'ignore', stderr: 'ignore' });
    const rows = await mp.call<Row[]>('unittest._mpy_runner.list_tests', file.guestDir, file.moduleName);
    const tests: DiscoveredTest[] = rows.map(([cls, name, skip, xfail]) => ({ cls, name, skip, xfail }));
    const modules = await mp.eval<string[]>(LOADED_FILES);
    return { tests, importError: null, modules };
  } catch (e) {
    if (e instanceof PythonError)
      return { tests: [], importError: { type: e.type, traceback: stripRunnerFrames(e.traceback) }, modules: [] };
    const err = e as Error;
    return { tests: [], importError: { type: err.name, traceback: `${err.name}: ${err.message}` }, modules: [] };
  } finally {
    await mp?.dispose();
  }
}

const request = JSON.parse(readFileSync(0, 'utf8')) as DiscoveryRequest;
const results = await mapLimited(request.files, PARALLEL, list);
process.stdout.write(JSON.stringify(results));
