/**
 * Persistent volumes on the agent. A volume (CREATE on reserved disk) is a
 * directory kept outside every sandbox, `<workDir>/volumes/roles/<role>/<persistence id>`
 * (the role URI-encoded, so `a/b` is one level),
 * so it outlives the tasks that use it, the agent process and `kill -9` of
 * it. A task whose resources hold the volume sees it at its `container_path`
 * inside its sandbox (a symbolic link to the directory). The directory goes
 * only when the volume leaves the agent's checkpointed resources (DESTROY).
 * Its disk use is held to the volume's size like a sandbox's (a task over it
 * ends with REASON_CONTAINER_LIMITATION_DISK).
 */
import { chownSync, existsSync, lstatSync, mkdirSync, readdirSync, rmSync, symlinkSync, unlinkSync } from 'node:fs';
import { dirname, isAbsolute, join, normalize, resolve } from 'node:path';
import type { Limitation } from './isolation/isolator.js';
import { diskLimitation } from './isolation/isolator.js';
import type { TaskUser } from './sandbox.js';
import { directoryUsageBytes, idProblem } from './sandbox.js';

type Json = Record<string, any>;

export interface VolumeMount {
  /** The directory kept by the agent. */
  hostPath: string;
  /** Where the task sees it, relative to its sandbox. */
  containerPath: string;
  sizeMb: number;
  mode: 'RW' | 'RO';
}

/** Absolute, as links in sandboxes point at it. */
export function volumesRoot(workDir: string): string {
  return resolve(workDir, 'volumes', 'roles');
}

/** The directory of a volume; null when the role or id cannot name one safely. */
export function volumePath(workDir: string, role: string, persistenceId: string): string | null {
  const roleSegment = encodeURIComponent(role);
  if (role === '' || roleSegment === '.' || roleSegment === '..' || idProblem(persistenceId) !== null) return null;
  return join(volumesRoot(workDir), roleSegment, persistenceId);
}

/** The volumes in a Mesos Resource list (a task's or the agent's checkpointed total). */
export function volumesIn(resources: readonly Json[], workDir: string): VolumeMount[] {
  return resources.flatMap((resource) => {
    const persistence = resource.disk?.persistence?.id;
    const containerPath = resource.disk?.volume?.container_path;
    if (resource.name !== 'disk' || typeof persistence !== 'string' || typeof containerPath !== 'string') return [];
    const role = resource.reservations?.at(-1)?.role ?? resource.role;
    const hostPath = typeof role === 'string' ? volumePath(workDir, role, persistence) : null;
    if (!hostPath) return [];
    return [{ hostPath, containerPath, sizeMb: resource.scalar?.value ?? 0, mode: resource.disk.volume.mode === 'RO' ? 'RO' : 'RW' }];
  });
}

/** Why a container path cannot be linked into a sandbox, or null. */
export function containerPathProblem(containerPath: string): string | null {
  const normalized = normalize(containerPath);
  if (isAbsolute(containerPath) || normalized.startsWith('..') || normalized === '.')
    return `volume container_path "${containerPath}" must be a relative path inside the sandbox`;
  return null;
}

/** Makes each volume's directory (owned by the task's user) and links it at its container path in the sandbox. */
export function attachVolumes(sandboxDir: string, mounts: readonly VolumeMount[], user: TaskUser | null): void {
  for (const mount of mounts) {
    const problem = containerPathProblem(mount.containerPath);
    if (problem) throw new Error(problem);
    if (!existsSync(mount.hostPath)) mkdirSync(mount.hostPath, { recursive: true, mode: 0o755 });
    // The agent may have made it on CREATE, as itself: the task's user must own it to write.
    if (user) chownSync(mount.hostPath, user.uid, user.gid);
    const link = join(sandboxDir, normalize(mount.containerPath));
    mkdirSync(dirname(link), { recursive: true, mode: 0o755 });
    if (existsSync(link) || isSymlink(link)) unlinkSync(link);
    symlinkSync(mount.hostPath, link, 'dir');
  }
}

/** A volume over its size, as a disk limitation (the task is ended like one over its sandbox disk). */
export function volumeLimitation(mounts: readonly VolumeMount[]): Limitation | null {
  for (const mount of mounts) {
    if (!(mount.sizeMb > 0)) continue;
    const usedBytes = directoryUsageBytes(mount.hostPath);
    if (usedBytes > mount.sizeMb * 2 ** 20) return diskLimitation(mount.sizeMb, usedBytes);
  }
  return null;
}

/**
 * Brings the volume directories in line with the agent's checkpointed
 * resources: every volume there has its directory; a directory whose volume
 * is gone (DESTROY) is removed, unless a live task still uses it. Returns the
 * directories removed.
 */
export function syncVolumes(workDir: string, checkpointed: readonly Json[], inUse: ReadonlySet<string>): string[] {
  const wanted = new Set(volumesIn(checkpointed, workDir).map((mount) => mount.hostPath));
  for (const path of wanted) if (!existsSync(path)) mkdirSync(path, { recursive: true, mode: 0o755 });
  const removed: string[] = [];
  for (const path of volumeDirectories(volumesRoot(workDir))) {
    if (wanted.has(path) || inUse.has(path)) continue;
    rmSync(path, { recursive: true, force: true });
    removed.push(path);
  }
  return removed;
}

/** `<role>/<persistence id>` directories under the volumes root. */
function volumeDirectories(root: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((role) => role.isDirectory())
    .flatMap((role) =>
      readdirSync(join(root, role.name), { withFileTypes: true })
        .filter((volume) => volume.isDirectory())
        .map((volume) => join(root, role.name, volume.name)),
    );
}

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}
