import { readFileSync, realpathSync } from 'node:fs';
import { dirname } from 'node:path';
import { Session } from '../../runtime/session.js';
import { PythonError } from '../../runtime/errors.js';
import {
  CANNOT_OPEN_STATUS,
  cannotOpenMessage,
  CLI_HEAP_LIMIT_BYTES,
  compiledBootModulesDir,
  GUEST_BOOT_DIR,
  GUEST_LIB_DIR,
  RUNTIME_LIB_DIR,
  UNCAUGHT_EXCEPTION_STATUS,
} from '../../runtime/guest-layout.js';
import { ProcessStdio } from '../process-stdio.js';
import { mountHostFilesystem } from '../fs/mounts.js';
import type { RunArgs } from './args.js';
import { buildSysPath, sysPathForUpip } from './sys-path.js';
import { checkNetOptions, netOptionsFromEnv } from '../net/options.js';
import type { NetServiceStarter } from '../net/bridge.js';
import { netHostModules } from '../net/session-modules.js';
import type { Interpreter } from '../../runtime/interpreter.js';
import type { StdinChannel } from './stdin-channel.js';
import type { ReplActivity } from './repl-activity.js';
import { currentProcess, type CliProcess } from './cli-process.js';
import { usableProxies } from '../net/proxy.js';

export { currentProcess, type CliProcess } from './cli-process.js';

/** Modules run with `-m` that open a socket first thing (their network worker is started early). */
const NETWORK_MODULES: ReadonlySet<string> = new Set(['upip', 'mip']);

/** What the interpreter's thread gets from the main thread (see program-worker.ts). */
export interface ProgramHost {
  /** Stdin, fed by the main thread. */
  readonly stdin: StdinChannel;
  /** Where the REPL says whether it is at a prompt (a Ctrl-C is a keystroke) or may run code. */
  readonly replActivity: ReplActivity;
  /** Called once the interpreter is up, before any Python of the program runs. */
  onBoot(interpreter: Interpreter): void;
  /** Asks for the terminal in raw (REPL) or cooked mode. */
  setRaw(raw: boolean): void;
  /** Runs the program's network service on the main thread (see host/net/service.ts). */
  readonly startNetService: NetServiceStarter;
}

/** What to say when the boot itself runs out of heap (a small `-X heapsize` and a long `sys.argv` or `sys.path`). */
function bootMemoryProblem(heapBytes: number | undefined): string {
  const given = heapBytes === undefined ? 'the heap' : `a ${heapBytes}-byte heap (-X heapsize)`;
  return `MemoryError while starting: ${given} cannot hold sys.argv and sys.path; give a larger -X heapsize`;
}

/**
 * Runs the Unix-port command line: the program, then the REPL when asked for
 * (`-i`, MICROPYINSPECT) or when there is no program; with no program and no
 * terminal, the program is read from stdin.
 * @returns the exit status
 */
export async function runProgram(args: RunArgs, host: ProgramHost, proc: CliProcess = currentProcess()): Promise<number> {
  const { program } = args;
  let first = '';
  if (program.kind === 'file') {
    try {
      first = dirname(realpathSync(program.path));
    } catch (e) {
      proc.writeError(cannotOpenMessage(program.path, Math.abs((e as NodeJS.ErrnoException).errno ?? 0)));
      return CANNOT_OPEN_STATUS;
    }
  }

  const fromEnv = netOptionsFromEnv(proc.env);
  const proxies = usableProxies(fromEnv.proxy ?? null);
  for (const problem of proxies.problems) proc.writeError(`mpy: warning: ${problem}; it is ignored\n`);
  const net = { ...fromEnv, proxy: proxies.settings };
  const netProblem = checkNetOptions(net);
  if (netProblem !== undefined) {
    proc.writeError(`mpy: ${netProblem}\n`);
    return 1;
  }
  let path: readonly string[] = buildSysPath(proc.env, first);
  if (program.kind === 'module' && program.name === 'upip') {
    path = sysPathForUpip(path);
    // Loaded only for `-m upip`: it brings the archive reader and fflate.
    const { bootstrapUpip } = await import('../upip/bootstrap.js');
    const upip = await bootstrapUpip({ env: proc.env, cwd: proc.cwd, path, writeError: (t) => proc.writeError(t) });
    if (upip.status !== undefined) return upip.status;
    path = upip.path;
  }
  if (program.kind === 'module' && program.name === 'mip') {
    const { bootstrapMip } = await import('../mip/bootstrap.js');
    const mip = await bootstrapMip({ env: proc.env, cwd: proc.cwd, path, argv: args.argv, writeError: (t) => proc.writeError(t) });
    if (mip.status !== undefined) return mip.status;
    path = mip.path;
  }

  const stdio = new ProcessStdio({ lineBuffered: proc.stdoutIsTTY, source: (into) => host.stdin.read(into) });
  const compiledBoot = compiledBootModulesDir(proc.env);
  let session: Session;
  try {
    session = await Session.start({
      stdio,
      argv: args.argv,
      path,
      env: new Map(Object.entries(proc.env).filter((e): e is [string, string] => e[1] !== undefined)),
      prepareFilesystem: (fs) =>
        mountHostFilesystem(fs, {
          kind: 'host-mirror',
          runtimeLib: { guest: GUEST_LIB_DIR, host: RUNTIME_LIB_DIR },
          ...(compiledBoot && { bootModules: { guest: GUEST_BOOT_DIR, host: compiledBoot } }),
        }),
      ...(compiledBoot && { bootModulesDir: GUEST_BOOT_DIR }),
      bootImage: 'cli',
      cwd: proc.cwd,
      heapBytes: args.heapBytes,
      heapLimitBytes: args.heapBytes,
      inRunGcHeapLimitBytes: CLI_HEAP_LIMIT_BYTES,
      // upip and mip open sockets first thing: their network worker starts while Python boots.
      hostModules: netHostModules(
        net,
        program.kind === 'module' && NETWORK_MODULES.has(program.name) ? (b) => b.prestart() : undefined,
        undefined,
        host.startNetService,
      ),
      // The user's own code keeps the build's `js` bridge, except under an
      // allow-list, which `js` (node:net, fetch) would step around.
      jsBridge: net.allow === undefined,
    });
  } catch (e) {
    if (!(e instanceof PythonError && e.type === 'MemoryError')) throw e;
    proc.writeError(`mpy: ${bootMemoryProblem(args.heapBytes)}\n`);
    return UNCAUGHT_EXCEPTION_STATUS;
  }
  const interp = session.interpreter;
  host.stdin.setWaits(interp.waits);
  host.onBoot(interp);
  if (args.optimize > 0) interp.exec(`import micropython\nmicropython.opt_level(${args.optimize})`);
  if (args.compileOnly) interp.exec("__import__('_mpy_run').COMPILE_ONLY = True");

  let status = 0;
  switch (program.kind) {
    case 'code':
      status = session.runCode(program.code);
      break;
    case 'module':
      status = session.runModule(program.name);
      break;
    case 'file':
      status = session.runFile(program.path);
      break;
    case 'none':
      break;
  }

  const inspect = args.inspect || (proc.env.MICROPYINSPECT ?? '') !== '';
  if (program.kind === 'none' || inspect) {
    if (proc.stdinIsTTY) {
      const { runRepl } = await import('./repl.js');
      status = runRepl(interp, stdio, host.stdin, host.replActivity, (raw) => host.setRaw(raw));
    } else {
      status = session.runCode(readFileSync(0, 'utf8'));
    }
  }
  if (args.verbose > 0) {
    interp.exec('import micropython\nmicropython.mem_info()');
  }
  session.flush();
  return status;
}
