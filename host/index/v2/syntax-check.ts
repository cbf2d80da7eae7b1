/**
 * Whether this interpreter (MicroPython 1.27) compiles a source file. The
 * bytecode compiler (mpy-cross 1.19.1) predates some syntax 1.27 accepts
 * (f-string `!r`, for one): a file only the older compiler rejects is still
 * a good file, shipped as source. Runs in a sandboxed embedded instance.
 *
 * @module
 */
import { MicroPython } from '../../embed/client.js';
import { PythonError } from '../../../runtime/errors.js';

const CHECKER = 'def _mpy_compiles(source, name):\n    compile(source, name, "exec")\n    return True\n';

/** Resolves to `undefined` for each source that compiles, else the error (`line: Type: message`). */
export async function interpreterCompiles(
  sources: ReadonlyArray<{ readonly bytes: Buffer; readonly name: string }>,
): Promise<Array<string | undefined>> {
  if (!sources.length) return [];
  const mp = await MicroPython.create({ timeoutMs: 30_000, heapSize: '32M', stdout: 'ignore', stderr: 'ignore' });
  try {
    await mp.exec(CHECKER);
    const out: Array<string | undefined> = [];
    for (const s of sources) {
      try {
        await mp.call('_mpy_compiles', s.bytes.toString('utf8'), s.name);
        out.push(undefined);
      } catch (err) {
        if (!(err instanceof PythonError)) throw err;
        const line = /line (\d+)/.exec(
          err.traceback
            .split('\n')
            .filter((l) => l.includes('File'))
            .pop() ?? '',
        )?.[1];
        out.push(`${line ? `${line}: ` : ''}${err.type}: ${err.pythonMessage}`);
      }
    }
    return out;
  } finally {
    await mp.dispose();
  }
}
