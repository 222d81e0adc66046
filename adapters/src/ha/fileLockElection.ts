/**
 * Leader election on one machine, for masters sharing a work dir and its
 * file store: the leader is whoever created the directory `<dir>/leader.lock`
 * (mkdir is atomic) and is still alive (its pid, written inside, is running
 * with the same boot id and start time, so a pid reused after a crash or a
 * reboot does not count). Followers poll; a lock whose owner died is removed under a
 * second, short-lived lock (`leader.lock.steal`) after re-checking that the
 * same dead owner still holds it, so two followers can never remove a lock
 * that a third has just taken. The leader re-reads the owner file on every
 * poll and steps down only on a definite answer: the lock is gone, or it
 * names another master. A read that fails for another reason (EMFILE when
 * file descriptors run out, EIO, ...) says nothing about the lock: the
 * poll is simply tried again, by leader and followers alike.
 */
import * as nodeFs from 'node:fs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Election, ElectionEvent, LeaderInfo } from './election.js';
import { ElectionEvents } from './electionEvents.js';

interface Owner extends LeaderInfo {
  readonly pid: number;
  /** Boot id and start time of the process (Linux), or null where /proc cannot tell. */
  readonly identity: string | null;
}

export interface FileLockElectionOptions {
  directory: string;
  candidate: LeaderInfo;
  pollMs?: number;
  /** Whether the owner process still runs; injectable for tests. */
  isAlive?: (owner: { pid: number; identity: string | null }) => boolean;
  pid?: number;
  /** The file system (tests inject failures); default node:fs. */
  fs?: LockFs;
}

export type LockFs = Pick<typeof nodeFs, 'mkdirSync' | 'readFileSync' | 'renameSync' | 'rmSync' | 'statSync' | 'writeFileSync'>;

/** The owner file could not be read for a reason that says nothing about the lock. */
const UNKNOWN = 'unknown' as const;

/** A lock directory without a readable owner is someone mid-creation, unless it is older than this. */
const OWNERLESS_GRACE_MS = 2000;

export class FileLockElection implements Election {
  readonly lockDir: string;
  readonly #stealDir: string;
  readonly #self: Owner;
  readonly #pollMs: number;
  readonly #isAlive: (owner: { pid: number; identity: string | null }) => boolean;
  readonly #events = new ElectionEvents();
  readonly #fs: LockFs;
  #state: 'following' | 'leading' | 'stopped' = 'following';
  #timer: NodeJS.Timeout | null = null;

  constructor(options: FileLockElectionOptions) {
    this.#fs = options.fs ?? nodeFs;
    this.#fs.mkdirSync(options.directory, { recursive: true, mode: 0o700 });
    this.lockDir = join(options.directory, 'leader.lock');
    this.#stealDir = `${this.lockDir}.steal`;
    const pid = options.pid ?? process.pid;
    this.#self = { id: options.candidate.id, address: options.candidate.address, pid, identity: processIdentity(pid) };
    this.#pollMs = options.pollMs ?? 100;
    this.#isAlive = options.isAlive ?? processAlive;
  }

  get leader(): LeaderInfo | null {
    return this.#events.leader;
  }

  on(listener: (event: ElectionEvent) => void): void {
    this.#events.on(listener);
  }

  start(): void {
    if (this.#state === 'stopped') throw new Error('a stopped election cannot be restarted');
    if (this.#timer) return;
    this.poll();
    this.#timer = setInterval(() => this.poll(), this.#pollMs);
  }

  isLeader(): boolean {
    return this.#state === 'leading';
  }

  async stop(): Promise<void> {
    if (this.#state === 'stopped') return;
    const wasLeading = this.#state === 'leading';
    this.#state = 'stopped';
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    if (!wasLeading) return;
    // Release only a lock that is still ours.
    try {
      const owner = this.#readOwner();
      if (owner !== UNKNOWN && owner?.id === this.#self.id) this.#fs.rmSync(this.lockDir, { recursive: true, force: true });
    } catch {
      // Could not release it: a successor takes it over once this process is gone.
    }
    this.#events.emit({ type: 'leadership.lost', reason: 'resigned' });
  }

  /** One step of the election (the timer calls it; tests may too). Never throws: a failed step is retried at the next poll. */
  poll(): void {
    if (this.#state === 'stopped') return;
    try {
      this.#step();
    } catch {
      // A transient file system error (EMFILE, EIO, ...) while campaigning: nothing was decided; try again next poll.
    }
  }

  #step(): void {
    const owner = this.#readOwner();
    if (owner === UNKNOWN) return;
    if (this.#state === 'leading') {
      if (owner?.id !== this.#self.id) this.#stepDown(owner ? `the lock names another master (${owner.address})` : 'the lock was removed');
      return;
    }
    if (owner === null ? this.#ownerlessAndStale() : !this.#isAlive(owner)) this.#removeStaleLock(owner);
    if (this.#tryLock()) {
      this.#state = 'leading';
      this.#events.emit({ type: 'leadership.gained', fence: null });
      this.#events.observe(this.#self);
      return;
    }
    const current = this.#readOwner();
    if (current !== null && current !== UNKNOWN) this.#events.observe({ id: current.id, address: current.address });
  }

  #tryLock(): boolean {
    try {
      this.#fs.mkdirSync(this.lockDir, { mode: 0o700 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw error;
    }
    try {
      const temporary = join(this.lockDir, `owner.json.${this.#self.pid}`);
      this.#fs.writeFileSync(temporary, JSON.stringify(this.#self));
      this.#fs.renameSync(temporary, join(this.lockDir, 'owner.json'));
    } catch (error) {
      // The lock is ours but nameless: take it back rather than leave others waiting for its grace period.
      this.#fs.rmSync(this.lockDir, { recursive: true, force: true });
      throw error;
    }
    return true;
  }

  /** Removes the lock only if `seen` (dead, or null = ownerless and stale) still holds it, under the steal lock. */
  #removeStaleLock(seen: Owner | null): void {
    try {
      this.#fs.mkdirSync(this.#stealDir, { mode: 0o700 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // A stealer that died holding the steal lock: it is only ever held for microseconds.
      if ((this.#ageMs(this.#stealDir) ?? 0) > OWNERLESS_GRACE_MS) this.#fs.rmSync(this.#stealDir, { recursive: true, force: true });
      return;
    }
    try {
      const now = this.#readOwner();
      const same =
        seen === null
          ? now === null && this.#ownerlessAndStale()
          : now !== null && now !== UNKNOWN && now.id === seen.id && now.pid === seen.pid;
      if (same) this.#fs.rmSync(this.lockDir, { recursive: true, force: true });
    } finally {
      this.#fs.rmSync(this.#stealDir, { recursive: true, force: true });
    }
  }

  #ownerlessAndStale(): boolean {
    const age = this.#ageMs(this.lockDir);
    return age !== null && age > OWNERLESS_GRACE_MS;
  }

  /** Milliseconds since the path last changed; null when it does not exist (other errors throw: nothing is known). */
  #ageMs(path: string): number | null {
    try {
      return Date.now() - this.#fs.statSync(path).mtimeMs;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  /** The owner; null when there is no lock or no readable owner yet (mid-creation); UNKNOWN when the read itself failed. */
  #readOwner(): Owner | null | typeof UNKNOWN {
    let text: string;
    try {
      text = this.#fs.readFileSync(join(this.lockDir, 'owner.json'), 'utf8') as string;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      return code === 'ENOENT' || code === 'ENOTDIR' ? null : UNKNOWN;
    }
    try {
      const owner = JSON.parse(text) as Partial<Owner>;
      if (typeof owner.id === 'string' && typeof owner.address === 'string' && Number.isInteger(owner.pid))
        return {
          id: owner.id,
          address: owner.address,
          pid: owner.pid!,
          identity: typeof owner.identity === 'string' ? owner.identity : null,
        };
    } catch {
      // Torn (mid-creation): no readable owner.
    }
    return null;
  }

  #stepDown(reason: string): void {
    this.#state = 'following';
    this.#events.emit({ type: 'leadership.lost', reason });
    this.#events.observe(null);
  }
}

function processAlive(owner: { pid: number; identity: string | null }): boolean {
  const identity = readIdentity(owner.pid);
  // /proc could not be read right now (EMFILE, ...): nothing says the owner died, so it counts as alive.
  if (identity === UNKNOWN) return true;
  if (owner.identity !== null && identity !== null) return identity === owner.identity;
  if (owner.identity !== null && identity === null && readIdentity(process.pid) !== null) return false; // no such process here
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else, so it is alive.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** `<boot id>:<start time in clock ticks>` from /proc (Linux); null elsewhere or when the process does not exist. */
export function processIdentity(pid: number): string | null {
  const identity = readIdentity(pid);
  return identity === UNKNOWN ? null : identity;
}

/** As processIdentity, but UNKNOWN when /proc could not be read for a reason other than the process being gone. */
function readIdentity(pid: number): string | null | typeof UNKNOWN {
  let bootId: string;
  let stat: string;
  try {
    bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ESRCH' ? null : UNKNOWN;
  }
  // Fields after the command name (which may contain spaces and parentheses): state is field 3, starttime field 22.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const startTicks = fields[19];
  // A zombie (killed, not yet reaped by its parent) is dead for our purpose.
  return startTicks && fields[0] !== 'Z' ? `${bootId}:${startTicks}` : null;
}
