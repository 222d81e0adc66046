/**
 * The `stateful` kind: an SDK service (Cassandra-, Kafka-like) described by a
 * service spec — pods with reservations and persistent volumes, deployed by
 * plans, recovered in place or replaced. The scheduler is sdk/serviceScheduler.ts.
 */
import type { ServiceSpec } from '../../sdk/serviceSpec.js';
import { readServiceSpec } from '../../sdk/serviceSpecReader.js';
import { ServiceScheduler } from '../../sdk/serviceScheduler.js';
import { oneOf } from '../../schedulers/fieldReaders.js';
import type { FrameworkKindPlugin } from '../frameworkKind.js';

export interface StatefulOptions {
  service: ServiceSpec;
  /** Informational: which system the service models. */
  flavor: 'cassandra' | 'kafka' | 'generic';
}

export const statefulKind: FrameworkKindPlugin = {
  kind: 'stateful',
  description: 'an SDK service spec: pods with reservations and volumes, deployed and recovered by plans (Cassandra, Kafka)',
  fields: ['service', 'flavor'],
  read(fields, errors, framework) {
    const flavor = fields.optional('flavor', oneOf(['cassandra', 'kafka', 'generic'] as const), 'generic');
    if (!fields.has('service')) {
      errors.push({ path: fields.pathOf('service'), message: 'missing required field; expected a service spec with "name" and "pods"' });
      return;
    }
    const service = readServiceSpec(fields.value('service'), fields.pathOf('service'), errors);
    if (service) framework.options = { service, flavor } satisfies StatefulOptions;
  },
  create: (framework) => new ServiceScheduler(framework, (framework.options as StatefulOptions).service),
};
