/**
 * Strategies decide which children of a plan or phase may run now (the
 * candidates): serial (the first unfinished one), parallel (all unfinished),
 * dependency (those whose named dependencies are complete), canary (the first
 * n steps each wait for an explicit proceed, then serial) and random (serial
 * in a seeded random order). Interrupting stops new candidates; an element
 * already running is not stopped.
 */
import type { Prng } from '../prng.js';
import type { Status } from './status.js';

export type StrategyKind = 'serial' | 'parallel' | 'dependency' | 'canary' | 'random';

export interface StrategySpec {
  kind: StrategyKind;
  /** canary: how many steps wait for a proceed each (default 2). */
  canaries?: number;
  /** dependency: child name -> the names it waits for. */
  dependencies?: Record<string, string[]>;
}

export interface StrategyChild {
  readonly name: string;
  readonly status: Status;
}

export class Strategy {
  interrupted = false;
  /** canary: how many canary steps were allowed to go. */
  proceeded = 0;
  #order: number[] | null = null;

  constructor(
    readonly spec: StrategySpec,
    private readonly prng: Prng | null = null,
  ) {
    if (spec.kind === 'canary' && !(Number.isInteger(spec.canaries ?? 2) && (spec.canaries ?? 2) >= 0))
      throw new Error('canary count must be an integer >= 0');
  }

  get canaries(): number {
    return this.spec.kind === 'canary' ? (this.spec.canaries ?? 2) : 0;
  }

  /** Indices of the children that may run now. */
  candidates(children: readonly StrategyChild[]): number[] {
    if (this.interrupted) return [];
    const unfinished = children.map((child, i) => (child.status === 'COMPLETE' ? -1 : i)).filter((i) => i >= 0);
    switch (this.spec.kind) {
      case 'parallel':
        return unfinished;
      case 'serial':
      case 'canary':
        return unfinished.slice(0, 1);
      case 'random':
        return this.#randomOrder(children.length)
          .filter((i) => children[i].status !== 'COMPLETE')
          .slice(0, 1);
      case 'dependency': {
        const complete = new Set(children.filter((child) => child.status === 'COMPLETE').map((child) => child.name));
        return unfinished.filter((i) => (this.spec.dependencies?.[children[i].name] ?? []).every((name) => complete.has(name)));
      }
    }
  }

  /** A canary child not yet allowed to go shows as WAITING. */
  awaitingProceed(index: number): boolean {
    return this.spec.kind === 'canary' && index < this.canaries && index >= this.proceeded;
  }

  #randomOrder(size: number): number[] {
    if (!this.#order || this.#order.length !== size) {
      const order = Array.from({ length: size }, (_, i) => i);
      for (let i = size - 1; i > 0; i--) {
        const j = this.prng ? this.prng.nextInt(i + 1) : i;
        [order[i], order[j]] = [order[j], order[i]];
      }
      this.#order = order;
    }
    return this.#order;
  }
}
