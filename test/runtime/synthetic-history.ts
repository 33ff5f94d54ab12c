import { epochSeconds } from './fake-codepipeline-server';
import { HISTORY_FORMAT_VERSION, HistoryActionExecution, HistoryExecution, PipelineHistoryFile } from '../../src/runtime/history';

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
  /** The executions a rollback execution rolled back, as the metrics define it (`rollbackEvery`). */
  readonly rolledBack: string[];
}

const MINUTE = 60_000;

export interface SyntheticHistoryOptions {
  /**
   * Make every Nth execution (the N-th, 2N-th, …) a succeeded stage rollback (`executionType: ROLLBACK`) of the
   * latest execution that reached production, back to the latest succeeded deployment before it: 50 gives 2 %
   * rollbacks.
   * @default - no rollbacks
   */
  readonly rollbackEvery?: number;
}

export function syntheticHistory(
  count: number, startIso = '2025-01-01T00:00:00.000Z', spacingMinutes = 30, options: SyntheticHistoryOptions = {},
): SyntheticHistory {
  const base = Date.parse(startIso);
  const executions: Record<string, unknown>[] = [];
  const actions: Record<string, unknown>[] = [];
  let seed = 42;
  const random = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  /** Executions whose production deployment succeeded, oldest first: what a rollback returns to. */
  const deployed: string[] = [];
  /** Executions that ran a production deploy action (succeeded or not), oldest first: what a rollback rolls back. */
  const reached: string[] = [];
  const rolledBack: string[] = [];
  const iso = (ms: number): number => epochSeconds(new Date(ms).toISOString());
  for (let i = 0; i < count; i++) {
    const id = `exec-${String(i).padStart(6, '0')}`;
    const start = base + i * spacingMinutes * MINUTE;
    const latest = reached[reached.length - 1];
    const target = deployed[deployed.length - 1] !== latest ? deployed[deployed.length - 1] : deployed[deployed.length - 2];
    if (options.rollbackEvery !== undefined && (i + 1) % options.rollbackEvery === 0 && latest !== undefined && target !== undefined) {
      rolledBack.push(latest);
      executions.push({
        pipelineExecutionId: id,
        status: 'Succeeded',
        startTime: iso(start),
        lastUpdateTime: iso(start + 4 * MINUTE),
        executionMode: 'SUPERSEDED',
        executionType: 'ROLLBACK',
        rollbackMetadata: { rollbackTargetPipelineExecutionId: target },
        trigger: { triggerType: 'AutomatedRollback', triggerDetail: `rollback to ${target}` },
      });
      actions.push({
        pipelineExecutionId: id,
        actionExecutionId: `${id}-Production-Deploy`,
        pipelineVersion: 3,
        stageName: 'Production',
        actionName: 'Deploy',
        startTime: iso(start),
        lastUpdateTime: iso(start + 4 * MINUTE),
        status: 'Succeeded',
        input: { actionTypeId: { category: 'Deploy', owner: 'AWS', provider: 'CloudFormation', version: '1' } },
      });
      if (deployed[deployed.length - 1] === latest) {
        // The rolled-back execution is no longer what production runs.
        deployed.pop();
      }
      continue;
    }
    const roll = random();
    const status = roll < 0.08 ? 'Failed' : roll < 0.1 ? 'Superseded' : roll < 0.11 ? 'Stopped' : 'Succeeded';
    const duration = (6 + Math.floor(random() * 8)) * MINUTE;
    const end = start + duration;
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
    reached.push(id);
    if (status !== 'Failed') {
      deployed.push(id);
    }
  }
  // The List APIs return newest first.
  executions.reverse();
  actions.sort((a, b) => (b.startTime as number) - (a.startTime as number));
  return {
    executions,
    actions,
    since: new Date(base).toISOString(),
    until: new Date(base + count * spacingMinutes * MINUTE).toISOString(),
    rolledBack,
  };
}

const DATE_FIELDS = new Set(['startTime', 'lastUpdateTime']);

/** The synthetic history in the history file shape that `export` writes (ISO 8601 dates instead of epoch seconds). */
export function syntheticHistoryFile(data: SyntheticHistory, pipelineName = 'bench-pipeline'): PipelineHistoryFile {
  const isoDates = <T>(items: Record<string, unknown>[]): T[] => items.map((item) => {
    const copy: Record<string, unknown> = { ...item };
    for (const key of DATE_FIELDS) {
      if (typeof copy[key] === 'number') {
        copy[key] = new Date((copy[key] as number) * 1000).toISOString();
      }
    }
    return copy as T;
  });
  return {
    formatVersion: HISTORY_FORMAT_VERSION,
    pipelineName,
    exportedAt: data.until,
    since: data.since,
    until: data.until,
    pipelineExecutionSummaries: isoDates<HistoryExecution>(data.executions),
    actionExecutionDetails: isoDates<HistoryActionExecution>(data.actions),
  };
}
