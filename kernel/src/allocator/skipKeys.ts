/**
 * Skip keys: what an agent's last walk that offered nothing depended on (its
 * free resources' version, the active clients' and the quota's epochs), and
 * until when its filters hold. While all of that is unchanged, a walk of the
 * agent would offer nothing again, and the cycle skips it with a few compares.
 *
 * A key is normally written by a walk. A decline that completes an agent's
 * filter row may write it at once ("settled early", see
 * `AllocationCycle.settleDeclined`); the next cycle then counts that agent as
 * walked rather than skipped, as the walk the key stands for would have been,
 * so that cycle statistics do not depend on when the key was written.
 */
import type { AgentTable } from '../agents/agentTable.js';
import { HOT_SKIP_CLIENTS_EPOCH, HOT_SKIP_QUOTA_EPOCH, HOT_SKIP_UNTIL_MS, HOT_SKIP_VERSION, HOT_VERSION } from '../agents/agentTable.js';

export class SkipKeys {
  /** By agent index, 1 where the current key was written early (by a decline, not a walk). */
  #settledEarly = new Uint8Array(0);

  /** Whether the agent's key holds at `nowMs` for these epochs. */
  holds(table: AgentTable, index: number, clientsEpoch: number, quotaEpoch: number, nowMs: number): boolean {
    const hot = table.hot;
    const fields = index * table.stride + table.size;
    return (
      hot[fields + HOT_SKIP_VERSION] === hot[fields + HOT_VERSION] &&
      hot[fields + HOT_SKIP_CLIENTS_EPOCH] === clientsEpoch &&
      hot[fields + HOT_SKIP_QUOTA_EPOCH] === quotaEpoch &&
      nowMs < hot[fields + HOT_SKIP_UNTIL_MS]
    );
  }

  /** Writes the agent's key; `offeredNothing` false writes one that cannot hold. */
  write(table: AgentTable, index: number, offeredNothing: boolean, clientsEpoch: number, quotaEpoch: number, untilMs: number): void {
    const hot = table.hot;
    const fields = index * table.stride + table.size;
    hot[fields + HOT_SKIP_VERSION] = offeredNothing ? hot[fields + HOT_VERSION] : -1;
    hot[fields + HOT_SKIP_CLIENTS_EPOCH] = clientsEpoch;
    hot[fields + HOT_SKIP_QUOTA_EPOCH] = quotaEpoch;
    hot[fields + HOT_SKIP_UNTIL_MS] = untilMs;
  }

  markSettledEarly(index: number): void {
    if (this.#settledEarly.length <= index) {
      const grown = new Uint8Array(Math.max(64, (index + 1) * 2));
      grown.set(this.#settledEarly);
      this.#settledEarly = grown;
    }
    this.#settledEarly[index] = 1;
  }

  /**
   * Whether the agent's key was written early, forgetting it: call once per walk of the agent,
   * before anything else, so that a key a walk writes is never taken for an early one.
   */
  takeSettledEarly(index: number): boolean {
    if (index >= this.#settledEarly.length || this.#settledEarly[index] === 0) return false;
    this.#settledEarly[index] = 0;
    return true;
  }
}
