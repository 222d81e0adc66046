/**
 * Which NodeManagers a flex down takes, as Myriad does: first the pending
 * ones (never launched), then the staging ones (launched, not yet running),
 * then the active ones with the fewest YARN application masters, so the
 * fewest applications lose their master; ties go youngest first.
 */

export type NodeManagerState = 'pending' | 'staging' | 'active' | 'killing';

export interface FlexCandidate {
  readonly id: string;
  readonly profile: string;
  readonly state: NodeManagerState;
  /** Flex-up order: the highest is the youngest. */
  readonly number: number;
  readonly applicationMasters: number;
}

const STATE_ORDER: Readonly<Record<NodeManagerState, number>> = { pending: 0, staging: 1, active: 2, killing: 3 };

/** The NodeManagers of `profile` a flex down of `count` takes, in the order taken. */
export function flexDownVictims<T extends FlexCandidate>(nodeManagers: readonly T[], profile: string, count: number): T[] {
  return nodeManagers
    .filter((nm) => nm.profile === profile && nm.state !== 'killing')
    .sort(
      (a, b) =>
        STATE_ORDER[a.state] - STATE_ORDER[b.state] ||
        (a.state === 'active' ? a.applicationMasters - b.applicationMasters : 0) ||
        b.number - a.number,
    )
    .slice(0, count);
}
