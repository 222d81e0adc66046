/**
 * @allot/node as a package: `npm pack` of it and of @allot/kernel, both
 * tarballs installed in a project outside the repository, and the `allot`
 * bin run there with plain Node (built JavaScript, no TypeScript loader).
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Consumer } from '../packInstall.js';
import { installPacked } from '../packInstall.js';

let consumer: Consumer;

beforeAll(() => {
  consumer = installPacked(['kernel', 'adapters']);
}, 180_000);

afterAll(() => consumer?.remove());

describe('@allot/node packed and installed outside the repository', () => {
  const allot = (...args: string[]) => consumer.node([join('node_modules', '.bin', 'allot'), ...args]);

  it('prints its version', () => {
    expect(allot('--version').trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('lists the built-in scenarios and simulates one', () => {
    expect(allot('scenarios')).toContain('drf-paper');
    const report = JSON.parse(allot('simulate', 'drf-paper', '--json'));
    expect(report.frameworks.map((framework: { tasks: unknown }) => framework.tasks)).toEqual([{ TASK_RUNNING: 3 }, { TASK_RUNNING: 2 }]);
  });

  it('ships bin and dist only, and says that benchmarks live in the repository', () => {
    const installed = join(consumer.dir, 'node_modules', '@allot', 'node');
    expect(readdirSync(installed).sort()).toEqual(['README.md', 'bin', 'dist', 'package.json']);
    expect(existsSync(join(installed, 'src'))).toBe(false);
    let failure: { status: number; stderr: string } | null = null;
    try {
      allot('bench');
    } catch (error) {
      failure = { status: (error as { status: number }).status, stderr: String((error as { stderr: unknown }).stderr) };
    }
    expect(failure?.status).toBe(2);
    expect(failure?.stderr).toContain('benchmark');
  });
});
