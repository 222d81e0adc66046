/**
 * One call to a daemon's JSON API (Marathon, Metronome, Myriad style) as a
 * client makes it: a JSON body when given (a string goes as it is, to test
 * bodies that are not valid JSON), and the answer parsed as JSON when it is
 * JSON, else kept as text.
 */
export interface ApiAnswer {
  status: number;
  body: any;
}

/** Status and body only, so that a test can compare the whole answer with `toEqual`. */
export async function callJson(baseUrl: string, method: string, path: string, body?: unknown): Promise<ApiAnswer> {
  const { status, body: answer } = await callJsonWithHeaders(baseUrl, method, path, body);
  return { status, body: answer };
}

export async function callJsonWithHeaders(
  baseUrl: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<ApiAnswer & { headers: Headers }> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    ...(body !== undefined
      ? { headers: { 'Content-Type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) }
      : {}),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // A plain-text answer.
  }
  return { status: response.status, body: parsed, headers: response.headers };
}
