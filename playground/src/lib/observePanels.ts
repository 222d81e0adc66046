/**
 * Which panels are in the viewport, reported as they scroll in and out: the
 * panel feeds of the views in view update first while a big cluster plays
 * (SimulatorClient.setPanelVisible). Panels that appear later (after a
 * live-master session) are observed too.
 */
import type { PanelId } from './SimulatorClient.svelte.js';
import type { ViewId } from './ui.svelte.js';

/** The feed each view reads (the cluster view's side panel reads the agent feed). */
const PANEL_OF_VIEW: Partial<Record<ViewId, PanelId>> = {
  shares: 'shares',
  offers: 'offers',
  tasks: 'tasks',
  explain: 'explain',
  events: 'events',
  plans: 'plans',
  frameworks: 'frameworks',
  cluster: 'agent',
};

/** Starts observing; returns the function that stops it. */
export function observePanels(report: (panel: PanelId, visible: boolean) => void): () => void {
  const observer = new IntersectionObserver((entries) => {
    for (const entry of entries) {
      const panel = PANEL_OF_VIEW[(entry.target as HTMLElement).dataset.view as ViewId];
      if (panel) report(panel, entry.isIntersecting);
    }
  });
  const observed = new WeakSet<Element>();
  const scan = () => {
    for (const section of document.querySelectorAll('main.grid > [data-view]')) {
      if (observed.has(section)) continue;
      observed.add(section);
      observer.observe(section);
    }
  };
  scan();
  const added = new MutationObserver(scan);
  const app = document.querySelector('.app');
  if (app) added.observe(app, { childList: true });
  return () => {
    observer.disconnect();
    added.disconnect();
  };
}
