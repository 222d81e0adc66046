/**
 * What every election implementation shares: its listeners and the leader it
 * last observed. `observe` announces a change of leader only when the leader
 * really changed; a listener that throws never stops the election.
 */
import type { ElectionEvent, LeaderInfo } from './election.js';

export class ElectionEvents {
  readonly #listeners: Array<(event: ElectionEvent) => void> = [];
  #leader: LeaderInfo | null = null;

  get leader(): LeaderInfo | null {
    return this.#leader;
  }

  on(listener: (event: ElectionEvent) => void): void {
    this.#listeners.push(listener);
  }

  observe(leader: LeaderInfo | null): void {
    if (this.#leader?.id === leader?.id && this.#leader?.address === leader?.address) return;
    this.#leader = leader;
    this.emit({ type: 'leader.changed', leader });
  }

  emit(event: ElectionEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch {
        // A listener's bug must not stop the election; listeners log for themselves.
      }
    }
  }
}
