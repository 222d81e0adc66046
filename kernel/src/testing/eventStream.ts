/**
 * Event streams as comparable data: each kernel event serialized through the
 * simulator's trace record (resources by name, not by slot), one JSON string
 * per event. Two runs behaved the same exactly when their streams are equal;
 * `firstDifference` says where they part.
 */
import type { KernelEvent } from '../master/events.js';
import type { MasterOptions } from '../master/master.js';
import { Master } from '../master/master.js';
import type { ResourceLayout } from '../resources/layout.js';
import { traceRecord } from '../sim/trace.js';
import type { WorkloadStepReport } from './runWorkload.js';
import { runWorkload } from './runWorkload.js';
import type { Workload } from './workload.js';
import { workloadMasterOptions } from './workload.js';

export type RecordNormalizer = (record: Record<string, unknown>) => Record<string, unknown>;

export function serializeEvents(events: readonly KernelEvent[], layout: ResourceLayout, normalize?: RecordNormalizer): string[] {
  return events.map((event) => {
    const record = traceRecord(event, layout);
    return JSON.stringify(normalize ? normalize(record) : record);
  });
}

/**
 * Runs a workload on a fresh master and returns its stream: every event, plus
 * one line per rejected command (rejections are behaviour too).
 */
export function workloadEventStream(
  workload: Workload,
  overrides: Partial<MasterOptions> = {},
  options: { normalize?: RecordNormalizer; onStep?: (report: WorkloadStepReport, master: Master) => void } = {},
): string[] {
  const master = new Master(workloadMasterOptions(workload, overrides));
  const stream: string[] = [];
  runWorkload(master, workload, (report) => {
    stream.push(...serializeEvents(report.result.events, master.layout, options.normalize));
    if (report.result.rejection) stream.push(JSON.stringify({ rejected: report.command.type, code: report.result.rejection.code }));
    options.onStep?.(report, master);
  });
  return stream;
}

/** Null when equal, else the first index where the streams differ and both lines there. */
export function firstDifference(a: readonly string[], b: readonly string[]): string | null {
  const length = Math.max(a.length, b.length);
  for (let i = 0; i < length; i++) {
    if (a[i] !== b[i])
      return `streams differ at event ${i} of ${a.length}/${b.length}:\n  first:  ${a[i] ?? '(end)'}\n  second: ${b[i] ?? '(end)'}`;
  }
  return null;
}
