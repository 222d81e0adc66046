/**
 * What a TaskInfo may ask for that allot does not support (yet), in one
 * place. The master refuses such a task (400, the offers go back) with a
 * message that names the field, says that it is not supported and what to do
 * instead, rather than run the task without it. When a feature lands, its
 * check goes from here (the fetcher, planned with Marathon and jobs, will
 * remove the `uris` check).
 */

type Json = Record<string, any>;

export interface UnsupportedField {
  ok: false;
  field: string;
  message: string;
}

const NO_CONTAINERIZER =
  'allot agents run the command directly on the host, under cgroups, like the Mesos containerizer without an image; ' +
  'remove `container` (or give type MESOS without an image) and install what the task needs on the agents';

/** The first unsupported field of `info` (at JSON path `at`), or null when it asks for nothing allot lacks. */
export function unsupportedTaskField(info: Json, at: string): UnsupportedField | null {
  return (
    containerProblem(info.container, `${at}.container`) ??
    executorProblem(info.executor, `${at}.executor`) ??
    notYet(info, at) ??
    urisProblem(info.command, `${at}.command`) ??
    urisProblem(info.health_check?.command, `${at}.health_check.command`)
  );
}

function containerProblem(container: Json | undefined, at: string): UnsupportedField | null {
  if (container === undefined) return null;
  if (container.type !== undefined && container.type !== 'MESOS')
    return refuse(`${at}.type`, `${String(container.type)} containers are not supported: ${NO_CONTAINERIZER}`);
  if (container.docker !== undefined) return refuse(`${at}.docker`, `Docker containers are not supported: ${NO_CONTAINERIZER}`);
  if (container.mesos?.image !== undefined) return refuse(`${at}.mesos.image`, `container images are not supported: ${NO_CONTAINERIZER}`);
  for (const key of Object.keys(container)) {
    if (key !== 'type' && key !== 'mesos')
      return refuse(`${at}.${key}`, `is not supported (allot agents run tasks without a container runtime): remove it`);
  }
  return null;
}

function executorProblem(executor: Json | undefined, at: string): UnsupportedField | null {
  if (executor === undefined) return null;
  return refuse(at, 'custom executors are not supported: allot agents run command tasks; give the task a `command` instead');
}

/** TaskInfo fields that change what happens to the task, which the agents do not act on yet. */
const NOT_YET: Record<string, string> = {
  check: 'general checks are not supported yet; use health_check (type COMMAND)',
  max_completion_time: 'max_completion_time is not supported yet; end the task from its command (e.g. `timeout 600 ./run`)',
  limits: 'resource limits above the requested resources are not supported yet; request what the task may use',
};

function notYet(info: Json, at: string): UnsupportedField | null {
  for (const [field, message] of Object.entries(NOT_YET)) if (info[field] !== undefined) return refuse(`${at}.${field}`, message);
  return null;
}

function urisProblem(command: Json | undefined, at: string): UnsupportedField | null {
  if (!Array.isArray(command?.uris) || command.uris.length === 0) return null;
  return refuse(
    `${at}.uris`,
    'fetching URIs is not supported yet (allot has no fetcher so far): download in the command instead ' +
      '(e.g. "curl -fsSLO https://example.org/app.tgz && tar xzf app.tgz && ./app/run"), or put the files on the agents',
  );
}

function refuse(field: string, message: string): UnsupportedField {
  return { ok: false, field, message };
}
