/**
 * The network worker's thread: runs the network service (./service.ts) on
 * its own event loop. The thread starts in ./worker-boot.ts, which loads
 * this module.
 *
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { ServiceInit } from './protocol.js';
import { serveNetwork } from './service.js';

const service = serveNetwork(parentPort!, workerData as ServiceInit);

// A bug in the service must not leave the interpreter waiting: answer EIO, saying why, and go on.
process.on('uncaughtException', (e) => service.failWaitingCall(e));
