/**
 * A Mesos `Offer` (JSON) as the kernel's Offer, for framework models: its
 * resources as a ResourceSet in the host's layout, its attributes as a plain
 * record. Scalars the layout has no slot for are left out (a model cannot use
 * what it cannot name) and reported, so the caller can log them once.
 */
import type { Offer, ResourceLayout } from '@allot/kernel';
import { toResourceSet } from '../master/mesosResources.js';

type Json = Record<string, any>;

export type OfferConversion = { ok: true; offer: Offer; ignored: string[] } | { ok: false; message: string };

export function offerFromJson(json: Json, layout: ResourceLayout, nowMs: number): OfferConversion {
  const ignored = new Set<string>();
  const resources = ((json.resources as Json[] | undefined) ?? []).filter((resource) => {
    const known = resource.name === 'ports' || layout.slotOf(resource.name) >= 0;
    if (!known) ignored.add(String(resource.name));
    return known;
  });
  const converted = toResourceSet(resources, layout, 'offer.resources');
  if (!converted.ok) return { ok: false, message: `${converted.field}: ${converted.message}` };
  const attributes: Record<string, string | number> = {};
  for (const attribute of (json.attributes as Json[] | undefined) ?? []) {
    if (attribute.type === 'SCALAR' && typeof attribute.scalar?.value === 'number') attributes[attribute.name] = attribute.scalar.value;
    else if (typeof attribute.text?.value === 'string') attributes[attribute.name] = attribute.text.value;
  }
  return {
    ok: true,
    ignored: [...ignored],
    offer: {
      id: json.id.value,
      frameworkId: json.framework_id.value,
      role: json.allocation_info?.role ?? resources.find((resource) => resource.allocation_info)?.allocation_info?.role ?? '*',
      agentId: json.agent_id.value,
      hostname: json.hostname,
      attributes,
      agentIndex: 0,
      clientIndex: 0,
      resources: converted.value,
      createdAtMs: nowMs,
    },
  };
}
