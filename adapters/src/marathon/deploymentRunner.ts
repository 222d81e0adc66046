/**
 * Runs Marathon deployments against the app model: `deploy` records the new
 * definitions and versions (the API shows the target at once, as Marathon
 * does), plans the steps (deploymentPlan.ts) and starts the first; `advance`
 * (after every change and every 250 ms) gives each step's targets to the
 * model when it starts and moves on when its apps have settled, with
 * `deployment_info`, `deployment_step_success` and `deployment_success`
 * on the event stream. Changes to locked apps are refused with Marathon's
 * 409 unless forced; a forced change cancels the deployments it overrides
 * (`deployment_failed`). Everything is written to the store before the
 * answer goes out.
 */
import { randomUUID } from 'node:crypto';
import type { AppDefinition } from './appDefinition.js';
import type { AppChange, Deployment } from './deploymentPlan.js';
import { actionFor, affectedApps, configChanged, deploymentJson, planSteps } from './deploymentPlan.js';
import { assignServicePorts, nextVersion, recordVersion } from './marathonDocument.js';
import type { MarathonRuntime } from './marathonRuntime.js';
import { serviceApp } from './marathonTaskInfo.js';

type Json = Record<string, any>;

export interface Target {
  appId: string;
  /** Null: stop and remove the app. */
  target: AppDefinition | null;
  /** A restart: a new version even though the definition did not change. */
  restart?: boolean;
}

export type DeployResult = { ok: true; deployment: Deployment } | { ok: false; status: 409; body: Json };

const ADVANCE_EVERY_MS = 250;

export class DeploymentRunner {
  readonly #runtime: MarathonRuntime;
  readonly #timer: NodeJS.Timeout;
  #advancing = false;

  constructor(runtime: MarathonRuntime) {
    this.#runtime = runtime;
    this.#timer = setInterval(() => void this.tick(), ADVANCE_EVERY_MS);
    this.#timer.unref();
  }

  get deployments(): Deployment[] {
    return this.#runtime.document.deployments;
  }

  /** Running deployments that affect any of these apps. */
  locking(appIds: readonly string[]): Deployment[] {
    return this.deployments.filter((deployment) => affectedApps(deployment).some((id) => appIds.includes(id)));
  }

  lockedAnswer(locks: readonly Deployment[]): { ok: false; status: 409; body: Json } {
    return {
      ok: false,
      status: 409,
      body: {
        message: `App is locked by one or more deployments. Override with the option '?force=true'. View details at '/v2/deployments/${locks[0].id}'.`,
        deployments: locks.map((deployment) => ({ id: deployment.id })),
      },
    };
  }

  async deploy(targets: Target[], force: boolean): Promise<DeployResult> {
    this.#runtime.framework.assertRunning();
    const locks = this.locking(targets.map((target) => target.appId));
    if (locks.length > 0 && !force) return this.lockedAnswer(locks);
    for (const lock of locks) this.#cancel(lock);
    const document = this.#runtime.document;
    const version = nextVersion(Date.now(), this.#latestVersion());
    const changes: AppChange[] = targets.map(({ appId, target, restart }) => {
      const original = document.apps[appId]?.current ?? null;
      if (target === null) {
        delete document.apps[appId];
        return { appId, target: null, original, action: 'StopApplication' };
      }
      const definition = assignServicePorts(document, target);
      const reconfigured = original === null || restart === true || configChanged(original, definition);
      const stored = (document.apps[appId] ??= {
        current: definition,
        version,
        versionInfo: { lastScalingAt: version, lastConfigChangeAt: version },
        versions: {},
      });
      stored.current = definition;
      stored.version = version;
      stored.versionInfo.lastScalingAt = version;
      if (reconfigured) stored.versionInfo.lastConfigChangeAt = version;
      recordVersion(stored, version, definition);
      const action = restart && original ? 'RestartApplication' : actionFor(original, definition);
      return { appId, target: definition, original, action };
    });
    const deployment: Deployment = { id: randomUUID(), version, steps: planSteps(changes), current: 0, applied: false };
    document.deployments.push(deployment);
    this.#runtime.events.emit('deployment_info', {
      plan: { id: deployment.id, version, steps: deploymentJson(deployment).steps },
      currentStep: { actions: (deployment.steps[0] ?? []).map((change) => ({ action: change.action, app: change.appId })) },
    });
    this.#advance();
    await this.#runtime.persist();
    return { ok: true, deployment };
  }

  /** DELETE /v2/deployments/{id}: without force, a new deployment restores what it changed; with force, it just stops. */
  async cancel(id: string, force: boolean): Promise<{ ok: true; rollback: Deployment | null } | { ok: false }> {
    const deployment = this.deployments.find((candidate) => candidate.id === id);
    if (!deployment) return { ok: false };
    this.#cancel(deployment);
    if (force) {
      await this.#runtime.persist();
      return { ok: true, rollback: null };
    }
    const targets = deployment.steps.flat().map((change) => ({ appId: change.appId, target: change.original }));
    const result = await this.deploy(targets, true);
    return { ok: true, rollback: result.ok ? result.deployment : null };
  }

  /** Moves deployments on, and writes the document when anything changed. */
  async tick(): Promise<void> {
    if (this.#advancing || this.#runtime.framework.stoppedReason !== null) return;
    this.#advancing = true;
    try {
      const pruned = this.#runtime.pruneTaskViews();
      if (this.#advance() || pruned) await this.#runtime.persist();
    } catch (error) {
      this.#runtime.options.logger.error({ err: error }, 'could not advance the deployments');
    } finally {
      this.#advancing = false;
    }
  }

  close(): void {
    clearInterval(this.#timer);
  }

  #advance(): boolean {
    let changed = false;
    for (const deployment of [...this.deployments]) {
      while (deployment.current < deployment.steps.length) {
        const step = deployment.steps[deployment.current];
        if (!deployment.applied) {
          this.#apply(step);
          deployment.applied = true;
          changed = true;
        }
        if (!step.every((change) => this.#settled(change))) break;
        this.#runtime.events.emit('deployment_step_success', {
          plan: deploymentJson(deployment),
          currentStep: { actions: actionsOf(step) },
        });
        deployment.current++;
        deployment.applied = false;
        changed = true;
      }
      if (deployment.current < deployment.steps.length) continue;
      this.deployments.splice(this.deployments.indexOf(deployment), 1);
      this.#runtime.events.emit('deployment_success', { id: deployment.id, plan: deploymentJson(deployment) });
      changed = true;
    }
    return changed;
  }

  #apply(step: AppChange[]): void {
    const runtime = this.#runtime;
    runtime.framework.host.act((model) => {
      const marathon = model as typeof runtime.model;
      for (const change of step) {
        if (change.target === null) {
          if (marathon.app(change.appId)) marathon.operate({ type: 'app.remove', appId: change.appId }, runtime.framework.host.context);
          continue;
        }
        const stored = runtime.document.apps[change.appId];
        if (!stored) continue;
        const app = serviceApp(stored.current, stored.versionInfo.lastConfigChangeAt, runtime.role);
        marathon.operate({ type: 'app.put', app }, runtime.framework.host.context);
      }
    });
  }

  #settled(change: AppChange): boolean {
    const app = this.#runtime.model.app(change.appId);
    if (change.target === null) return app === undefined;
    const stored = this.#runtime.document.apps[change.appId];
    return app !== undefined && stored !== undefined && app.version === stored.versionInfo.lastConfigChangeAt && app.settled();
  }

  #cancel(deployment: Deployment): void {
    const index = this.deployments.indexOf(deployment);
    if (index >= 0) this.deployments.splice(index, 1);
    this.#runtime.events.emit('deployment_failed', { id: deployment.id, plan: deploymentJson(deployment), reason: 'canceled' });
  }

  #latestVersion(): string | null {
    const versions = [
      ...Object.values(this.#runtime.document.apps).map((stored) => stored.version),
      ...this.deployments.map((d) => d.version),
    ];
    return versions.sort().at(-1) ?? null;
  }
}

function actionsOf(step: AppChange[]): Json[] {
  return step.map((change) => ({ action: change.action, app: change.appId }));
}
