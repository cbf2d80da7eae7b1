/**
 * Worker side of the interrupt self-test (interrupt-support.ts): boots the
 * posted module, posts its interrupt target, runs the program (which posts
 * `looping` from inside its loop) and posts back what it printed.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { adoptInterpreterModule } from '../compiled-module.js';
import { Interpreter } from '../../runtime/interpreter.js';
import type { InterruptTestMessage } from './interrupt-support.js';

const { module, program } = workerData as { module: WebAssembly.Module; program: string };
const port = parentPort!;
const post = (m: InterruptTestMessage): void => port.postMessage(m);
const decoder = new TextDecoder();
let output = '';
try {
  adoptInterpreterModule(module);
  const interp = await Interpreter.create({
    stdio: {
      write: (_fd, bytes) => {
        output += decoder.decode(bytes.slice());
      },
      read: () => 0,
    },
  });
  post({ kind: 'target', target: interp.interruptTarget ?? null });
  interp.registerJsModule('_selftest', { looping: () => post({ kind: 'looping' }) });
  interp.exec(program);
} catch (e) {
  output += `\nerror: ${(e as Error).message}`;
}
post({ kind: 'done', output });
