import { epochSeconds } from './fake-codepipeline-server';

/**
 * A deterministic synthetic pipeline history in CodePipeline's wire shape (timestamps as epoch seconds), newest
 * first as the List APIs return it: for benchmarks and pagination tests.
 */
export interface SyntheticHistory {
  readonly executions: Record<string, unknown>[];
  readonly actions: Record<string, unknown>[];
  /** Start of the oldest execution (ISO). */
  readonly since: string;
  /** Just after the newest execution started (ISO). */
  readonly until: string;
}

const MINUTE = 60_000;

export function syntheticHistory(count: number, startIso = '2025-01-01T00:00:00.000Z', spacingMinutes = 30): SyntheticHistory {
  const base = Date.parse(startIso);
  const executions: Record<string, unknown>[] = [];
  const actions: Record<string, unknown>[] = [];
  let seed = 42;
  const random = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  for (let i = 0; i < count; i++) {
    const id = `exec-${String(i).padStart(6, '0')}`;
    const start = base + i * spacingMinutes * MINUTE;
    const roll = random();
    const status = roll < 0.08 ? 'Failed' : roll < 0.1 ? 'Superseded' : roll < 0.11 ? 'Stopped' : 'Succeeded';
    const duration = (6 + Math.floor(random() * 8)) * MINUTE;
    const end = start + duration;
    const iso = (ms: number): number => epochSeconds(new Date(ms).toISOString());
    executions.push({
      pipelineExecutionId: id,
      status,
      startTime: iso(start),
      lastUpdateTime: iso(end),
      executionMode: 'SUPERSEDED',
      executionType: 'STANDARD',
      trigger: { triggerType: 'CloudWatchEvent', triggerDetail: 'arn:aws:events:eu-west-1:111111111111:rule/push' },
      sourceRevisions: [{ actionName: 'Source', revisionId: `c0ffee${i}`, revisionSummary: `change ${i}` }],
    });
    const step = (
      stageName: string, actionName: string, category: string, from: number, to: number, state: string, vars?: Record<string, string>,
    ) => ({
      pipelineExecutionId: id,
      actionExecutionId: `${id}-${stageName}-${actionName}`,
      pipelineVersion: 3,
      stageName,
      actionName,
      startTime: iso(from),
      lastUpdateTime: iso(to),
      status: state,
      input: { actionTypeId: { category, owner: 'AWS', provider: category === 'Source' ? 'CodeStarSourceConnection' : 'CloudFormation', version: '1' } },
      ...(vars ? { output: { outputVariables: vars } } : {}),
    });
    const commit = new Date(start - 5 * MINUTE).toISOString();
    actions.push(step('Source', 'Source', 'Source', start, start + MINUTE, 'Succeeded', { CommitId: `c0ffee${i}`, AuthorDate: commit }));
    actions.push(step('Build', 'Synth', 'Build', start + MINUTE, start + 3 * MINUTE, status === 'Failed' && roll < 0.03 ? 'Failed' : 'Succeeded'));
    if (status === 'Failed' && roll < 0.03) continue;
    actions.push(step('Staging', 'Deploy', 'Deploy', start + 3 * MINUTE, start + 4 * MINUTE, 'Succeeded'));
    actions.push(step('Staging', 'Verify', 'Test', start + 4 * MINUTE, start + 5 * MINUTE, status === 'Failed' && roll < 0.05 ? 'Failed' : 'Succeeded'));
    if (status === 'Failed' && roll < 0.05) continue;
    if (status === 'Superseded' || status === 'Stopped') continue;
    actions.push(step('Production', 'Deploy', 'Deploy', start + 5 * MINUTE, end, status === 'Failed' ? 'Failed' : 'Succeeded'));
  }
  // The List APIs return newest first.
  executions.reverse();
  actions.sort((a, b) => (b.startTime as number) - (a.startTime as number));
  return {
    executions,
    actions,
    since: new Date(base).toISOString(),
    until: new Date(base + count * spacingMinutes * MINUTE).toISOString(),
  };
}
