/**
 * Trace records: kernel events made JSON-friendly (offers and resources
 * described by name rather than by vector slot), one object per line of an
 * NDJSON trace.
 */
import type { KernelEvent } from '../master/events.js';
import type { ResourceLayout } from '../resources/layout.js';
import { describeResourceSet } from '../resources/resourceSet.js';

export function traceRecord(event: KernelEvent, layout: ResourceLayout): Record<string, unknown> {
  if (event.type === 'offer.made') {
    const { offer } = event;
    return {
      type: event.type,
      atMs: event.atMs,
      offerId: offer.id,
      frameworkId: offer.frameworkId,
      role: offer.role,
      agentId: offer.agentId,
      resources: describeResourceSet(offer.resources, layout),
    };
  }
  return { ...event };
}
