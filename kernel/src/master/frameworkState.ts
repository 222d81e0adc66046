/**
 * A framework as the master knows it: its roles (one allocator client per
 * role), capabilities, connection and tasks. Invariant: every live task of the
 * framework is in `tasks`, and its role is one of the framework's clients.
 */
import type { Client } from '../allocator/client.js';
import type { TaskRecord } from '../tasks/taskRecord.js';

export class FrameworkState {
  readonly clients = new Map<string, Client>();
  connected = true;

  constructor(
    readonly id: string,
    readonly name: string,
    readonly capabilities: ReadonlySet<string>,
    /** The framework's tasks by id: the task registry's map, read here. */
    readonly tasks: ReadonlyMap<string, TaskRecord>,
  ) {}

  get roles(): string[] {
    return [...this.clients.keys()];
  }

  get partitionAware(): boolean {
    return this.capabilities.has('PARTITION_AWARE');
  }

  /** Roles named by a suppress/revive call; none named means all of them. */
  selectRoles(roles: readonly string[] | undefined): string[] {
    return roles && roles.length > 0 ? roles.filter((role) => this.clients.has(role)) : this.roles;
  }
}
