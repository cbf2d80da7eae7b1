/**
 * mpy: MicroPython (the official WebAssembly build) for Node.js. This entry
 * is the embedding API: isolated MicroPython instances, each in its own
 * worker thread. The vitest integration is `mpy/vitest`.
 *
 * @example
 * ```ts
 * import { MicroPython } from 'mpy';
 * await using mp = await MicroPython.create({ mounts: { '/app': './src' }, cwd: '/app' });
 * await mp.exec('import x');
 * console.log(await mp.eval('x.f(2, 3)'));
 * ```
 *
 * @module
 */
export { MicroPython, type RunResult, type CallOptions, type ValueOptions, type HandleOptions } from './host/embed/client.js';
export { MicroPythonSync, type MicroPythonSyncOptions } from './host/embed/sync-client.js';
export { PyHandle, type HandleCallOptions } from './host/embed/py-handle.js';
export type { MicroPythonOptions, MountOption, OutputOption } from './host/embed/options.js';
export type { RunFileOptions } from './host/embed/run-options.js';
export type { NetworkOption } from './host/embed/network.js';
export type { PyValue, PyInput } from './host/embed/codec.js';
export { PythonModule } from './host/embed/python-module.js';
export { MicroPythonFs, type MicroPythonStat } from './host/embed/fs-helpers.js';
export { MicroPythonGlobals } from './host/embed/globals.js';
export { MicroPythonTimeoutError, MicroPythonDisposedError, MicroPythonFsError } from './host/embed/errors.js';
export { PythonError, ExitError } from './runtime/errors.js';
