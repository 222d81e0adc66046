#!/usr/bin/env node
// Makes sure Debian's Chromium is at /usr/bin/chromium for the playground's
// end-to-end tests and benchmark, installing it with apt when missing and root.
// It never lets a tool download a browser build of its own. A missing browser
// is a skipped suite, not a failure: run as a script it always exits 0.
import { ensureDebianPackage } from './ensureDebianPackage.mjs';

export const CHROMIUM_PATH = '/usr/bin/chromium';

export function ensureChromium({ quiet = false } = {}) {
  return ensureDebianPackage({ name: 'ensureChromium', path: CHROMIUM_PATH, packages: ['chromium', 'fonts-dejavu-core'], quiet });
}

if (import.meta.url === `file://${process.argv[1]}`) ensureChromium();
