/**
 * Finds where a JSON text stops being valid JSON (RFC 8259), for error
 * messages: engines word JSON.parse errors differently and some give no
 * position at all. An iterative scanner with an explicit stack, so deep nesting
 * cannot overflow the call stack. It only locates; JSON.parse still parses.
 */

type Expect = 'value' | 'valueOrClose' | 'key' | 'keyOrClose' | 'colon' | 'commaOrClose';

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);
const SIMPLE_ESCAPES = '"\\/bfnrt';
const HEX_DIGIT = /[0-9a-fA-F]/;

/** The offset of the first character that makes `text` invalid JSON (text.length at an early end), or null if it is valid. */
export function jsonSyntaxErrorOffset(text: string): number | null {
  const stack: Array<'[' | '{'> = [];
  let expect: Expect = 'value';
  let i = 0;
  for (;;) {
    while (i < text.length && WHITESPACE.has(text[i])) i++;
    if (i === text.length) return expect === 'commaOrClose' && stack.length === 0 ? null : i;
    const c = text[i];
    const container = stack[stack.length - 1];
    if (expect === 'commaOrClose') {
      if (container === undefined) return i;
      if (c === ',') expect = container === '[' ? 'value' : 'key';
      else if (c === (container === '[' ? ']' : '}')) stack.pop();
      else return i;
      i++;
    } else if (expect === 'colon') {
      if (c !== ':') return i;
      expect = 'value';
      i++;
    } else if ((expect === 'valueOrClose' && c === ']') || (expect === 'keyOrClose' && c === '}')) {
      stack.pop();
      expect = 'commaOrClose';
      i++;
    } else if (expect === 'key' || expect === 'keyOrClose') {
      if (c !== '"') return i;
      const end = scanString(text, i);
      if (end < 0) return -end - 1;
      expect = 'colon';
      i = end;
    } else if (c === '[' || c === '{') {
      stack.push(c);
      expect = c === '[' ? 'valueOrClose' : 'keyOrClose';
      i++;
    } else {
      const end = scanScalar(text, i);
      if (end < 0) return -end - 1;
      expect = 'commaOrClose';
      i = end;
    }
  }
}

// The scanners below return the offset just after the token, or -(offset + 1) of the first bad character.

function scanScalar(text: string, start: number): number {
  const c = text[start];
  if (c === '"') return scanString(text, start);
  for (const word of ['true', 'false', 'null']) {
    if (c !== word[0]) continue;
    for (let k = 1; k < word.length; k++) if (text[start + k] !== word[k]) return -(start + k) - 1;
    return start + word.length;
  }
  return scanNumber(text, start);
}

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

/** -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?, failing at the first character that cannot continue it. */
function scanNumber(text: string, start: number): number {
  let i = start;
  if (text[i] === '-') i++;
  if (!isDigit(text[i])) return -i - 1;
  if (text[i] === '0') i++;
  else while (isDigit(text[i])) i++;
  if (text[i] === '.') {
    i++;
    if (!isDigit(text[i])) return -i - 1;
    while (isDigit(text[i])) i++;
  }
  if (text[i] === 'e' || text[i] === 'E') {
    i++;
    if (text[i] === '+' || text[i] === '-') i++;
    if (!isDigit(text[i])) return -i - 1;
    while (isDigit(text[i])) i++;
  }
  return i;
}

function scanString(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') return i + 1;
    if (c.charCodeAt(0) < 0x20) return -i - 1;
    if (c === '\\') {
      const end = scanEscape(text, i);
      if (end < 0) return end;
      i = end;
    } else {
      i++;
    }
  }
  return -text.length - 1;
}

/** A backslash escape at `start`; a bad one fails at the character after the backslash or the first bad hex digit. */
function scanEscape(text: string, start: number): number {
  const kind = text[start + 1];
  if (kind === undefined) return -text.length - 1;
  if (SIMPLE_ESCAPES.includes(kind)) return start + 2;
  if (kind !== 'u') return -(start + 1) - 1;
  for (let k = start + 2; k < start + 6; k++) if (k >= text.length || !HEX_DIGIT.test(text[k])) return -Math.min(k, text.length) - 1;
  return start + 6;
}
