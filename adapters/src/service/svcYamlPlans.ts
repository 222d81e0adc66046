/**
 * The `plans` of a svc.yml: `plans.<name>.{strategy, phases.<name>.{strategy,
 * pod, steps}}`. `deploy` names the deploy plan's phases and strategies,
 * `update` those of the plan that rolls config updates out; any other plan
 * is a custom plan of sidecar tasks, started by an operator. Strategies are
 * serial, parallel and canary (serial-canary). Steps are
 * `- default: [[task, ...]]` (or an instance index), one task group that
 * every instance of the pod runs; a deploy step must launch every task of
 * its pod that no custom plan runs.
 */
import type { Errors } from '@allot/kernel';
import { Fields, fieldPath, indexPath, isPlainObject, reportExpected } from '@allot/kernel';
import type { PathMap } from './svcYamlPaths.js';

type Json = Record<string, any>;

const PLAN_FIELDS = ['strategy', 'phases'];
const PHASE_FIELDS = ['strategy', 'pod', 'steps'];
const STRATEGIES: Record<string, Json> = {
  serial: { kind: 'serial' },
  parallel: { kind: 'parallel' },
  canary: { kind: 'canary' },
  'serial-canary': { kind: 'canary' },
};

interface PhaseRead {
  name: string;
  pod: unknown;
  strategy: Json;
  tasks: string[] | null;
  path: string;
}

export function readPlans(value: unknown, path: string, errors: Errors, pods: readonly Json[], paths: PathMap): Json {
  if (!isPlainObject(value)) {
    reportExpected(errors, path, 'a map of plans such as { deploy: { strategy: serial, phases: ... } }', value);
    return {};
  }
  const out: Json = { plans: [] };
  const deploys: Array<{ key: 'deployPlan' | 'updatePlan'; phases: PhaseRead[]; path: string }> = [];
  for (const [name, planValue] of Object.entries(value)) {
    const planPath = fieldPath(path, name);
    const plan = Fields.open(planValue, planPath, errors, PLAN_FIELDS);
    if (!plan) continue;
    const strategy = strategyOf(plan, errors);
    const phases = readPhases(plan, errors);
    if (name === 'deploy' || name === 'update') {
      const key = name === 'deploy' ? 'deployPlan' : 'updatePlan';
      paths.set(`$.${key}`, planPath);
      phases.forEach((phase, i) => paths.set(`$.${key}.phases[${i}]`, phase.path));
      out[key] = { strategy, phases: phases.map((phase) => ({ name: phase.name, pod: phase.pod, strategy: phase.strategy })) };
      deploys.push({ key, phases, path: planPath });
      continue;
    }
    const index = out.plans.length as number;
    paths.set(`$.plans[${index}]`, planPath);
    phases.forEach((phase, i) => {
      paths.set(`$.plans[${index}].phases[${i}]`, phase.path);
      paths.set(`$.plans[${index}].phases[${i}].pod`, fieldPath(phase.path, 'pod'));
      paths.set(`$.plans[${index}].phases[${i}].tasks`, fieldPath(phase.path, 'steps'));
    });
    out.plans.push({
      name,
      strategy,
      phases: phases.map((phase) => ({ name: phase.name, pod: phase.pod, strategy: phase.strategy, tasks: phase.tasks ?? [] })),
    });
  }
  for (const deploy of deploys) checkDeploySteps(deploy.phases, pods, out.plans, errors);
  return out;
}

function strategyOf(fields: Fields, errors: Errors): Json {
  const name = fields.value('strategy') ?? 'serial';
  const strategy = typeof name === 'string' ? STRATEGIES[name] : undefined;
  if (strategy) return { ...strategy };
  errors.push({
    path: fields.pathOf('strategy'),
    message:
      name === 'parallel-canary'
        ? 'parallel-canary is not supported yet; use canary (serial) or parallel'
        : `expected one of "serial", "parallel", "canary", "serial-canary", got ${JSON.stringify(name)}`,
  });
  return { kind: 'serial' };
}

function readPhases(plan: Fields, errors: Errors): PhaseRead[] {
  const value = plan.value('phases');
  if (!isPlainObject(value)) {
    reportExpected(errors, plan.pathOf('phases'), 'a map of phases such as { hello-deploy: { pod: hello } }', value);
    return [];
  }
  return Object.entries(value).flatMap(([name, phaseValue]) => {
    const path = fieldPath(plan.pathOf('phases'), name);
    const phase = Fields.open(phaseValue, path, errors, PHASE_FIELDS);
    if (!phase) return [];
    if (!phase.has('pod')) errors.push({ path: phase.pathOf('pod'), message: 'missing required field; expected a pod type' });
    const tasks = phase.has('steps') ? stepTasks(phase.value('steps'), phase.pathOf('steps'), errors) : null;
    return [{ name, pod: phase.value('pod'), strategy: strategyOf(phase, errors), tasks, path }];
  });
}

/** The one task group every step of the phase runs (`- default: [[a, b]]`). */
function stepTasks(value: unknown, path: string, errors: Errors): string[] | null {
  if (!Array.isArray(value)) {
    reportExpected(errors, path, 'a list of steps such as [{ default: [[server]] }]', value);
    return null;
  }
  let tasks: string[] | null = null;
  value.forEach((entry, i) => {
    const at = indexPath(path, i);
    const keys = isPlainObject(entry) ? Object.keys(entry) : [];
    if (keys.length !== 1 || !(keys[0] === 'default' || /^\d+$/.test(keys[0]))) {
      reportExpected(errors, at, 'a step such as { default: [[server]] } or { 0: [[server]] }', entry);
      return;
    }
    const groups = (entry as Json)[keys[0]];
    if (
      !Array.isArray(groups) ||
      groups.length !== 1 ||
      !Array.isArray(groups[0]) ||
      !groups[0].every((task) => typeof task === 'string')
    ) {
      errors.push({
        path: fieldPath(at, keys[0]),
        message: 'expected one group of task names such as [[server]]; several groups per step are not supported yet',
      });
      return;
    }
    const group = groups[0] as string[];
    if (tasks !== null && group.join('\n') !== tasks.join('\n'))
      errors.push({ path: fieldPath(at, keys[0]), message: 'steps that differ between pod instances are not supported yet' });
    tasks ??= group;
  });
  return tasks;
}

function checkDeploySteps(phases: readonly PhaseRead[], pods: readonly Json[], customPlans: readonly Json[], errors: Errors): void {
  for (const phase of phases) {
    if (phase.tasks === null) continue;
    const pod = pods.find((candidate) => candidate.type === phase.pod);
    if (!pod) continue;
    const sidecars = new Set(
      customPlans.flatMap((plan) =>
        (plan.phases as Json[]).filter((other) => other.pod === pod.type).flatMap((other) => other.tasks as string[]),
      ),
    );
    const expected = (pod.tasks as Json[]).map((task) => task.name as string).filter((name) => !sidecars.has(name));
    if ([...phase.tasks].sort().join(',') !== [...expected].sort().join(','))
      errors.push({
        path: fieldPath(phase.path, 'steps'),
        message: `a deploy step must launch every task of pod "${pod.type}" that no other plan runs (${expected.join(', ')}); launching some of them in later steps is not supported yet`,
      });
  }
}
