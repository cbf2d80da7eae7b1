import { describe, expect, it } from 'vitest';
import { runMpyInPty, type PtyResult, type PtyStep } from './helpers/pty.js';

const UP = '\x1b[A';
const CTRL_C = '\x03';
const CTRL_D = '\x04';
const CTRL_E = '\x05';

/**
 * One REPL session for the checks that leave the REPL at a fresh prompt: each
 * adds its steps (starting at the prompt, ending at its last output), and
 * passes when the session got through them. A session per check would start
 * `mpy` and the pty driver again each time; the process's own behaviour (its
 * exit, its arguments) is checked in sessions of its own below.
 */
const sharedSteps: PtyStep[] = [];
let shared: PtyResult | undefined;

/** Adds `steps` to the shared session; the returned function runs the session (once) and gives its result and this part's failure. */
function inSharedSession(steps: PtyStep[]): () => { session: PtyResult; failure: string | null } {
  const first = sharedSteps.length;
  sharedSteps.push(...steps);
  const last = sharedSteps.length - 1;
  return () => {
    shared ??= runMpyInPty([], [...sharedSteps, { expect: '>>> ' }, { send: CTRL_D }]);
    const at = shared.failedStep;
    let failure: string | null = null;
    if (at !== null && at < first) failure = `not reached: the session stopped at step ${at} (${shared.failure})`;
    else if (at !== null && at <= last) failure = `${shared.failure} (step ${at - first} of this part)`;
    return { session: shared, failure };
  };
}

const evaluates = inSharedSession([{ expect: '>>> ' }, { send: '6*7\r' }, { expect: '42' }]);
const compound = inSharedSession([
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
]);
const history = inSharedSession([
  { expect: '>>> ' },
  { send: 'print("h" * 3)\r' },
  { expect: 'hhh' },
  { expect: '>>> ' },
  { send: `${UP}\r` },
  { expect: 'hhh' },
]);
const completion = inSharedSession([
  { expect: '>>> ' },
  { send: 'impo\t' },
  { expect: 'import' },
  { send: ' sys\rsys.pl\t' },
  { expect: 'platform' },
  { send: '\r' },
  { expect: "'webassembly'" },
]);
const paste = inSharedSession([
  { expect: '>>> ' },
  { send: CTRL_E },
  { expect: 'paste mode' },
  { send: 'a = 2\rb = 21\rprint("pasted", a * b)\r' },
  { send: CTRL_D },
  { expect: 'pasted 42' },
]);
const traceback = inSharedSession([{ expect: '>>> ' }, { send: '1/0\r' }, { expect: 'ZeroDivisionError' }]);
const typedAhead = inSharedSession([{ expect: '>>> ' }, { send: 'print("<" + input() + ">")\rpasted\r' }, { expect: '<pasted>' }]);
const typedInput = inSharedSession([
  { expect: '>>> ' },
  { send: 'x = input("name? ")\r' },
  { expect: '\nname? ' },
  { send: 'bob\r' },
  { expect: '>>> ' },
  { send: 'print(x.upper())\r' },
  { expect: 'BOB' },
]);

describe('REPL on a terminal', () => {
  it('shows the banner, evaluates, and exits 0 on Ctrl-D', () => {
    const r = evaluates();
    expect(r.failure).toBeNull();
    expect(r.session.transcript).toContain('MicroPython v1.27.0');
    expect(r.session.failure).toBeNull();
    expect(r.session.status).toBe(0);
  });

  it('continues compound statements with ... prompts', () => {
    expect(compound().failure).toBeNull();
  });

  it('recalls history with the up arrow', () => {
    const r = history();
    expect(r.failure).toBeNull();
    expect(r.session.transcript.split('hhh').length - 1).toBeGreaterThanOrEqual(2);
  });

  it('completes names with tab', () => {
    expect(completion().failure).toBeNull();
  });

  it('paste mode (Ctrl-E ... Ctrl-D) runs the pasted block', () => {
    expect(paste().failure).toBeNull();
  });

  it('Ctrl-C at the prompt abandons the line and keeps the REPL', () => {
    // A session of its own: in the shared one, typed right after the prompt
    // that followed a paste-mode run, the Ctrl-C was followed by no prompt
    // at all in 2 runs of about 8; at a fresh prompt it has not been.
    const r = runMpyInPty(
      [],
      [{ expect: '>>> ' }, { send: `1 + ${CTRL_C}` }, { expect: '>>> ' }, { send: '2+2\r' }, { expect: '4' }, { send: CTRL_D }],
    );
    expect(r.failure).toBeNull();
    expect(r.status).toBe(0);
  });

  it('an exception prints a traceback and the REPL goes on', () => {
    expect(traceback().failure).toBeNull();
  });

  it('a line typed together with the statement that reads it reaches input()', () => {
    expect(typedAhead().failure).toBeNull();
  });

  it('input() reads a line typed at the terminal', () => {
    expect(typedInput().failure).toBeNull();
  });

  it('sys.exit in the REPL leaves it (the build REPL does not pass the code on)', () => {
    const r = runMpyInPty([], [{ expect: '>>> ' }, { send: 'import sys; sys.exit(4)\r' }]);
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
