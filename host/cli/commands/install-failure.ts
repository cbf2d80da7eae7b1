/** How the package-management commands (install, uninstall, list, lock) print a failure and choose the exit status. */
import { InstallError } from '../../install/errors.js';
import { forTerminal } from '../../terminal-text.js';
import { INTERRUPTED_STATUS } from '../../../runtime/guest-layout.js';

/**
 * Prints `err` as `mpy COMMAND: error: MESSAGE` plus its hint on stderr, or
 * as `{ok: false, error}` JSON on stdout.
 * @returns the exit status: 130 when cancelled, else 1
 */
export function reportFailure(command: string, err: unknown, json: boolean | undefined): number {
  const e =
    err instanceof InstallError
      ? err
      : new InstallError(
          'io-error',
          (err as Error).message ?? String(err),
          'check the permissions and free space of the target directory and its parent',
          err,
        );
  if (json) process.stdout.write(`${JSON.stringify({ ok: false, error: { code: e.code, message: e.message, hint: e.hint } }, null, 2)}\n`);
  else
    process.stderr.write(`mpy ${command}: ${e.code === 'cancelled' ? '' : 'error: '}${forTerminal(e.message)}\n  ${forTerminal(e.hint)}\n`);
  return e.code === 'cancelled' ? INTERRUPTED_STATUS : 1;
}
