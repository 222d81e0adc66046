/**
 * The kernel as a package. TypeScript compiles it to ESM with declarations
 * using only the ES library (no DOM, no Node types), which proves that the
 * kernel touches neither. Then the real thing: `npm pack`, the tarball
 * installed in a project outside the repository, and the README's "kernel in
 * a few lines" and the testing kit run there with plain Node.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Consumer } from '../packInstall.js';
import { installPacked, REPO_ROOT } from '../packInstall.js';

const outDir = mkdtempSync(join(tmpdir(), 'allot-kernel-dist-'));
let consumer: Consumer | null = null;

afterAll(() => {
  rmSync(outDir, { recursive: true, force: true });
  consumer?.remove();
});

/** The ```ts block under "## The kernel in a few lines" in README.md. */
function readmeSnippet(): string {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const match = /## The kernel in a few lines\s+```ts\n([\s\S]*?)```/.exec(readme);
  if (!match) throw new Error('README.md has no "The kernel in a few lines" snippet');
  return match[1];
}

describe('@allot/kernel compiled on its own', () => {
  it('compiles to ESM with type declarations, without DOM or Node types', () => {
    execFileSync(
      process.execPath,
      [
        join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'),
        '-p',
        join(REPO_ROOT, 'kernel', 'tsconfig.build.json'),
        '--outDir',
        outDir,
      ],
      { stdio: 'pipe' },
    );
    expect(existsSync(join(outDir, 'index.js'))).toBe(true);
    expect(existsSync(join(outDir, 'index.d.ts'))).toBe(true);
    expect(existsSync(join(outDir, 'testing', 'index.d.ts'))).toBe(true);
  }, 120_000);

  it("emits no import of Node built-ins or of anything outside the kernel (except the testing kit's fast-check)", () => {
    const files = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.js') ? [join(dir, e.name)] : [],
      );
    for (const file of files(outDir)) {
      const imports = [...readFileSync(file, 'utf8').matchAll(/from\s+['"]([^'"]+)['"]/g)].map((m) => m[1]);
      const foreign = imports.filter(
        (specifier) => !specifier.startsWith('.') && !(file.includes(`${join('testing', '')}`) && specifier === 'fast-check'),
      );
      expect(foreign, file).toEqual([]);
    }
  });
});

describe('@allot/kernel packed and installed outside the repository', () => {
  beforeAll(() => {
    consumer = installPacked(['kernel'], ['fast-check@4.10.2']);
  }, 120_000);

  it('runs the README snippet with plain node', () => {
    const script = `${readmeSnippet()}\nconsole.log(JSON.stringify({ events: events.map((event) => event.type), effects: effects.map((effect) => effect.type) }));\n`;

    const output = JSON.parse(consumer!.node(['--input-type=module', '-'], script));

    expect(output.events).toContain('offer.made');
    expect(output.effects).toContain('framework.offers');
  });

  it('simulates the DRF paper example from the package entry point', () => {
    const script = `
      import { findBuiltinScenario, parseScenario, simulate } from '@allot/kernel';
      const parsed = parseScenario(findBuiltinScenario('drf-paper'));
      const report = simulate(parsed.scenario);
      console.log(JSON.stringify(report.frameworks.map((f) => [f.id, f.tasks])));
    `;

    expect(JSON.parse(consumer!.node(['--input-type=module', '-'], script))).toEqual([
      ['A', { TASK_RUNNING: 3 }],
      ['B', { TASK_RUNNING: 2 }],
    ]);
  });

  it('runs a law of @allot/kernel/testing with fast-check', () => {
    const script = `
      import fc from 'fast-check';
      import { Master } from '@allot/kernel';
      import { assertLaw, checkInvariants, expectNoViolations, runWorkload, STATIC_CLUSTER_EXCLUDED, workloadArbitrary, workloadMasterOptions } from '@allot/kernel/testing';
      let steps = 0;
      const law = fc.property(workloadArbitrary({ exclude: STATIC_CLUSTER_EXCLUDED }), (workload) => {
        const master = new Master(workloadMasterOptions(workload));
        runWorkload(master, workload, () => { steps += 1; expectNoViolations(checkInvariants(master), 'step'); });
      });
      assertLaw('invariants', law, { numRuns: 20, seed: 1 });
      console.log(JSON.stringify({ steps }));
    `;

    expect(JSON.parse(consumer!.node(['--input-type=module', '-'], script)).steps).toBeGreaterThan(0);
  });

  it('ships the built JavaScript and declarations, and no tests', () => {
    const installed = join(consumer!.dir, 'node_modules', '@allot', 'kernel');

    expect(existsSync(join(installed, 'dist', 'index.js'))).toBe(true);
    expect(existsSync(join(installed, 'dist', 'index.d.ts'))).toBe(true);
    expect(existsSync(join(installed, 'dist', 'testing', 'index.js'))).toBe(true);
    expect(readdirSync(installed).sort()).toEqual(['dist', 'package.json', 'src']);
  });
});
