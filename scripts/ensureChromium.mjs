#!/usr/bin/env node
// Makes sure Debian's Chromium is at /usr/bin/chromium for the playground's
// end-to-end tests and benchmark. When it is missing and we are root, it runs
// `apt-get update` and `apt-get install -y chromium`; otherwise it says why and
// the e2e tests skip. It never lets a tool download a browser build of its own.
// Exit code is always 0: a missing browser is a skipped suite, not a failure.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

export const CHROMIUM_PATH = '/usr/bin/chromium';

export function ensureChromium({ quiet = false } = {}) {
  if (existsSync(CHROMIUM_PATH)) return { ok: true, path: CHROMIUM_PATH };
  const say = (message) => {
    if (!quiet) console.log(`ensureChromium: ${message}`);
  };
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot) {
    const reason = `${CHROMIUM_PATH} is missing and we are not root, so it cannot be installed here (run: sudo apt-get install -y chromium)`;
    say(reason);
    return { ok: false, reason };
  }
  say(`${CHROMIUM_PATH} is missing: installing Debian's chromium (apt-get update; apt-get install -y chromium)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync('apt-get', ['update'], { stdio: quiet ? 'ignore' : 'inherit', env });
  if (update.status !== 0) {
    const reason = `apt-get update failed (exit ${update.status})`;
    say(reason);
    return { ok: false, reason };
  }
  const install = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'chromium', 'fonts-dejavu-core'], { stdio: quiet ? 'ignore' : 'inherit', env });
  if (install.status !== 0 || !existsSync(CHROMIUM_PATH)) {
    const reason = `apt-get install chromium failed (exit ${install.status})`;
    say(reason);
    return { ok: false, reason };
  }
  say(`installed ${CHROMIUM_PATH}`);
  return { ok: true, path: CHROMIUM_PATH };
}

if (import.meta.url === `file://${process.argv[1]}`) ensureChromium();
