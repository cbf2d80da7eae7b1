// Loaded with `node --import` in front of the mpy command by the memory
// benchmark: at exit, writes the process's peak resident set size to stderr as
// `mpy-bench-peak-rss-kb N` (process.resourceUsage().maxRSS, in KiB).
process.on('exit', () => {
  process.stderr.write(`\nmpy-bench-peak-rss-kb ${process.resourceUsage().maxRSS}\n`);
});
