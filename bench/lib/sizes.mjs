// How much each comparison of bench/run.mjs runs, at each size: `full` (the
// default), `quick` (--quick: CI-sized, ratios still worth reading) and
// `smoke` (--smoke: the least that still produces every row through the same
// code, for the test suite; its figures mean nothing).

/**
 * @typedef {{cpuLoops: number, tinybench: {timeMs: number, warmupMs: number, rounds: number}, processRepeat: number,
 *   processRounds: number, pystoneLoops: number, churn: number, churnRounds: number, startupRounds: number, peakRssRounds: number,
 *   printLines: number, printRounds: number,
 *   pystoneCpu: {loops: number, calls: number, rounds: number, plainO3: boolean}}} Sizes
 */

/** @type {Record<'full' | 'quick' | 'smoke', Sizes>} */
export const SIZES = {
  full: {
    cpuLoops: 3000,
    tinybench: { timeMs: 2000, warmupMs: 1000, rounds: 3 },
    processRepeat: 5,
    processRounds: 3,
    pystoneLoops: 20_000,
    churn: 2_000_000,
    churnRounds: 3,
    startupRounds: 25,
    peakRssRounds: 5,
    printLines: 200_000,
    printRounds: 10,
    pystoneCpu: { loops: 15000, calls: 6, rounds: 5, plainO3: true },
  },
  quick: {
    cpuLoops: 400,
    tinybench: { timeMs: 400, warmupMs: 400, rounds: 1 },
    processRepeat: 2,
    processRounds: 1,
    // Shorter runs time Liftoff's warm-up more than the VM (500 loops: 0.36x native, 20,000: 0.7x).
    pystoneLoops: 20_000,
    churn: 300_000,
    churnRounds: 1,
    startupRounds: 3,
    peakRssRounds: 2,
    printLines: 50_000,
    printRounds: 2,
    pystoneCpu: { loops: 5000, calls: 3, rounds: 2, plainO3: false },
  },
  smoke: {
    cpuLoops: 10,
    tinybench: { timeMs: 10, warmupMs: 0, rounds: 1 },
    processRepeat: 1,
    processRounds: 1,
    pystoneLoops: 500, // fewer loops can take under the clock's resolution: a rate of 0
    churn: 1000,
    churnRounds: 1,
    startupRounds: 1,
    peakRssRounds: 1,
    printLines: 1000,
    printRounds: 1,
    pystoneCpu: { loops: 500, calls: 1, rounds: 1, plainO3: false },
  },
};
