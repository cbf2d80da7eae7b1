// Child process for the pystone CPU-time rows: boots one interpreter on this
// process's main thread (the wasm the parent names, V8's wasm flags as the
// `mpy` command sets them unless told not to), runs pystone_lowmem, and
// reports the CPU time of each timed call (process.cpuUsage: this process's
// threads, so V8's background compiles count too).
//
// argv: wasm ('optimised' or an absolute path), 'cli-flags' | 'no-wasm-inlining',
//       loops per call, warm-up calls, timed calls. The module's source is on stdin.
// Prints JSON: { cpuMs: number[] } (one entry per timed call).
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';

const DIST = new URL('../../dist/', import.meta.url);
const [wasm, flags, loops, warmup, timed] = process.argv.slice(2);
const { CLI_V8_FLAGS } = await import(new URL('wasm/cli-v8-flags.js', DIST).href);
// Never set and then unset: V8 does not undo --wasm-inlining with a later --no-wasm-inlining call.
const wanted = flags === 'no-wasm-inlining' ? CLI_V8_FLAGS.filter((f) => !f.startsWith('--wasm-inlining')) : CLI_V8_FLAGS;
setFlagsFromString(wanted.join(' '));
const compiled = await import(new URL('wasm/compiled-module.js', DIST).href);
const { Interpreter } = await import(new URL('runtime/interpreter.js', DIST).href);
compiled.adoptInterpreterModule(compiled.compileInterpreterModule(wasm));
const interp = await Interpreter.create({
  heapBytes: 4 * 1024 * 1024,
  pystackWords: 16 * 1024,
  stdio: { write: () => {}, read: () => 0 },
});
interp.fs.writeFile('/pystone_lowmem.py', readFileSync(0, 'utf8'));
interp.exec('import pystone_lowmem');
const call = `pystone_lowmem.pystones(${Number(loops)})`;
for (let i = 0; i < Number(warmup); i++) interp.exec(call);
const cpuMs = [];
for (let i = 0; i < Number(timed); i++) {
  const before = process.cpuUsage();
  interp.exec(call);
  const used = process.cpuUsage(before);
  cpuMs.push((used.user + used.system) / 1000);
}
process.stdout.write(`${JSON.stringify({ cpuMs })}\n`);
