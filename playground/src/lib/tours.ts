/**
 * Guided tours: short steps that drive the simulation (load, run to a moment,
 * inject a fault, select something) and point at the view they talk about.
 * A step's `run` happens when the step is shown, so following a tour from
 * the start always shows the same thing (the kernel is deterministic).
 */
import type { SimulatorClient } from './SimulatorClient.svelte.js';
import type { UiStore, ViewId } from './ui.svelte.js';

export interface TourContext {
  client: SimulatorClient;
  ui: UiStore;
  /** Loads a catalogue scenario (and shows its name in the picker). */
  load(name: string): Promise<void>;
}

export interface TourStep {
  title: string;
  /** Short paragraphs; `**bold**` is rendered bold. */
  text: string[];
  view: ViewId;
  run?: (context: TourContext) => Promise<void>;
}

export interface Tour {
  id: string;
  title: string;
  summary: string;
  steps: TourStep[];
}

const select = (context: TourContext, agentId: string | null, frameworkId?: string) =>
  context.ui.update((draft) => {
    draft.selectedAgent = agentId;
    if (agentId) draft.explain.agentId = agentId;
    if (frameworkId) draft.explain.frameworkId = frameworkId;
  });

export const drfTour: Tour = {
  id: 'drf',
  title: 'Dominant resource fairness',
  summary: 'The DRF paper\'s example: why A gets 3 tasks and B gets 2.',
  steps: [
    {
      title: 'One agent, two hungry frameworks',
      view: 'cluster',
      text: [
        'The example from the DRF paper (Ghodsi et al., NSDI 2011): one agent with **9 cpus and 18 GB** of memory.',
        'Framework **A** runs tasks of ⟨1 cpu, 4 GB⟩; framework **B** runs tasks of ⟨3 cpus, 1 GB⟩. Both want far more than fits. How should the agent be shared?',
      ],
      run: async (context) => {
        await context.load('drf-paper');
        select(context, 'agent', 'A');
      },
    },
    {
      title: 'Each framework has a dominant resource',
      view: 'shares',
      text: [
        'One task of A takes 1/9 of the cpus but 4/18 = **2/9 of the memory**: memory is A\'s dominant resource. One task of B takes **3/9 of the cpus** and only 1/18 of the memory: cpus are B\'s.',
        'A framework\'s **dominant share** is the largest fraction of any one resource it holds. DRF always offers to whoever has the lowest dominant share.',
      ],
    },
    {
      title: 'Offers, in DRF order',
      view: 'offers',
      text: [
        'Every allocation cycle (here each second) the master offers the agent\'s free resources to the framework with the lowest dominant share. Each curve is one offer, numbered in that order, marked with what the framework did.',
        'These frameworks take one task per offer (**✓ accepted**) and give the rest back; a **✗ decline** also installs a filter, so that framework is skipped for a few seconds.',
      ],
      run: async (context) => {
        await context.client.runTo(3000);
      },
    },
    {
      title: 'The shares meet at 2/3',
      view: 'shares',
      text: [
        'Run on, and the lines climb in turns: whoever is lower gets the next task. They meet at **0.667**.',
        'A holds 3 tasks: 3 cpus and 12 GB, so 12/18 = 2/3 of the memory. B holds 2 tasks: 6 cpus and 2 GB, so 6/9 = 2/3 of the cpus. **Equal dominant shares**: that is what DRF is for.',
      ],
      run: async (context) => {
        await context.client.runTo(15000);
      },
    },
    {
      title: 'A runs 3 tasks, B runs 2',
      view: 'tasks',
      text: [
        'The task view counts tasks per state: **A: 3 running, B: 2 running**. All 9 cpus are in use (3 + 6), so nobody can launch another task, however many they still want.',
        'Click a number in the table to list those tasks, and a task to see its history.',
      ],
    },
    {
      title: 'Ask why',
      view: 'explain',
      text: [
        'Explain answers "why did this framework (not) get this agent?" from the allocator\'s own decision log. Pick **A** and **agent**: the last cycle found nothing left that A could use.',
        'That is the whole story of DRF: progressive filling by lowest dominant share until the cluster is full.',
      ],
    },
  ],
};

/** The agent of cassandra's first node (the tour crashes and restarts it). */
async function databaseAgent(context: TourContext): Promise<string> {
  const tasks = (await context.client.listTasks({ frameworkId: 'cassandra', limit: 100 })) ?? [];
  const first = tasks.filter((task) => task.id === 'cassandra-0')[0] ?? tasks[tasks.length - 1];
  return first?.agentId ?? 'agent-1';
}

export const reservationsTour: Tour = {
  id: 'reservations',
  title: 'Reservations and persistent volumes',
  summary: 'A stateful service keeps its data on a volume and comes back to it after a crash.',
  steps: [
    {
      title: 'A database that must not lose its disk',
      view: 'cluster',
      text: [
        'Four agents. **cassandra** (role db) runs three nodes; each node **reserves** its cpus, memory and disk for role db and creates a **persistent volume** on the disk before it launches. **analytics** fills what is left.',
        'The mark in a cell\'s top-right corner means part of that agent is reserved; hover a cell to see for whom.',
      ],
      run: async (context) => {
        await context.load('reserved-database');
        await context.client.runTo(6000);
        select(context, await databaseAgent(context), 'analytics');
      },
    },
    {
      title: 'Reserved means: only for that role',
      view: 'cluster',
      text: [
        'The selected agent runs a cassandra node. Its details list the reservations: ⟨2 cpus, 8 GB, 10 GB disk⟩ for db, and a 10 GB volume with a persistence id. Reserved resources are offered **only** to frameworks in that role, even when they sit idle.',
        'Nodes of a database are pets, not cattle: their data lives on that volume, on that agent.',
      ],
    },
    {
      title: 'The agent crashes',
      view: 'tasks',
      text: [
        'We crash the selected agent. The master loses its connection; the node running there stops.',
        'The master does not forget the agent at once: it waits for it to come back (a crashed host usually restarts). The cluster map shows the agent crossed out.',
      ],
      run: async (context) => {
        await context.client.inject({ type: 'agent.crash', agent: await databaseAgent(context) });
        await context.client.runTo(20000);
      },
    },
    {
      title: 'It restarts, and the node goes home',
      view: 'tasks',
      text: [
        'The agent restarts and re-registers without its old tasks: the master marks them **LOST**. cassandra relaunches its node, and the offer it waits for is the one carrying **its own reservation and volume**, so the new task lands on the same agent again, with its data.',
        'Click cassandra\'s running count in the table, then the newest task, to see it start on that agent.',
      ],
      run: async (context) => {
        await context.client.inject({ type: 'agent.restart', agent: await databaseAgent(context) });
        await context.client.runTo(30000);
      },
    },
    {
      title: 'What survives a restart',
      view: 'cluster',
      text: [
        'Dynamic reservations and volumes are kept by the master and checkpointed by the agent, so they outlive the task and the restart; only destroying the volume and unreserving give them back.',
        'In this kernel, reservations and volumes are created through the offer pipeline (RESERVE, CREATE). The full stateful SDK with plans arrives later; the Plans view will show its deploy and recovery plans then.',
      ],
    },
  ],
};

export const failureTour: Tour = {
  id: 'failure',
  title: 'Failure and recovery',
  summary: 'Crash an agent, fail a task, fail over the master, then rewind.',
  steps: [
    {
      title: 'A healthy cluster',
      view: 'cluster',
      text: [
        'Six agents run **web** (12 long-running instances) and **jobs** (a stream of 6-second tasks). Both frameworks relaunch whatever fails or is lost.',
      ],
      run: async (context) => {
        await context.load('failure-recovery');
        await context.client.runTo(8000);
        select(context, 'agent-3', 'web');
      },
    },
    {
      title: 'Crash an agent',
      view: 'cluster',
      text: [
        'We crash **agent-3** (you can do it yourself: select an agent, then "Crash agent"). It is crossed out on the map.',
        'Its tasks are still RUNNING in the master\'s books: the master cannot tell a crash from a slow network, so it waits before giving up on the agent.',
      ],
      run: async (context) => {
        await context.client.inject({ type: 'agent.crash', agent: 'agent-3' });
      },
    },
    {
      title: 'The master gives up on it',
      view: 'tasks',
      text: [
        'After **75 seconds** without the agent (Mesos: 5 missed pings of 15 s) the master marks it unreachable. Its tasks go **RUNNING → LOST** (frameworks that are not partition-aware see LOST), their resources are recovered, and both frameworks relaunch them on the other agents.',
      ],
      run: async (context) => {
        await context.client.runTo(86000);
      },
    },
    {
      title: 'Restart it and fail a task',
      view: 'events',
      text: [
        'agent-3 restarts and re-registers: it is offered again and fills up. Then one web task fails (**RUNNING → FAILED**) and is relaunched at once.',
        'The event log shows each step; filter it by "web" to follow one framework.',
      ],
      run: async (context) => {
        await context.client.inject({ type: 'agent.restart', agent: 'agent-3' });
        await context.client.runTo(90000);
        await context.client.inject({ type: 'task.fail', framework: 'web' });
        await context.client.runTo(92000);
        context.ui.update((draft) => {
          draft.eventText = 'web';
        });
      },
    },
    {
      title: 'Fail over the master',
      view: 'cluster',
      text: [
        'Now the leading master dies and a standby takes over from the persisted state. For a moment it knows no live agents (the map shows them as not registered); agents re-register and frameworks re-subscribe within seconds, reporting their tasks, and the cluster carries on.',
      ],
      run: async (context) => {
        context.ui.update((draft) => {
          draft.eventText = '';
        });
        await context.client.inject({ type: 'master.failover' });
        await context.client.runTo(100000);
      },
    },
    {
      title: 'Rewind: the past is exact',
      view: 'timeline',
      text: [
        'Drag the timeline back to any moment. The playground replays the run from the start with the same seed and the same faults at the same times, and the kernel, being deterministic, arrives at **exactly** the same state: compare the state fingerprint beside the timeline.',
        'Inject a different fault in the past and the future from there is a new one. Share the URL and someone else gets this very run.',
      ],
      run: async (context) => {
        await context.client.seek(7000);
      },
    },
  ],
};

export const tours: readonly Tour[] = [drfTour, reservationsTour, failureTour];
