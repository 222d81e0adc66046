/**
 * The HA end-to-end test on etcd: three `allot master --store etcd`, three
 * agents, a scheduler with a few hundred tasks, the leader SIGKILLed five
 * times (the body is in failoverSuite.ts). Skipped, saying why, without etcd.
 */
import { ETCD_SKIP_REASON } from './etcdHarness.js';
import { defineFailoverSuite } from './failoverSuite.js';

if (ETCD_SKIP_REASON) console.warn(`[ha failover e2e] SKIPPED: ${ETCD_SKIP_REASON}`);
defineFailoverSuite('etcd', ETCD_SKIP_REASON !== null);
