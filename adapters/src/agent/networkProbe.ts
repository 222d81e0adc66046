/**
 * One HTTP or TCP probe of a task's port, as Mesos's `HTTP` and `TCP` health
 * checks make them: an HTTP GET of `<scheme>://127.0.0.1:<port><path>` is
 * healthy when it answers a status from 200 to 399 (or one of `statuses`
 * when given) within the timeout; a TCP probe is healthy when a connection
 * to the port opens within it. Tasks share the agent's network, so the
 * probe goes to the loopback address. Never throws: a refused connection, a
 * reset or a timeout is an unhealthy result.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';

export interface HttpProbe {
  type: 'HTTP';
  port: number;
  /** Default "/". */
  path?: string;
  /** Default "http". */
  scheme?: 'http' | 'https';
  /** Statuses that count as healthy; default 200..399. */
  statuses?: readonly number[];
}

export interface TcpProbe {
  type: 'TCP';
  port: number;
}

export type NetworkProbe = HttpProbe | TcpProbe;

export const PROBE_HOST = '127.0.0.1';

export function runNetworkProbe(probe: NetworkProbe, timeoutMs: number): Promise<boolean> {
  return probe.type === 'HTTP' ? probeHttp(probe, timeoutMs) : probeTcp(probe.port, timeoutMs);
}

export async function probeTcp(port: number, timeoutMs: number): Promise<boolean> {
  return (await tcpConnects(port, timeoutMs)) === true;
}

/** Whether a connection to the port opens: true, false when refused or reset, null on a timeout. */
export function tcpConnects(port: number, timeoutMs: number): Promise<boolean | null> {
  return new Promise((resolve) => {
    const socket = connect({ host: PROBE_HOST, port });
    const done = (connected: boolean | null): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(connected);
    };
    const timer = setTimeout(() => done(null), timeoutMs);
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export async function probeHttp(probe: HttpProbe, timeoutMs: number): Promise<boolean> {
  const status = await httpStatus(probe, timeoutMs);
  if (status === null) return false;
  return probe.statuses && probe.statuses.length > 0 ? probe.statuses.includes(status) : status >= 200 && status < 400;
}

/** The status code a GET of the probe's URL answers within the timeout; null on a timeout or a connection failure. */
export function httpStatus(probe: HttpProbe, timeoutMs: number): Promise<number | null> {
  const path = probe.path?.startsWith('/') ? probe.path : `/${probe.path ?? ''}`;
  const send = probe.scheme === 'https' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    let settled = false;
    const done = (status: number | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.destroy();
      resolve(status);
    };
    // A self-signed certificate is the task's business: Mesos's checker does not verify it either.
    const request = send(
      { host: PROBE_HOST, port: probe.port, path, method: 'GET', rejectUnauthorized: false, agent: false },
      (response) => {
        response.resume();
        done(response.statusCode ?? null);
      },
    );
    const timer = setTimeout(() => done(null), timeoutMs);
    request.once('error', () => done(null));
    request.end();
  });
}
