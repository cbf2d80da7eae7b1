/**
 * Runs the tests of one Python test file, one call per test, in one fresh
 * instance (a timed-out test is interrupted; a new instance only when one
 * would not stop and had to be terminated).
 *
 * @module
 */
import { MicroPython } from '../embed/client.js';
import { MicroPythonTimeoutError } from '../embed/errors.js';
import { PythonError } from '../../runtime/errors.js';
import type { OutputOption } from '../embed/options.js';
import type { DiscoveredTest } from './discovery.js';
import { describeOutput, stripRunnerFrames, type Outcome } from './failure.js';
import type { PlacedFile } from './placement.js';

const RUNNER = 'unittest._mpy_runner';

/** The stdio options of the file's instances (they cannot cross to the discovery process). */
export interface FileOutput {
  readonly stdout?: OutputOption;
  readonly stderr?: OutputOption;
  readonly stdin?: string | Uint8Array;
}

/** One test file's instance and the calls that run its tests. */
export class FileRunner {
  readonly #file: PlacedFile;
  readonly #output: FileOutput;
  #mp: Promise<MicroPython> | undefined;

  /**
   * @param file the placed test file
   * @param output where the instance's output goes (default: captured, shown with failures)
   */
  constructor(file: PlacedFile, output: FileOutput) {
    this.#file = file;
    this.#output = output;
  }

  /** The instance with the test module loaded; a new one when the last was terminated. */
  async instance(): Promise<MicroPython> {
    const current = this.#mp && (await this.#mp.catch(() => undefined));
    if (current?.usable) return current;
    this.#mp = (async () => {
      await current?.dispose();
      const mp = await MicroPython.create({ ...this.#file.options, ...this.#output });
      try {
        await mp.call(`${RUNNER}.load`, this.#file.guestDir, this.#file.moduleName);
      } catch (e) {
        await mp.dispose();
        throw e instanceof PythonError ? new PythonError(e.type, stripRunnerFrames(e.traceback)) : e;
      }
      return mp;
    })();
    return this.#mp;
  }

  /** Runs one test; the outcome carries the test's captured output in `output`. */
  async run(test: DiscoveredTest): Promise<Outcome & { output: string }> {
    const mp = await this.instance();
    mp.clearOutput();
    const label = test.cls === null ? test.name : `${test.cls}.${test.name}`;
    let outcome: Outcome;
    try {
      outcome = (await mp.call(`${RUNNER}.run_test`, this.#file.moduleName, test.cls, test.name)) as unknown as Outcome;
    } catch (e) {
      if (!(e instanceof MicroPythonTimeoutError)) throw e;
      const error = new MicroPythonTimeoutError(label, e.timeoutMs, e.terminated);
      error.message = e.terminated
        ? `${label} did not finish within timeoutMs (${e.timeoutMs} ms) and did not stop when interrupted; ` +
          'its MicroPython instance was terminated and the rest of the file runs in a fresh one'
        : `${label} did not finish within timeoutMs (${e.timeoutMs} ms); it was interrupted (KeyboardInterrupt) ` +
          'and the rest of the file runs in the same instance';
      throw error;
    }
    return { ...outcome, output: describeOutput(mp.stdout, mp.stderr) };
  }

  /** tearDownClass, if the class was set up; a failure outcome or null. */
  async finishClass(cls: string): Promise<Outcome | null> {
    const mp = await this.#live();
    return mp ? ((await mp.call(`${RUNNER}.finish_class`, this.#file.moduleName, cls)) as unknown as Outcome | null) : null;
  }

  /** tearDownModule and the remaining class teardowns, then disposes the instance. */
  async close(): Promise<Outcome | null> {
    const mp = await this.#live();
    if (!mp) return null;
    try {
      return (await mp.call(`${RUNNER}.finish_module`, this.#file.moduleName)) as unknown as Outcome | null;
    } finally {
      await mp.dispose();
    }
  }

  async #live(): Promise<MicroPython | undefined> {
    const mp = this.#mp && (await this.#mp.catch(() => undefined));
    return mp?.usable ? mp : undefined;
  }
}
