/**
 * An outstanding offer, as hosts see it: resources of one agent set aside for
 * one framework in one role. The OfferBook keeps offers compactly and makes
 * these objects only when someone reads them; once made, an Offer is never
 * mutated.
 */
import type { ResourceSet } from '../resources/resourceSet.js';

export interface Offer {
  readonly id: string;
  readonly frameworkId: string;
  readonly role: string;
  readonly agentId: string;
  /** What a scheduler needs for placement, as Mesos offers carry them. */
  readonly hostname: string;
  readonly attributes: Readonly<Record<string, string | number>>;
  readonly agentIndex: number;
  readonly clientIndex: number;
  readonly resources: ResourceSet;
  readonly createdAtMs: number;
}
