// Loaded with `node --require` in front of the command whose peak memory a
// benchmark measures: at exit, writes the process's peak resident set size to
// stderr as `mpy-bench-peak-rss-kb N` (KiB). On Linux it is VmHWM from
// /proc/self/status: getrusage's maxRSS (process.resourceUsage()) survives
// execve, so a child would report its parent's peak when that is higher
// (the runner's, at more than 100 MB after the in-process benchmarks).
// CommonJS: an ES module preload would start Node's ES module loader, which
// the `mpy` executable does not (and its memory would count).
const { readFileSync } = require('node:fs');

function peakKb() {
  try {
    const m = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]);
  } catch {
    // Not Linux: getrusage's figure.
  }
  return process.resourceUsage().maxRSS;
}

process.on('exit', () => {
  process.stderr.write(`\nmpy-bench-peak-rss-kb ${peakKb()}\n`);
});
