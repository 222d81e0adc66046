/**
 * The CLI's side of a service scheduler's HTTP API: one request, its status
 * and body (JSON when it is JSON). Unreachable schedulers and error answers
 * become a UsageError with exit code 1 naming what was asked and the answer.
 */
import { UsageError } from './exitCodes.js';

export interface ServiceAnswer {
  status: number;
  body: unknown;
  text: string;
}

export async function serviceRequest(
  url: string,
  method: 'GET' | 'POST' | 'PUT',
  path: string,
  body?: { json?: unknown; text?: string; contentType?: string },
  /** Error statuses that still carry the answer (a plan with errors is 417 with its PlanInfo). */
  answers: readonly number[] = [],
): Promise<ServiceAnswer> {
  const target = `${url.replace(/\/+$/, '')}${path}`;
  let response: Response;
  try {
    response = await fetch(target, {
      method,
      ...(body?.json !== undefined
        ? { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body.json) }
        : body?.text !== undefined
          ? { headers: { 'Content-Type': body.contentType ?? 'text/plain' }, body: body.text }
          : {}),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    throw new UsageError(`cannot reach the service scheduler at ${url}: ${(error as Error).cause ?? (error as Error).message}`, 1);
  }
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text === '' ? null : JSON.parse(text);
  } catch {
    // Plain text (the SDK answers some errors and 208 that way).
  }
  if (response.status >= 400 && !answers.includes(response.status)) {
    const detail =
      typeof parsed === 'object' && parsed !== null ? describeError(parsed as Record<string, unknown>) : text || `HTTP ${response.status}`;
    throw new UsageError(`${method} ${path}: ${response.status}: ${detail}`, 1);
  }
  return { status: response.status, body: parsed, text };
}

function describeError(body: Record<string, unknown>): string {
  const errors = Array.isArray(body.errors) && body.errors.length > 0 ? `\n  ${body.errors.join('\n  ')}` : '';
  return `${String(body.message ?? JSON.stringify(body))}${errors}`;
}
