/**
 * Parses `--etcd URL[,URL...]`: http(s) URLs with a host and port, nothing
 * else (a path or credentials in the URL would be silently ignored by gRPC).
 */
export function parseEndpoints(text: string): { ok: true; endpoints: string[] } | { ok: false; message: string } {
  const parts = text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
  if (parts.length === 0) return { ok: false, message: '--etcd: expected one or more URLs such as http://127.0.0.1:2379' };
  if (parts.length > 16) return { ok: false, message: `--etcd: at most 16 endpoints, got ${parts.length}` };
  const endpoints: string[] = [];
  for (const part of parts) {
    let url: URL;
    try {
      url = new URL(part);
    } catch {
      return { ok: false, message: `--etcd: "${part}" is not a URL (expected e.g. http://127.0.0.1:2379)` };
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      return { ok: false, message: `--etcd: "${part}" must start with http:// or https://` };
    if (url.port === '') return { ok: false, message: `--etcd: "${part}" needs a port (etcd's client port is usually 2379)` };
    if ((url.pathname !== '/' && url.pathname !== '') || url.username || url.search)
      return { ok: false, message: `--etcd: "${part}" must be just scheme://host:port` };
    endpoints.push(`${url.protocol}//${url.host}`);
  }
  return { ok: true, endpoints };
}
