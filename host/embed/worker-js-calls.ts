/**
 * The worker side of trusted JS modules (see js-module-host.ts): the host
 * module `_mpy_jscall` that `runtime/lib/_mpy_jsmodule.py` calls. Every
 * function returns JSON text and never throws.
 *
 * @module
 */
import { receiveMessageOnPort } from 'node:worker_threads';
import type { HostWaits } from '../../runtime/interrupt.js';
import type { JsCallsInit, JsReplyMessage } from './js-module-host.js';

/** How long one wait for the main thread lasts before checking for an interrupt. */
const WAIT_SLICE_MS = 50;
const INTERRUPTED = '{"interrupted":true}';

/**
 * Builds `_mpy_jscall`: `call(module, member, argsText)` blocks until the main
 * thread answers (or an interrupt is pending); `poll(token)` gives a settled
 * promise's outcome or `''`; `wait(token, ms)` is `poll` waiting up to `ms`.
 */
export function jsCallModule(
  init: JsCallsInit,
  waits: () => HostWaits,
  beforeBlock: () => void,
): Record<string, (...args: never[]) => unknown> {
  const signal = new Int32Array(init.signal);
  const settled = new Map<number, string>();
  let awaited = 0;
  let answer: string | undefined;
  let nextSeq = 0;

  const drain = (): void => {
    for (let m = receiveMessageOnPort(init.port); m !== undefined; m = receiveMessageOnPort(init.port)) {
      const msg = m.message as JsReplyMessage;
      if ('settled' in msg) settled.set(msg.settled, msg.reply);
      else if (msg.seq === awaited) answer = msg.reply;
    }
  };
  /** Waits until `done()` or `ms` pass; false when an interrupt is pending. */
  const waitFor = (done: () => boolean, ms: number): boolean => {
    const end = Date.now() + ms;
    for (;;) {
      const seen = Atomics.load(signal, 0);
      drain();
      if (done()) return true;
      if (waits().pending()) return false;
      const left = end - Date.now();
      if (left <= 0) return true;
      Atomics.wait(signal, 0, seen, Math.min(left, WAIT_SLICE_MS));
    }
  };
  const take = (token: number): string => {
    const text = settled.get(token) ?? '';
    settled.delete(token);
    return text;
  };
  return {
    call: (module: string, member: string, args: string): string => {
      beforeBlock();
      awaited = ++nextSeq;
      answer = undefined;
      init.port.postMessage({ seq: awaited, module: String(module), member: String(member), args: String(args) });
      const ok = waitFor(() => answer !== undefined, Infinity);
      awaited = 0;
      return ok ? answer! : INTERRUPTED;
    },
    poll: (token: number): string => {
      drain();
      return take(token);
    },
    wait: (token: number, ms: number): string => {
      beforeBlock();
      return waitFor(() => settled.has(token), ms) ? take(token) : INTERRUPTED;
    },
  };
}
