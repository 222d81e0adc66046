/**
 * Connection settings shared by the master's and the agent's HTTP servers.
 * Idle keep-alive connections between complete requests stay open for an
 * hour: Mesos never closes them, and scheduler libraries reuse one
 * connection for calls that can be minutes apart (a quiet scheduler with
 * suppressed offers). A server-side close racing a client's next call loses
 * that call (an ACKNOWLEDGE, say) on a broken pipe. Fastify's default, 72 s,
 * did exactly that. Half-sent requests are a different matter (Node's
 * headers and request timeouts cut those).
 */

export const KEEP_ALIVE_IDLE_MS = 60 * 60 * 1000;

export function keepAliveOptions(): { keepAliveTimeout: number } {
  return { keepAliveTimeout: KEEP_ALIVE_IDLE_MS };
}
