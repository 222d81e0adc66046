/**
 * Health checks (Mesos `HealthCheck`): every `intervalSeconds` a COMMAND
 * check runs `/bin/sh -c <command>` in the sandbox as the task's user (exit 0
 * within `timeoutSeconds` is healthy); an HTTP or TCP check probes the task's
 * port instead (networkProbe.ts). Failures during `gracePeriodSeconds` are
 * ignored until the first success (the task is still starting). The checker
 * reports each change of health, and that `consecutiveFailures` was reached
 * (0 = never), after which the runtime kills the task. Checks never overlap.
 */
import { ProbeLoop } from './probeLoop.js';
import { type CheckContext, runCheckCommand } from './taskCheck.js';
import type { NetworkProbe } from './networkProbe.js';
import { runNetworkProbe } from './networkProbe.js';

export interface HealthCheckSpec {
  /** Default COMMAND. */
  type?: 'COMMAND' | 'HTTP' | 'TCP';
  /** The COMMAND check's shell command. */
  command?: string;
  /** HTTP and TCP: the port probed on 127.0.0.1. */
  port?: number;
  /** HTTP only. */
  path?: string;
  scheme?: 'http' | 'https';
  statuses?: number[];
  intervalSeconds?: number;
  timeoutSeconds?: number;
  gracePeriodSeconds?: number;
  delaySeconds?: number;
  consecutiveFailures?: number;
}

export const HEALTH_CHECK_DEFAULTS = {
  intervalSeconds: 10,
  timeoutSeconds: 20,
  gracePeriodSeconds: 10,
  delaySeconds: 15,
  consecutiveFailures: 3,
};

export interface HealthCheckListener {
  onHealthChanged(healthy: boolean): void;
  onFailuresExceeded(failures: number): void;
}

export class CommandHealthChecker {
  readonly #spec: HealthCheckSpec & typeof HEALTH_CHECK_DEFAULTS;
  readonly #listener: HealthCheckListener;
  readonly #context: CheckContext;
  readonly #startedAtMs = Date.now();
  readonly #loop: ProbeLoop;
  #healthy: boolean | null = null;
  #everHealthy = false;
  #failures = 0;

  constructor(spec: HealthCheckSpec, context: CheckContext, listener: HealthCheckListener) {
    this.#spec = { ...HEALTH_CHECK_DEFAULTS, ...spec };
    if (!(this.#spec.intervalSeconds > 0) || !(this.#spec.timeoutSeconds > 0))
      throw new Error('health check interval and timeout must be > 0');
    this.#context = context;
    this.#listener = listener;
    this.#loop = new ProbeLoop(() => this.#check(), this.#spec.intervalSeconds * 1000);
  }

  start(): void {
    this.#loop.start(this.#spec.delaySeconds * 1000);
  }

  stop(): void {
    this.#loop.stop();
  }

  async #check(): Promise<void> {
    const passed = await this.#runOnce();
    if (this.#loop.stopped) return;
    if (passed) {
      this.#everHealthy = true;
      this.#failures = 0;
      this.#report(true);
    } else {
      const inGrace = !this.#everHealthy && Date.now() - this.#startedAtMs < this.#spec.gracePeriodSeconds * 1000;
      if (!inGrace) {
        this.#failures++;
        this.#report(false);
        const limit = this.#spec.consecutiveFailures;
        if (limit > 0 && this.#failures >= limit) {
          this.stop();
          this.#listener.onFailuresExceeded(this.#failures);
          return;
        }
      }
    }
  }

  #report(healthy: boolean): void {
    if (this.#healthy === healthy) return;
    this.#healthy = healthy;
    this.#listener.onHealthChanged(healthy);
  }

  async #runOnce(): Promise<boolean> {
    const probe = networkProbeOf(this.#spec);
    if (probe) return runNetworkProbe(probe, this.#spec.timeoutSeconds * 1000);
    return (await runCheckCommand(this.#spec.command ?? 'false', this.#context, this.#spec.timeoutSeconds)) === 0;
  }
}

/** The probe of an HTTP or TCP check; null for a COMMAND check. */
export function networkProbeOf(spec: HealthCheckSpec): NetworkProbe | null {
  if (spec.type === 'HTTP')
    return {
      type: 'HTTP',
      port: spec.port ?? 0,
      ...(spec.path !== undefined ? { path: spec.path } : {}),
      ...(spec.scheme !== undefined ? { scheme: spec.scheme } : {}),
      ...(spec.statuses !== undefined ? { statuses: spec.statuses } : {}),
    };
  if (spec.type === 'TCP') return { type: 'TCP', port: spec.port ?? 0 };
  return null;
}

/** Why a health check cannot run, or null. */
export function healthCheckProblem(spec: HealthCheckSpec): string | null {
  const type = spec.type ?? 'COMMAND';
  if (type === 'COMMAND')
    return typeof spec.command === 'string' && spec.command.trim() !== '' ? null : 'the health check command is empty';
  if (type !== 'HTTP' && type !== 'TCP') return `health check type ${String(type)} is not supported (COMMAND, HTTP or TCP)`;
  if (!Number.isInteger(spec.port) || spec.port! < 1 || spec.port! > 65535)
    return `the ${type} health check needs a port from 1 to 65535, got ${String(spec.port)}`;
  return null;
}
