#!/usr/bin/env node
// Makes sure Debian's etcd server is at /usr/bin/etcd for the HA tests (leader
// election, the etcd state store, failover). When it is missing and we are
// root, it runs `apt-get update` and `apt-get install -y etcd-server
// etcd-client`; it never downloads an etcd build from anywhere else. Run as a
// script it exits 1 when etcd is still missing; imported (from test.mjs) it
// returns the reason, and the HA suites skip saying why.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

export const ETCD_PATH = '/usr/bin/etcd';

export function ensureEtcd({ quiet = false } = {}) {
  if (existsSync(ETCD_PATH)) return { ok: true, path: ETCD_PATH };
  const say = (message) => {
    if (!quiet) console.log(`ensureEtcd: ${message}`);
  };
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot) {
    const reason = `${ETCD_PATH} is missing and we are not root, so it cannot be installed here (run: sudo apt-get install -y etcd-server)`;
    say(reason);
    return { ok: false, reason };
  }
  say(`${ETCD_PATH} is missing: installing Debian's etcd-server (apt-get update; apt-get install -y etcd-server etcd-client)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync('apt-get', ['update'], { stdio: quiet ? 'ignore' : 'inherit', env });
  if (update.status !== 0) {
    const reason = `apt-get update failed (exit ${update.status})`;
    say(reason);
    return { ok: false, reason };
  }
  // Debian's package starts an etcd service on 2379 when a service manager runs; the
  // tests never use it (they start their own on free ports), and policy-rc.d is not
  // touched here because containers have no service manager to start it anyway.
  const install = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'etcd-server', 'etcd-client'], { stdio: quiet ? 'ignore' : 'inherit', env });
  if (install.status !== 0 || !existsSync(ETCD_PATH)) {
    const reason = `apt-get install etcd-server failed (exit ${install.status})`;
    say(reason);
    return { ok: false, reason };
  }
  say(`installed ${ETCD_PATH}`);
  return { ok: true, path: ETCD_PATH };
}

if (import.meta.url === `file://${process.argv[1]}`) process.exit(ensureEtcd().ok ? 0 : 1);
