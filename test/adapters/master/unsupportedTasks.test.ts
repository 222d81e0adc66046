/**
 * What allot agents cannot run is refused, never run without it: a TaskInfo
 * with a Docker container, a container image, URIs to fetch or a custom
 * executor gets a 400 that names the field, says it is not supported and what
 * to do instead; nothing reaches the agent, the offer comes back, and a plain
 * command task still launches.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningMaster } from '../../../adapters/src/master/masterDaemon.js';
import type { FakeAgent } from './inProcess.js';
import { registerFakeAgent, SMALL_AGENT, startTestMaster } from './inProcess.js';
import { launch, SchedulerClient } from './schedulerClient.js';

type Json = Record<string, any>;
const AT = 'accept.operations[0].launch.task_infos[0]';

let master: RunningMaster;
let agent: FakeAgent;
let scheduler: SchedulerClient;

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

let unusedOffersFrom = 0;

/** ACCEPTs the next offer not used yet with one task carrying `extra`; returns the answer. */
async function acceptWith(taskId: string, extra: Json): Promise<{ status: number; body: string }> {
  const offer = await scheduler.waitForOffer(`an offer for ${taskId}`, 20_000, unusedOffersFrom);
  unusedOffersFrom =
    scheduler.events.findIndex((event) => event.type === 'OFFERS' && event.offers.offers.some((o: Json) => o.id.value === offer.id.value)) +
    1;
  return scheduler.call({
    type: 'ACCEPT',
    accept: { offer_ids: [offer.id], operations: [launch(offer, taskId, 'cat /etc/debian_version', { cpus: 0.5, mem: 64 }, extra)] },
  });
}

const launched = (taskId: string) => agent.events.some((event) => event.type === 'LAUNCH' && event.launch.task_id === taskId);

describe('tasks asking for what allot does not support', () => {
  it('refuses a Docker container: only the command (MESOS) containerizer without images is supported', async () => {
    const answer = await acceptWith('docker', { container: { type: 'DOCKER', docker: { image: 'alpine' } } });

    expect(answer.status).toBe(400);
    expect(answer.body).toMatch(new RegExp(`^${AT.replace(/[.[\]]/g, '\\$&')}\\.container\\.type: DOCKER containers are not supported: `));
    expect(answer.body).toContain('Mesos containerizer without an image');
    expect(answer.body).toContain('remove `container`');
    expect(launched('docker')).toBe(false);
  });

  it('refuses a container image under the MESOS containerizer', async () => {
    const answer = await acceptWith('image', {
      container: { type: 'MESOS', mesos: { image: { type: 'DOCKER', docker: { name: 'alpine' } } } },
    });

    expect(answer).toMatchObject({ status: 400 });
    expect(answer.body).toMatch(/\.container\.mesos\.image: container images are not supported: /);
    expect(launched('image')).toBe(false);
  });

  it('refuses command.uris: fetching is not supported yet, download in the command', async () => {
    const answer = await acceptWith('uris', {
      command: { value: './run', uris: [{ value: 'https://example.org/app.tgz', extract: true }] },
    });

    expect(answer.status).toBe(400);
    expect(answer.body).toMatch(
      /\.command\.uris: fetching URIs is not supported yet \(allot has no fetcher so far\): download in the command instead/,
    );
    expect(launched('uris')).toBe(false);
  });

  it('refuses a custom executor', async () => {
    const answer = await acceptWith('executor', { executor: { executor_id: { value: 'e' }, command: { value: './executor' } } });

    expect(answer.status).toBe(400);
    expect(answer.body).toMatch(
      /\.executor: custom executors are not supported: allot agents run command tasks; give the task a `command` instead$/,
    );
    expect(launched('executor')).toBe(false);
  });

  it('refuses fields that would change what happens to the task: check, max_completion_time, limits', async () => {
    const answers = [
      await acceptWith('check', { check: { type: 'COMMAND', command: { command: { value: 'true' } } } }),
      await acceptWith('deadline', { max_completion_time: { nanoseconds: 1e9 } }),
      await acceptWith('limits', { limits: { cpus: { value: 2 } } }),
    ];

    expect(answers.map((answer) => answer.status)).toEqual([400, 400, 400]);
    expect(answers[0].body).toMatch(/\.check: general checks are not supported yet; use health_check \(type COMMAND\)$/);
    expect(answers[1].body).toMatch(/\.max_completion_time: max_completion_time is not supported yet; end the task from its command/);
    expect(answers[2].body).toMatch(/\.limits: resource limits above the requested resources are not supported yet/);
  });

  it('still launches a command task (an empty MESOS container is fine)', async () => {
    const answer = await acceptWith('plain', { container: { type: 'MESOS' } });
    await new Promise((resolve) => setTimeout(resolve, 200));

    expect(answer.status).toBe(202);
    expect(launched('plain')).toBe(true);
  });
});
