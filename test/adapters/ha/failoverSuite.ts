/**
 * The body of the HA issue's end-to-end test, run on etcd
 * (failover.e2e.test.ts) and with the embedded default, the file store with
 * masters sharing a work dir on one machine (failoverFile.e2e.test.ts): three HA
 * `allot master` processes and three real agents on 127.0.0.1, and a scheduler
 * running a few hundred short tasks plus long-running ones. The leading
 * master is killed with SIGKILL five times (and restarted as a follower):
 * each time a new leader serves (SUBSCRIBED, then offers), and at the end no
 * task ran twice or was lost, the long-running tasks are still running on the
 * same agents as the master says, and the reservation and volume made at the
 * start exist exactly once.
 *
 * It asserts behaviour, not speed: the failover times are printed (the README
 * quotes them, about 1-2 s on an idle machine) but the bounds are generous,
 * because on a busy 2-core machine one takeover took 7 s. Every wait is a
 * liveness bound, far above the lease TTL of 2 s.
 */
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Daemon } from '../master/daemons.js';
import { makeWorkDir, operator, removeWorkDir, startAgentProcess } from '../master/daemons.js';
import { freePort, killOnExit, startEtcd } from './etcdHarness.js';
import type { EtcdServer } from './etcdHarness.js';
import { HaScheduler } from './haScheduler.js';
import { startHaMasterProcess } from './haMasters.js';
import { waitUntil } from './waitUntil.js';

const KILLS = 5;
const TASKS = 300;
const SERVICES = 3;
// Liveness bounds, not targets: a failover that takes longer than this is broken, not slow. At load averages
// of 25 on two cores masters could not keep their 2 s leases for long (keep-alives and etcd itself starved):
// leadership changed hands every few seconds for half a minute before the cluster was whole again.
const FAILOVER_BOUND_MS = 120_000;
type Json = Record<string, any>;

export function defineFailoverSuite(backend: 'etcd' | 'file', skip: boolean): void {
  describe(`three HA masters (${backend} store), the leader SIGKILLed five times under load`, () => {
    let etcd: EtcdServer | null = null;
    let workDir: string;
    let runsDir: string;
    let ports: number[];
    const masters: Array<Daemon | null> = [null, null, null];
    const agents: Daemon[] = [];
    let scheduler: HaScheduler;

    let stopping = false;
    /** Masters that lost their lease on their own (a busy machine can delay keep-alives) and were restarted. */
    const deposedRestarts: number[] = [];

    const urlOf = (index: number) => `http://127.0.0.1:${ports[index]}`;
    const startMaster = async (index: number): Promise<void> => {
      const daemon = await startHaMasterProcess(
        workDir,
        `master-${index}`,
        etcd ? etcd.endpoint : { sharedWorkDir: join(workDir, 'masters') },
        ports[index],
      );
      masters[index] = daemon;
      // The supervisor the README asks for: a deposed leader exits with 75 and is restarted as a follower.
      // (The test's own SIGKILLs end with a signal, not 75; the test restarts those itself.)
      void daemon.exited.then((code) => {
        if (code !== 75 || stopping || masters[index] !== daemon) return;
        deposedRestarts.push(index);
        startMaster(index).catch(() => undefined);
      });
    };

    beforeAll(async () => {
      if (skip) return;
      if (backend === 'etcd') etcd = await startEtcd('failover');
      workDir = makeWorkDir('ha-failover');
      // Outside /tmp: tasks on a root agent have a private /tmp and could not reach a host directory there.
      runsDir = mkdtempSync(join(existsSync('/var/tmp') ? '/var/tmp' : workDir, 'allot-ha-runs-'));
      chmodSync(runsDir, 0o777); // tasks run as nobody when the agent is root
      ports = [await freePort(), await freePort(), await freePort()];
      await Promise.all([0, 1, 2].map(startMaster));
      // Each agent knows every master, starting with a different one; a follower redirects it to the leader.
      const mastersFrom = (index: number) => [0, 1, 2].map((offset) => urlOf((index + offset) % 3)).join(',');
      for (const index of [0, 1, 2])
        agents.push(
          await startAgentProcess(workDir, mastersFrom(index), `agent-${index}`, [
            '--resources',
            'cpus:4;mem:2048;disk:1024;ports:[31000-31100]',
            '--isolation',
            'posix',
          ]),
        );
      for (const agent of agents) killOnExit(agent.process);
    }, 90_000);

    afterAll(async () => {
      stopping = true;
      await scheduler?.stop();
      await Promise.all(agents.map((agent) => agent.stop('SIGKILL')));
      await Promise.all(masters.map((master) => master?.stop('SIGKILL')));
      await etcd?.stop();
      if (workDir) removeWorkDir(workDir);
      if (runsDir) removeWorkDir(runsDir);
    });

    async function leaderIndex(): Promise<number> {
      return waitUntil(
        async () => {
          for (const index of [0, 1, 2]) {
            const health = await fetch(`${urlOf(index)}/health`, { signal: AbortSignal.timeout(1000) })
              .then((response) => response.json() as Promise<Json>)
              .catch(() => null);
            // A follower's /health says who leads; the leader's is the master daemon's own.
            if (health && health.leading === undefined && health.healthy === true) return index + 1;
          }
          return 0;
        },
        'a leading master',
        FAILOVER_BOUND_MS,
        100,
      ).then((oneBased) => oneBased - 1);
    }

    /** An operator call to whichever master answers first (a follower redirects to the leader; one may be restarting). */
    async function operatorAny(call: Json): Promise<{ status: number; body: any }> {
      let last = { status: 0, body: 'no master answered' as any };
      for (const index of [0, 1, 2]) {
        const answer = await operator(urlOf(index), call).catch(() => null);
        if (answer && answer.status < 500) return answer;
        if (answer) last = answer;
      }
      return last;
    }

    async function getAgents(): Promise<Json | null> {
      const answer = await operatorAny({ type: 'GET_AGENTS' });
      return answer.status === 200 ? (answer.body.get_agents as Json) : null;
    }

    /** What a failed wait needs to be understood: the master's view of the agents, and the end of every log. */
    async function diagnosis(): Promise<string> {
      const agentsView = JSON.stringify(await getAgents())?.slice(0, 3000);
      const tails = [...agents, ...masters.filter((master): master is Daemon => master !== null)].map((daemon) => {
        const lines = daemon.log().trim().split('\n');
        return `--- ${daemon.logFile} (last 15 of ${lines.length} lines)\n${lines.slice(-15).join('\n')}`;
      });
      return `\nGET_AGENTS: ${agentsView}\n${tails.join('\n')}`;
    }

    async function activeAgents(): Promise<Json[]> {
      return ((await getAgents())?.agents as Json[] | undefined) ?? [];
    }

    it.skipIf(skip)(
      `keeps every task, reservation and volume across ${KILLS} leader kills`,
      async () => {
        // A reservation and a volume made through the operator API before any failover.
        await waitUntil(async () => (await activeAgents()).length === 3, 'three registered agents', FAILOVER_BOUND_MS, 100);
        const agentId = (await activeAgents())[0].agent_info.id.value as string;
        const reserved = [
          { name: 'cpus', type: 'SCALAR', scalar: { value: 0.5 }, reservations: [{ type: 'DYNAMIC', role: 'ha' }] },
          { name: 'disk', type: 'SCALAR', scalar: { value: 64 }, reservations: [{ type: 'DYNAMIC', role: 'ha' }] },
        ];
        expect(
          (
            await operatorAny({
              type: 'RESERVE_RESOURCES',
              reserve_resources: { agent_id: { value: agentId }, resources: reserved },
            })
          ).status,
        ).toBe(202);
        const volume = { ...reserved[1], disk: { persistence: { id: 'ha-volume' }, volume: { container_path: 'data', mode: 'RW' } } };
        expect(
          (await operatorAny({ type: 'CREATE_VOLUMES', create_volumes: { agent_id: { value: agentId }, volumes: [volume] } })).status,
        ).toBe(202);

        scheduler = new HaScheduler({
          masterUrls: [0, 1, 2].map(urlOf),
          role: 'ha',
          runsDir,
          tasks: TASKS,
          services: SERVICES,
          inFlightMax: SERVICES + 15,
          taskSeconds: 1,
        });
        scheduler.start();
        await waitUntil(
          () =>
            scheduler.unfinished().filter((attempt) => attempt.state === 'TASK_RUNNING' && attempt.logical.startsWith('S')).length ===
            SERVICES,
          'the long-running tasks to run',
          FAILOVER_BOUND_MS,
        );

        const measured: Array<{ electedMs: number; startMs: number; subscribedMs: number; offersMs: number; finishedBefore: number }> = [];
        for (let kill = 1; kill <= KILLS; kill += 1) {
          const index = await leaderIndex();
          await waitUntil(() => scheduler.leaderUrl === urlOf(index), 'the scheduler to be on the leader', FAILOVER_BOUND_MS);
          const finishedBefore = scheduler.finishedCount;
          const killedAtMs = Date.now();
          await masters[index]!.stop('SIGKILL');
          const subscribedAtMs = await waitUntil(
            () => scheduler.subscribedAtMs.find((atMs) => atMs > killedAtMs),
            `SUBSCRIBED at a new leader after kill ${kill}`,
            FAILOVER_BOUND_MS,
          );
          const offersAtMs = await waitUntil(
            () => scheduler.offersAtMs.find((atMs) => atMs > subscribedAtMs),
            `offers from the new leader after kill ${kill}`,
            FAILOVER_BOUND_MS,
          );
          // Split the time: election (from the new leader's log) and starting the master daemon.
          const successor = masters[[0, 1, 2].find((candidate) => urlOf(candidate) === scheduler.leaderUrl)!]!;
          const entries = successor
            .log()
            .split('\n')
            .flatMap((line) => {
              try {
                return [JSON.parse(line) as Json];
              } catch {
                return [];
              }
            });
          const elected = entries.findLast((entry) => entry.msg === 'elected leading master');
          const serving = entries.findLast((entry) => entry.msg === 'leading master serving');
          measured.push({
            electedMs: (elected?.time ?? NaN) - killedAtMs,
            startMs: serving?.startMs ?? NaN,
            subscribedMs: subscribedAtMs - killedAtMs,
            offersMs: offersAtMs - killedAtMs,
            finishedBefore,
          });
          expect(scheduler.leaderUrl).not.toBe(urlOf(index));
          // The killed master comes back as a follower; the cluster is whole again before the next kill.
          await startMaster(index);
          await waitUntil(
            async () => (await activeAgents()).length === 3,
            `all agents re-registered after kill ${kill}`,
            FAILOVER_BOUND_MS,
            100,
          ).catch(async (error: Error) => {
            throw new Error(`${error.message}${await diagnosis()}`);
          });
          await waitUntil(
            () => scheduler.finishedCount >= finishedBefore + 10 || scheduler.done,
            `progress after kill ${kill}`,
            FAILOVER_BOUND_MS,
          );
        }
        const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
        const summary = (values: number[]) => {
          const s = sorted(values);
          return `min ${s[0]} ms, median ${s[Math.floor(s.length / 2)]} ms, max ${s.at(-1)} ms`;
        };
        console.log(
          `[ha] ${backend} store: master failover under load (${KILLS} SIGKILLs of the leader): new leader serving (SUBSCRIBED) ${summary(measured.map((m) => m.subscribedMs))}; first offer ${summary(measured.map((m) => m.offersMs))}`,
        );
        console.log(
          `[ha] ${backend} store, per kill: ${JSON.stringify(measured)}; relaunched attempts: ${JSON.stringify(scheduler.relaunches)}; deposed masters restarted: ${JSON.stringify(deposedRestarts)}`,
        );
        // Every kill was followed by a new leader serving (the waits above); its speed is reported, not asserted.
        expect(measured).toHaveLength(KILLS);

        await waitUntil(() => scheduler.done, `all ${TASKS} tasks to finish`, 120_000, 100).catch((error: Error) => {
          throw new Error(
            `${error.message}: finished ${scheduler.finishedCount}; unfinished attempts ${JSON.stringify(scheduler.unfinished())}`,
          );
        });
        scheduler.stopLaunching();

        // Nothing ran twice, nothing was lost: one run per logical task, and it is the attempt that finished.
        const runs = readdirSync(runsDir);
        expect(runs.length).toBe(TASKS + SERVICES);
        for (const logical of runs) {
          const lines = readFileSync(join(runsDir, logical), 'utf8').trim().split('\n');
          const history = lines.map((id) => `${id}: ${scheduler.attempts.get(id)?.states.join(' > ') ?? 'unknown attempt'}`);
          expect(lines, `runs of ${logical} (updates per attempt: ${history.join('; ')})`).toHaveLength(1);
          const attempt = scheduler.attempts.get(lines[0])!;
          expect(attempt.state).toBe(logical.startsWith('S') ? 'TASK_RUNNING' : 'TASK_FINISHED');
        }

        // Reconciliation matches the agents: the long-running tasks run where the master says, and nothing else does.
        const services = scheduler.unfinished();
        expect(services.map((attempt) => attempt.logical).sort()).toEqual(Array.from({ length: SERVICES }, (_, index) => `S${index}`));
        const onAgents: Json[] = [];
        for (const agent of agents) {
          const state = (await (await fetch(`${agent.url}/state`)).json()) as Json;
          for (const task of state.tasks as Json[])
            if (!String(task.state).match(/FINISHED|KILLED|FAILED|LOST/)) onAgents.push({ ...task, agentId: state.agentId });
        }
        expect(onAgents.map((task) => task.taskId).sort()).toEqual(services.map((attempt) => attempt.id).sort());
        const from = services.map((attempt) => attempt.states.length);
        // A call can fail while the scheduler re-subscribes (a busy machine can miss heartbeats): ask until the master takes it.
        await waitUntil(
          async () => (await scheduler.reconcile(services)) === 202,
          'the master to take a RECONCILE',
          FAILOVER_BOUND_MS,
          500,
        );
        await waitUntil(
          () => services.every((attempt, index) => attempt.states.length > from[index]),
          'reconciliation answers',
          FAILOVER_BOUND_MS,
        );
        for (const attempt of services) {
          expect(attempt.states.at(-1)).toBe('TASK_RUNNING');
          expect(onAgents.find((task) => task.taskId === attempt.id)?.agentId).toBe(attempt.agentId);
        }

        // The reservation and the volume exist exactly once, on the agent they were made on.
        const reservedItems = (await activeAgents())
          .flatMap((agent) =>
            (agent.total_resources as Json[]).map((resource): Json => ({ agent: agent.agent_info.id.value, ...resource })),
          )
          .filter((resource) => (resource.reservations ?? []).some((reservation: Json) => reservation.role === 'ha'));
        expect(reservedItems.every((resource) => resource.agent === agentId)).toBe(true);
        expect(reservedItems.filter((resource) => resource.name === 'cpus').map((resource) => resource.scalar.value)).toEqual([0.5]);
        expect(
          reservedItems.filter((resource) => resource.disk?.persistence?.id === 'ha-volume').map((resource) => resource.scalar.value),
        ).toEqual([64]);

        for (const attempt of services)
          await scheduler.call({ type: 'KILL', kill: { task_id: { value: attempt.id }, agent_id: { value: attempt.agentId } } });
        await waitUntil(
          () => services.every((attempt) => attempt.state === 'TASK_KILLED'),
          'the long-running tasks to be killed',
          FAILOVER_BOUND_MS,
        );
        expect(existsSync(runsDir)).toBe(true);
      },
      600_000,
    );
  });
}
