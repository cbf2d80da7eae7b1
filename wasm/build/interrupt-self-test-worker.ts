/**
 * Worker side of the interrupt self-test (interrupt-support.ts): boots the
 * posted module, posts its interrupt target, runs the program (which posts
 * `looping` from inside its loop) and posts back what it printed.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { InterruptTestMessage } from './interrupt-support.js';
import { bootCapturing, type CapturingInterpreter } from './self-test-boot.js';

const { module, program } = workerData as { module: WebAssembly.Module; program: string };
const port = parentPort!;
const post = (m: InterruptTestMessage): void => port.postMessage(m);
let booted: CapturingInterpreter | undefined;
let failure = '';
try {
  booted = await bootCapturing(module);
  post({ kind: 'target', target: booted.interp.interruptTarget ?? null });
  booted.interp.registerJsModule('_selftest', { looping: () => post({ kind: 'looping' }) });
  booted.interp.exec(program);
} catch (e) {
  failure = `\nerror: ${(e as Error).message}`;
}
post({ kind: 'done', output: (booted?.output() ?? '') + failure });
