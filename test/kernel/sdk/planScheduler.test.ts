/** The plan scheduler: offers to working steps, record before acting, reasons when nothing fits. */
import { describe, expect, it } from 'vitest';
import { PlanCoordinator } from '../../../kernel/src/sdk/planCoordinator.js';
import { customPlans, deployPlan } from '../../../kernel/src/sdk/planFactory.js';
import { PlanScheduler } from '../../../kernel/src/sdk/planScheduler.js';
import type { ServiceSpec } from '../../../kernel/src/sdk/serviceSpec.js';
import { nodeSpec, offer, serviceSpec, stateFor } from './sdkHarness.js';

function setUp(spec: ServiceSpec = nodeSpec(1, { volumes: [{ containerPath: 'data', sizeMb: 100 }] })) {
  const { state, context } = stateFor(spec);
  state.plans.push(deployPlan(state, spec, 'deploy'), ...customPlans(state, spec));
  const coordinator = new PlanCoordinator(state);
  const scheduler = new PlanScheduler(state, 5);
  const work = (offers: ReturnType<typeof offer>[]) => {
    coordinator.sync();
    const used = new Set<string>();
    scheduler.resourceOffers(coordinator.workingSteps(), offers, used, context);
    coordinator.sync();
    return used;
  };
  return { state, context, work };
}

describe('PlanScheduler', () => {
  it('first launch: RESERVE, CREATE and LAUNCH_GROUP in one accept, placement recorded before it leaves', () => {
    const { state, context, work } = setUp();
    let recordedAgent: string | null = null;
    const send = context.send;
    context.send = (call) => {
      if (call.type === 'offer.accept') recordedAgent = state.instances.get('node-0')!.agentId;
      send(call);
    };
    const used = work([offer('a1', { cpus: 4, mem: 4096, disk: 1000 })]);
    expect(used.size).toBe(1);
    const [accept] = context.callsOf('offer.accept');
    expect(accept.operations.map((operation) => operation.type)).toEqual(['RESERVE', 'RESERVE', 'CREATE', 'LAUNCH_GROUP']);
    expect(accept.refuseSeconds).toBe(5);
    expect(recordedAgent).toBe('a1');
    const instance = state.instances.get('node-0')!;
    expect(instance.volumes).toHaveLength(1);
    expect(instance.tasks.server.state).toBe('TASK_STAGING');
    expect(state.plan('deploy')!.phases[0].steps[0].status).toBe('STARTING');
  });

  it('offers that all fail leave the step PREPARED with one reason per agent, and keep the evaluations', () => {
    const { state, context, work } = setUp();
    const used = work([offer('a1', { cpus: 0.5, mem: 4096, disk: 1000 }), offer('a2', { cpus: 4, mem: 100, disk: 1000 })]);
    expect(used.size).toBe(0);
    expect(context.calls).toEqual([]);
    const step = state.plan('deploy')!.phases[0].steps[0];
    expect(step.status).toBe('PREPARED');
    expect(step.reasons).toEqual([
      'a1: scalars: insufficient cpus: need 1, offer has 0.5 unreserved',
      'a2: scalars: insufficient mem: need 256, offer has 100 unreserved',
    ]);
    expect(state.evaluations.get(step.name)).toHaveLength(2);
  });

  it('an offer failing a placement rule and cpus at once reports both, with codes and figures', () => {
    const { state, work } = setUp(
      nodeSpec(1, {
        placement: [
          ['rack', 'IS', 'r1'],
          ['hostname', 'LIKE', 'b.*'],
        ],
      }),
    );
    expect(work([offer('a1', { cpus: 0.5, mem: 100, disk: 1000 })]).size).toBe(0);
    const step = state.plan('deploy')!.phases[0].steps[0];
    expect(step.reasons).toEqual([
      'a1: placement: rack:IS:r1: agent a1.example has no "rack"; placement: hostname:LIKE:b.*: hostname a1.example does not match /b.*/; ' +
        'scalars: insufficient cpus: need 1, offer has 0.5 unreserved; scalars: insufficient mem: need 256, offer has 100 unreserved',
    ]);
    const [evaluation] = state.evaluations.get(step.name)!;
    expect(evaluation.stages.map((stage) => [stage.code, stage.resource, stage.asked, stage.offered])).toEqual([
      ['PLACEMENT_RULE', undefined, undefined, undefined],
      ['PLACEMENT_RULE', undefined, undefined, undefined],
      ['INSUFFICIENT_RESOURCES', 'cpus', 1, 0.5],
      ['INSUFFICIENT_RESOURCES', 'mem', 256, 100],
    ]);
  });

  it('a rolling update kills what runs under the old config once, and launches nothing until it ended', () => {
    const { state, context, work } = setUp(nodeSpec(1));
    work([offer('a1', { cpus: 4, mem: 4096 })]);
    const instance = state.instances.get('node-0')!;
    instance.tasks.server.state = 'TASK_RUNNING';
    instance.tasks.server.ready = true;
    state.configs.set(2, nodeSpec(1, { tasks: [{ name: 'server', cpus: 2, memMb: 256 }] }));
    state.targetConfigId = 2;
    state.plans.splice(0, 1, deployPlan(state, state.spec, 'update'));
    work([offer('a1', { cpus: 4, mem: 4096 })]);
    work([offer('a1', { cpus: 4, mem: 4096 })]);
    expect(context.callsOf('task.kill').map((call) => call.taskId)).toEqual([instance.tasks.server.taskId]);
    expect(context.callsOf('offer.accept')).toHaveLength(1);
  });

  it("a custom plan's step waits for its pod instance to be deployed", () => {
    const spec = serviceSpec({
      pods: [
        {
          type: 'node',
          count: 1,
          tasks: [
            { name: 'server', cpus: 1, memMb: 256 },
            { name: 'backup', goal: 'FINISH', cpus: 0.5, memMb: 64 },
          ],
        },
      ],
      plans: [{ name: 'backup', phases: [{ name: 'b', pod: 'node', tasks: ['backup'] }] }],
    });
    const { state, work } = setUp(spec);
    state.plan('deploy')!.strategy.interrupted = true;
    state.plan('backup')!.strategy.interrupted = false;
    work([offer('a1', { cpus: 4, mem: 4096 })]);
    expect(state.plan('backup')!.phases[0].steps[0].reasons).toEqual([
      "node-0 is not deployed yet: a plan's tasks run on its reservations",
    ]);
  });

  it('a volume goes with the task that declares it; each task carries its command, environment, ports and checks', () => {
    const spec = serviceSpec({
      pods: [
        {
          type: 'node',
          count: 1,
          volumes: [{ containerPath: 'data', sizeMb: 100, task: 'server' }],
          tasks: [
            { name: 'agent', cpus: 0.1, memMb: 32, cmd: 'run-agent' },
            {
              name: 'server',
              cpus: 1,
              memMb: 256,
              cmd: 'run-server',
              env: { MODE: 'x' },
              ports: [{ name: 'http', envKey: 'HTTP_PORT', advertise: true }],
              readinessCheck: { cmd: 'ready' },
            },
          ],
        },
      ],
    });
    const { context, work } = setUp(spec);
    work([offer('a1', { cpus: 4, mem: 4096, disk: 1000 }, [], [[31000, 31010]])]);
    const launch = context.callsOf('offer.accept')[0].operations.find((operation) => operation.type === 'LAUNCH_GROUP')!;
    const [agent, server] = launch.type === 'LAUNCH_GROUP' ? launch.tasks : [];
    expect(agent.resources.reserved.filter((part) => part.volume)).toEqual([]);
    expect(server.resources.reserved.filter((part) => part.volume).map((part) => part.volume!.containerPath)).toEqual(['data']);
    expect(server.resources.ports).toEqual([[31000, 31000]]);
    expect(server.data).toMatchObject({
      podType: 'node',
      podIndex: 0,
      taskName: 'server',
      cmd: 'run-server',
      env: { MODE: 'x', POD_INSTANCE_INDEX: '0', TASK_NAME: 'node-0-server', FRAMEWORK_NAME: 'svc' },
      ports: [{ name: 'http', envKey: 'HTTP_PORT', advertise: true }],
      readinessCheck: { cmd: 'ready', delaySeconds: 15 },
    });
  });
});
