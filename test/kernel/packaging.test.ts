/**
 * The kernel as a package: TypeScript compiles it to ESM with declarations,
 * and plain Node (no TypeScript loader) imports the result and runs a
 * simulation. The compile uses only the ES library (no DOM, no Node types),
 * which also proves that the kernel touches neither.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const outDir = mkdtempSync(join(root, 'kernel', '.dist-test-'));

afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe('@allot/kernel as a package', () => {
  it('compiles to ESM with type declarations, without DOM or Node types', () => {
    execFileSync(
      process.execPath,
      [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'kernel', 'tsconfig.build.json'), '--outDir', outDir],
      { stdio: 'pipe' },
    );
    expect(existsSync(join(outDir, 'index.js'))).toBe(true);
    expect(existsSync(join(outDir, 'index.d.ts'))).toBe(true);
    expect(existsSync(join(outDir, 'testing', 'index.d.ts'))).toBe(true);
  }, 120_000);

  it('imports from plain Node and simulates the DRF paper example', () => {
    const script = `
      const kernel = await import(${JSON.stringify(join(outDir, 'index.js'))});
      const parsed = kernel.parseScenario(kernel.findBuiltinScenario('drf-paper'));
      const report = kernel.simulate(parsed.scenario);
      console.log(JSON.stringify(report.frameworks.map((f) => [f.id, f.tasks])));
    `;
    const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(JSON.parse(output)).toEqual([
      ['A', { TASK_RUNNING: 3 }],
      ['B', { TASK_RUNNING: 2 }],
    ]);
  });

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
