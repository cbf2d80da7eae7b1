// What the import ranking (runtime/lib/_mpy_resolve.py) costs: `import sys`
// of an already loaded module, N times in one run, with the ranking hook and
// then, in the same process, with the built-in __import__ restored.
//   node bench/import-hook.bench.mjs [imports]
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const MPY = fileURLToPath(new URL('../dist/host/cli/bin.cjs', import.meta.url));
const n = Number(process.argv[2] ?? (process.env.MPY_BENCH_QUICK ? 20000 : 200000));

const program = `
import time, builtins
def loop(n):
    t = time.ticks_us()
    for i in range(n):
        import sys
    return time.ticks_diff(time.ticks_us(), t)
hooked = loop(${n})
del builtins.__import__
plain = loop(${n})
print(hooked, plain)
`;
const r = spawnSync(process.execPath, [MPY, '-c', program], { encoding: 'utf8' });
if (r.status !== 0) throw new Error(r.stderr);
const [hooked, plain] = r.stdout.trim().split(' ').map(Number);
console.log(
  `import of a loaded module: ${(hooked / n).toFixed(2)} us with the ranking, ${(plain / n).toFixed(2)} us without (${n} imports)`,
);
if (process.env.MPY_BENCH_JSON)
  writeFileSync(process.env.MPY_BENCH_JSON, JSON.stringify({ imports: n, hookedUs: hooked / n, plainUs: plain / n }));
