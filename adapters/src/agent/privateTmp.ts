/**
 * A private /tmp per task, as Mesos's `filesystem/linux` isolator gives
 * with a `/tmp` volume: the task's launcher starts in its own mount
 * namespace (`unshare --mount`, private propagation) where the sandbox's
 * `tmp` directory is bind-mounted over /tmp, then drops to the task user
 * (`setpriv`) and runs as usual. What the task writes to /tmp stays in its
 * sandbox (counted by the disk limit, removed with the sandbox) and no task
 * sees another's. Needs root and util-linux; elsewhere tasks share the
 * host's /tmp, and TMPDIR (which points into the sandbox) is all there is.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { TaskUser } from './sandbox.js';

const UNSHARE = '/usr/bin/unshare';
const SETPRIV = '/usr/bin/setpriv';
/** The launcher exits with this when the bind mount fails (before anything of the task runs). */
export const EXIT_PRIVATE_TMP_FAILED = 126;

let probed: string | null | undefined;

/** Why tasks cannot get a private /tmp here, or null when they can (checked once per process). */
export function privateTmpProblem(): string | null {
  if (probed !== undefined) return probed;
  if (process.platform !== 'linux') probed = 'not Linux';
  else if (process.getuid?.() !== 0) probed = 'the agent is not root (mount namespaces need it)';
  else if (!existsSync(UNSHARE) || !existsSync(SETPRIV)) probed = `${UNSHARE} or ${SETPRIV} is missing (util-linux)`;
  else {
    try {
      execFileSync(UNSHARE, ['--mount', '--propagation', 'private', 'true'], { stdio: 'ignore', timeout: 5000 });
      probed = null;
    } catch (error) {
      probed = `unshare --mount failed (${(error as Error).message.split('\n')[0]})`;
    }
  }
  return probed;
}

/** The argv that runs `launcher` (argv) with `tmpDir` as its /tmp, as `user` (or root when null). */
export function privateTmpArgv(launcher: readonly string[], tmpDir: string, user: TaskUser | null): string[] {
  const dropPrivileges = user ? [SETPRIV, `--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups', '--'] : [];
  const mountThenExec = `mount --bind -- "$0" /tmp || exit ${EXIT_PRIVATE_TMP_FAILED}; exec "$@"`;
  return [UNSHARE, '--mount', '--propagation', 'private', '--', '/bin/sh', '-c', mountThenExec, tmpDir, ...dropPrivileges, ...launcher];
}
