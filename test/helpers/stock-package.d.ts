/** The part of the interpreter package's own API the tests use to compare against (it ships no types). */
declare module '@micropython/micropython-webassembly-pyscript' {
  /** What `loadMicroPython` resolves to, as far as tests use it. */
  export interface StockMicroPython {
    runPython(code: string): unknown;
    /** `__main__`'s names, converted to JS (Python objects as proxies). */
    globals: { get(name: string): unknown };
    FS: { mkdir(path: string): void; writeFile(path: string, data: string | Uint8Array): void };
  }
  /** The package's loader. */
  export function loadMicroPython(options: {
    heapsize?: number;
    pystack?: number;
    stdout?: (line: string) => void;
    stderr?: (line: string) => void;
    linebuffer?: boolean;
  }): Promise<StockMicroPython>;
}
