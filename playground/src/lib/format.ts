/** Small formatting helpers shared by the views. */

export function seconds(ms: number): string {
  const s = ms / 1000;
  return `${s < 10 && !Number.isInteger(s) ? s.toFixed(1) : Math.round(s)} s`;
}

export function clock(ms: number): string {
  const total = Math.floor(ms / 1000);
  const minutes = Math.floor(total / 60);
  const rest = total % 60;
  const tenths = Math.floor((ms % 1000) / 100);
  return `${minutes}:${String(rest).padStart(2, '0')}.${tenths}`;
}

export function percent(fraction: number, digits = 0): string {
  return `${(fraction * 100).toFixed(digits)}%`;
}

export function share(value: number): string {
  return value.toFixed(3);
}

export function stateLabel(state: string): string {
  return state
    .replace(/^TASK_/, '')
    .replace(/_/g, ' ')
    .toLowerCase();
}

export function quantities(values: Record<string, number>): string {
  const parts = Object.entries(values)
    .filter(([, amount]) => amount > 0)
    .map(([name, amount]) => `${name} ${Number.isInteger(amount) ? amount : amount.toFixed(2)}`);
  return parts.length ? parts.join(', ') : 'nothing';
}
