/**
 * `MPY_DEBUG=net`: one line on stderr per call across the network bridge,
 * in the `mpy` command and in embedded instances alike:
 *
 * ```
 * mpy net: connect id=1 host=127.0.0.1 port=8080 timeoutMs=60000 -> 0 (0.84 ms)
 * mpy net: recv id=1 max=16384 timeoutMs=60000 -> 120 (0.31 ms)
 * mpy net: recv id=1 max=16384 timeoutMs=60000 -> ECONNRESET (-104) (2.10 ms)
 * mpy net: close id=1 (posted)
 * ```
 *
 * The operation, its arguments (payloads by length only), the result (a
 * count, or a failure by name, with why when the host knows) and the time
 * the interpreter waited. Off by default; when off, nothing here is on the
 * call path (the bridge is used unwrapped).
 *
 * @module
 */
import { writeFully } from '../fd-write.js';
import type { BridgeCalls, BridgeRequest } from './bridge.js';
import { resultName } from './errno.js';

/** Where trace lines go (one call per line, without the newline). */
export type TraceSink = (line: string) => void;

/**
 * The sink `MPY_DEBUG` asks for: the process's stderr (written at once,
 * from whichever thread the interpreter runs in) when its comma-separated
 * topics include `net`, else `undefined`.
 */
export function netTraceFromEnv(env: NodeJS.ProcessEnv): TraceSink | undefined {
  const topics = (env.MPY_DEBUG ?? '').split(',').map((t) => t.trim());
  if (!topics.includes('net')) return undefined;
  return (line) => void writeFully(2, Buffer.from(`${line}\n`, 'utf8'));
}

function argument(value: unknown): string {
  if (Array.isArray(value)) return value.join(',');
  if (typeof value === 'string') return value === '' || /[\s"]/.test(value) ? JSON.stringify(value) : value;
  return String(value);
}

/** `op k=v ...`: the request without its sequence number. */
function describeRequest(request: BridgeRequest): string {
  const parts: string[] = [request.op];
  for (const [key, value] of Object.entries(request)) if (key !== 'op') parts.push(`${key}=${argument(value)}`);
  return parts.join(' ');
}

/** Wraps a bridge so that every call and post writes a line to `sink`. */
export function traceBridgeCalls(bridge: BridgeCalls, sink: TraceSink): BridgeCalls {
  return {
    call(request, limitMs) {
      const started = process.hrtime.bigint();
      const reply = bridge.call(request, limitMs);
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const why = reply.why === undefined ? '' : `: ${reply.why}`;
      sink(`mpy net: ${describeRequest(request)} -> ${resultName(reply.result, request.op === 'lookup')}${why} (${ms.toFixed(2)} ms)`);
      return reply;
    },
    post(request) {
      bridge.post(request);
      sink(`mpy net: ${describeRequest(request)} (posted)`);
    },
  };
}
