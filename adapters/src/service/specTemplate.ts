/**
 * `{{VAR}}` values in a service spec (DC/OS Commons svc.yml is a mustache
 * template filled from the scheduler's environment): `{{NAME}}` and
 * `{{{NAME}}}` are replaced, as text, by the value of NAME from the
 * `--option` values first, then the environment. A name with no value is an
 * error naming its line, never an empty string; mustache sections
 * (`{{#NAME}}`, `{{^NAME}}`, `{{/NAME}}`) and partials are refused.
 */

export type TemplateResult = { ok: true; text: string } | { ok: false; errors: string[] };

const TAG = /\{\{(\{?)\s*([#^/>!&]?)\s*([^{}]*?)\s*\}?\}\}/g;
const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

export function renderTemplate(text: string, lookup: (name: string) => string | undefined): TemplateResult {
  const errors: string[] = [];
  const lineAt = (offset: number) => text.slice(0, offset).split('\n').length;
  const rendered = text.replace(TAG, (tag, _brace: string, sigil: string, name: string, offset: number) => {
    const line = lineAt(offset);
    if (sigil === '!') return '';
    if (sigil !== '' && sigil !== '&') {
      errors.push(`line ${line}: ${tag}: mustache sections and partials are not supported yet; use plain {{NAME}} values`);
      return tag;
    }
    if (!NAME.test(name)) {
      errors.push(`line ${line}: ${tag}: expected a variable name such as {{NODE_COUNT}}`);
      return tag;
    }
    const value = lookup(name);
    if (value === undefined) {
      errors.push(`line ${line}: ${tag} has no value; pass --option ${name}=VALUE or set ${name} in the environment`);
      return tag;
    }
    return value;
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, text: rendered };
}

/** `--option KEY=VALUE` flags as a record; an error names the bad one. */
export function parseOptions(options: readonly string[]): { ok: true; values: Record<string, string> } | { ok: false; message: string } {
  const values: Record<string, string> = {};
  for (const option of options) {
    const equals = option.indexOf('=');
    const key = equals < 0 ? '' : option.slice(0, equals);
    if (!NAME.test(key)) return { ok: false, message: `--option "${option}": expected KEY=VALUE with a name such as NODE_COUNT` };
    values[key] = option.slice(equals + 1);
  }
  return { ok: true, values };
}
