#!/usr/bin/env node
/**
 * The `mpy` executable (package.json `bin`). CommonJS on purpose: a thread
 * whose first file is an ES module starts Node's ES module loader, which costs
 * every run ~10 ms of CPU in each thread (measured with `bench/startup.bench.mjs`).
 * Runs the command's starter (`dist/bundle/command.cjs`, built from
 * `command-start.ts`; see `base/bundle.ts`), or, when the build made none,
 * `command-start.ts` as an ES module.
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** What the starter and `command-start.js` export. */
interface CommandStart {
  startCommand(argv: string[], fromStarter?: boolean): void;
}

const starter = join(__dirname, '..', '..', 'bundle', 'command.cjs');
const argv = process.argv.slice(2);
if (process.env.MPY_NO_BUNDLE !== '1' && existsSync(starter)) {
  (require(starter) as CommandStart).startCommand(argv, true);
} else {
  void (import('./command-start.js') as Promise<CommandStart>).then((m) => m.startCommand(argv));
}
