/**
 * Worker side of the build's self-test: instantiates the posted module, runs
 * the posted program and posts back everything it printed (or the error).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { bootCapturing, type CapturingInterpreter } from './self-test-boot.js';

const { module, program } = workerData as { module: WebAssembly.Module; program: string };
let booted: CapturingInterpreter | undefined;
let failure = '';
try {
  booted = await bootCapturing(module);
  booted.interp.exec(program);
} catch (e) {
  failure = `\nerror: ${(e as Error).message}`;
}
parentPort!.postMessage((booted?.output() ?? '') + failure);
