#!/usr/bin/env node
/**
 * The `mpy` command as an ES module (`node dist/host/cli/main.js`): the same
 * command as the executable (`bin.cts`), started through Node's ES module
 * loader, which the executable avoids.
 *
 * @module
 */
import { startCommand } from './command-start.js';

startCommand(process.argv.slice(2));
