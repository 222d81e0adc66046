/**
 * A fingerprint of a master's state: FNV-1a over every task (id, state,
 * agent), every agent's free scalars, the outstanding offers and the
 * counters. Two sessions with the same digest at the same time are, for
 * everything the playground shows, in the same state; rewind is checked with it.
 */
import type { Master } from '@allot/kernel';

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

export class Fnv32 {
  hash = FNV_OFFSET;

  string(value: string): this {
    for (let i = 0; i < value.length; i++) {
      this.hash ^= value.charCodeAt(i);
      this.hash = Math.imul(this.hash, FNV_PRIME);
    }
    this.hash ^= 0xff;
    this.hash = Math.imul(this.hash, FNV_PRIME);
    return this;
  }

  number(value: number): this {
    // Three decimals are what Mesos reports; finer noise must not change the digest.
    return this.string(String(Math.round(value * 1000)));
  }

  hex(): string {
    return (this.hash >>> 0).toString(16).padStart(8, '0');
  }
}

export function masterDigest(master: Master, nowMs: number): string {
  const fnv = new Fnv32().number(nowMs);
  const frameworkIds = [...master.frameworks.keys()].sort();
  for (const frameworkId of frameworkIds) {
    fnv.string(frameworkId);
    for (const task of master.frameworks.get(frameworkId)!.tasks.values()) fnv.string(task.id).string(task.state).string(task.agentId);
  }
  for (const agent of master.agents.values()) {
    fnv.string(agent.id);
    for (let i = 0; i < agent.freeScalars.length; i++) fnv.number(agent.freeScalars[i]);
  }
  for (const offer of master.offers.all()) fnv.string(offer.id).string(offer.frameworkId).string(offer.agentId);
  for (const [name, value] of Object.entries(master.counters)) fnv.string(name).number(value as number);
  return fnv.hex();
}
