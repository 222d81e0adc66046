/**
 * Agents' subscriptions: one open stream per agent, over which the master
 * sends LAUNCH, KILL, ACKNOWLEDGE, RESOURCES and SHUTDOWN. When the current
 * stream closes (the agent died, or the network cut it), the kernel hears
 * `agent.disconnect`; its unreachable timeout does the rest.
 */
import type { Logger } from 'pino';
import type { EventStream } from './eventStream.js';
import type { MasterHost } from './masterHost.js';

export class AgentSessions {
  readonly #streams = new Map<string, EventStream>();
  readonly #host: MasterHost;
  readonly #logger: Logger;

  constructor(host: MasterHost, logger: Logger) {
    this.#host = host;
    this.#logger = logger;
  }

  current(agentId: string): EventStream | undefined {
    return this.#streams.get(agentId);
  }

  attach(agentId: string, stream: EventStream): void {
    const previous = this.#streams.get(agentId);
    this.#streams.set(agentId, stream);
    if (previous && previous !== stream)
      previous.close({ type: 'ERROR', error: { message: 'a newer subscription of this agent replaced this one' } });
    stream.onClose(() => {
      if (this.#streams.get(agentId) !== stream) return;
      this.#streams.delete(agentId);
      this.#logger.warn({ agentId }, 'agent disconnected');
      void this.#host.run((nowMs) => ({ type: 'agent.disconnect', nowMs, agentId }));
    });
  }

  /** Drops a stream without telling the kernel (the agent was refused or shut down). */
  detach(agentId: string, stream: EventStream): void {
    if (this.#streams.get(agentId) === stream) this.#streams.delete(agentId);
  }

  send(agentId: string, event: unknown): boolean {
    const sent = this.#streams.get(agentId)?.send(event) ?? false;
    if (!sent) this.#logger.warn({ agentId, event: (event as { type?: string }).type }, 'no open stream to the agent; message dropped');
    return sent;
  }

  closeAll(): void {
    const streams = [...this.#streams.values()];
    this.#streams.clear();
    for (const stream of streams) stream.close();
  }
}
