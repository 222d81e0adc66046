/**
 * The framework × agent matrix in the simulator (the same kernel function
 * the master serves as GET /explain/matrix): per framework the agents
 * counted by outcome, and one framework's agents, filtered by outcome and
 * cut to a page, each with every reason. Only counts cross to the page for
 * all frameworks, so 10,000 agents stay cheap.
 */
import type { Master } from '@allot/kernel';
import { explainMatrix } from '@allot/kernel';

export interface MatrixAnswer {
  cycle: number | null;
  frameworks: string[];
  agents: number;
  summary: Record<string, Record<string, number>>;
  /** The framework the cells are of (the first when none was asked), and how many agents matched the filter. */
  framework: string | null;
  matched: number;
  cells: Array<{ agentId: string; outcome: string; reasons: Array<{ code: string; message: string }> }>;
}

export interface MatrixQuery {
  frameworkId?: string | null;
  outcome?: string | null;
  limit?: number;
}

export function explainMatrixAnswer(master: Master, query: MatrixQuery = {}): MatrixAnswer {
  const all = explainMatrix(master, []);
  const frameworks = [...master.frameworks.keys()].sort();
  const summary: Record<string, Record<string, number>> = {};
  let framework: string | null = null;
  let matched = 0;
  const cells: MatrixAnswer['cells'] = [];
  const limit = query.limit ?? 200;
  for (const id of frameworks) {
    const row = explainMatrix(master, [id]);
    summary[id] = { ...(row.summary[id] as Record<string, number>) };
    if (framework !== null || (query.frameworkId && query.frameworkId !== id)) continue;
    framework = id;
    for (const cell of row.cells) {
      if (query.outcome && cell.outcome !== query.outcome) continue;
      matched++;
      if (cells.length < limit)
        cells.push({ agentId: cell.agentId, outcome: cell.outcome, reasons: cell.reasons.map(({ code, message }) => ({ code, message })) });
    }
  }
  return { cycle: all.cycle, frameworks, agents: all.agents.length, summary, framework, matched, cells };
}
