/**
 * Runs a candidate interpreter module on a Python program that exercises every
 * nlr path the rewrite touches (exceptions through calls, finally, generators,
 * raising inside a handler, the recursion limit) and, with a live dictionary
 * growing while garbage fills the heap many times over, the in-run garbage
 * collection, in a fresh worker thread, and compares its output with the
 * expected text. A build that fails this is not shipped.
 */
import { Worker } from 'node:worker_threads';

/** The program the candidate runs. */
const SELF_TEST_PROGRAM = `
def f(n):
    if n == 0:
        raise ValueError("bottom")
    try:
        return f(n - 1)
    finally:
        log.append(n)
log = []
try:
    f(5)
except ValueError as e:
    print("caught", e, log)
def gen():
    try:
        yield 1
        raise KeyError("in gen")
    finally:
        print("gen finally")
try:
    for x in gen():
        print("got", x)
except KeyError as e:
    print("gen raised", repr(e))
try:
    try:
        1 // 0
    except ZeroDivisionError as e:
        raise RuntimeError("wrapped " + type(e).__name__)
except RuntimeError as e:
    print(e)
def deep(n):
    return deep(n + 1)
try:
    deep(0)
except RuntimeError as e:
    print("deep", e)
print("sum", sum(i * i for i in range(1000)))
import gc
def churn(n):
    kept = {}
    for i in range(n):
        key = "k" + str(i)
        kept[key] = [i, (key, str(i) * 3), {"v": i}, bytearray(64)]
        for j in range(40):
            [j] * 32
    return kept
kept = churn(4000)
print("gc", len(kept), all(v[0] == int(k[1:]) and v[1][1] == k[1:] * 3 and v[2]["v"] == v[0] for k, v in kept.items()))
`;

/** What {@link SELF_TEST_PROGRAM} prints. */
export const SELF_TEST_EXPECTED = [
  'caught bottom [1, 2, 3, 4, 5]',
  'got 1',
  'gen finally',
  "gen raised KeyError('in gen',)",
  'wrapped ZeroDivisionError',
  'deep maximum recursion depth exceeded',
  'sum 332833500',
  'gc 4000 True',
  '',
].join('\n');

/**
 * Runs {@link SELF_TEST_PROGRAM} on `module` in a worker.
 * @returns the program's output, or the error that stopped it, as text
 */
export function runSelfTest(module: WebAssembly.Module): Promise<string> {
  const worker = new Worker(new URL('./self-test-worker.js', import.meta.url), {
    workerData: { module, program: SELF_TEST_PROGRAM },
  });
  return new Promise<string>((resolve) => {
    worker.once('message', (output: string) => resolve(output));
    worker.once('error', (e) => resolve(`worker error: ${e.message}`));
    worker.once('exit', (code) => resolve(`worker exited with ${code}`));
  }).finally(() => worker.terminate());
}
