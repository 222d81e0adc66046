#!/usr/bin/env node
// Makes sure Debian's etcd server is at /usr/bin/etcd for the HA tests (leader
// election, the etcd state store, failover), installing etcd-server and
// etcd-client with apt when missing and root. Run as a script it exits 1 when
// etcd is still missing; imported (from test.mjs) the HA suites skip saying why.
// Debian's package would start an etcd service on 2379 under a service manager;
// the tests never use it (they start their own on free ports).
import { ensureDebianPackage } from './ensureDebianPackage.mjs';

export const ETCD_PATH = '/usr/bin/etcd';

export function ensureEtcd({ quiet = false } = {}) {
  return ensureDebianPackage({ name: 'ensureEtcd', path: ETCD_PATH, packages: ['etcd-server', 'etcd-client'], quiet });
}

if (import.meta.url === `file://${process.argv[1]}`) process.exit(ensureEtcd().ok ? 0 : 1);
