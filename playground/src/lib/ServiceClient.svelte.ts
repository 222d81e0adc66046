/**
 * Connected mode's service: the plans of one `allot service run` API,
 * polled every 2 s while connected (servicePlans.ts reads and converts them).
 */
import type { PlanFrame } from '../worker/frame.js';
import { fetchServicePlans, normaliseServiceUrl } from './servicePlans.js';

const POLL_MS = 2000;

export class ServiceClient {
  readonly url: string;
  service = $state<string | null>(null);
  plans = $state<PlanFrame[]>([]);
  status = $state<'connecting' | 'connected' | 'error'>('connecting');
  error = $state<string | null>(null);
  private timer: ReturnType<typeof setTimeout> | null = null;
  private disposed = false;

  constructor(url: string) {
    this.url = normaliseServiceUrl(url);
  }

  connect(): void {
    void this.poll();
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private async poll(): Promise<void> {
    try {
      const read = await fetchServicePlans(this.url);
      if (this.disposed) return;
      this.service = read.service;
      this.plans = read.plans;
      this.status = 'connected';
      this.error = null;
    } catch (error) {
      if (this.disposed) return;
      this.status = 'error';
      this.error = `cannot read ${this.url}/v1/plans: ${(error as Error).message}`;
    }
    this.timer = setTimeout(() => void this.poll(), POLL_MS);
  }
}
