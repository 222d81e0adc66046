/**
 * One agent as a card (or a small cell) on the cluster map's canvas: its
 * cpus filled by role from the left (a reservation's role first, over the
 * bracket that marks the reserved part), offers hatched, its state marked
 * (down crossed out, partitioned dashed, not re-registered yet dotted), and
 * labels fitted to the card: a shorter wording when the full one does not
 * fit, an ellipsis as the last resort. Returns what it drew, for the tests.
 */
import type { AgentBulk } from '../worker/frame.js';
import { AGENT_DOWN, AGENT_PARTITIONED, AGENT_REREGISTERING } from '../worker/frame.js';
import { cellOrigin, type ClusterLayout } from './clusterLayout.js';
import { percent } from './format.js';
import { MAP_COLOURS } from './palette.js';

export type Context2D = CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D;

export interface CardRecord {
  id: string;
  lines: Array<{ text: string; width: number; room: number }>;
  fills: Array<{ role: string; from: number; to: number }>;
  bracket: { from: number; to: number } | null;
}

export interface CardStyle {
  ids: readonly string[];
  roleColours: readonly string[];
}

/** The bar's parts, left to right: the reservation's role first (its tasks sit over the bracket), then the other roles, then offers. */
export function segments(
  data: AgentBulk,
  i: number,
  roleColours: readonly string[],
): Array<{ from: number; to: number; colour: string; role?: string; hatch?: boolean }> {
  const roles = data.roleNames.length;
  const out: Array<{ from: number; to: number; colour: string; role?: string; hatch?: boolean }> = [];
  let at = 0;
  const first = data.reserved[i] > 0 ? data.reservedRole[i] : -1;
  const order = first >= 0 ? [first, ...[...Array(roles).keys()].filter((r) => r !== first)] : [...Array(roles).keys()];
  for (const r of order) {
    const amount = data.fill[i * roles + r];
    if (amount > 0.0005) out.push({ from: at, to: Math.min(1, (at += amount)), colour: roleColours[r], role: data.roleNames[r] });
  }
  if (data.offered[i] > 0.0005) out.push({ from: at, to: Math.min(1, (at += data.offered[i])), colour: MAP_COLOURS.offered, hatch: true });
  return out;
}

/** The first wording that fits in `room` pixels, else the last one cut short with an ellipsis. */
function fitText(context: Context2D, variants: string[], room: number): { text: string; width: number } {
  for (const text of variants) {
    const width = context.measureText(text).width;
    if (width <= room) return { text, width };
  }
  let text = variants[variants.length - 1];
  while (text.length > 1 && context.measureText(`${text}…`).width > room) text = text.slice(0, -1);
  return { text: `${text}…`, width: context.measureText(`${text}…`).width };
}

function statusVariants(data: AgentBulk, i: number, status: number): string[] {
  const tasks = `${data.tasks[i]} task${data.tasks[i] === 1 ? '' : 's'}`;
  const used = `${percent(usedFraction(data, i))} cpus used`;
  if (status === AGENT_DOWN) return ['down'];
  if (status === AGENT_REREGISTERING) return ['not re-registered yet', 'not re-registered', 're-registering'];
  if (status === AGENT_PARTITIONED) return [`partitioned · ${used} · ${tasks}`, `partitioned · ${tasks}`, 'partitioned'];
  return [`${used} · ${tasks}`, `${percent(usedFraction(data, i))} · ${tasks}`];
}

export function drawAgentCard(context: Context2D, data: AgentBulk, shape: ClusterLayout, i: number, style: CardStyle): CardRecord {
  const { ids, roleColours } = style;
  const record: CardRecord = { id: ids[i] ?? `#${i}`, lines: [], fills: [], bracket: null };
  const { x, y } = cellOrigin(shape, i);
  const w = shape.cellWidth;
  const h = shape.cellHeight;
  const status = data.status[i];
  const cards = shape.mode === 'cards';
  const barY = cards ? y + 40 : y;
  const barH = cards ? 22 : h;
  context.fillStyle = cards ? '#1d2530' : MAP_COLOURS.free;
  roundRect(context, x, y, w, h, cards ? 8 : 2);
  context.fill();
  if (cards) {
    context.fillStyle = MAP_COLOURS.free;
    context.fillRect(x + 10, barY, w - 20, barH);
  }
  const bx = cards ? x + 10 : x;
  const bw = cards ? w - 20 : w;
  if (status !== AGENT_DOWN) {
    for (const part of segments(data, i, roleColours)) {
      if (part.role) record.fills.push({ role: part.role, from: part.from, to: part.to });
      context.fillStyle = part.colour;
      context.fillRect(bx + part.from * bw, barY, Math.max(1, (part.to - part.from) * bw), barH);
      if (part.hatch) {
        context.save();
        context.beginPath();
        context.rect(bx + part.from * bw, barY, (part.to - part.from) * bw, barH);
        context.clip();
        context.strokeStyle = '#1d2530';
        context.lineWidth = 1.5;
        for (let k = -barH; k < (part.to - part.from) * bw; k += 5) {
          context.beginPath();
          context.moveTo(bx + part.from * bw + k, barY + barH);
          context.lineTo(bx + part.from * bw + k + barH, barY);
          context.stroke();
        }
        context.restore();
      }
    }
    if (data.reserved[i] > 0) {
      const colour = data.reservedRole[i] >= 0 ? roleColours[data.reservedRole[i]] : '#ffffff';
      if (cards) {
        // A bracket under the reserved part of the bar, on the left where its role's tasks are drawn.
        const to = bx + Math.min(1, data.reserved[i]) * bw;
        record.bracket = { from: 0, to: Math.min(1, data.reserved[i]) };
        context.strokeStyle = colour;
        context.lineWidth = 2;
        context.beginPath();
        context.moveTo(bx, barY + barH + 2);
        context.lineTo(bx, barY + barH + 5);
        context.lineTo(to, barY + barH + 5);
        context.lineTo(to, barY + barH + 2);
        context.stroke();
      }
      const corner = cards ? 12 : Math.max(3, Math.floor(w / 2.5));
      context.fillStyle = colour;
      context.beginPath();
      context.moveTo(x + w - corner, y);
      context.lineTo(x + w, y);
      context.lineTo(x + w, y + corner);
      context.closePath();
      context.fill();
    }
  } else {
    context.strokeStyle = MAP_COLOURS.downMark;
    context.lineWidth = cards ? 2 : 1;
    context.beginPath();
    context.moveTo(bx + 2, barY + 2);
    context.lineTo(bx + bw - 2, barY + barH - 2);
    context.moveTo(bx + bw - 2, barY + 2);
    context.lineTo(bx + 2, barY + barH - 2);
    context.stroke();
  }
  if (status === AGENT_PARTITIONED || status === AGENT_REREGISTERING) {
    context.save();
    context.strokeStyle = status === AGENT_PARTITIONED ? MAP_COLOURS.partition : MAP_COLOURS.reregistering;
    context.setLineDash(status === AGENT_PARTITIONED ? [4, 3] : [1.5, 3]);
    context.lineWidth = 2;
    context.strokeRect(x + 1, y + 1, w - 2, h - 2);
    context.restore();
  }
  if (cards) {
    const room = w - 20;
    const line = (variants: string[], font: string, colour: string, atY: number) => {
      context.font = font;
      context.fillStyle = colour;
      const fitted = fitText(context, variants, room);
      context.fillText(fitted.text, x + 10, atY);
      record.lines.push({ text: fitted.text, width: Math.ceil(fitted.width), room });
    };
    line([ids[i] ?? `#${i}`], '600 13px system-ui, sans-serif', status === AGENT_DOWN ? '#8b96a3' : '#e8eef5', y + 17);
    const statusColour = status === AGENT_PARTITIONED ? '#f0c36b' : status === AGENT_REREGISTERING ? '#e2a9cb' : '#9aa7b6';
    line(statusVariants(data, i, status), '12px system-ui, sans-serif', statusColour, y + 33);
    if (data.reserved[i] > 0 && status !== AGENT_DOWN) {
      const role = data.reservedRole[i] >= 0 ? data.roleNames[data.reservedRole[i]] : '?';
      const volume = data.volumes[i] ? ' + volume' : '';
      line([`reserved: ${role}${volume}`, `res. ${role}${volume}`, `res. ${role}`], '12px system-ui, sans-serif', '#9aa7b6', y + h - 4);
    }
  }
  return record;
}

function roundRect(context: Context2D, x: number, y: number, w: number, h: number, r: number): void {
  context.beginPath();
  context.roundRect(x, y, w, h, r);
}

export function usedFraction(data: AgentBulk, i: number): number {
  let used = 0;
  const roles = data.roleNames.length;
  for (let r = 0; r < roles; r++) used += data.fill[i * roles + r];
  return used;
}
