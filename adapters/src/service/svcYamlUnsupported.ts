/**
 * svc.yml features that DC/OS Commons has and allot does not (yet): each is a
 * known key, refused with the reason instead of "unknown field", so a user
 * porting a service learns what is missing rather than what is misspelt.
 */
import type { Errors, Fields } from '@allot/kernel';

/** svc.yml features that exist in DC/OS Commons but not (yet) here: refused with this reason. */
export const NOT_SUPPORTED: Record<string, { in: 'pod' | 'task' | 'top'; why: string }> = {
  image: { in: 'pod', why: 'container images are not supported yet (tasks run as processes on the agent)' },
  networks: { in: 'pod', why: 'virtual networks are not supported yet' },
  rlimits: { in: 'pod', why: 'rlimits are not supported yet' },
  uris: { in: 'pod', why: 'fetching URIs is not supported yet' },
  secrets: { in: 'pod', why: 'secrets are not supported yet' },
  'host-volumes': { in: 'pod', why: 'host volumes are not supported yet' },
  'pre-reserved-role': { in: 'pod', why: 'pre-reserved roles are not supported yet' },
  'share-pid-namespace': { in: 'pod', why: 'PID namespaces are not supported yet' },
  user: { in: 'pod', why: 'per-pod users are not supported yet (tasks run as the agent task user)' },
  gpus: { in: 'task', why: 'GPU resources are not supported yet' },
  configs: { in: 'task', why: 'config templates are not supported yet' },
  discovery: { in: 'task', why: 'discovery names are not supported yet' },
  labels: { in: 'task', why: 'task labels are not supported yet' },
  'transport-encryption': { in: 'task', why: 'TLS provisioning is not supported yet' },
  'kill-grace-period': { in: 'task', why: 'kill grace periods are not supported yet' },
  'task-kill-grace-period': { in: 'task', why: 'kill grace periods are not supported yet' },
};

export function unsupported(where: 'pod' | 'task'): string[] {
  return Object.entries(NOT_SUPPORTED)
    .filter(([, feature]) => feature.in === where)
    .map(([key]) => key);
}

export function refuseUnsupported(fields: Fields, keys: readonly string[], errors: Errors): void {
  for (const key of keys) if (fields.has(key)) errors.push({ path: fields.pathOf(key), message: NOT_SUPPORTED[key].why });
}
