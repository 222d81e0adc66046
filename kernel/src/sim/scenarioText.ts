/**
 * Scenario files as text: JSON syntax errors become one ScenarioError at "$"
 * with a 1-based line and column, and anything that parses goes on to
 * `parseScenario`. Never throws.
 */
import { type ScenarioResult, parseScenario } from './scenario.js';
import { jsonSyntaxErrorOffset } from './scenarioJsonSyntax.js';

const BYTE_ORDER_MARK = '\uFEFF';

export function parseScenarioText(text: string): ScenarioResult {
  // Editors on Windows may save a byte order mark, which JSON.parse rejects.
  const json = text.startsWith(BYTE_ORDER_MARK) ? text.slice(1) : text;
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    return { ok: false, errors: [{ path: '$', message: jsonSyntaxMessage(json, error) }] };
  }
  return parseScenario(value);
}

/** "invalid JSON at line L, column C: <the engine's message without its own position>". */
export function jsonSyntaxMessage(text: string, error: unknown): string {
  const raw = error instanceof Error ? error.message : String(error);
  // V8 echoes the input ("Unexpected token '}', "{..." is not valid JSON"), which must not be searched for positions.
  const message = raw.replace(/, ".*" is not valid JSON$/s, '');
  const { line, column } = errorLocation(text, message);
  return `invalid JSON at line ${line}, column ${column}: ${cleanMessage(message)}`;
}

/** From the message when it says where (V8: "at position N", some with "(line L column C)"), else by scanning. */
function errorLocation(text: string, message: string): { line: number; column: number } {
  const lineColumn = /line (\d+) column (\d+)/.exec(message);
  if (lineColumn !== null) return { line: Number(lineColumn[1]), column: Number(lineColumn[2]) };
  const position = /at position (\d+)/.exec(message);
  const offset = position !== null ? Number(position[1]) : (jsonSyntaxErrorOffset(text) ?? text.length);
  return lineAndColumn(text, Math.min(offset, text.length));
}

export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (text[i] === '\n') {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** Drops the parts that repeat the position, in V8's and Firefox's wordings. */
function cleanMessage(message: string): string {
  const cleaned = message
    .replace(/^JSON\.parse: /, '')
    .replace(/ at line \d+ column \d+ of the JSON data$/, '')
    .replace(/ (?:in JSON )?at position \d+(?: \(line \d+ column \d+\))?$/, '');
  return cleaned.length > 0 ? cleaned : message;
}
