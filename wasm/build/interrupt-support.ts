/**
 * Gives the optimised wasm its interrupt support: shared memory plus the
 * layout found by `interrupt-state.ts` in a custom section, then checks it
 * end to end: a worker runs a Python loop and this thread interrupts it
 * through the shared memory alone. Throws when anything does not hold; the
 * build then ships the module without interrupt support (fail closed).
 */
import { Worker } from 'node:worker_threads';
import { INTERRUPT_SECTION, type InterruptLayout } from '../interrupt-layout.js';
import { interruptLayoutOf } from '../interrupt-section.js';
import { requestKeyboardInterrupt, type InterruptTarget } from '../../runtime/interrupt.js';
import { appendCustomSection, makeMemoryShared } from './shared-memory.js';

/** The program the interrupt self-test runs; `_selftest.looping()` tells the build thread to interrupt. */
const INTERRUPT_TEST_PROGRAM = `
import _selftest
n = 0
try:
    try:
        _selftest.looping()
        while True:
            n += 1
    finally:
        print("finally ran")
except KeyboardInterrupt:
    print("interrupted", n > 0)
try:
    for i in range(3):
        pass
    print("still usable")
except KeyboardInterrupt:
    print("interrupt delivered twice")
`;

/** What {@link INTERRUPT_TEST_PROGRAM} prints when interrupting works. */
const INTERRUPT_TEST_EXPECTED = 'finally ran\ninterrupted True\nstill usable\n';

/** Messages of the interrupt self-test worker. */
export type InterruptTestMessage =
  | { readonly kind: 'target'; readonly target: InterruptTarget | null }
  | { readonly kind: 'looping' }
  | { readonly kind: 'done'; readonly output: string };

const TEST_LIMIT_MS = 20_000;

/** Runs {@link INTERRUPT_TEST_PROGRAM} on `module`; resolves to its output or a description of the failure. */
function runInterruptSelfTest(module: WebAssembly.Module): Promise<string> {
  const worker = new Worker(new URL('./interrupt-self-test-worker.js', import.meta.url), {
    workerData: { module, program: INTERRUPT_TEST_PROGRAM },
  });
  let target: InterruptTarget | null = null;
  return new Promise<string>((resolve) => {
    const timer = setTimeout(() => resolve('the interrupted loop did not end'), TEST_LIMIT_MS);
    worker.on('message', (m: InterruptTestMessage) => {
      if (m.kind === 'target') target = m.target;
      else if (m.kind === 'looping') {
        if (target === null) resolve('the instance has no interrupt target');
        else requestKeyboardInterrupt(target);
      } else {
        clearTimeout(timer);
        resolve(m.output);
      }
    });
    worker.once('error', (e) => resolve(`worker error: ${e.message}`));
    worker.once('exit', (code) => resolve(`worker exited with ${code}`));
  }).finally(() => worker.terminate());
}

/** `optimised` with shared memory and the layout section (deterministic; not yet verified). */
function withInterruptSupport(optimised: Uint8Array, layout: InterruptLayout): Uint8Array<ArrayBuffer> {
  const shared = makeMemoryShared(optimised);
  return appendCustomSection(shared, INTERRUPT_SECTION, new TextEncoder().encode(JSON.stringify(layout)));
}

/**
 * `optimised` with shared memory and the layout section, verified.
 * @throws Error when the edit does not apply or the self-test fails
 */
export async function addInterruptSupport(optimised: Uint8Array, layout: InterruptLayout): Promise<Uint8Array<ArrayBuffer>> {
  const bytes = withInterruptSupport(optimised, layout);
  const module = new WebAssembly.Module(bytes);
  if (interruptLayoutOf(module) === undefined) throw new Error('the layout section does not read back');
  const output = await runInterruptSelfTest(module);
  if (output !== INTERRUPT_TEST_EXPECTED) throw new Error(`interrupting from another thread failed its self-test; it printed:\n${output}`);
  return bytes;
}
