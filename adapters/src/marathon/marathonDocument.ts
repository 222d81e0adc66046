/**
 * What `allot marathon` keeps in its store (one document, written before any
 * call leaves the scheduler): the framework id, the app model's snapshot,
 * every app's definition with its versions (Marathon keeps the last 25), the
 * deployments in progress, what the API shows of each live task (host,
 * ports, times, health), each app's last task failure, the agents seen in
 * offers, and the service ports handed out.
 */
import type { MarathonSnapshot } from '@allot/kernel';
import type { AppDefinition } from './appDefinition.js';
import type { Deployment } from './deploymentPlan.js';

export const VERSIONS_KEPT = 25;
/** Marathon's default --local_port_min: service ports are taken from here up. */
export const SERVICE_PORT_MIN = 10_000;
export const SERVICE_PORT_MAX = 20_000;

export interface StoredApp {
  current: AppDefinition;
  /** The latest version: the time of the latest change, scaling included. */
  version: string;
  versionInfo: { lastScalingAt: string; lastConfigChangeAt: string };
  /** Definitions by version, oldest first. */
  versions: Record<string, AppDefinition>;
}

export interface TaskView {
  id: string;
  appId: string;
  agentId: string;
  host: string;
  ip: string | null;
  ports: number[];
  servicePorts: number[];
  /** The app's lastConfigChangeAt the task was launched with. */
  version: string;
  state: string;
  stagedAt: string;
  startedAt: string | null;
  /** Null: no health check result yet (or none configured). */
  healthy: boolean | null;
  firstSuccess: string | null;
  lastSuccess: string | null;
  lastFailure: string | null;
  consecutiveFailures: number;
}

export interface TaskFailure {
  appId: string;
  host: string;
  message: string;
  state: string;
  taskId: string;
  timestamp: string;
  version: string;
  slaveId: string;
}

export interface MarathonDocument {
  version: 1;
  frameworkId: string | null;
  model: MarathonSnapshot;
  apps: Record<string, StoredApp>;
  deployments: Deployment[];
  tasks: Record<string, TaskView>;
  lastTaskFailure: Record<string, TaskFailure>;
  agents: Record<string, { hostname: string; ip: string | null }>;
  nextServicePort: number;
}

export function emptyDocument(): MarathonDocument {
  return {
    version: 1,
    frameworkId: null,
    model: { apps: [], removing: [], taskStates: {} },
    apps: {},
    deployments: [],
    tasks: {},
    lastTaskFailure: {},
    agents: {},
    nextServicePort: SERVICE_PORT_MIN,
  };
}

/** A version string for a change now: ISO time, strictly after `after` (two changes in one millisecond stay ordered). */
export function nextVersion(nowMs: number, after: string | null): string {
  const afterMs = after ? Date.parse(after) : Number.NEGATIVE_INFINITY;
  return new Date(Math.max(nowMs, afterMs + 1)).toISOString();
}

/** Records a new version of an app, keeping the last VERSIONS_KEPT. */
export function recordVersion(stored: StoredApp, version: string, definition: AppDefinition): void {
  stored.versions[version] = definition;
  const versions = Object.keys(stored.versions);
  for (const old of versions.slice(0, Math.max(0, versions.length - VERSIONS_KEPT))) delete stored.versions[old];
}

/** Gives every port definition with port 0 a service port no other app uses (Marathon's servicePorts). */
export function assignServicePorts(document: MarathonDocument, definition: AppDefinition): AppDefinition {
  const used = new Set(
    Object.values(document.apps)
      .filter((stored) => stored.current.id !== definition.id)
      .flatMap((stored) => stored.current.portDefinitions.map((port) => port.port)),
  );
  const portDefinitions = definition.portDefinitions.map((port) => {
    if (port.port !== 0) return port;
    let candidate = document.nextServicePort;
    for (let tries = 0; used.has(candidate) && tries <= SERVICE_PORT_MAX - SERVICE_PORT_MIN; tries++) candidate = wrap(candidate + 1);
    used.add(candidate);
    document.nextServicePort = wrap(candidate + 1);
    return { ...port, port: candidate };
  });
  return { ...definition, portDefinitions };
}

function wrap(port: number): number {
  return port > SERVICE_PORT_MAX ? SERVICE_PORT_MIN : port;
}
