/** svc.yml (the DC/OS Commons subset) into a service spec: templating, conversion, errors by YAML path and line. */
import { describe, expect, it } from 'vitest';
import { loadServiceSpec } from '../../../adapters/src/service/serviceSpecFile.js';
import { renderTemplate } from '../../../adapters/src/service/specTemplate.js';

const HELLO = `name: {{FRAMEWORK_NAME}}
scheduler:
  principal: hello-principal
  user: nobody
replacement-failure-policy:
  permanent-failure-timeout-secs: 30
pods:
  hello:
    count: {{HELLO_COUNT}}
    placement: '[["hostname", "UNIQUE"]]'
    tasks:
      server:
        goal: RUNNING
        cmd: "echo hello >> data/output && sleep $SLEEP_DURATION"
        cpus: 0.1
        memory: 32
        volume:
          path: data
          type: ROOT
          size: 64
        env:
          SLEEP_DURATION: 1000
        ports:
          http:
            port: 0
            env-key: PORT_HTTP
            advertise: true
        readiness-check:
          cmd: test -s data/output
          interval: 1
          delay: 0
          timeout: 5
        health-check:
          cmd: test -s data/output
          interval: 2
          grace-period: 10
          max-consecutive-failures: 3
          delay: 0
          timeout: 5
plans:
  deploy:
    strategy: serial
    phases:
      hello-deploy:
        strategy: parallel
        pod: hello
        steps:
          - default: [[server]]
`;

const values: Record<string, string> = { FRAMEWORK_NAME: 'hello-world', HELLO_COUNT: '3' };

describe('svc.yml', () => {
  it('reads the hello-world subset: pods, placement, volume, env, named ports, checks, plans, failure policy', () => {
    const loaded = loadServiceSpec(HELLO, 'svc.yml', (name) => values[name]);
    if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
    const { spec } = loaded;
    expect(spec.name).toBe('hello-world');
    expect(spec.principal).toBe('hello-principal');
    expect(loaded.user).toBe('nobody');
    expect(spec.failureTimeoutMs).toBe(30_000);
    const pod = spec.pods[0];
    expect(pod).toMatchObject({ type: 'hello', count: 3, placement: [['hostname', 'UNIQUE']] });
    expect(pod.volumes).toEqual([{ type: 'ROOT', containerPath: 'data', sizeMb: 64, task: 'server' }]);
    expect(pod.tasks[0]).toMatchObject({
      name: 'server',
      cpus: 0.1,
      memMb: 32,
      env: { SLEEP_DURATION: '1000' },
      ports: 1,
      portSpecs: [{ name: 'http', envKey: 'PORT_HTTP', advertise: true }],
      readinessCheck: { cmd: 'test -s data/output', intervalSeconds: 1, delaySeconds: 0, timeoutSeconds: 5 },
      healthCheck: { gracePeriodSeconds: 10, maxConsecutiveFailures: 3, intervalSeconds: 2 },
    });
    expect(spec.deployPlan).toEqual({
      strategy: { kind: 'serial' },
      phases: [{ name: 'hello-deploy', pod: 'hello', strategy: { kind: 'parallel' } }],
    });
  });

  it('a {{VAR}} with no value is named with its line; --option and environment fill the rest', () => {
    const loaded = loadServiceSpec(HELLO, 'svc.yml', (name) => (name === 'FRAMEWORK_NAME' ? 'x' : undefined));
    expect(loaded).toEqual({
      ok: false,
      errors: ['svc.yml: line 9: {{HELLO_COUNT}} has no value; pass --option HELLO_COUNT=VALUE or set HELLO_COUNT in the environment'],
    });
  });

  it('names every mistake by its YAML path and line, values and structure alike', () => {
    const bad = HELLO.replace('cpus: 0.1', 'cpus: two')
      .replace('type: ROOT', 'type: MOUNT')
      .replace('port: 0', 'port: 8080')
      .replace('interval: 1\n', 'interval: 1\n          every: 2\n');
    const loaded = loadServiceSpec(bad, 'svc.yml', (name) => values[name]);
    expect(loaded.ok).toBe(false);
    if (loaded.ok) return;
    expect(loaded.errors).toEqual([
      'svc.yml:19: pods.hello.tasks.server.volume.type: MOUNT volumes are not supported yet: agents offer ROOT disk only',
      'svc.yml:25: pods.hello.tasks.server.ports.http.port: fixed port numbers are not supported yet; use port: 0 (got 8080)',
      'svc.yml:31: pods.hello.tasks.server.readiness-check.every: unknown field "every"; expected one of "cmd", "interval", "delay", "timeout"',
    ]);
    const values2 = loadServiceSpec(HELLO.replace('cpus: 0.1', 'cpus: two'), 'svc.yml', (name) => values[name]);
    expect(values2).toEqual({ ok: false, errors: ['svc.yml:15: pods.hello.tasks.server.cpus: expected a finite number > 0, got "two"'] });
  });

  it('refuses svc.yml features allot does not have, by name', () => {
    const text = HELLO.replace('    count:', '    image: nginx\n    count:').replace(
      '        goal: RUNNING',
      '        goal: RUNNING\n        uris: [x]',
    );
    const loaded = loadServiceSpec(text, 'svc.yml', (name) => values[name]);
    expect(loaded.ok ? [] : loaded.errors).toEqual([
      'svc.yml:9: pods.hello.image: container images are not supported yet (tasks run as processes on the agent)',
      'svc.yml:15: pods.hello.tasks.server.uris: unknown field "uris"; expected one of "goal", "essential", "cmd", "cpus", "memory", "ports", "env", "volume", "volumes", "resource-set", "readiness-check", "health-check", "gpus", "configs", "discovery", "labels", "transport-encryption", "kill-grace-period", "task-kill-grace-period"',
    ]);
  });

  it("refuses what a live master would refuse at every launch: cpus under Mesos's 0.01, amounts under 0.001", () => {
    const small = HELLO.replace('cpus: 0.1', 'cpus: 0.005').replace('memory: 32', 'memory: 0.0001');
    expect(loadServiceSpec(small, 'svc.yml', (name) => values[name])).toEqual({
      ok: false,
      errors: [
        'svc.yml:15: pods.hello.tasks.server.cpus: a task needs at least 0.01 cpus on a cluster, got 0.005',
        'svc.yml:16: pods.hello.tasks.server.memory: must be 0 or at least 0.001 (amounts have three decimal places), got 0.0001',
      ],
    });
    const json = JSON.stringify({ name: 'svc', pods: [{ type: 'node', count: 1, tasks: [{ name: 's', cpus: 0.001, memMb: 32 }] }] });
    expect(loadServiceSpec(json, 'spec.json', () => undefined)).toEqual({
      ok: false,
      errors: ['spec.json: $.pods[0].tasks[0].cpus: a task needs at least 0.01 cpus on a cluster, got 0.001'],
    });
    expect(loadServiceSpec(HELLO.replace('cpus: 0.1', 'cpus: 0.01'), 'svc.yml', (name) => values[name]).ok).toBe(true);
  });

  it('reports YAML syntax errors with their line', () => {
    const loaded = loadServiceSpec('name: x\npods: [1\n', 'svc.yml', () => undefined);
    expect(loaded.ok).toBe(false);
    if (!loaded.ok) expect(loaded.errors[0]).toMatch(/^svc\.yml:\d+: /);
  });

  it('reads the JSON service spec too, with errors by JSON path', () => {
    const json = JSON.stringify({ name: 'svc', pods: [{ type: 'node', count: 1, tasks: [{ name: 's', cpus: 'x', memMb: 32 }] }] });
    expect(loadServiceSpec(json, 'spec.json', () => undefined)).toEqual({
      ok: false,
      errors: ['spec.json: $.pods[0].tasks[0].cpus: expected a finite number > 0, got "x"'],
    });
  });
});

describe('svc.yml plans', () => {
  const withSidecar = HELLO.replace(
    '        health-check:',
    `      backup:
        goal: FINISH
        cmd: echo backup
        cpus: 0.1
        memory: 16
        health-check:`,
  ).replace(/ {8}health-check:\n( {10}.*\n)+/, '');

  it('a plan other than deploy and update is a custom plan of sidecar tasks; update shapes the update plan', () => {
    const text = `${withSidecar}  update:
    strategy: serial
    phases:
      hello-update:
        strategy: canary
        pod: hello
  backup:
    strategy: serial
    phases:
      backup-phase:
        pod: hello
        steps:
          - default: [[backup]]
`;
    const loaded = loadServiceSpec(text, 'svc.yml', (name) => values[name]);
    if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
    expect(loaded.spec.plans).toEqual([
      {
        name: 'backup',
        strategy: { kind: 'serial' },
        phases: [{ name: 'backup-phase', pod: 'hello', tasks: ['backup'], strategy: { kind: 'serial' } }],
      },
    ]);
    expect(loaded.spec.updatePlan!.phases[0].strategy).toEqual({ kind: 'canary' });
  });

  it('refuses steps it cannot run, naming why', () => {
    const text = `${withSidecar}  other:
    strategy: parallel-canary
    phases:
      p:
        pod: hello
        steps:
          - 0: [[backup], [server]]
`;
    const loaded = loadServiceSpec(text, 'svc.yml', (name) => values[name]);
    expect(loaded.ok ? [] : loaded.errors).toEqual([
      'svc.yml:46: plans.deploy.phases.hello-deploy.steps: a deploy step must launch every task of pod "hello" that no other plan runs (server, backup); launching some of them in later steps is not supported yet',
      'svc.yml:48: plans.other.strategy: parallel-canary is not supported yet; use canary (serial) or parallel',
      'svc.yml:53: plans.other.phases.p.steps[0].0: expected one group of task names such as [[server]]; several groups per step are not supported yet',
    ]);
  });
});

describe('{{VAR}} templates', () => {
  it('fills {{VAR}} and {{{VAR}}} as text and refuses mustache sections', () => {
    const values: Record<string, string> = { PLACEMENT: '[["hostname", "UNIQUE"]]', N: '3' };
    expect(renderTemplate(`placement: '{{{PLACEMENT}}}'\ncount: {{ N }}`, (name) => values[name])).toEqual({
      ok: true,
      text: `placement: '[["hostname", "UNIQUE"]]'\ncount: 3`,
    });
    expect(renderTemplate('a\n{{#TLS}}x{{/TLS}}', () => 'true')).toEqual({
      ok: false,
      errors: [
        'line 2: {{#TLS}}: mustache sections and partials are not supported yet; use plain {{NAME}} values',
        'line 2: {{/TLS}}: mustache sections and partials are not supported yet; use plain {{NAME}} values',
      ],
    });
  });
});
