/**
 * Persistent task slots for the batch kind's `persistentVolume` option: each
 * task gets a dynamic reservation labelled with a resource_id and a volume on
 * reserved disk (RESERVE, CREATE, LAUNCH in one accept). A failed task comes
 * back to the same reservation and volume on the same agent; a finished one
 * gives both back (DESTROY, UNRESERVE), so nothing leaks.
 */
import type { OfferOperation } from '../../master/commands.js';
import type { Offer } from '../../offers/offer.js';
import type { ResourceLayout, ResourceQuantities } from '../../resources/layout.js';
import type { ReservedPart, ResourceSet } from '../../resources/resourceSet.js';
import { reservedPart } from '../../resources/resourceSet.js';
import { takePorts } from '../../resources/ranges.js';
import { subtract } from '../../resources/vector.js';
import { carveTask } from '../../schedulers/carveTask.js';

export interface Slot {
  readonly resourceId: string;
  readonly volumeId: string;
  agentId: string;
}

export interface PersistentVolumeSpec {
  sizeMb: number;
  containerPath: string;
}

function stackFor(role: string, slot: Slot): ReservedPart['reservations'] {
  return [{ role, type: 'DYNAMIC', labels: { resource_id: slot.resourceId } }];
}

function only(layout: ResourceLayout, parts: ReservedPart[], ports: ResourceSet['ports'] = []): ResourceSet {
  return { scalars: layout.zero(), ports, reserved: parts };
}

/** The slot's reservation and volume, when this offer holds them. */
export function slotParts(offer: ResourceSet, slot: Slot): { reservation: ReservedPart; volume: ReservedPart } | null {
  const reservation = offer.reserved.find(
    (part) => !part.volume && part.reservations[part.reservations.length - 1].labels?.resource_id === slot.resourceId,
  );
  const volume = offer.reserved.find((part) => part.volume?.persistenceId === slot.volumeId);
  return reservation && volume ? { reservation, volume } : null;
}

/** A first launch: reserve unreserved resources, create the volume, launch on both. */
export function firstLaunch(
  available: ResourceSet,
  layout: ResourceLayout,
  role: string,
  slot: Slot,
  demand: ResourceQuantities,
  portCount: number,
  volume: PersistentVolumeSpec,
): { operations: OfferOperation[]; taskResources: ResourceSet; used: ResourceSet } | null {
  const withDisk = { ...demand, disk: (demand.disk ?? 0) + volume.sizeMb };
  const carved = carveTask({ ...available, reserved: [] }, layout, withDisk, portCount);
  if (!carved) return null;
  const stack = stackFor(role, slot);
  const volumeDisk = layout.vector({ disk: volume.sizeMb });
  const reservation = reservedPart(stack, carved.scalars);
  const volumePart = reservedPart(stack, volumeDisk, [], { persistenceId: slot.volumeId, containerPath: volume.containerPath, mode: 'RW' });
  const taskPart = reservedPart(stack, subtract(carved.scalars, volumeDisk));
  return {
    operations: [
      { type: 'RESERVE', resources: only(layout, [reservation]) },
      { type: 'CREATE', volumes: only(layout, [volumePart]) },
    ],
    taskResources: only(layout, [taskPart, volumePart], carved.ports),
    used: carved,
  };
}

/** A relaunch on the slot's own reservation and volume, or null when the offer lacks them. */
export function relaunch(available: ResourceSet, layout: ResourceLayout, slot: Slot, portCount: number): ResourceSet | null {
  const parts = slotParts(available, slot);
  const ports = takePorts(available.ports, portCount);
  if (!parts || ports === null) return null;
  return only(layout, [parts.reservation, parts.volume], ports);
}

/** Gives a slot's volume and reservation back: DESTROY, then UNRESERVE all of it. */
export function release(available: ResourceSet, layout: ResourceLayout, slot: Slot): OfferOperation[] | null {
  const parts = slotParts(available, slot);
  if (!parts) return null;
  const plain = reservedPart(parts.volume.reservations, parts.volume.scalars);
  const merged = reservedPart(
    parts.reservation.reservations,
    parts.reservation.scalars.map((v, i) => v + plain.scalars[i]),
  );
  return [
    { type: 'DESTROY', volumes: only(layout, [parts.volume]) },
    { type: 'UNRESERVE', resources: only(layout, [merged]) },
  ];
}

export type { Offer };
