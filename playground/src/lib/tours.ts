/**
 * Guided tours: short steps that drive the simulation (load, run to a moment,
 * inject a fault, select something) and point at the view they talk about.
 * A step's `run` happens when the step is shown, so following a tour from
 * the start always shows the same thing (the kernel is deterministic). The
 * card is placed beside the step's target (a view, or a part of one) and
 * never covers it; what a step says is checked against the screen by the
 * end-to-end tests, screenshot by screenshot.
 */
import type { SimulatorClient } from './SimulatorClient.svelte.js';
import type { UiStore, ViewId } from './ui.svelte.js';
import { clock } from './format.js';

export interface TourContext {
  client: SimulatorClient;
  ui: UiStore;
  /** Loads a catalogue scenario (and shows its name in the picker). */
  load(name: string): Promise<void>;
  /** Values a step's run remembers for the text, shown where the text says `{name}` (a state fingerprint, a time). */
  memo: Record<string, string>;
}

export interface TourStep {
  title: string;
  /** Short paragraphs; `**bold**` is rendered bold. */
  text: string[];
  view: ViewId;
  /** What the text talks about, when it is a part of the view (a table, a diagram): the card stays clear of it. */
  target?: string;
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
  summary: "The DRF paper's example: why A gets 3 tasks and B gets 2.",
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
        "One task of A takes 1/9 of the cpus but 4/18 = **2/9 of the memory**: memory is A's dominant resource. One task of B takes **3/9 of the cpus** and only 1/18 of the memory: cpus are B's.",
        "A framework's **dominant share** is the largest fraction of any one resource it holds. DRF always offers to whoever has the lowest dominant share.",
        'At 0 s A already holds one task: on the chart its dot is at **0.222** = 2/9, where its line will start; B is still at 0.',
      ],
    },
    {
      title: 'Offers, in DRF order',
      view: 'offers',
      text: [
        "Every allocation cycle (here each second) the master offers the agent's free resources to the framework with the lowest dominant share. Each curve is one offer, numbered in that order and marked with the framework's answer; the strip below lists the cycles that made offers.",
        'At 0 s both were at 0 and A went first: **✓ accepted**, one task. At 1 s B was lower (0 against 0.222): accepted, one task. Each takes one task per offer and gives the rest back with a **5-second filter**: it is not offered those resources again for 5 s, so the next cycles offer nothing.',
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
      target: '[data-testid="task-table"]',
      text: [
        'The task view counts tasks per state: **A: 3 running, B: 2 running**. All 9 cpus are in use (3 + 6), so nobody can launch another task, however many they still want.',
        'Click a number in the table to list those tasks, and a task to see its history.',
      ],
    },
    {
      title: 'Ask why',
      view: 'explain',
      text: [
        'Explain answers "why did this framework (not) get this agent?" from the allocator\'s own decision log. Pick **A** and **agent**: in the last cycle A came first in DRF order and was **offered** what was left, 4 GB of memory and no cpus. No task of A fits in that, so A declines it; B, next, finds **no resources** left.',
        'That is the whole story of DRF: progressive filling by lowest dominant share until the cluster is full.',
      ],
    },
  ],
};

/** Opens one plan step's reasons in the Plans view ("framework/plan/phase/step name"), closing the others. */
const openStep = (context: TourContext, key: string) =>
  context.ui.update((draft) => {
    draft.openSteps = { [key]: true };
  });

export const reservationsTour: Tour = {
  id: 'reservations',
  title: 'Reservations and persistent volumes',
  summary:
    'A Cassandra ring on reserved resources and volumes: deployed by a plan, back on its own disk after a restart, replaced when a host is gone for good.',
  steps: [
    {
      title: 'A database that must not lose its disk',
      view: 'cluster',
      text: [
        'Four agents and a **Cassandra** service with three nodes. Before a node starts, the service **reserves** cpus, memory and disk on its agent for role cassandra and creates a **persistent volume** of 5 GB there: one offer accepted with RESERVE, CREATE and LAUNCH together.',
        "The mark in a cell's top-right corner means part of that agent is reserved; the bracket under the bar shows how much. agent-4 stays free: it is the spare.",
      ],
      run: async (context) => {
        await context.load('cassandra');
        await context.client.runTo(20000);
        select(context, 'agent-1');
      },
    },
    {
      title: 'A plan deploys the ring, one node at a time',
      view: 'plans',
      text: [
        'The service is run by a **deploy plan**: a phase "node" with one step per node, **serial**. A step is complete only when its node has joined the ring (a readiness check, 15 s here): node-0 is **complete**, node-1 has started and waits to pass its check, and node-2 **waits for node-1**.',
        'Each step says why it is where it is; the open one shows the offer evaluation behind node-0: placement, ports, scalars (reserve), volumes (create), launch.',
      ],
      run: async (context) => {
        await context.client.runTo(25000);
        openStep(context, 'cassandra/deploy/node/node-0:[server]');
      },
    },
    {
      title: 'Reserved means: only for that role',
      view: 'frameworks',
      text: [
        'At 50 s all three steps are **complete**. The framework view lists the pods: where each runs, on which configuration, and the **seeds** (the first two nodes, which new nodes contact to join).',
        "Reserved resources are offered **only** to frameworks of that role, even when idle, and the volume keeps the node's data whatever happens to its task: nodes of a database are pets, not cattle.",
      ],
      run: async (context) => {
        await context.client.runTo(50000);
      },
    },
    {
      title: 'A host restarts: the node goes home',
      view: 'plans',
      text: [
        'We crashed **agent-1**, where node-0 runs, and restarted it 5 seconds later. Its task was **LOST**, and a **recovery plan** appeared with one step for node-0: complete by now.',
        "The step waited for the one offer that carries **node-0's own reservations** (found by their resource_id) and relaunched the node **in place**, reusing its volume: no new RESERVE, no new CREATE, the data is still there. The open step shows each of these.",
      ],
      run: async (context) => {
        await context.client.inject({ type: 'agent.crash', agent: 'agent-1' });
        await context.client.runTo(55000);
        await context.client.inject({ type: 'agent.restart', agent: 'agent-1' });
        await context.client.runTo(75000);
        openStep(context, 'cassandra/recovery/node-0/node-0:[server]');
      },
    },
    {
      title: 'Why is node-1 not placed?',
      view: 'plans',
      text: [
        'At 90 s the scenario crashes **agent-3** for good. node-1, a seed, is lost. The recovery step turns down every other agent\'s offer: **"node-1\'s reservations and volumes are on agent-3"**. For a while, waiting for the host to come back is the right thing: its data is there.',
      ],
      run: async (context) => {
        await context.client.runTo(300000);
        openStep(context, 'cassandra/recovery/node-1/node-1:[server]');
      },
    },
    {
      title: 'Gone for good: replace and re-seed',
      view: 'frameworks',
      text: [
        'After the **failure timeout** (180 s) the service gives up on agent-3: node-1 is **replaced** on the spare agent-4 with new reservations and a new, empty volume, and the ring is **re-seeded** (agent-4 is a seed now). You can do the same by hand with "Replace" on a pod.',
        'At 500 s agent-3 returns. Its old reservations and volume belong to no node any more, so the service **gives them back** (DESTROY, UNRESERVE) when they are offered: see the scheduler log.',
      ],
      run: async (context) => {
        await context.client.runTo(520000);
      },
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
        "Its tasks are still RUNNING in the master's books: the master cannot tell a crash from a slow network, so it waits before giving up on the agent.",
      ],
      run: async (context) => {
        await context.client.inject({ type: 'agent.crash', agent: 'agent-3' });
      },
    },
    {
      title: 'The master gives up on it',
      view: 'tasks',
      target: '[data-testid="task-machine"]',
      text: [
        'After **75 seconds** without the agent (Mesos: 5 missed pings of 15 s) the master marks it unreachable. Its 4 web tasks go **RUNNING → LOST** (frameworks that are not partition-aware see LOST) and their resources are recovered.',
        'web relaunches them on the five other agents, where jobs gives way to it: 20 tasks run, and web is ahead on the chart (0.6 against 0.4) until agent-3 is back.',
      ],
      run: async (context) => {
        await context.client.runTo(86000);
      },
    },
    {
      title: 'Restart it and fail a task',
      view: 'events',
      text: [
        'agent-3 restarts and re-registers: it is offered again and fills up. Then one web task fails (**RUNNING → FAILED**: the task view counts 1 failed) and web relaunches it at once.',
        'The event log, showing only what mentions "web" here, lists it newest first: the new task launched and **STAGING → RUNNING** within the same second, and web declining the rest of what it was offered.',
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
        'Now the leading master dies and a standby takes over from the persisted state (the registry). It knows the six agents from there, but none has re-registered with it yet: the map shows them as **not re-registered yet**, and the new master offers nothing until they do.',
        'Their tasks did not stop: the hosts are fine, only the master changed. The dominant shares drop to 0 for this moment: the new allocator has not counted a single task yet.',
      ],
      run: async (context) => {
        context.ui.update((draft) => {
          draft.eventText = '';
        });
        await context.client.inject({ type: 'master.failover' });
        select(context, 'agent-3', 'web');
      },
    },
    {
      title: 'Agents re-register, frameworks reconcile',
      view: 'cluster',
      text: [
        'Within a second or two every agent re-registers and reports its running tasks, and both frameworks re-subscribe and reconcile: the cluster carries on with all **24 tasks** still running, and the counts go on from before the failover (they count the cluster, not one master).',
        'Note the state fingerprint beside the timeline: at {atTime} it is {digest}.',
      ],
      run: async (context) => {
        const frame = await context.client.runTo(95000);
        context.memo.atTime = clock(frame?.nowMs ?? 95000);
        context.memo.digest = frame?.digest ?? '';
      },
    },
    {
      title: 'Rewind: the past is exact',
      view: 'timeline',
      text: [
        'We dragged the timeline back to {rewoundTo}. The playground replays the run from the start with the same seed and the same faults at the same times: the crash, the restart, the failed task and the failover are still marked on the timeline, ahead of us, and will happen again.',
        'Inject a different fault here and the future from there is a new one (the marks ahead are dropped).',
      ],
      run: async (context) => {
        const frame = await context.client.seek(7000);
        context.memo.rewoundTo = clock(frame?.nowMs ?? 7000);
      },
    },
    {
      title: 'Forward again: the same state',
      view: 'timeline',
      target: '[data-testid="digest"]',
      text: [
        'Back to {atTime}: the fingerprint is {digestAgain}, the same as before the rewind ({digest}). The kernel is deterministic, so replaying arrives at exactly the same state.',
        'Share the URL and someone else gets this very run.',
      ],
      run: async (context) => {
        const frame = await context.client.seek(95000);
        context.memo.digestAgain = frame?.digest ?? '';
      },
    },
  ],
};

export const tours: readonly Tour[] = [drfTour, reservationsTour, failureTour];
