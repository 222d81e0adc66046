/**
 * The `stateful` kind: an SDK service (Cassandra-, Kafka-like) described by a
 * service spec — pods with reservations and persistent volumes, deployed by
 * plans, recovered in place or replaced. The scheduler is sdk/serviceScheduler.ts.
 * With a `snapshot` (its state store) it starts as a restarted scheduler would.
 */
import type { ServiceSpec } from '../../sdk/serviceSpec.js';
import type { ServiceSchedulerSnapshot } from '../../sdk/schedulerState.js';
import { readServiceSpec } from '../../sdk/serviceSpecReader.js';
import { readStoreSnapshot } from './storeSnapshotReader.js';
import { ServiceScheduler } from '../../sdk/serviceScheduler.js';
import { oneOf } from '../../schedulers/fieldReaders.js';
import type { FrameworkKindPlugin } from '../frameworkKind.js';

export interface StatefulOptions {
  service: ServiceSpec;
  /** Informational: which system the service models. */
  flavor: 'cassandra' | 'kafka' | 'generic';
  /** Its scheduler's state store: it starts from it as if restarted (a live service forked into the simulator). */
  snapshot?: ServiceSchedulerSnapshot;
}

export const statefulKind: FrameworkKindPlugin = {
  kind: 'stateful',
  description: 'an SDK service spec: pods with reservations and volumes, deployed and recovered by plans (Cassandra, Kafka)',
  fields: ['service', 'flavor', 'snapshot'],
  read(fields, errors, framework) {
    const flavor = fields.optional('flavor', oneOf(['cassandra', 'kafka', 'generic'] as const), 'generic');
    if (!fields.has('service')) {
      errors.push({ path: fields.pathOf('service'), message: 'missing required field; expected a service spec with "name" and "pods"' });
      return;
    }
    const service = readServiceSpec(fields.value('service'), fields.pathOf('service'), errors);
    const snapshot = fields.has('snapshot')
      ? readStoreSnapshot(fields.value('snapshot'), fields.pathOf('snapshot'), errors, service)
      : undefined;
    if (service) framework.options = { service, flavor, ...(snapshot ? { snapshot } : {}) } satisfies StatefulOptions;
  },
  create(framework) {
    const { service, snapshot } = framework.options as StatefulOptions;
    return snapshot ? ServiceScheduler.restore(framework, snapshot, null) : new ServiceScheduler(framework, service);
  },
};
