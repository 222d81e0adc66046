import { isTerminal } from './taskState.js';
export const STATUS_UPDATE_RETRY_INITIAL_MS = 10_000;
export const STATUS_UPDATE_RETRY_MAX_MS = 600_000;
export class StatusUpdateManager {
    #streams = new Map();
    #pending = 0;
    /** Queues an update; returns it when it should be sent now (nothing else was in flight). */
    add(update, nowMs) {
        let stream = this.#streams.get(update.taskId);
        if (!stream) {
            stream = { queue: [], nextRetryAtMs: Infinity, backoffMs: STATUS_UPDATE_RETRY_INITIAL_MS };
            this.#streams.set(update.taskId, stream);
        }
        const last = stream.queue[stream.queue.length - 1];
        if (last && isTerminal(last.state))
            throw new Error(`status update after terminal ${last.state} for task ${update.taskId}`);
        stream.queue.push(update);
        this.#pending++;
        if (stream.queue.length > 1)
            return null;
        stream.nextRetryAtMs = nowMs + STATUS_UPDATE_RETRY_INITIAL_MS;
        stream.backoffMs = STATUS_UPDATE_RETRY_INITIAL_MS;
        return update;
    }
    /** The framework acknowledged `uuid`: drop it and return the next update to send, if any. */
    acknowledge(taskId, uuid, nowMs) {
        const stream = this.#streams.get(taskId);
        if (!stream || stream.queue.length === 0)
            return { ok: false, code: 'unknown_task', message: `no pending status updates for task ${taskId}` };
        const head = stream.queue[0];
        if (head.uuid !== uuid)
            return {
                ok: false,
                code: 'stale_acknowledgement',
                message: `acknowledgement ${uuid} for task ${taskId} is not for the update in flight (${head.uuid})`,
            };
        stream.queue.shift();
        this.#pending--;
        const terminal = isTerminal(head.state);
        const next = stream.queue[0] ?? null;
        if (next) {
            stream.nextRetryAtMs = nowMs + STATUS_UPDATE_RETRY_INITIAL_MS;
            stream.backoffMs = STATUS_UPDATE_RETRY_INITIAL_MS;
        }
        else {
            // Only streams with updates in flight are kept, so that scans cost what is pending, not every task.
            this.#streams.delete(taskId);
        }
        return { ok: true, terminal, next };
    }
    /** Updates in flight whose retry time has come; each one's backoff doubles. */
    due(nowMs) {
        const out = [];
        for (const stream of this.#streams.values()) {
            if (stream.queue.length === 0 || stream.nextRetryAtMs > nowMs)
                continue;
            out.push(stream.queue[0]);
            stream.backoffMs = Math.min(stream.backoffMs * 2, STATUS_UPDATE_RETRY_MAX_MS);
            stream.nextRetryAtMs = nowMs + stream.backoffMs;
        }
        return out;
    }
    nextRetryAtMs() {
        let next = Infinity;
        for (const stream of this.#streams.values())
            if (stream.queue.length > 0 && stream.nextRetryAtMs < next)
                next = stream.nextRetryAtMs;
        return next;
    }
    /** Every update in flight (head of each stream), e.g. to resend at once after re-registering. */
    inFlight() {
        const out = [];
        for (const stream of this.#streams.values())
            if (stream.queue.length > 0)
                out.push(stream.queue[0]);
        return out;
    }
    pending(taskId) {
        return this.#streams.get(taskId)?.queue ?? [];
    }
    /** Updates queued or in flight, over all tasks. */
    get pendingCount() {
        return this.#pending;
    }
    /** Checkpoint form: plain data, safe to JSON.stringify. */
    snapshot() {
        return {
            streams: [...this.#streams].map(([taskId, s]) => ({
                taskId,
                queue: [...s.queue],
                nextRetryAtMs: s.nextRetryAtMs,
                backoffMs: s.backoffMs,
            })),
        };
    }
    static restore(snapshot) {
        const manager = new StatusUpdateManager();
        for (const s of snapshot.streams) {
            if (s.queue.length === 0)
                continue;
            manager.#streams.set(s.taskId, { queue: [...s.queue], nextRetryAtMs: s.nextRetryAtMs ?? Infinity, backoffMs: s.backoffMs });
            manager.#pending += s.queue.length;
        }
        return manager;
    }
}
/** An RFC 4122 version-4 uuid from a seeded PRNG, so simulations stay reproducible. */
export function uuidFromPrng(prng) {
    const a = hexWord(prng);
    const b = hexWord(prng);
    const c = hexWord(prng);
    const d = hexWord(prng);
    // Version 4 in the high nibble of the third group, variant 10xx in the fourth.
    const variant = ((parseInt(c[0], 16) & 0x3) | 0x8).toString(16);
    return `${a}-${b.slice(0, 4)}-4${b.slice(5, 8)}-${variant}${c.slice(1, 4)}-${c.slice(4)}${d}`;
}
const HEX_BYTES = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));
function hexWord(prng) {
    const word = Math.floor(prng.next() * 4294967296) >>> 0;
    return HEX_BYTES[word >>> 24] + HEX_BYTES[(word >>> 16) & 0xff] + HEX_BYTES[(word >>> 8) & 0xff] + HEX_BYTES[word & 0xff];
}
