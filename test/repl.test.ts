import { describe, expect, it } from 'vitest';
import { runMpyInPty } from './helpers/pty.js';

const UP = '\x1b[A';
const CTRL_C = '\x03';
const CTRL_D = '\x04';
const CTRL_E = '\x05';

describe('REPL on a terminal', () => {
  it('shows the banner, evaluates, and exits 0 on Ctrl-D', () => {
    const r = runMpyInPty([], [{ expect: '>>> ' }, { send: '6*7\r' }, { expect: '42' }, { expect: '>>> ' }, { send: CTRL_D }]);
    expect(r.failure).toBeNull();
    expect(r.transcript).toContain('MicroPython v1.27.0');
    expect(r.status).toBe(0);
  });

  it('continues compound statements with ... prompts', () => {
    const r = runMpyInPty(
      [],
      [
        { expect: '>>> ' },
        { send: 'def f(x):\r' },
        { expect: '... ' },
        { send: 'return x * 3\r' },
        { expect: '... ' },
        // The build auto-indents; each Enter on an empty line dedents one level.
        { send: '\r\r\r' },
        { expect: '>>> ' },
        { send: 'f(5)\r' },
        { expect: '15' },
        { expect: '>>> ' },
        { send: CTRL_D },
      ],
    );
    expect(r.failure).toBeNull();
    expect(r.status).toBe(0);
  });

  it('recalls history with the up arrow', () => {
    const r = runMpyInPty(
      [],
      [
        { expect: '>>> ' },
        { send: 'print("h" * 3)\r' },
        { expect: 'hhh' },
        { expect: '>>> ' },
        { send: `${UP}\r` },
        { expect: 'hhh' },
        { expect: '>>> ' },
        { send: CTRL_D },
      ],
    );
    expect(r.failure).toBeNull();
    expect(r.transcript.split('hhh').length - 1).toBeGreaterThanOrEqual(2);
  });

  it('completes names with tab', () => {
    const r = runMpyInPty(
      [],
      [
        { expect: '>>> ' },
        { send: 'impo\t' },
        { expect: 'import' },
        { send: ' sys\rsys.pl\t' },
        { expect: 'platform' },
        { send: '\r' },
        { expect: "'webassembly'" },
        { send: CTRL_D },
      ],
    );
    expect(r.failure).toBeNull();
    expect(r.status).toBe(0);
  });

  it('paste mode (Ctrl-E ... Ctrl-D) runs the pasted block', () => {
    const r = runMpyInPty(
      [],
      [
        { expect: '>>> ' },
        { send: CTRL_E },
        { expect: 'paste mode' },
        { send: 'a = 2\rb = 21\rprint("pasted", a * b)\r' },
        { send: CTRL_D },
        { expect: 'pasted 42' },
        { expect: '>>> ' },
        { send: CTRL_D },
      ],
    );
    expect(r.failure).toBeNull();
    expect(r.status).toBe(0);
  });

  it('Ctrl-C at the prompt abandons the line and keeps the REPL', () => {
    const r = runMpyInPty(
      [],
      [{ expect: '>>> ' }, { send: `1 + ${CTRL_C}` }, { expect: '>>> ' }, { send: '2+2\r' }, { expect: '4' }, { send: CTRL_D }],
    );
    expect(r.failure).toBeNull();
    expect(r.status).toBe(0);
  });

  it('an exception prints a traceback and the REPL goes on', () => {
    const r = runMpyInPty(
      [],
      [{ expect: '>>> ' }, { send: '1/0\r' }, { expect: 'ZeroDivisionError' }, { expect: '>>> ' }, { send: CTRL_D }],
    );
    expect(r.failure).toBeNull();
    expect(r.status).toBe(0);
  });

  it('sys.exit in the REPL leaves it (the build REPL does not pass the code on)', () => {
    const r = runMpyInPty([], [{ expect: '>>> ' }, { send: 'import sys; sys.exit(4)\r' }]);
    expect(r.failure).toBeNull();
    expect(r.status).toBe(0);
  });

  it('a line typed together with the statement that reads it reaches input()', () => {
    const r = runMpyInPty(
      [],
      [{ expect: '>>> ' }, { send: 'print("<" + input() + ">")\rpasted\r' }, { expect: '<pasted>' }, { expect: '>>> ' }, { send: CTRL_D }],
    );
    expect(r.failure).toBeNull();
    expect(r.status).toBe(0);
  });

  it('input() reads a line typed at the terminal', () => {
    const r = runMpyInPty(
      [],
      [
        { expect: '>>> ' },
        { send: 'x = input("name? ")\r' },
        { expect: '\nname? ' },
        { send: 'bob\r' },
        { expect: '>>> ' },
        { send: 'print(x.upper())\r' },
        { expect: 'BOB' },
        { send: CTRL_D },
      ],
    );
    expect(r.failure).toBeNull();
    expect(r.status).toBe(0);
  });

  it('-i runs the program then opens the REPL with its globals', () => {
    const r = runMpyInPty(['-i', '-c', 'v = 99'], [{ expect: '>>> ' }, { send: 'v + 1\r' }, { expect: '100' }, { send: CTRL_D }]);
    expect(r.failure).toBeNull();
    expect(r.status).toBe(0);
  });

  it('a script reading input() at a terminal gets the typed line', () => {
    const r = runMpyInPty(['-c', 'print("got", input("? "))'], [{ expect: '? ' }, { send: 'typed\r' }, { expect: 'got typed' }]);
    expect(r.failure).toBeNull();
    expect(r.status).toBe(0);
  });

  it('a program on a terminal shows each line as it prints it, short and long, before it ends', () => {
    const long = 'x'.repeat(100);
    const program = `import time\nprint("short")\nprint("${long}")\nt = time.ticks_ms()\nwhile time.ticks_diff(time.ticks_ms(), t) < 30000: pass`;
    // The program is still busy when the lines must show; Ctrl-C then ends it.
    const r = runMpyInPty(['-c', program], [{ expect: 'short\r\n' }, { expect: `${long}\r\n` }, { send: '\x03' }]);
    expect(r.failure).toBeNull();
    expect(r.status).not.toBe(0);
  });
});
