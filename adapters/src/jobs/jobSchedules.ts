/**
 * Cron schedules of jobs (Metronome's ScheduleSpec): each enabled schedule
 * knows when it fires next (in its time zone, croner); when that time has
 * come, a run starts unless `startingDeadlineSeconds` has passed since (the
 * scheduler was down: that run is skipped, as Metronome does) or the
 * policy is FORBID and a run of the job is still active. Then the next
 * time is computed from now. Times are kept in the document, so a restart
 * neither repeats nor invents runs.
 */
import { nextFireMs } from './jobSpec.js';
import type { JobsRuntime } from './jobsRuntime.js';

/** Fires the schedules that are due; true when the document changed. */
export async function fireSchedules(runtime: JobsRuntime, nowMs: number): Promise<boolean> {
  let changed = false;
  for (const [jobId, job] of Object.entries(runtime.document.jobs)) {
    for (const schedule of Object.values(job.schedules)) {
      if (!schedule.enabled) continue;
      if (schedule.nextRunAtMs === null) {
        schedule.nextRunAtMs = nextFireMs(schedule, nowMs);
        changed = true;
        continue;
      }
      if (nowMs < schedule.nextRunAtMs) continue;
      const late = nowMs - schedule.nextRunAtMs > schedule.startingDeadlineSeconds * 1000;
      const overlapping = schedule.concurrencyPolicy === 'FORBID' && runtime.activeRuns(jobId).length > 0;
      if (late || overlapping) runtime.options.logger.info({ jobId, schedule: schedule.id, late, overlapping }, 'scheduled run skipped');
      else await runtime.startRun(jobId);
      schedule.nextRunAtMs = nextFireMs(schedule, nowMs);
      changed = true;
    }
  }
  return changed;
}
