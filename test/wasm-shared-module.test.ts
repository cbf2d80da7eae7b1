/**
 * One compiled module per process: a worker that adopts the module its parent
 * shared runs Python without compiling (it could not: its MPY_WASM is invalid,
 * so compiling would throw).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ensureOptimisedWasm } from './helpers/wasm-build.js';
import { ROOT } from './helpers/dist.js';
import { isSharedInterpreterModule, shareInterpreterModule } from '../wasm/shared-module.js';
import { getInterpreterModule, WASM_CHOICE_ENV } from '../wasm/compiled-module.js';

beforeAll(() => ensureOptimisedWasm(), 120_000);

const dist = (rel: string): string => pathToFileURL(join(ROOT, 'dist', rel)).href;

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
(async () => {
  const shared = await import(${JSON.stringify(dist('wasm/shared-module.js'))});
  const compiled = await import(${JSON.stringify(dist('wasm/compiled-module.js'))});
  const { Interpreter } = await import(${JSON.stringify(dist('runtime/interpreter.js'))});
  const { locateInterpreter } = await import(${JSON.stringify(dist('wasm/locate.js'))});
  const adopted = shared.adoptSharedInterpreterModule(workerData.interpreter);
  let located = null;
  try {
    located = locateInterpreter().marker ?? 'unmarked';
  } catch {}
  let out = '';
  try {
    const interp = await Interpreter.create({ stdio: { write: (_fd, b) => { out += Buffer.from(b).toString(); }, read: () => 0 } });
    interp.exec('def f():\\n    raise ValueError("w")\\ntry:\\n    f()\\nexcept ValueError as e:\\n    print("worker", e)\\n');
  } catch (e) {
    out += 'error: ' + e.message;
  }
  let kind = null;
  try {
    kind = compiled.interpreterWasmKind(compiled.getInterpreterModule());
  } catch {}
  parentPort.postMessage({ adopted, out, kind, located });
})();
`;

interface WorkerReport {
  adopted: boolean;
  out: string;
  kind: string | null;
  /** The located package's `marker`: set only on what a parent shared, so it shows the worker did not resolve the package itself. */
  located: string | null;
}

function runWorker(workerData: unknown): Promise<WorkerReport> {
  const worker = new Worker(WORKER, { eval: true, workerData, env: { ...process.env, [WASM_CHOICE_ENV]: 'no-such-choice' } });
  return new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  }).finally(() => worker.terminate()) as Promise<WorkerReport>;
}

describe('sharing the compiled module with workers', () => {
  it('hands out the one module this thread compiled', () => {
    const shared = shareInterpreterModule();
    expect(shared.module).toBe(getInterpreterModule());
    expect(shareInterpreterModule().module).toBe(shared.module);
    expect(isSharedInterpreterModule(shared)).toBe(true);
    expect(isSharedInterpreterModule({ module: {} })).toBe(false);
    expect(isSharedInterpreterModule(undefined)).toBe(false);
  });

  it('a worker adopts the posted module and runs Python without compiling', async () => {
    const r = await runWorker({ interpreter: shareInterpreterModule() });
    expect(r).toEqual({ adopted: true, out: 'worker w\n', kind: 'optimised', located: 'unmarked' });
  }, 60_000);

  it('a worker takes the interpreter package location from its parent instead of resolving it again', async () => {
    const shared = shareInterpreterModule();
    const r = await runWorker({ interpreter: { ...shared, files: { ...shared.files, marker: 'from the parent' } } });
    expect(r).toEqual({ adopted: true, out: 'worker w\n', kind: 'optimised', located: 'from the parent' });
    expect(isSharedInterpreterModule({ ...shared, files: undefined })).toBe(false);
  }, 60_000);

  it('a worker given nothing usable does not adopt (and would have to compile)', async () => {
    const r = await runWorker({ interpreter: 'not a module' });
    expect(r.adopted).toBe(false);
    expect(r.out).toMatch(/MPY_WASM must be/);
  }, 60_000);
});
