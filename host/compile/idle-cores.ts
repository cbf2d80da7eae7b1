import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

function readLoadavg(): string | undefined {
  try {
    return readFileSync('/proc/loadavg', 'latin1');
  } catch {
    return undefined;
  }
}

/**
 * How many cores no other thread wants right now: the CPUs less the
 * runnable threads in `/proc/loadavg` (this one excluded), at least one.
 * Where that file cannot be read (not Linux), every CPU counts as idle.
 * A sample of one instant, not an average: a one-minute load average still
 * counts work that ended seconds ago.
 * @param loadavg the text of `/proc/loadavg`. Default: read now
 * @param cpus the CPUs. Default: `os.availableParallelism()`
 */
export function idleCores(loadavg: string | undefined = readLoadavg(), cpus = availableParallelism()): number {
  const running = Number(/^\S+ \S+ \S+ (\d+)\//.exec(loadavg ?? '')?.[1]);
  return Number.isFinite(running) ? Math.max(1, Math.min(cpus, cpus - (running - 1))) : cpus;
}
