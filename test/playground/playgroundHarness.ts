/**
 * Shared by the playground's end-to-end tests and its benchmark: build the
 * playground once with Vite's JS API, serve the build on 127.0.0.1 at a free
 * port, and launch Debian's Chromium through playwright-core (never a
 * downloaded browser). Collects console errors and warnings per page.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, ConsoleMessage, Page } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const PLAYGROUND_ROOT = resolve(fileURLToPath(new URL('../../playground', import.meta.url)));

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

/** Builds into a fresh temporary directory and serves it; resolves with the address. */
export async function buildAndServe(): Promise<Served> {
  const vite = await import('vite');
  const outDir = mkdtempSync(join(tmpdir(), 'allot-playground-'));
  await vite.build({
    root: PLAYGROUND_ROOT,
    configFile: join(PLAYGROUND_ROOT, 'vite.config.ts'),
    logLevel: 'error',
    build: { outDir, emptyOutDir: true, sourcemap: false },
  });
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
