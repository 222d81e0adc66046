/**
 * UI state: which agent and task are selected, the event log's filters, the
 * speed, the highlighted view, the tour in progress, the compare settings.
 * One immutable object, changed only through immer's `produce`, so every
 * change is a new value that Svelte sees and that could be recorded as patches.
 */
import { produce, type Draft } from 'immer';

export type ViewId =
  | 'cluster'
  | 'shares'
  | 'offers'
  | 'tasks'
  | 'plans'
  | 'frameworks'
  | 'explain'
  | 'events'
  | 'timeline'
  | 'compare'
  | 'controls';

export type EventGroup = 'offer' | 'task' | 'agent' | 'framework' | 'allocation' | 'role';

export interface CompareConfig {
  roleSorter: 'drf' | 'random';
  weights: Record<string, number>;
  refuseSeconds: Record<string, number>;
  quota: boolean;
}

export interface UiState {
  selectedAgent: string | null;
  selectedTask: { frameworkId: string; taskId: string } | null;
  explain: { frameworkId: string | null; agentId: string | null };
  eventGroups: Record<EventGroup, boolean>;
  eventText: string;
  /** Simulated milliseconds per real millisecond. */
  speed: number;
  highlight: ViewId | null;
  tour: { id: string; step: number } | null;
  editorOpen: boolean;
  compare: CompareConfig;
  /** Plan steps whose reasons are open, by "framework/plan/phase/step". */
  openSteps: Record<string, boolean>;
  /** The glossary, when open, and the entry it shows (null: the whole list). */
  glossary: { entry: string | null } | null;
}

export const INITIAL_UI: UiState = {
  selectedAgent: null,
  selectedTask: null,
  explain: { frameworkId: null, agentId: null },
  eventGroups: { offer: true, task: true, agent: true, framework: true, allocation: false, role: true },
  eventText: '',
  speed: 2,
  highlight: null,
  tour: null,
  editorOpen: false,
  compare: { roleSorter: 'random', weights: {}, refuseSeconds: {}, quota: true },
  openSteps: {},
  glossary: null,
};

export class UiStore {
  state = $state.raw<UiState>(INITIAL_UI);

  update(recipe: (draft: Draft<UiState>) => void): void {
    this.state = produce(this.state, recipe);
  }

  openGlossary(entry: string | null): void {
    this.update((draft) => void (draft.glossary = { entry }));
  }
}

/** Components deep in the tree (a glossary term inside a label) find the store under this context key. */
export const UI_CONTEXT = Symbol('ui');
