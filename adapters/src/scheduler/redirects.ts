/**
 * Following a Mesos master's `307 Temporary Redirect` to the leading master.
 * Mesos writes the Location as `//host:port/path`; the scheduler HTTP API
 * documentation shows a bare `host:port`; both are resolved against the URL
 * that answered, and the answer is always the leader's base URL (scheme,
 * host and port): calls add their own path.
 */
import type { Logger } from 'pino';

type Json = Record<string, any>;

/** The base URL (`http://host:port`) the Location points at, or null when it is not a URL. */
export function redirectTarget(location: string | null, from: string): string | null {
  if (location === null || location.trim() === '') return null;
  const text = location.trim();
  // A bare authority ("master2:5050" or "master2:5050/api/v1/scheduler") would parse as a URL scheme.
  const withAuthority = /^[A-Za-z0-9.-]+:\d+(\/|$)/.test(text) ? `//${text}` : text;
  try {
    const url = new URL(withAuthority, from);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
    return url.origin;
  } catch {
    return null;
  }
}

/** Master URLs from a flag: comma-separated, trailing slashes dropped; an error names the bad one. */
export function parseMasterUrls(text: string): { ok: true; urls: string[] } | { ok: false; message: string } {
  const urls = text
    .split(',')
    .map((url) => url.trim().replace(/\/+$/, ''))
    .filter((url) => url.length > 0);
  if (urls.length === 0) return { ok: false, message: 'expected at least one master URL such as http://127.0.0.1:5050' };
  for (const url of urls) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return { ok: false, message: `"${url}" is not a URL; expected e.g. http://127.0.0.1:5050` };
    }
    if ((parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || parsed.pathname !== '/')
      return { ok: false, message: `"${url}" must be http(s)://host:port with no path` };
  }
  return { ok: true, urls };
}

/** POSTs JSON to `path` of `baseUrl`, following 307/308 redirects; resolves with the response and the base URL that gave it. */
export async function postFollowingRedirects(
  path: string,
  request: {
    baseUrl: string;
    body: Json;
    headers: Readonly<Record<string, string>>;
    signal: AbortSignal;
    maxRedirects: number;
    logger: Logger;
  },
): Promise<{ response: Response; url: string }> {
  let url = request.baseUrl;
  for (let hop = 0; ; hop++) {
    const response = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...request.headers },
      body: JSON.stringify(request.body),
      redirect: 'manual',
      signal: request.signal,
    });
    if (response.status !== 307 && response.status !== 308) return { response, url };
    const target = redirectTarget(response.headers.get('location'), url);
    await response.arrayBuffer().catch(() => undefined);
    if (target === null || hop >= request.maxRedirects)
      throw new Error(`redirect from ${url} leads nowhere (Location: ${response.headers.get('location') ?? 'none'})`);
    request.logger.debug({ from: url, to: target }, 'following the redirect to the leading master');
    url = target;
  }
}
