/**
 * Worker side of the build's self-test: instantiates the posted module, runs
 * the posted program and posts back everything it printed (or the error).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { adoptInterpreterModule } from '../compiled-module.js';
import { Interpreter } from '../../runtime/interpreter.js';

const { module, program } = workerData as { module: WebAssembly.Module; program: string };
const decoder = new TextDecoder();
let output = '';
try {
  adoptInterpreterModule(module);
  const interp = await Interpreter.create({
    stdio: {
      write: (_fd, bytes) => {
        output += decoder.decode(bytes);
      },
      read: () => 0,
    },
  });
  interp.exec(program);
} catch (e) {
  output += `\nerror: ${(e as Error).message}`;
}
parentPort!.postMessage(output);
