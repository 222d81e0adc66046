/**
 * What allot agents cannot run is refused, never run without it: a TaskInfo
 * with a Docker container, a container image, a deadline or limits gets a 400 that names the field,
 * says it is not supported and what to do instead; nothing reaches the agent,
 * the offer comes back, and a plain command task still launches.
 *
 * Every entry of the table in adapters/src/master/unsupportedTaskFields.ts is
 * checked through the master's TaskInfo conversion, so that the work that
 * supports a field removes its entry and nothing else here; the cases the
 * issue named (Docker, images) also go through a running master, and so do
 * URIs, which the fetcher supports: the master reads them into the agent's
 * LAUNCH.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ResourceLayout } from '@allot/kernel';
import { waitUntil } from '../ha/waitUntil.js';
import type { RunningMaster } from '../../../adapters/src/master/masterDaemon.js';
import { toTaskSpec } from '../../../adapters/src/master/taskInfo.js';
import { UNSUPPORTED_TASK_FIELDS } from '../../../adapters/src/master/unsupportedTaskFields.js';
import type { FakeAgent } from './inProcess.js';
import { registerFakeAgent, SMALL_AGENT, startTestMaster } from './inProcess.js';
import { launch, SchedulerClient } from './schedulerClient.js';

type Json = Record<string, any>;
const AT = 'accept.operations[0].launch.task_infos[0]';
const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const plainTask = (extra: Json): Json => ({
  name: 't',
  task_id: { value: 't' },
  agent_id: { value: 'a' },
  resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 0.5 } }],
  command: { value: 'true' },
  ...extra,
});

describe('the table of unsupported TaskInfo fields', () => {
  const layout = ResourceLayout.create();

  it.each(UNSUPPORTED_TASK_FIELDS.map((entry) => [entry.field, entry] as const))(
    'refuses %s, naming it and saying it is not supported and what to do',
    (field, entry) => {
      const refused = toTaskSpec(plainTask(entry.example), layout, AT);

      expect(refused).toEqual({ ok: false, field: `${AT}.${field}`, message: entry.message(plainTask(entry.example)) });
      if (refused.ok) return;
      expect(refused.message).toMatch(/not supported/);
      expect(refused.message).toMatch(/;|: /); // what to do instead follows
    },
  );

  it('accepts what allot does support: an empty MESOS container, no URIs', () => {
    expect(toTaskSpec(plainTask({ container: { type: 'MESOS' } }), layout, AT).ok).toBe(true);
    expect(toTaskSpec(plainTask({ container: { mesos: {} } }), layout, AT).ok).toBe(true);
    expect(toTaskSpec(plainTask({ command: { value: 'true', uris: [] } }), layout, AT).ok).toBe(true);
  });

  it('names every other container field at once', () => {
    const refused = toTaskSpec(plainTask({ container: { type: 'MESOS', volumes: [], hostname: 'h' } }), layout, AT);

    expect(refused).toMatchObject({ ok: false, field: `${AT}.container` });
    expect(refused.ok ? '' : refused.message).toMatch(/^`volumes`, `hostname` are not supported \(allot agents run tasks without/);
  });

  it('is the table docs/mesos-compatibility.md shows, entry for entry', () => {
    const docs = readFileSync(new URL('../../../docs/mesos-compatibility.md', import.meta.url), 'utf8');
    const section = /### Refused TaskInfo fields\n([\s\S]*?)\n#/.exec(docs)?.[1] ?? '';
    const documented = [...section.matchAll(/^\| `([^`]+)`/gm)].map((match) => match[1]);

    expect(documented, 'update the "Refused TaskInfo fields" table of docs/mesos-compatibility.md').toEqual(
      UNSUPPORTED_TASK_FIELDS.map((entry) => entry.field),
    );
  });
});

describe('a master refusing what allot does not support', () => {
  let master: RunningMaster;
  let agent: FakeAgent;
  let scheduler: SchedulerClient;
  let unusedOffersFrom = 0;

  beforeAll(async () => {
    master = await startTestMaster();
    await master.recovered;
    agent = await registerFakeAgent(master.url, 'agent-1', SMALL_AGENT);
    scheduler = await SchedulerClient.subscribe({ masterUrl: master.url, frameworkInfo: { roles: ['web'] } });
  }, 60_000);

  afterAll(async () => {
    await scheduler?.close();
    agent?.close();
    await master?.close();
  }, 60_000);

  /** ACCEPTs the next offer not used yet with `operation(offer)`; returns the answer. */
  async function acceptNext(what: string, operation: (offer: Json) => Json): Promise<{ status: number; body: string }> {
    const offer = await scheduler.waitForOffer(`an offer for ${what}`, 30_000, unusedOffersFrom);
    unusedOffersFrom =
      scheduler.events.findIndex(
        (event) => event.type === 'OFFERS' && event.offers.offers.some((o: Json) => o.id.value === offer.id.value),
      ) + 1;
    return scheduler.call({ type: 'ACCEPT', accept: { offer_ids: [offer.id], operations: [operation(offer)] } });
  }

  const acceptWith = (taskId: string, extra: Json) =>
    acceptNext(taskId, (offer) => launch(offer, taskId, 'cat /etc/debian_version', { cpus: 0.5, mem: 64 }, extra));

  const launched = (taskId: string) => agent.events.some((event) => event.type === 'LAUNCH' && event.launch.task_id === taskId);

  it('refuses a Docker container (400): only the command (MESOS) containerizer without images is supported', async () => {
    const answer = await acceptWith('docker', { container: { type: 'DOCKER', docker: { image: 'alpine' } } });

    expect(answer.status).toBe(400);
    expect(answer.body).toMatch(new RegExp(`^${escaped(AT)}\\.container\\.type: DOCKER containers are not supported: `));
    expect(answer.body).toContain('Mesos containerizer without an image');
    expect(answer.body).toContain('remove `container`');
    expect(launched('docker')).toBe(false);
  });

  it('refuses a container image under the MESOS containerizer (400)', async () => {
    const answer = await acceptWith('image', {
      container: { type: 'MESOS', mesos: { image: { type: 'DOCKER', docker: { name: 'alpine' } } } },
    });

    expect(answer.status).toBe(400);
    expect(answer.body).toMatch(/\.container\.mesos\.image: container images are not supported: /);
    expect(launched('image')).toBe(false);
  });

  it("reads command.uris and the health check's URIs: the agent's LAUNCH carries them for its fetcher", async () => {
    const answer = await acceptWith('uris', {
      command: { value: './run', uris: [{ value: 'https://example.org/app.tgz', extract: true, cache: true }] },
      health_check: {
        type: 'COMMAND',
        command: { value: './probe', uris: [{ value: 'file:///opt/probe', executable: true, output_file: 'probe' }] },
      },
    });

    expect(answer.status).toBe(202);
    await waitUntil(() => launched('uris'), 'the agent to get the LAUNCH of "uris"', 30_000);
    const sent = agent.events.find((event) => event.type === 'LAUNCH' && event.launch.task_id === 'uris');
    expect(sent?.launch.uris).toEqual([
      { value: 'https://example.org/app.tgz', extract: true, cache: true },
      { value: 'file:///opt/probe', executable: true, outputFile: 'probe' },
    ]);
  });

  it('refuses an operation id (400): operation feedback is not supported, and the client would wait for it', async () => {
    const answer = await acceptNext('an operation id', (offer) => ({
      ...launch(offer, 'with-id', 'true', { cpus: 0.5, mem: 64 }),
      id: { value: 'op-1' },
    }));

    expect(answer).toEqual({
      status: 400,
      body: 'accept.operations[0].id: operation feedback is not supported: send the operation without an id (reservations and volumes apply at once)',
    });
    expect(launched('with-id')).toBe(false);
  });

  it('still launches a command task (an empty MESOS container is fine)', async () => {
    const answer = await acceptWith('plain', { container: { type: 'MESOS' } });

    expect(answer.status).toBe(202);
    await waitUntil(() => launched('plain'), 'the agent to get the LAUNCH of "plain"', 30_000);
  });
});
