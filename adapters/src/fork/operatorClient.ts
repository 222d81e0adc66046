/**
 * Read calls to a master's operator API (`POST /api/v1`) for the commands that
 * look at a live cluster (`allot fork`, `allot explain`): credentials as the
 * security file takes them (bearer token, or principal and secret), errors as
 * one sentence naming the master and what it answered.
 */
type Json = Record<string, any>;

export interface MasterAccess {
  url: string;
  /** `Authorization: Bearer <token>`. */
  token?: string;
  /** HTTP basic: `principal:secret`. */
  basic?: string;
}

export function authorizationHeaders(access: MasterAccess): Record<string, string> {
  if (access.token) return { Authorization: `Bearer ${access.token}` };
  if (access.basic) return { Authorization: `Basic ${Buffer.from(access.basic).toString('base64')}` };
  return {};
}

export type Answer<T> = { ok: true; value: T } | { ok: false; message: string };

async function answerOf<T>(what: string, request: () => Promise<Response>): Promise<Answer<T>> {
  let response: Response;
  try {
    response = await request();
  } catch (error) {
    return {
      ok: false,
      message: `${what}: ${(error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message}`,
    };
  }
  const text = await response.text();
  if (response.status !== 200) return { ok: false, message: `${what} answered ${response.status}: ${text.slice(0, 300)}` };
  try {
    return { ok: true, value: JSON.parse(text) as T };
  } catch {
    return { ok: false, message: `${what} answered something that is not JSON` };
  }
}

export function operatorCall(access: MasterAccess, type: string): Promise<Answer<Json>> {
  return answerOf(`${access.url} ${type}`, () =>
    fetch(`${access.url.replace(/\/$/, '')}/api/v1`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...authorizationHeaders(access) },
      body: JSON.stringify({ type }),
    }),
  );
}

export function getJson(access: MasterAccess, path: string): Promise<Answer<Json>> {
  return answerOf(`${access.url} GET ${path}`, () =>
    fetch(`${access.url.replace(/\/$/, '')}${path}`, { headers: { Accept: 'application/json', ...authorizationHeaders(access) } }),
  );
}
