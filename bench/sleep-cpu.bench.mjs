// CPU time that `time.sleep(1)` costs in mpy, against the same process
// running `pass` (start-up and exit), measured in this invocation. A sleep
// that spins a CPU would cost about a second more than the reference.
//   node bench/sleep-cpu.bench.mjs [rounds]
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MPY = fileURLToPath(new URL('../dist/host/cli/bin.cjs', import.meta.url));
const rounds = Number(process.argv[2] ?? 3);

function cpuSeconds(code) {
  const r = spawnSync('bash', ['-c', `TIMEFORMAT='%R %U %S'; time "${process.execPath}" "${MPY}" -c '${code}'`], { encoding: 'utf8' });
  const [real, user, sys] = r.stderr.trim().split('\n').pop().split(' ').map(Number);
  return { real, cpu: user + sys };
}

const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const sleeps = [];
const passes = [];
for (let i = 0; i < rounds; i++) {
  sleeps.push(cpuSeconds('import time; time.sleep(1)'));
  passes.push(cpuSeconds('pass'));
}
const sleepCpu = median(sleeps.map((s) => s.cpu));
const passCpu = median(passes.map((s) => s.cpu));
console.log(`time.sleep(1): wall ${median(sleeps.map((s) => s.real)).toFixed(2)} s, CPU ${sleepCpu.toFixed(3)} s`);
console.log(`pass:          wall ${median(passes.map((s) => s.real)).toFixed(2)} s, CPU ${passCpu.toFixed(3)} s`);
console.log(`CPU spent sleeping one second: ${(sleepCpu - passCpu).toFixed(3)} s (a spinning sleep: ~1 s)`);
