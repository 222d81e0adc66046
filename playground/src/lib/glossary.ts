/**
 * The glossary: the words a learner meets in the playground, each defined
 * once, in the project's own terms. Every place that shows one of these
 * words links it here: hand-placed `<Term>`s on labels, and `linkTerms` for
 * running text (tour cards, Explain's answers, panel subtitles), which finds
 * every form of every term.
 */
export interface GlossaryEntry {
  id: string;
  term: string;
  definition: string;
  /** Where to see it in the playground. */
  seeIt: string;
  /** Every form the word takes in running text (matched whole, any case). */
  forms: string[];
}

export const GLOSSARY: readonly GlossaryEntry[] = [
  {
    id: 'offer',
    term: 'offer',
    definition:
      "The master does not place tasks itself: every allocation cycle it offers an agent's free resources to one framework, which accepts them (launching tasks, reserving, creating volumes) or declines them. Offered resources are set aside until the answer comes.",
    seeIt: 'Offers: each curve is one offer; on the map, offered resources are hatched.',
    forms: ['offer', 'offers', 'offered', 'offering'],
  },
  {
    id: 'decline',
    term: 'decline',
    definition:
      "A framework's answer to an offer it cannot or will not use: the resources go back to the agent, and a decline filter keeps them from that framework for a while.",
    seeIt: 'Offers: declined offers are dashed and marked ✗.',
    forms: ['decline', 'declines', 'declined', 'declining'],
  },
  {
    id: 'filter',
    term: 'filter',
    definition:
      "Installed by a decline (refuse_seconds, 5 s by default): for that long the allocator does not offer that framework the same resources of that agent again. It holds only while what it refused still covers what would be offered. A revive clears a framework's filters.",
    seeIt: 'Offers: "declined, filtered 5 s"; Explain: "filtered".',
    forms: ['filter', 'filters', 'filtered', 'decline filter', 'decline filters'],
  },
  {
    id: 'suppress',
    term: 'suppress',
    definition:
      'A framework that wants nothing tells the master to stop sending it offers (SUPPRESS). The allocator then skips it on every agent until it revives. Batch jobs suppress when their queue is empty.',
    seeIt: 'Explain: "suppressed".',
    forms: ['suppress', 'suppresses', 'suppressed', 'suppressing'],
  },
  {
    id: 'revive',
    term: 'revive',
    definition:
      'The opposite of suppress (REVIVE): the framework wants offers again, and its decline filters are cleared, so it is offered even what it refused a moment ago.',
    seeIt: 'Event log: "framework revived".',
    forms: ['revive', 'revives', 'revived', 'reviving'],
  },
  {
    id: 'role',
    term: 'role',
    definition:
      'Frameworks register under a role (such as "analytics" or "eng/web"); fairness, weights, quota and reservations all apply per role. Roles form a tree: DRF shares resources between siblings at each level, then between the frameworks of a role.',
    seeIt: 'Dominant shares: one line per role; the map colours cpus by role.',
    forms: ['role', 'roles'],
  },
  {
    id: 'weight',
    term: 'weight',
    definition:
      "A role's weight divides its dominant share when the allocator compares roles: a role of weight 2 is offered resources until its share is twice the others'.",
    seeIt: "Dominant shares: the weight under each role's name.",
    forms: ['weight', 'weights', 'weighted'],
  },
  {
    id: 'quota',
    term: 'quota',
    definition:
      "A role's guarantee (resources kept available for it, even idle, as headroom) and limit (the most it may be allocated). Reservations count against a role's quota whether they are used or not.",
    seeIt: 'Dominant shares: dashed lines for a guarantee, dotted for a limit.',
    forms: ['quota', 'quotas'],
  },
  {
    id: 'reservation',
    term: 'reservation',
    definition:
      'Resources of one agent set aside for one role (RESERVE; UNRESERVE gives them back). They are offered only to frameworks of that role, even when idle. Unallocated reservations do not count in DRF shares.',
    seeIt: 'Cluster: the corner mark and the bracket under the bar.',
    forms: ['reservation', 'reservations', 'reserve', 'reserves', 'reserved', 'unreserve'],
  },
  {
    id: 'volume',
    term: 'volume',
    definition:
      "A persistent volume is disk on reserved resources that outlives the task using it (CREATE makes one, DESTROY removes it). A stateful service relaunches a node on its own volume, so the node's data survives restarts.",
    seeIt: 'Cluster: "+ volume" on a card; Frameworks: the pods of a stateful service.',
    forms: ['volume', 'volumes', 'persistent volume', 'persistent volumes'],
  },
  {
    id: 'dominant-share',
    term: 'dominant share',
    definition:
      "Of every resource a framework (or role) is allocated — its tasks plus the offers it holds, as the DRF sorter counts them — the largest fraction of the cluster's total. With 9 cpus and 18 GB, 3 cpus and 2 GB is a dominant share of 3/9 = 0.333 (cpus). Divided by the role's weight when roles are compared.",
    seeIt: 'Dominant shares (the chart and its labels) and Explain use this one definition.',
    forms: ['dominant share', 'dominant shares'],
  },
  {
    id: 'drf',
    term: 'DRF',
    definition:
      'Dominant resource fairness (Ghodsi et al., 2011): every allocation cycle, offer the next agent to whoever has the lowest dominant share. It equalises dominant shares, and no one can gain by lying about what they need.',
    seeIt: 'Offers: the numbers are the order DRF walked; the tour "Dominant resource fairness".',
    forms: ['DRF'],
  },
];

const BY_ID = new Map(GLOSSARY.map((entry) => [entry.id, entry]));

export function glossaryEntry(id: string): GlossaryEntry | undefined {
  return BY_ID.get(id);
}

export interface TextPart {
  text: string;
  /** The glossary entry this part names, if it is a term. */
  term?: string;
}

const FORMS = GLOSSARY.flatMap((entry) => entry.forms.map((form) => ({ form, id: entry.id }))).sort(
  (a, b) => b.form.length - a.form.length,
);
const FORM_IDS = new Map(FORMS.map(({ form, id }) => [form.toLowerCase(), id]));
/** Longest forms first, so "dominant share" wins over a shorter match; whole words only. */
const PATTERN = new RegExp(`(?<![\\p{L}\\p{N}_-])(${FORMS.map(({ form }) => escapeRegExp(form)).join('|')})(?![\\p{L}\\p{N}_-])`, 'giu');

/** Splits running text into plain parts and glossary terms, every occurrence. */
export function linkTerms(text: string): TextPart[] {
  const parts: TextPart[] = [];
  let at = 0;
  for (const match of text.matchAll(PATTERN)) {
    const index = match.index ?? 0;
    if (index > at) parts.push({ text: text.slice(at, index) });
    parts.push({ text: match[0], term: FORM_IDS.get(match[0].toLowerCase()) });
    at = index + match[0].length;
  }
  if (at < text.length) parts.push({ text: text.slice(at) });
  return parts;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
