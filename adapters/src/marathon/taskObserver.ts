/**
 * What Marathon's API shows of tasks, kept from what the master says: the
 * agents of offers (hostname, IP), each launched task (host, ports, service
 * ports, version, times), its state and health as status updates report
 * them, and each app's last task failure. It also turns updates into
 * `status_update_event`, `health_status_changed_event` and
 * `failed_health_check_event` on the event stream. Ended tasks leave the list.
 */
import type { TaskSpec } from '@allot/kernel';
import { isTerminal, portList } from '@allot/kernel';
import type { TaskState } from '@allot/kernel';
import type { AppDefinition } from './appDefinition.js';
import type { EventBus } from './eventBus.js';
import type { MarathonDocument, TaskView } from './marathonDocument.js';

type Json = Record<string, any>;

const FAILURES: ReadonlySet<string> = new Set(['TASK_FAILED', 'TASK_ERROR', 'TASK_LOST', 'TASK_DROPPED', 'TASK_GONE', 'TASK_KILLED']);

export class TaskObserver {
  constructor(
    private readonly document: MarathonDocument,
    private readonly events: EventBus,
  ) {}

  offers(offers: Json[]): void {
    for (const offer of offers)
      this.document.agents[offer.agent_id.value] = { hostname: offer.hostname, ip: offer.url?.address?.ip ?? null };
  }

  launched(task: TaskSpec, appId: string, version: string, agentId: string, app: AppDefinition): void {
    const agent = this.document.agents[agentId];
    const view: TaskView = {
      id: task.taskId,
      appId,
      agentId,
      host: agent?.hostname ?? '',
      ip: agent?.ip ?? null,
      ports: portList(task.resources.ports),
      servicePorts: app.portDefinitions.map((port) => port.port),
      version,
      state: 'TASK_STAGING',
      stagedAt: new Date().toISOString(),
      startedAt: null,
      healthy: null,
      firstSuccess: null,
      lastSuccess: null,
      lastFailure: null,
      consecutiveFailures: 0,
    };
    this.document.tasks[task.taskId] = view;
  }

  update(status: Json): void {
    const taskId: string | undefined = status.task_id?.value;
    const view = taskId ? this.document.tasks[taskId] : undefined;
    if (!view) return;
    const nowIso = new Date().toISOString();
    const state = String(status.state);
    const changed = state !== view.state;
    view.state = state;
    if (state === 'TASK_RUNNING' && view.startedAt === null) view.startedAt = nowIso;
    if (changed)
      this.events.emit('status_update_event', {
        slaveId: view.agentId,
        taskId: view.id,
        taskStatus: state,
        message: status.message ?? '',
        appId: view.appId,
        host: view.host,
        ipAddresses: view.ip ? [{ ipAddress: view.ip, protocol: 'IPv4' }] : [],
        ports: view.ports,
        version: view.version,
      });
    if (typeof status.healthy === 'boolean') this.#health(view, status.healthy, nowIso);
    if (isTerminal(state as TaskState)) {
      if (FAILURES.has(state) && !(state === 'TASK_KILLED' && view.healthy !== false))
        this.document.lastTaskFailure[view.appId] = {
          appId: view.appId,
          host: view.host,
          message: status.message ?? '',
          state,
          taskId: view.id,
          timestamp: nowIso,
          version: view.version,
          slaveId: view.agentId,
        };
      delete this.document.tasks[view.id];
    }
  }

  #health(view: TaskView, healthy: boolean, nowIso: string): void {
    if (healthy) {
      view.firstSuccess ??= nowIso;
      view.lastSuccess = nowIso;
      view.consecutiveFailures = 0;
    } else {
      view.lastFailure = nowIso;
      view.consecutiveFailures++;
      this.events.emit('failed_health_check_event', { appId: view.appId, taskId: view.id, instanceId: view.id, version: view.version });
    }
    if (view.healthy === healthy) return;
    view.healthy = healthy;
    this.events.emit('health_status_changed_event', {
      appId: view.appId,
      taskId: view.id,
      instanceId: view.id,
      version: view.version,
      alive: healthy,
    });
  }
}
