/**
 * Reads a reply frame (protocol.ts): the one decoding of a request's outcome,
 * whether it crossed from a worker or was made in this thread.
 *
 * @module
 */
import { decodeValue } from './codec.js';
import { FRAME_FAILURE, FRAME_STRING, FRAME_WIRE, type Failure } from './protocol.js';

/** A request's outcome as a value or a failure. */
export type Reply = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly failure: Failure };

/** The outcome a reply frame holds; a frame that cannot be read is a failure of kind `host`. */
export function readReplyFrame(frame: string): Reply {
  const kind = frame[0];
  const body = frame.slice(1);
  if (kind === FRAME_STRING) return { ok: true, value: body };
  if (kind === FRAME_FAILURE) return { ok: false, failure: JSON.parse(body) as Failure };
  if (kind === FRAME_WIRE) {
    try {
      return { ok: true, value: decodeValue(body) };
    } catch (e) {
      return { ok: false, failure: { kind: 'host', message: e instanceof Error ? e.message : String(e) } };
    }
  }
  return { ok: false, failure: { kind: 'host', message: `mpy: a reply of unknown kind ${JSON.stringify(kind)}` } };
}
