// Worker body for the in-process figures: builds one interpreter of the
// requested variant, installs the benchmark modules into its filesystem, and
// times one Python call with tinybench. One variant per worker, because the
// official glue keeps its state on globalThis (one interpreter per realm).
//
// workerData: { variant: 'mpy' | 'mpy-no-inrun-gc' | 'mpy-original' | 'stock', modules: {name: source},
//               setup: python, call: python, check: python, timeMs, warmupMs,
//               noInRunGcWasm: path of the wasm for 'mpy-no-inrun-gc' }
// Posts: { latency: {p50, mean, min, samples}, check: string } or { error }.
import { parentPort, workerData } from 'node:worker_threads';
import { Bench } from 'tinybench';

const DIST = new URL('../../dist/', import.meta.url);
const HEAP_BYTES = 4 * 1024 * 1024;
const PYSTACK_WORDS = 16 * 1024;

/** An interpreter of our own host on the chosen wasm. */
async function mpyRunner(kind) {
  const compiled = await import(new URL('wasm/compiled-module.js', DIST).href);
  const { Interpreter } = await import(new URL('runtime/interpreter.js', DIST).href);
  compiled.adoptInterpreterModule(compiled.compileInterpreterModule(kind));
  let out = '';
  const decoder = new TextDecoder();
  const interp = await Interpreter.create({
    heapBytes: HEAP_BYTES,
    pystackWords: PYSTACK_WORDS,
    stdio: {
      write: (_fd, bytes) => {
        out += decoder.decode(bytes);
      },
      read: () => 0,
    },
  });
  return {
    writeFile: (path, text) => interp.fs.writeFile(path, text),
    run: (code) => interp.exec(code),
    output: () => out,
  };
}

/** The package's own loader, as a user of `loadMicroPython` gets it. */
async function stockRunner() {
  const { loadMicroPython } = await import('@micropython/micropython-webassembly-pyscript');
  let out = '';
  const mp = await loadMicroPython({
    heapsize: HEAP_BYTES,
    pystack: PYSTACK_WORDS,
    stdout: (line) => {
      out += `${line}\n`;
    },
    stderr: (line) => {
      out += `${line}\n`;
    },
  });
  return {
    writeFile: (path, text) => mp.FS.writeFile(path, text),
    run: (code) => mp.runPython(code),
    output: () => out,
  };
}

async function main() {
  const { variant, modules, setup, call, check, timeMs, warmupMs, noInRunGcWasm } = workerData;
  const kind = { 'mpy-original': 'original', 'mpy-no-inrun-gc': noInRunGcWasm }[variant] ?? 'optimised';
  const runner = variant === 'stock' ? await stockRunner() : await mpyRunner(kind);
  for (const [name, source] of Object.entries(modules)) runner.writeFile(`/${name}.py`, source);
  runner.run(setup);
  // Time-bounded on both sides: V8 tiers the interpreter loop up to optimised
  // code only after a few hundred milliseconds of running it.
  const bench = new Bench({ time: timeMs, iterations: 5, warmupTime: warmupMs, warmupIterations: 3, throws: true });
  bench.add(variant, () => {
    runner.run(call);
  });
  await bench.run();
  const before = runner.output().length;
  runner.run(check);
  const { latency } = bench.tasks[0].result;
  parentPort.postMessage({
    latency: { p50: latency.p50, mean: latency.mean, min: latency.min, samples: latency.samplesCount },
    check: runner.output().slice(before).trim(),
  });
}

main().catch((e) => parentPort.postMessage({ error: String(e?.stack ?? e) }));
