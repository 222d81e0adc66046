/**
 * The HTTP API of a service scheduler, with DC/OS Commons's paths, JSON
 * shapes and status codes: plans (PlansResource), pods (PodResource),
 * endpoints, configurations, state, health, and `/v1/debug/offers` (the
 * latest offer evaluation of every step, with every stage's reason).
 * `PUT /v1/configurations/target` (an allot addition: DC/OS updates by
 * restarting the scheduler with new options) rolls a new SPEC out, and
 * `GET /v1/state/snapshot` (allot's too) serves the scheduler's state store
 * for `allot fork --service`.
 */
import type { ControlResult, PlanView, ServiceControl } from '@allot/kernel';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { endpoints } from './endpointViews.js';
import { elementId, emptyRecoveryPlan, planHttpStatus, planInfo, resolveElement } from './planInfo.js';
import { livePods, podInfo, podStatus, podStatuses } from './podViews.js';
import type { ServiceRuntime } from './serviceRuntime.js';
import { loadServiceSpec } from './serviceSpecFile.js';

const ALREADY_REPORTED = 'Command has already been reported or completed';
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function registerServiceApi(app: FastifyInstance, runtime: ServiceRuntime): void {
  const service = () => runtime.scheduler.spec.name;
  const plans = (): PlanView[] => {
    const views = runtime.scheduler.plans();
    return views.some((plan) => plan.name === 'recovery') ? views : [...views, emptyRecoveryPlan()];
  };
  const plan = (name: string) => plans().find((candidate) => candidate.name === name);
  app.addContentTypeParser(
    ['application/x-yaml', 'application/yaml', 'text/yaml', 'text/plain'],
    { parseAs: 'string' },
    (_request, body, done) => done(null, body),
  );

  app.get('/v1/plans', async () => plans().map((view) => view.name));
  app.get<{ Params: { plan: string } }>('/v1/plans/:plan', async (request, reply) => {
    const view = plan(request.params.plan);
    if (!view) return notFound(reply, `Plan ${request.params.plan}`);
    return reply.code(planHttpStatus([view])).send(planInfo(service(), view));
  });
  for (const command of ['interrupt', 'continue', 'restart', 'forceComplete'] as const) {
    app.post<{ Params: { plan: string }; Querystring: { phase?: string; step?: string } }>(
      `/v1/plans/:plan/${command}`,
      async (request, reply) => {
        const view = plan(request.params.plan);
        if (!view) return notFound(reply, `Plan ${request.params.plan}`);
        const { phase, step } = request.query;
        if (step !== undefined && phase === undefined) return reply.code(400).type('text/plain').send('Missing phase');
        const element = resolveElement(service(), view, phase, step);
        if (!element) return notFound(reply, `Phase ${phase}`);
        if (step !== undefined && element.step === undefined) return notFound(reply, `Step ${step}`);
        const type = `plan.${command}` as const;
        const result = await runtime.control({ type, plan: view.name, ...element });
        return answer(
          reply,
          result,
          command === 'restart' || command === 'forceComplete'
            ? `${command} for Plan: ${view.name}, Phase: ${phase ?? null}, Step: ${step ?? null}`
            : command,
        );
      },
    );
  }
  app.post<{ Params: { plan: string }; Body: unknown }>('/v1/plans/:plan/start', async (request, reply) => {
    const parameters = request.body ?? {};
    if (typeof parameters !== 'object' || Array.isArray(parameters) || Object.values(parameters).some((value) => typeof value !== 'string'))
      return reply.code(400).type('text/plain').send("Couldn't parse parameters: expected a JSON object of string values");
    const bad = Object.keys(parameters).find((key) => !ENV_NAME.test(key));
    if (bad) return reply.code(400).type('text/plain').send(`Couldn't parse parameters: ${bad} is not a valid environment variable name`);
    if (!plan(request.params.plan)) return notFound(reply, `Plan ${request.params.plan}`);
    const result = await runtime.control({
      type: 'plan.start',
      plan: request.params.plan,
      parameters: parameters as Record<string, string>,
    });
    return answer(reply, result, `start ${request.params.plan} with parameters: ${JSON.stringify(parameters)}`);
  });
  app.post<{ Params: { plan: string } }>('/v1/plans/:plan/stop', async (request, reply) => {
    if (!plan(request.params.plan)) return notFound(reply, `Plan ${request.params.plan}`);
    return answer(reply, await runtime.control({ type: 'plan.stop', plan: request.params.plan }), 'stop');
  });

  app.get('/v1/pod', async () => livePods(runtime.scheduler).map((instance) => instance.name));
  app.get('/v1/pod/status', async () => podStatuses(service(), runtime.scheduler));
  const pod = (name: string) => livePods(runtime.scheduler).find((instance) => instance.name === name);
  app.get<{ Params: { pod: string } }>('/v1/pod/:pod/status', async (request, reply) => {
    const instance = pod(request.params.pod);
    return instance ? podStatus(instance) : notFound(reply, `Pod ${request.params.pod}`);
  });
  app.get<{ Params: { pod: string } }>('/v1/pod/:pod/info', async (request, reply) => {
    const instance = pod(request.params.pod);
    return instance ? podInfo(instance, runtime.tasks) : notFound(reply, `Pod ${request.params.pod}`);
  });
  for (const action of ['restart', 'replace'] as const) {
    app.post<{ Params: { pod: string } }>(`/v1/pod/:pod/${action}`, async (request, reply) => {
      const instance = pod(request.params.pod);
      if (!instance) return notFound(reply, `Pod ${request.params.pod}`);
      const tasks = Object.values(instance.tasks).map((record) => `${instance.name}-${record.name}`);
      const result = await runtime.control({ type: `pod.${action}`, pod: instance.name });
      if (!result.ok) return notFound(reply, `Pod ${request.params.pod}`);
      return { pod: instance.name, tasks };
    });
  }

  app.get('/v1/endpoints', async () => [...endpoints(runtime.scheduler, runtime.tasks, runtime.agents).keys()]);
  app.get<{ Params: { name: string } }>('/v1/endpoints/:name', async (request, reply) => {
    const endpoint = endpoints(runtime.scheduler, runtime.tasks, runtime.agents).get(request.params.name);
    return endpoint ?? reply.code(404).send();
  });

  registerConfigurationRoutes(app, runtime);

  app.get('/v1/state/frameworkId', async (_request, reply) => (runtime.frameworkId ? [runtime.frameworkId] : reply.code(404).send()));
  app.get('/v1/state/properties', async () => Object.keys(properties(runtime)));
  app.get<{ Params: { key: string } }>('/v1/state/properties/:key', async (request, reply) => {
    const all = properties(runtime);
    return Object.hasOwn(all, request.params.key) ? all[request.params.key] : reply.code(404).send();
  });

  // allot's own, beside DC/OS Commons's paths: the scheduler's state store as it persists it, and the scheduler's
  // clock, so that `allot fork --service` starts the simulated service from it (as if its scheduler had restarted).
  app.get('/v1/state/snapshot', async () => ({
    frameworkId: runtime.frameworkId,
    atMs: runtime.host.context.nowMs,
    snapshot: runtime.scheduler.snapshot(),
  }));

  app.get('/v1/debug/offers', async () => ({
    outcomes: [...runtime.scheduler.state.evaluations].map(([step, evaluations]) => ({
      step,
      evaluations: evaluations.map((evaluation) => ({
        offerId: evaluation.offerId,
        agentId: evaluation.agentId,
        passed: evaluation.operations !== undefined,
        stages: evaluation.stages,
      })),
    })),
  }));
  app.get('/v1/health', async (_request, reply) => {
    const watched = plans().filter((view) => view.kind === 'deploy' || view.kind === 'recovery');
    return reply
      .code(planHttpStatus(watched))
      .send({ service: service(), plans: Object.fromEntries(watched.map((view) => [view.name, view.status])) });
  });
}

function registerConfigurationRoutes(app: FastifyInstance, runtime: ServiceRuntime): void {
  const idOf = (configId: number) => elementId(runtime.scheduler.spec.name, 'configuration', String(configId));
  const ids = () => [...runtime.scheduler.state.configs.keys()];
  const specJson = (configId: number) => {
    const { pods, ...rest } = runtime.scheduler.state.configs.get(configId)!;
    return { ...rest, pods: pods.map(({ constraints: _constraints, ...pod }) => pod) };
  };
  app.get('/v1/configurations', async () => ids().map(idOf));
  app.get('/v1/configurations/targetId', async () => [idOf(runtime.scheduler.targetConfigId)]);
  app.get('/v1/configurations/target', async () => specJson(runtime.scheduler.targetConfigId));
  app.get<{ Params: { id: string } }>('/v1/configurations/:id', async (request, reply) => {
    const found = ids().find((configId) => idOf(configId) === request.params.id);
    if (found !== undefined) return specJson(found);
    return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(request.params.id)
      ? reply.code(404).send()
      : reply.code(400).send();
  });
  app.put<{ Body: unknown }>('/v1/configurations/target', async (request, reply) => {
    const json = typeof request.body !== 'string';
    const text = json ? JSON.stringify(request.body) : (request.body as string);
    const loaded = loadServiceSpec(text, json ? 'target.json' : 'target.yml', () => undefined);
    if (!loaded.ok) return reply.code(400).send({ message: 'the new configuration is not valid', errors: loaded.errors });
    if (loaded.spec.name !== runtime.scheduler.spec.name)
      return reply.code(400).send({ message: `name: the service is ${runtime.scheduler.spec.name}, not ${loaded.spec.name}`, errors: [] });
    const result = await runtime.control({ type: 'service.update', service: loaded.spec } satisfies ServiceControl);
    if (!result.ok) return reply.code(409).send({ message: 'the configuration change was refused', errors: result.message.split('; ') });
    return { message: result.message, targetId: idOf(runtime.scheduler.targetConfigId) };
  });
}

function properties(runtime: ServiceRuntime): Record<string, unknown> {
  const deploy = runtime.scheduler.plans().find((view) => view.name === 'deploy');
  return {
    'deployment-completed': deploy?.status === 'COMPLETE',
    suppressed: runtime.scheduler.state.suppressed,
    'target-configuration': elementId(runtime.scheduler.spec.name, 'configuration', String(runtime.scheduler.targetConfigId)),
  };
}

function notFound(reply: FastifyReply, what: string): FastifyReply {
  return reply.code(404).type('text/plain').send(`${what} not found`);
}

/** 200 `{ message: "Received cmd: ..." }`, 208 when nothing changed, 404 for what does not exist. */
function answer(reply: FastifyReply, result: ControlResult, command: string): FastifyReply {
  if (!result.ok) {
    const what = result.code === 'unknown_phase' ? 'Phase' : result.code === 'unknown_step' ? 'Step' : 'Plan';
    return reply.code(404).type('text/plain').send(`${what} not found: ${result.message}`);
  }
  if (!result.changed) return reply.code(208).type('text/plain').send(ALREADY_REPORTED);
  return reply.code(200).send({ message: `Received cmd: ${command}` });
}
