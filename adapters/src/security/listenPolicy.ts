/**
 * Where a master may listen. Without a security file nothing is
 * authenticated and anyone who reaches the port runs commands on the agents,
 * so an open master listens on loopback only unless the operator says
 * `--insecure-listen` (a private network, a firewall, a proxy that
 * authenticates in front of it).
 */
import { isIP } from 'node:net';

/** 127.0.0.0/8, ::1 and ::ffff:127.x.y.z. */
export function isLoopback(ip: string): boolean {
  if (isIP(ip) === 4) return ip.startsWith('127.');
  const lower = ip.toLowerCase();
  return lower === '::1' || lower.startsWith('::ffff:127.');
}

/** Null when the master may listen on `ip`, else the usage error to print. */
export function listenProblem(ip: string, hasSecurityFile: boolean, insecureListen: boolean): string | null {
  if (hasSecurityFile || insecureListen || isLoopback(ip)) return null;
  return (
    `--ip ${ip}: without --security the master has no authentication, and anyone who reaches it can run commands on the agents; ` +
    'it listens on loopback only (e.g. 127.0.0.1). Give --security FILE, or --insecure-listen if the network itself is trusted'
  );
}
