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
import { resolve } from 'node:path';
import type { TaskUser } from './sandbox.js';
import { SANDBOX_TMP_DIR } from './sandbox.js';

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

/**
 * The argv that runs `launcher` (argv) in `sandboxDir` with the sandbox's tmp as its /tmp, as `user` (or root
 * when null). A sandbox that itself lies under /tmp (the default work dir does) would vanish behind the mount,
 * so it is bound back at its own path inside the new /tmp, from the launcher's working directory (the sandbox,
 * still reachable as /proc/self/cwd; not canonicalized, which would resolve it in the new /tmp): the task keeps
 * finding its sandbox at $MESOS_SANDBOX. `keptDirs` (host directories the task must reach outside its
 * sandbox: its persistent volumes, linked into the sandbox) are likewise kept at their own paths when they lie
 * under /tmp: bound into the sandbox's tmp before it covers /tmp (recursively, so they come along).
 */
export function privateTmpArgv(
  launcher: readonly string[],
  sandboxDir: string,
  user: TaskUser | null,
  keptDirs: readonly string[] = [],
): string[] {
  const dropPrivileges = user ? [SETPRIV, `--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups', '--'] : [];
  const script = [
    // A kill that comes before the launcher's own traps ends this stage as the launcher would have ended (128 + N).
    "trap 'exit 143' TERM; trap 'exit 130' INT; trap 'exit 129' HUP",
    // $1 is the number of kept directories that follow it.
    'kept=$1; shift',
    'while [ "$kept" -gt 0 ]; do',
    `  case "$1" in /tmp/*) { mkdir -p -- "$0/${SANDBOX_TMP_DIR}/\${1#/tmp/}" && mount --bind -- "$1" "$0/${SANDBOX_TMP_DIR}/\${1#/tmp/}"; } || exit ${EXIT_PRIVATE_TMP_FAILED};; esac`,
    '  shift; kept=$((kept - 1))',
    'done',
    `mount --rbind -- "$0/${SANDBOX_TMP_DIR}" /tmp || exit ${EXIT_PRIVATE_TMP_FAILED}`,
    `case "$0" in /tmp/*) { mkdir -p -- "$0" && mount --no-canonicalize --bind -- /proc/self/cwd "$0"; } || exit ${EXIT_PRIVATE_TMP_FAILED};; esac`,
    'exec "$@"',
  ].join('\n');
  const kept = keptDirs.map((dir) => resolve(dir));
  return [
    UNSHARE,
    '--mount',
    '--propagation',
    'private',
    '--',
    '/bin/sh',
    '-c',
    script,
    sandboxDir,
    String(kept.length),
    ...kept,
    ...dropPrivileges,
    ...launcher,
  ];
}
