/**
 * Runs apps' readiness checks (readinessCheck.ts) as Marathon does, from the
 * scheduler and not on the agent: every running task of an app with a
 * readiness check that is not ready yet gets an HTTP(S) GET of the check's
 * path on its host (the agent's address) and the host port named by
 * `portName`, every `intervalSeconds`, bounded by `timeoutSeconds`. The
 * first answer with a status of `httpStatusCodesForReady` makes the task
 * ready in the model (`task.ready`), which lets the deployment count it;
 * ready tasks are not checked again. The latest result per task is what
 * `/v2/deployments` shows as `readinessCheckResults` (with the response
 * when `preserveLastResponse`); results are not stored: after a restart the
 * tasks not ready yet are checked again.
 */
import type { Instance } from '@allot/kernel';
import type { MarathonRuntime } from './marathonRuntime.js';
import type { ReadinessCheckDefinition } from './readinessCheck.js';

type Json = Record<string, any>;

export interface ReadinessResult {
  name: string;
  taskId: string;
  ready: boolean;
  /** Marathon's HttpResponse; null when nothing answered, or the check does not preserve responses. */
  lastResponse: { status: number; contentType: string; body: string } | null;
}

const TICK_MS = 250;
/** What is kept of a response body (it is shown in the API, and stored nowhere). */
const BODY_CHARS_MAX = 16_384;

export class ReadinessChecker {
  readonly #runtime: MarathonRuntime;
  readonly #timer: NodeJS.Timeout;
  readonly #results = new Map<string, ReadinessResult>();
  readonly #nextAtMs = new Map<string, number>();
  readonly #inFlight = new Set<string>();

  constructor(runtime: MarathonRuntime) {
    this.#runtime = runtime;
    this.#timer = setInterval(() => this.tick(), TICK_MS);
    this.#timer.unref();
  }

  /** The latest results of an app's live tasks, for a deployment's `readinessCheckResults`. */
  resultsOf(appId: string): Json[] {
    const app = this.#runtime.model.app(appId);
    if (!app) return [];
    return [...app.live.keys()].flatMap((taskId) => {
      const result = this.#results.get(taskId);
      if (!result) return [];
      const { lastResponse, ...rest } = result;
      return [lastResponse ? { ...rest, lastResponse } : rest];
    });
  }

  /** Starts the checks that are due. */
  tick(): void {
    if (this.#runtime.framework.stoppedReason !== null) return;
    const live = new Set<string>();
    const nowMs = Date.now();
    for (const app of this.#runtime.model.apps) {
      const check = this.#runtime.document.apps[app.spec.id]?.current.readinessChecks[0];
      for (const instance of app.live.values()) {
        live.add(instance.taskId);
        if (!check || !waitsForReadiness(instance) || this.#inFlight.has(instance.taskId)) continue;
        if ((this.#nextAtMs.get(instance.taskId) ?? 0) > nowMs) continue;
        this.#nextAtMs.set(instance.taskId, nowMs + check.intervalSeconds * 1000);
        this.#inFlight.add(instance.taskId);
        void this.#check(instance.taskId, check).finally(() => this.#inFlight.delete(instance.taskId));
      }
    }
    for (const taskId of [...this.#results.keys(), ...this.#nextAtMs.keys()])
      if (!live.has(taskId)) {
        this.#results.delete(taskId);
        this.#nextAtMs.delete(taskId);
      }
  }

  close(): void {
    clearInterval(this.#timer);
  }

  async #check(taskId: string, check: ReadinessCheckDefinition): Promise<void> {
    const url = this.#urlOf(taskId, check);
    if (url === null) return;
    let response: ReadinessResult['lastResponse'] = null;
    try {
      const answer = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(check.timeoutSeconds * 1000) });
      const body = await answer.text();
      response = { status: answer.status, contentType: answer.headers.get('content-type') ?? '', body: body.slice(0, BODY_CHARS_MAX) };
    } catch (error) {
      this.#runtime.options.logger.debug({ taskId, url, err: error }, 'readiness check got no answer');
    }
    const ready = response !== null && check.httpStatusCodesForReady.includes(response.status);
    this.#results.set(taskId, {
      name: check.name,
      taskId,
      ready,
      lastResponse: check.preserveLastResponse ? response : null,
    });
    if (!ready) return;
    try {
      await this.#runtime.act((model) => model.operate({ type: 'task.ready', taskId }, this.#runtime.framework.host.context));
      this.#runtime.options.logger.info({ taskId, url }, 'task ready');
    } catch (error) {
      // Stopped, or the store refused the write: the task is checked again at its next interval.
      this.#results.set(taskId, { ...this.#results.get(taskId)!, ready: false });
      this.#runtime.options.logger.warn({ taskId, err: error }, 'could not record a ready task');
    }
  }

  /** `http(s)://<agent address>:<host port named portName><path>`, or null when the task's port is not known. */
  #urlOf(taskId: string, check: ReadinessCheckDefinition): string | null {
    const view = this.#runtime.document.tasks[taskId];
    const definition = view ? this.#runtime.document.apps[view.appId]?.current : undefined;
    const index = definition?.portDefinitions.findIndex((port) => port.name === check.portName) ?? -1;
    const port = index >= 0 ? view?.ports[index] : undefined;
    if (!view || port === undefined) return null;
    const host = view.ip ?? view.host;
    return `${check.protocol.toLowerCase()}://${host.includes(':') ? `[${host}]` : host}:${port}${check.path}`;
  }
}

function waitsForReadiness(instance: Instance): boolean {
  return !instance.ready && instance.killReason === null && instance.state === 'TASK_RUNNING';
}
