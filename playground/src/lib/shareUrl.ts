/**
 * The exact state as a URL: scenario (a catalogue name, or the whole JSON when
 * edited), seed, the faults injected with their times, and the moment shown.
 * Deterministic replay turns those back into the same state.
 */
import type { ScenarioFault, ScenarioInput } from '@allot/kernel';

export interface SharedState {
  scenario: string | ScenarioInput;
  seed?: number;
  faults: ScenarioFault[];
  atMs: number;
}

export function encodeSharedState(state: SharedState): string {
  const params = new URLSearchParams();
  if (typeof state.scenario === 'string') params.set('scenario', state.scenario);
  else params.set('json', toBase64Url(JSON.stringify(state.scenario)));
  if (state.seed !== undefined) params.set('seed', String(state.seed));
  if (state.faults.length) params.set('faults', toBase64Url(JSON.stringify(state.faults)));
  params.set('t', String(Math.round(state.atMs)));
  return `#${params.toString()}`;
}

/** Null when the hash holds no shared state; throws nothing. */
export function decodeSharedState(hash: string): SharedState | null {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const name = params.get('scenario');
  const json = params.get('json');
  if (!name && !json) return null;
  try {
    const scenario = name ?? (JSON.parse(fromBase64Url(json!)) as ScenarioInput);
    const seedText = params.get('seed');
    const faultsText = params.get('faults');
    const faults = faultsText ? (JSON.parse(fromBase64Url(faultsText)) as ScenarioFault[]) : [];
    const atMs = Number(params.get('t') ?? 0);
    return {
      scenario,
      ...(seedText !== null && Number.isFinite(Number(seedText)) ? { seed: Number(seedText) } : {}),
      faults: Array.isArray(faults) ? faults : [],
      atMs: Number.isFinite(atMs) ? atMs : 0,
    };
  } catch {
    return null;
  }
}

function toBase64Url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): string {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  const bytes = Uint8Array.from(binary, (char) => char.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}
