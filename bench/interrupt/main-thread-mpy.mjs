#!/usr/bin/env node
// The reference for bench/interrupt.bench.mjs: `mpy` as it was before
// interrupt support, for `-c`/file programs (no REPL): the interpreter on the
// main thread, its wasm memory unshared (the shipped optimised wasm with the
// shared flag cleared), stdin read from fd 0 directly. Same arguments as mpy.
import { readFileSync, readSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';

const DIST = new URL('../../dist/', import.meta.url);
// As host/cli/main.ts does for every run.
setFlagsFromString('--wasm-tiering-budget=12000000');
const { findOptimisedWasm } = await import(new URL('wasm/optimised-wasm.js', DIST).href);
const { setMemoryShared } = await import(new URL('wasm/build/shared-memory.js', DIST).href);
const { adoptInterpreterModule } = await import(new URL('wasm/compiled-module.js', DIST).href);
const compiling = WebAssembly.compile(setMemoryShared(readFileSync(findOptimisedWasm().path), false));
const [{ parseRunArgs }, { runProgram }] = await Promise.all([
  import(new URL('host/cli/args.js', DIST).href),
  import(new URL('host/cli/run.js', DIST).href),
]);
adoptInterpreterModule(await compiling);
const parsed = parseRunArgs(process.argv.slice(2));
if (parsed.action !== 'run') throw new Error('the reference runs programs only');
const stdin = {
  setWaits() {},
  read(into) {
    try {
      return readSync(0, into);
    } catch {
      return 0;
    }
  },
  readKey: () => -1,
  cookTypedAhead() {},
};
const status = await runProgram(parsed.args, { stdin, onBoot() {}, setRaw() {} });
process.exit(status);
