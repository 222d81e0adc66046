/**
 * The allocator's clients. A Client is one framework subscribed in one role
 * (frameworks may hold several roles); its `index` addresses offer filters.
 * A RoleState is a role with at least one client: its node in the role sorter
 * and the sorter of its frameworks. A role is active in the role sorter exactly
 * while one of its clients is active (not suppressed, framework connected).
 */
import type { Sorter, SorterNode } from './sorter.js';

export class Client {
  /** Set once the client is in its role's framework sorter. */
  node!: SorterNode<Client>;
  suppressed = false;
  connected = true;
  /** Declared GPU_RESOURCES: may be offered agents that have GPUs. */
  readonly gpuCapable: boolean;

  constructor(
    readonly index: number,
    readonly frameworkId: string,
    readonly role: RoleState,
    readonly capabilities: ReadonlySet<string>,
    /** Per framework and role; null means the allocator's global minimum. */
    readonly minAllocatable: readonly Float64Array[] | null,
  ) {
    this.gpuCapable = capabilities.has('GPU_RESOURCES');
  }

  get active(): boolean {
    return this.connected && !this.suppressed;
  }
}

export class RoleState {
  node!: SorterNode<RoleState>;
  activeClients = 0;

  constructor(
    readonly name: string,
    readonly frameworkSorter: Sorter<Client>,
    /** The quota ledger's consumed vector of this role's top-level role (stable: charged without a lookup). */
    readonly consumed: Float64Array,
  ) {}
}
