/**
 * The network modules for `Session.start({ hostModules })`.
 *
 * @module
 */
import type { Interpreter } from '../../runtime/interpreter.js';
import { NetBridge, type NetServiceStarter } from './bridge.js';
import { createNetModule } from './host-module.js';
import type { NetOptions } from './options.js';
import { netTraceFromEnv } from './trace.js';

/**
 * Returns a `hostModules` function registering `_mpy_net` (used by the
 * socket and ssl modules of runtime/lib). The bridge is built when the
 * session starts; its worker starts on the first socket operation (or
 * earlier: `onBridge` may call {@link NetBridge.prestart}). Bridge
 * calls are traced to stderr when `MPY_DEBUG` (in this thread's
 * environment) includes `net`.
 * @param onBridge receives the bridge (to close it, or read its stats)
 * @param workerEntry the file URL of the network worker's service module (see {@link NetBridge}); default: mpy's own
 * @param startService runs the network service elsewhere than in a worker of its own (see {@link NetBridge})
 */
export function netHostModules(
  options: NetOptions,
  onBridge?: (bridge: NetBridge) => void,
  workerEntry?: string,
  startService?: NetServiceStarter,
): (interp: Interpreter, beforeBlock?: () => void) => Record<string, Readonly<Record<string, unknown>>> {
  return (interp, beforeBlock) => {
    const bridge = new NetBridge(options, interp.waits, workerEntry, startService);
    onBridge?.(bridge);
    return {
      _mpy_net: createNetModule(
        bridge,
        () => interp.heapU8(),
        (address, length) => interp.writableHeap(address, length),
        beforeBlock,
        netTraceFromEnv(process.env),
      ),
    };
  };
}
