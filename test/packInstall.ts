/**
 * Packs workspace packages the way they would be published (`npm pack`) and
 * installs the tarballs in a fresh project under the system temp dir, outside
 * the repository, so that nothing resolves through the workspace: what runs
 * there is what a user of the published packages gets. The builds are current
 * (test/globalSetup.ts), so packing skips the prepack build (`--ignore-scripts`)
 * rather than rewrite dist/ under the feet of suites running in parallel.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface Consumer {
  dir: string;
  /** Runs `node <args>` in the project with plain Node (no loader, no conditions) and returns stdout. */
  node(args: string[], input?: string): string;
  remove(): void;
}

/** Packs each workspace (e.g. 'kernel', 'adapters') and installs the tarballs, plus `extra` registry packages, in a new project. */
export function installPacked(workspaces: string[], extra: string[] = []): Consumer {
  const dir = mkdtempSync(join(tmpdir(), 'allot-consumer-'));
  const tarballDir = join(dir, 'tarballs');
  const projectDir = join(dir, 'project');
  mkdirSync(tarballDir);
  mkdirSync(projectDir);
  const tarballs = workspaces.map((workspace) => {
    const output = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', tarballDir], {
      cwd: join(REPO_ROOT, workspace),
      encoding: 'utf8',
    });
    const [{ filename }] = JSON.parse(output) as Array<{ filename: string }>;
    return join(tarballDir, filename);
  });
  writeFileSync(join(projectDir, 'package.json'), JSON.stringify({ name: 'allot-consumer', private: true, type: 'module' }));
  // Dependencies come from npm's cache when it has them (the repository's own install filled it).
  execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', ...tarballs, ...extra], {
    cwd: projectDir,
    stdio: 'pipe',
  });
  return {
    dir: projectDir,
    node: (args, input) =>
      execFileSync(process.execPath, args, {
        cwd: projectDir,
        encoding: 'utf8',
        input,
        // No NODE_OPTIONS from the test runner: plain Node, as a user runs it.
        env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1' },
      }),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
