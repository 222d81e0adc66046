/**
 * Draw timings, kept in a small ring for the benchmark to read from the page
 * (`window.__allotPerf`). Costs one `performance.now()` pair per draw.
 */
export interface PerfLog {
  drawMs: number[];
  bytes: number[];
}

const LOG_MAX = 4000;

export const perfLog: PerfLog = { drawMs: [], bytes: [] };

export function recordDraw(ms: number): void {
  perfLog.drawMs.push(ms);
  if (perfLog.drawMs.length > LOG_MAX) perfLog.drawMs.splice(0, LOG_MAX / 2);
}

export function recordBytes(bytes: number): void {
  perfLog.bytes.push(bytes);
  if (perfLog.bytes.length > LOG_MAX) perfLog.bytes.splice(0, LOG_MAX / 2);
}

if (typeof window !== 'undefined') (window as unknown as { __allotPerf: PerfLog }).__allotPerf = perfLog;
