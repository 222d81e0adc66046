/**
 * Shared by the playground's end-to-end tests and its benchmark: build the
 * playground with Vite's JS API (once per content of its sources: the e2e
 * files share one build), serve the build on 127.0.0.1 at a free port, and
 * launch Debian's Chromium through playwright-core (never a downloaded
 * browser). Collects console errors and warnings per page.
 *
 * ALLOT_PLAYGROUND_ROOT=<checkout>/playground runs the same tests against
 * another checkout's playground (how a new test is shown to fail on the
 * code before its fix).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, ConsoleMessage, Page } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const PLAYGROUND_ROOT = resolve(process.env.ALLOT_PLAYGROUND_ROOT ?? fileURLToPath(new URL('../../playground', import.meta.url)));

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-dev-shm-usage',
];

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM_PATH);
}

export interface Served {
  url: string;
  close(): Promise<void>;
}

/** A hash of everything the build reads from this repository: the playground and the kernel's sources. */
function sourcesHash(): string {
  const hash = createHash('sha256').update(PLAYGROUND_ROOT);
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else hash.update(path).update(readFileSync(path));
    }
  };
  walk(PLAYGROUND_ROOT);
  walk(resolve(PLAYGROUND_ROOT, '../kernel/src'));
  const lock = resolve(PLAYGROUND_ROOT, '../package-lock.json');
  if (existsSync(lock)) hash.update(readFileSync(lock));
  return hash.digest('hex').slice(0, 16);
}

/**
 * The build of the current sources, made once and reused by every e2e file
 * (and every run) until a source changes. Two files building at once both
 * build; the first to finish names it, the other's copy is dropped.
 */
async function cachedBuild(): Promise<string> {
  const outDir = join(tmpdir(), `allot-playground-build-${sourcesHash()}`);
  if (existsSync(join(outDir, 'index.html'))) return outDir;
  const vite = await import('vite');
  const building = mkdtempSync(join(tmpdir(), 'allot-playground-'));
  await vite.build({
    root: PLAYGROUND_ROOT,
    configFile: join(PLAYGROUND_ROOT, 'vite.config.ts'),
    logLevel: 'error',
    build: { outDir: building, emptyOutDir: true, sourcemap: false },
  });
  try {
    renameSync(building, outDir);
  } catch {
    rmSync(building, { recursive: true, force: true });
  }
  return outDir;
}

/** Builds (or reuses the build of the same sources) and serves it; resolves with the address. */
export async function buildAndServe(): Promise<Served> {
  const vite = await import('vite');
  const outDir = await cachedBuild();
  const server = await vite.preview({
    root: PLAYGROUND_ROOT,
    configFile: join(PLAYGROUND_ROOT, 'vite.config.ts'),
    logLevel: 'error',
    build: { outDir },
    preview: { host: '127.0.0.1', port: 0, strictPort: false, open: false },
  });
  const address = server.httpServer.address();
  if (!address || typeof address === 'string') throw new Error('the preview server has no TCP address');
  return {
    url: `http://127.0.0.1:${address.port}/`,
    close: () => new Promise<void>((done) => server.httpServer.close(() => done())),
  };
}

export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}

/** Console errors and warnings, and uncaught page errors, as text. */
export function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message: ConsoleMessage) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(`${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  return problems;
}
