/**
 * The HA end-to-end test with the embedded default: three `allot master
 * --store file` sharing one work dir on this machine (a lock directory elects
 * the leader), three agents, a scheduler with a few hundred tasks, the
 * leader SIGKILLed five times (the body is in failoverSuite.ts).
 */
import { defineFailoverSuite } from './failoverSuite.js';

defineFailoverSuite('file', false);
