/**
 * The `allot` command line, run as a real process from the repository root the
 * way users run it (`node adapters/bin/allot.js ...`): exit codes, stdout
 * holding only JSON under --json, seeded determinism, traces, and error
 * messages that name what was wrong. Every test is its own process(es), so
 * they run concurrently.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const LAUNCHER = join(REPO_ROOT, 'adapters', 'bin', 'allot.js');
const scratchDir = mkdtempSync(join(tmpdir(), 'allot-cli-test-'));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function allot(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [LAUNCHER, ...args], { cwd: REPO_ROOT, env: { ...process.env, NO_COLOR: '1' } }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

afterAll(() => rmSync(scratchDir, { recursive: true, force: true }));

describe.concurrent('allot simulate', () => {
  it('reproduces the DRF paper allocation as a JSON report', async () => {
    const run = await allot('simulate', 'drf-paper', '--json');

    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    const tasksOf = (id: string) => report.frameworks.find((framework: { id: string }) => framework.id === id).tasks;
    expect(tasksOf('A').TASK_RUNNING).toBe(3);
    expect(tasksOf('B').TASK_RUNNING).toBe(2);
    expect(report.invariantViolations).toEqual([]);
    expect(run.stdout).toBe(JSON.stringify(report, null, 2) + '\n');
  });

  it('prints byte-identical reports for two runs with the same seed', async () => {
    const [first, second] = await Promise.all([
      allot('simulate', 'weighted-roles', '--json', '--seed', '42'),
      allot('simulate', 'weighted-roles', '--json', '--seed', '42'),
    ]);

    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout).seed).toBe(42);
    expect(second.stdout).toBe(first.stdout);
  });

  it('writes a trace with one JSON event per line', async () => {
    const tracePath = join(scratchDir, 'trace.ndjson');

    const run = await allot('simulate', 'drf-paper', '--json', '--trace', tracePath);

    expect(run.code).toBe(0);
    const lines = readFileSync(tracePath, 'utf8').split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(typeof JSON.parse(line).type).toBe('string');
    expect(run.stderr).toBe(`trace: ${lines.length} kernel events written to ${tracePath}\n`);
  });

  it('lists the faults a chaos run injected, in the summary and in the JSON report', async () => {
    const [human, json] = await Promise.all([allot('simulate', 'chaos:42'), allot('simulate', 'chaos:42', '--json')]);

    expect(human.code).toBe(0);
    const faults = JSON.parse(json.stdout).faults as Array<{ atMs: number; type: string; target: string }>;
    expect(faults.length).toBeGreaterThan(0);
    expect(human.stdout).toContain(`Faults injected: ${faults.length}`);
    for (const fault of faults)
      expect(human.stdout).toMatch(new RegExp(`${(fault.atMs / 1000).toFixed(1)} s +${fault.type.replace('.', '\\.')} +`));
  });

  it('prints a human summary with tables and no violations', async () => {
    const run = await allot('simulate', 'drf-paper');

    expect(run.code).toBe(0);
    expect(run.stdout).toContain('TASK_RUNNING 3');
    expect(run.stdout).toContain('Invariant violations: none');
    expect(run.stderr).toBe('');
  });

  it('rejects an invalid scenario file with exit 2, naming each JSON path', async () => {
    const scenarioPath = join(scratchDir, 'bad.json');
    const scenario = {
      name: 'bad',
      durationMs: 1000,
      colour: 'red',
      agents: [{ id: 'agent', resources: { cpus: -1, mem: 1024 } }],
      frameworks: [{ id: 'A', role: 'a', kind: 'batch', tasks: { count: 1, resources: { cpus: 1 } } }],
    };
    writeFileSync(scenarioPath, JSON.stringify(scenario));

    const run = await allot('simulate', scenarioPath);

    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('$.colour');
    expect(run.stderr).toContain('$.agents[0].resources.cpus');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('rejects an unknown scenario name and lists the built-in ones', async () => {
    const run = await allot('simulate', 'no-such-scenario');

    expect(run.code).toBe(2);
    expect(run.stderr).toContain('no-such-scenario');
    expect(run.stderr).toContain('drf-paper');
  });

  it('rejects a scenario without agents, saying why (exit 2)', async () => {
    const scenarioPath = join(scratchDir, 'no-agents.json');
    writeFileSync(scenarioPath, JSON.stringify({ name: 'empty', durationMs: 1000, agents: [] }));

    const run = await allot('simulate', scenarioPath);

    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('$.agents: a scenario needs at least one agent, listed here or added by an "agent.add" fault');
  });

  it('explains chaos:<seed> when the seed is not a whole number (exit 2)', async () => {
    const run = await allot('simulate', 'chaos:abc');

    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      `error: "chaos:abc": after "chaos:" comes the seed of a generated fault-injection run (chaos:<seed>), a whole number between -${Number.MAX_SAFE_INTEGER} and ${Number.MAX_SAFE_INTEGER} (e.g. chaos:42); the same seed replays the same run.\n`,
    );
  });

  it('rejects a seed that is not an integer, naming --seed', async () => {
    const run = await allot('simulate', 'drf-paper', '--seed', 'abc');

    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--seed');
    expect(run.stdout).toBe('');
  });

  it.each(['chaos:9007199254740992', 'chaos:1e21', 'chaos:1.5', 'chaos:', 'chaos:0x10'])(
    'rejects the chaos seed of %s with exit 2 (a usage error, not an internal one)',
    async (name) => {
      const run = await allot('simulate', name);

      expect(run.code).toBe(2);
      expect(run.stderr).toContain('chaos:<seed>');
      expect(run.stderr).not.toMatch(/\n\s+at /);
    },
  );

  it('rejects a negative --until, naming the flag', async () => {
    const run = await allot('simulate', 'drf-paper', '--until', '-5');

    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--until');
  });
});

describe.concurrent('allot simulate --silos', () => {
  it('adds the shared-against-silos comparison to the report', async () => {
    const run = await allot('simulate', 'datacenter', '--json', '--silos');

    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as {
      silos: { shared: { tasksPending: number }; silos: { tasksPending: number }; partition: Record<string, string[]> };
    };
    expect(Object.keys(report.silos.partition)).toEqual(['spark', 'marathon', 'cassandra', 'myriad']);
    expect(report.silos.shared.tasksPending).toBe(0);
    expect(report.silos.silos.tasksPending).toBeGreaterThan(0);
  }, 60_000);
});

describe.concurrent('allot scenarios', () => {
  it('lists the built-in scenarios as JSON', async () => {
    const run = await allot('scenarios', '--json');

    expect(run.code).toBe(0);
    const entries = JSON.parse(run.stdout) as Array<{ name: string; description: string }>;
    expect(entries.map((entry) => entry.name)).toContain('drf-paper');
    for (const entry of entries) expect(Object.keys(entry)).toEqual(['name', 'description']);
  });

  it('shows a built-in scenario as a file that simulate accepts', async () => {
    const show = await allot('scenarios', 'show', 'drf-paper');
    const scenarioPath = join(scratchDir, 'drf-paper.json');
    writeFileSync(scenarioPath, show.stdout);

    const fromFile = await allot('simulate', scenarioPath, '--json');
    const builtin = await allot('simulate', 'drf-paper', '--json');

    expect(show.code).toBe(0);
    expect(fromFile.code).toBe(0);
    expect(fromFile.stdout).toBe(builtin.stdout);
  });
});

describe.concurrent('allot bench', () => {
  it('refuses an unknown benchmark option as a usage error naming it, for every benchmark (exit 2)', async () => {
    const names = ['decline-offers', 'scan', 'playground', 'million-tasks', 'multi-framework', 'cli-start'];

    const runs = await Promise.all(names.map((name) => allot('bench', name, '--', '--agnets', '5')));

    for (const [index, run] of runs.entries()) {
      expect(run.code, names[index]).toBe(2);
      expect(run.stderr, names[index]).toContain(
        `error: benchmark ${names[index]}: unknown option --agnets\nusage: allot bench ${names[index]}`,
      );
      expect(run.stderr, names[index]).not.toMatch(/\n\s+at /);
    }
  }, 60_000);

  it('refuses a bad option value and prints a benchmark usage with --help', async () => {
    const [bad, help] = await Promise.all([
      allot('bench', 'million-tasks', '--', '--jobs', 'many'),
      allot('bench', 'scan', '--', '--help'),
    ]);

    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('error: --jobs must be a whole number >= 1, got "many"');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('usage: allot bench scan');
    expect(help.stdout).toContain('--agents N[,N...]');
  });
});

describe.concurrent('daemon commands', () => {
  it('lists master, agent and up in --help, and rejects a bad daemon flag with exit 2', async () => {
    const help = await allot('--help');
    const master = await allot('master', '--store', 'bogus');

    expect(help.code).toBe(0);
    for (const command of ['simulate', 'scenarios', 'bench', 'master', 'agent', 'up']) expect(help.stdout).toContain(command);
    expect(help.stdout).toContain('Exit codes');
    expect(master.code).toBe(2);
    expect(master.stderr).toContain('--store');
  });

  it('refuses a bad framework name or role for the framework daemons with exit 2, naming the flag', async () => {
    const master = ['--master', 'http://127.0.0.1:9'];
    const [jobsRole, marathonRole, marathonName] = await Promise.all([
      allot('jobs', ...master, '--role', 'no spaces'),
      allot('marathon', ...master, '--mesos-role', '..'),
      allot('marathon', ...master, '--framework-name', 'a/b'),
    ]);

    expect([jobsRole.code, marathonRole.code, marathonName.code]).toEqual([2, 2, 2]);
    expect(jobsRole.stderr).toContain('--role: ');
    expect(marathonRole.stderr).toContain('--mesos-role: ');
    expect(marathonName.stderr).toContain('--framework-name: letters, digits, dots, dashes and underscores (1-64), got "a/b"');
  });
});
