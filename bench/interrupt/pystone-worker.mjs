// Worker body of the pystone figure in bench/interrupt.bench.mjs: one
// interpreter on the shipped optimised wasm, its memory shared (as shipped)
// or not (the reference), runs pystone's Proc0(loops) and posts the ms taken.
// workerData: { shared: boolean, source: string, loops: number, rounds: number }
import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';

const DIST = new URL('../../dist/', import.meta.url);
const { shared, source, loops, rounds } = workerData;
const { findOptimisedWasm } = await import(new URL('wasm/optimised-wasm.js', DIST).href);
const { setMemoryShared } = await import(new URL('wasm/build/shared-memory.js', DIST).href);
const { adoptInterpreterModule } = await import(new URL('wasm/compiled-module.js', DIST).href);
const { Interpreter } = await import(new URL('runtime/interpreter.js', DIST).href);
adoptInterpreterModule(new WebAssembly.Module(setMemoryShared(readFileSync(findOptimisedWasm().path), shared)));
const interp = await Interpreter.create({ heapBytes: 4 * 1024 * 1024, stdio: { write() {}, read: () => 0 } });
if ((interp.interruptTarget !== undefined) !== shared) throw new Error('the variant did not load as asked');
interp.fs.writeFile('/pystone_bench.py', source);
interp.exec('import sys\nsys.path.insert(0, "/")\nimport pystone_bench\npystone_bench.Setup()');
const times = [];
for (let i = 0; i < rounds; i++) {
  const start = process.hrtime.bigint();
  interp.exec(`pystone_bench.Proc0(${loops})`);
  times.push(Number(process.hrtime.bigint() - start) / 1e6);
}
parentPort.postMessage(times);
