/**
 * Binary edits on an emitted wasm module: make its memory shared (so another
 * thread can write into a running interpreter) and append a custom section.
 * The memory section is edited in place: a memory with a maximum has limits
 * flag 0x01; shared-with-maximum is 0x03, the same size, so no offsets move.
 */

const MEMORY_SECTION = 5;
const CUSTOM_SECTION = 0;
const HEADER_BYTES = 8;
const LIMITS_MIN_MAX = 0x01;
const LIMITS_SHARED_MIN_MAX = 0x03;

function readLeb(bytes: Uint8Array, at: number): { value: number; next: number } {
  let value = 0;
  let shift = 0;
  for (;;) {
    const byte = bytes[at++];
    if (byte === undefined) throw new Error('truncated wasm module');
    value += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return { value, next: at };
    shift += 7;
  }
}

function leb(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value = Math.floor(value / 128);
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return out;
}

/**
 * A copy of `module` whose one defined memory is shared (or, with
 * `shared` false, unshared again: benchmarks compare the two).
 * @throws Error when the module has no memory section, more than one memory,
 *   or a memory without a maximum (a shared memory needs one)
 * @public bench/interrupt imports it from dist/
 */
export function setMemoryShared(module: Uint8Array, shared: boolean): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(module);
  let at = HEADER_BYTES;
  while (at < out.length) {
    const id = out[at]!;
    const size = readLeb(out, at + 1);
    if (id === MEMORY_SECTION) {
      const count = readLeb(out, size.next);
      if (count.value !== 1) throw new Error(`the module defines ${count.value} memories, not one`);
      const flags = out[count.next];
      if (flags !== LIMITS_MIN_MAX && flags !== LIMITS_SHARED_MIN_MAX) {
        throw new Error(`the memory's limits flag is ${flags}: it has no maximum, which a shared memory needs`);
      }
      out[count.next] = shared ? LIMITS_SHARED_MIN_MAX : LIMITS_MIN_MAX;
      return out;
    }
    at = size.next + size.value;
  }
  throw new Error('the module defines no memory');
}

/** {@link setMemoryShared} with `shared` true. */
export function makeMemoryShared(module: Uint8Array): Uint8Array<ArrayBuffer> {
  return setMemoryShared(module, true);
}

/** A copy of `module` with a custom section `name` holding `content` appended. */
export function appendCustomSection(module: Uint8Array, name: string, content: Uint8Array): Uint8Array<ArrayBuffer> {
  const nameBytes = new TextEncoder().encode(name);
  const payload = [...leb(nameBytes.length), ...nameBytes, ...content];
  const section = Uint8Array.from([CUSTOM_SECTION, ...leb(payload.length), ...payload]);
  const out = new Uint8Array(module.length + section.length);
  out.set(module, 0);
  out.set(section, module.length);
  return out;
}
