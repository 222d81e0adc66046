/**
 * What a launch may ask for that allot does not support (yet), in one table.
 * The master refuses such a task (400, the offers go back) with a message that
 * names the field, says that it is not supported and what to do instead,
 * rather than run the task without it. When a feature lands, its entry goes
 * from the table, and the field is then read where the feature is built; the
 * `removedBy` column says which planned work takes each entry away. Custom
 * executors left the table when agents learnt to run them (executorLaunch.ts).
 */

type Json = Record<string, any>;

export interface UnsupportedField {
  ok: false;
  field: string;
  message: string;
}

/** One thing allot agents cannot do yet. */
export interface UnsupportedEntry {
  /** The JSON path under the TaskInfo (or the LaunchGroup operation) that asks for it; the refusal names it. */
  field: string;
  /** Whether `info` asks for it. */
  asks(info: Json): boolean;
  /** What the refusal says after the field: that it is not supported, and what to do instead. */
  message(info: Json): string;
  /** The planned work that supports it and removes this entry. */
  removedBy: string;
  /** A fragment of a TaskInfo (or LaunchGroup) that asks for it, for the tests and the docs. */
  example: Json;
}

const NO_CONTAINERIZER =
  'allot agents run the command directly on the host, under cgroups, like the Mesos containerizer without an image; ' +
  'remove `container` (or give type MESOS without an image) and install what the task needs on the agents';

/** ContainerInfo fields that allot does act on: `type` MESOS and an image-less `mesos`. */
const CONTAINER_FIELDS_KEPT = new Set(['type', 'mesos']);

/** Everything a TaskInfo may ask for that the agents cannot do yet. The first entry that `asks` refuses the task. */
export const UNSUPPORTED_TASK_FIELDS: readonly UnsupportedEntry[] = [
  {
    field: 'container.type',
    asks: (info) => info.container?.type !== undefined && info.container.type !== 'MESOS',
    message: (info) => `${String(info.container.type).slice(0, 64)} containers are not supported: ${NO_CONTAINERIZER}`,
    removedBy: 'a Docker containerizer (not planned)',
    example: { container: { type: 'DOCKER', docker: { image: 'alpine' } } },
  },
  {
    field: 'container.docker',
    asks: (info) => info.container?.docker !== undefined,
    message: () => `Docker containers are not supported: ${NO_CONTAINERIZER}`,
    removedBy: 'a Docker containerizer (not planned)',
    example: { container: { docker: { image: 'alpine' } } },
  },
  {
    field: 'container.mesos.image',
    asks: (info) => info.container?.mesos?.image !== undefined,
    message: () => `container images are not supported: ${NO_CONTAINERIZER}`,
    removedBy: 'container images (not planned)',
    example: { container: { type: 'MESOS', mesos: { image: { type: 'DOCKER', docker: { name: 'alpine' } } } } },
  },
  {
    field: 'container',
    asks: (info) => Object.keys(info.container ?? {}).some((key) => !CONTAINER_FIELDS_KEPT.has(key)),
    message: (info) => {
      const others = Object.keys(info.container).filter((key) => !CONTAINER_FIELDS_KEPT.has(key));
      const named = others.map((key) => `\`${key.slice(0, 64)}\``).join(', ');
      return (
        `${named} ${others.length === 1 ? 'is' : 'are'} not supported (allot agents run tasks without a container runtime: ` +
        'no volumes, networks, hostnames, Linux or rlimit settings): remove them, keeping at most type MESOS'
      );
    },
    removedBy: 'container volumes and networks (not planned)',
    example: { container: { type: 'MESOS', volumes: [{ container_path: '/data', mode: 'RW' }] } },
  },
  {
    field: 'max_completion_time',
    asks: (info) => info.max_completion_time !== undefined,
    message: () => 'max_completion_time is not supported yet; end the task from its command (e.g. `timeout 600 ./run`)',
    removedBy: 'task deadlines (not planned yet)',
    example: { max_completion_time: { nanoseconds: 1e9 } },
  },
  {
    field: 'limits',
    asks: (info) => info.limits !== undefined,
    message: () => 'resource limits above the requested resources are not supported yet; request what the task may use',
    removedBy: 'resource limits (not planned yet)',
    example: { limits: { cpus: { value: 2 } } },
  },
];

/** The first unsupported field of a TaskInfo at JSON path `at`, or null when it asks for nothing allot lacks. */
export function unsupportedTaskField(info: Json, at: string): UnsupportedField | null {
  return firstAsked(UNSUPPORTED_TASK_FIELDS, info, at);
}

function firstAsked(table: readonly UnsupportedEntry[], value: Json, at: string): UnsupportedField | null {
  const entry = table.find((candidate) => candidate.asks(value));
  return entry ? { ok: false, field: `${at}.${entry.field}`, message: entry.message(value) } : null;
}
