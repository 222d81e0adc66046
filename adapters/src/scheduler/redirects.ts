/**
 * Following a Mesos master's `307 Temporary Redirect` to the leading master.
 * Mesos writes the Location as `//host:port/path`; the scheduler HTTP API
 * documentation shows a bare `host:port`; both are resolved against the URL
 * that answered, and the answer is always the leader's base URL (scheme,
 * host and port): calls add their own path.
 */

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
