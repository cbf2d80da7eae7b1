/**
 * The official MicroPython WebAssembly interpreter, loaded as its package
 * ships it, for tests that check files this project writes (.mpy, R.py,
 * gzip streams) inside the real interpreter. The glue sets
 * `globalThis.Module`: load one per test file.
 */
import { loadMicroPython } from '@micropython/micropython-webassembly-pyscript';

/** A loaded interpreter with captured output. */
export interface RawInterpreter {
  /** Runs Python code; returns what it printed. Python exceptions throw. */
  run(code: string): string;
  /** Writes a file into the interpreter's in-memory filesystem, creating parent directories. */
  writeFile(path: string, data: string | Uint8Array): void;
}

/** Loads the interpreter with a generous heap. */
export async function loadRawInterpreter(): Promise<RawInterpreter> {
  let out = '';
  const mp = await loadMicroPython({
    heapsize: 16 * 1024 * 1024,
    pystack: 16 * 1024,
    stdout: (s: string) => {
      out += `${s}\n`;
    },
    stderr: (s: string) => {
      out += `${s}\n`;
    },
  });
  const mkdirs = (path: string): void => {
    const parts = path.split('/').filter(Boolean);
    for (let i = 1; i < parts.length; i++) {
      try {
        mp.FS.mkdir(`/${parts.slice(0, i).join('/')}`);
      } catch {
        // exists
      }
    }
  };
  return {
    run(code) {
      out = '';
      mp.runPython(code);
      return out;
    },
    writeFile(path, data) {
      mkdirs(path);
      mp.FS.writeFile(path, data);
    },
  };
}
