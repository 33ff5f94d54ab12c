import { DeliveryError, DeliveryErrorCode } from './errors';
import { ActionRecord, DeliveryHistory, ExecutionRecord } from './history';
import { isProductionStage, isTerminalExecutionStatus } from '../contract';
import { maximum, mean, median, minimum, percentileNearestRank } from './statistics';

const DAY_MS = 24 * 60 * 60 * 1000;
const DAYS_PER_WEEK = 7;

/** Statuses that count; `InProgress` and `Stopping` executions are ignored. */

/** Source output variables that carry the revision's time, most meaningful first (CodeCommit, CodeConnections). */
export const SOURCE_TIME_VARIABLES: readonly string[] = ['CommitterDate', 'AuthorDate'];

/** The window `[since, until)` that selects executions by `startTime`. */
export interface MetricsWindow {
  readonly since: Date;
  readonly until: Date;
}

export interface ExecutionCounts {
  readonly succeeded: number;
  readonly failed: number;
  readonly stopped: number;
  readonly superseded: number;
  readonly cancelled: number;
}

/**
 * The delivery metrics of one pipeline over one window, as DESIGN.md defines them: what `cdk-delivery metrics` prints
 * and the metrics function publishes (the `DeliveryMetrics` construct is the CloudWatch side). Durations in seconds,
 * rates as fractions in [0, 1].
 */
export interface DeliveryMetricsReport {
  readonly pipelineName?: string;
  readonly since: string;
  readonly until: string;
  readonly windowDays: number;
  readonly counts: ExecutionCounts;
  /** InProgress/Stopping executions in the window, reported but not counted. */
  readonly ignoredInProgress: number;
  /**
   * Finished executions in the window left out of the time figures (duration, MTTR, lead time, time to restore)
   * because their timestamps are impossible: no `lastUpdateTime`, a `lastUpdateTime` before the `startTime`, or a
   * production deployment that ends before it starts or before its source revision. They still count in `counts`,
   * the rates and the frequencies, which need no time. A figure is never negative.
   */
  readonly excludedImpossible: number;
  readonly throughputPerDay: number;
  readonly durationMedianSeconds: number | null;
  readonly durationP95Seconds: number | null;
  readonly successRate: number | null;
  readonly mttrSeconds: number | null;
  readonly recoveredFailureEpisodes: number;
  readonly openFailureEpisodes: number;
  readonly leadTimeMedianSeconds: number | null;
  /** Executions whose lead time was measured. */
  readonly leadTimeSamples: number;
  /** Of those, how many started from a source revision time rather than the execution start. */
  readonly leadTimeFromSourceRevision: number;
  readonly productionExecutions: number;
  readonly failedProductionExecutions: number;
  readonly changeFailureRate: number | null;
  /**
   * Production deployments: executions in the window whose production actions all succeeded (the executions
   * lead time is measured for; a later rollback does not undo that the change was deployed).
   */
  readonly productionDeployments: number;
  /** DORA deployment frequency: production deployments / windowDays. */
  readonly deploymentsPerDay: number;
  /** DORA deployment frequency per week: production deployments / (windowDays / 7). */
  readonly deploymentsPerWeek: number;
  /**
   * DORA time to restore (failed deployment recovery time): mean over closed production failure episodes, from
   * the failed production change to the next restoring one; `null` if none closed.
   */
  readonly timeToRestoreSeconds: number | null;
  /** Production failure episodes that closed in the window (the samples of `timeToRestoreSeconds`). */
  readonly restoredProductionFailures: number;
}

/**
 * The CircleCI State of Software Delivery benchmark values, in the units of `DeliveryMetricsReport`. The CLI compares
 * with them (`benchmarks`) and the `DeliveryMetrics` construct's dashboard draws them: one definition for both.
 */
export const CIRCLECI_BENCHMARKS = {
  /** Median duration of succeeded executions at most 10 minutes. */
  durationSeconds: 600,
  /** Mean time to recovery under 60 minutes. */
  recoverySeconds: 3600,
  /** Success rate at least 90 %. */
  successRate: 0.9,
  /** Throughput at least one succeeded execution per day. */
  throughputPerDay: 1,
} as const;

/**
 * CircleCI State of Software Delivery benchmarks, printed beside the figures.
 */
export interface Benchmark {
  readonly metric: string;
  readonly goal: string;
  /** `null` when the metric has no value to compare. */
  readonly met: boolean | null;
}

/** Compare the metrics with the CircleCI benchmarks: duration ≤ 10 min, MTTR < 60 min, success rate ≥ 90 %, throughput ≥ 1/day. */
export function benchmarks(metrics: DeliveryMetricsReport): Benchmark[] {
  const check = (value: number | null, ok: (v: number) => boolean): boolean | null => (value === null ? null : ok(value));
  const goal = CIRCLECI_BENCHMARKS;
  return [
    { metric: 'durationMedianSeconds', goal: `<= ${goal.durationSeconds / 60} min`, met: check(metrics.durationMedianSeconds, (v) => v <= goal.durationSeconds) },
    { metric: 'mttrSeconds', goal: `< ${goal.recoverySeconds / 60} min`, met: check(metrics.mttrSeconds, (v) => v < goal.recoverySeconds) },
    { metric: 'successRate', goal: `>= ${Math.round(goal.successRate * 100)} %`, met: check(metrics.successRate, (v) => v >= goal.successRate) },
    { metric: 'throughputPerDay', goal: `>= ${goal.throughputPerDay} per day`, met: check(metrics.throughputPerDay, (v) => v >= goal.throughputPerDay) },
  ];
}

/** The default window: the 30 days before `now`. */
export function defaultWindow(now: Date): MetricsWindow {
  return { since: new Date(now.getTime() - 30 * DAY_MS), until: now };
}

/** Throw unless `since` and `until` are valid dates with `since < until`. */
export function validateWindow(window: MetricsWindow): void {
  const since = window.since.getTime();
  const until = window.until.getTime();
  if (Number.isNaN(since) || Number.isNaN(until)) {
    throw new DeliveryError(DeliveryErrorCode.INVALID_INPUT, 'The metrics window needs valid dates for since and until.');
  }
  if (since >= until) {
    throw new DeliveryError(DeliveryErrorCode.INVALID_INPUT,
      `The metrics window is empty: since (${window.since.toISOString()}) must be before until (${window.until.toISOString()}).`);
  }
}

function isTerminal(status: string): boolean {
  return isTerminalExecutionStatus(status);
}

function countStatuses(executions: readonly ExecutionRecord[]): ExecutionCounts {
  const count = (status: string) => executions.filter((e) => e.status === status).length;
  return {
    succeeded: count('Succeeded'),
    failed: count('Failed'),
    stopped: count('Stopped'),
    superseded: count('Superseded'),
    cancelled: count('Cancelled'),
  };
}

interface RecoveryStats {
  readonly recoveries: number[];
  readonly open: boolean;
}

/**
 * The end of an execution (its `lastUpdateTime`), or `undefined` when it is impossible: missing, or before the
 * execution's start.
 */
function possibleEnd(execution: ExecutionRecord): number | undefined {
  const end = execution.lastUpdateMs;
  return end !== undefined && end >= execution.startMs ? end : undefined;
}

interface Ended {
  readonly execution: ExecutionRecord;
  readonly endMs: number;
}

/**
 * Failure episodes over succeeded and failed executions (with a possible end) ordered by `lastUpdateTime`: an
 * episode opens at the first failure while none is open and closes at the next success; recovery = closing
 * success − opening failure.
 */
function recoveryTimes(executions: readonly Ended[]): RecoveryStats {
  const ordered = executions
    .filter((e) => e.execution.status === 'Succeeded' || e.execution.status === 'Failed')
    .sort((a, b) => a.endMs - b.endMs || a.execution.startMs - b.execution.startMs);
  const recoveries: number[] = [];
  let openedAt: number | undefined;
  for (const { execution, endMs } of ordered) {
    if (execution.status === 'Failed' && openedAt === undefined) {
      openedAt = endMs;
    } else if (execution.status === 'Succeeded' && openedAt !== undefined) {
      recoveries.push((endMs - openedAt) / 1000);
      openedAt = undefined;
    }
  }
  return { recoveries, open: openedAt !== undefined };
}

function isApproval(action: ActionRecord): boolean {
  return action.category === 'Approval';
}

/** A production deploy action; a history without categories counts every non-approval production action. */
function isDeploy(action: ActionRecord): boolean {
  return action.category === undefined || action.category === 'Deploy';
}

function sourceRevisionTime(actions: readonly ActionRecord[]): number | undefined {
  const times: number[] = [];
  for (const action of actions.filter((a) => a.category === 'Source')) {
    for (const variable of SOURCE_TIME_VARIABLES) {
      const text = action.outputVariables[variable];
      const ms = text === undefined ? undefined : Date.parse(text);
      if (ms !== undefined && !Number.isNaN(ms)) {
        times.push(ms);
        break;
      }
    }
  }
  return minimum(times);
}

/**
 * DORA time to restore: production failure episodes in time order. An episode opens at a change that failed in
 * production (`failures`: the end of its last production action) while none is open, and closes at the next
 * restoration (`restorations`: a deployment whose production actions all succeeded and that was not rolled back,
 * at the end of its last production deploy action, or a succeeded rollback execution, at its end).
 */
function restoreTimes(failures: readonly number[], restorations: readonly number[]): number[] {
  const events = [
    ...failures.map((ms) => ({ ms, failure: true })),
    ...restorations.map((ms) => ({ ms, failure: false })),
  ].sort((a, b) => a.ms - b.ms || Number(b.failure) - Number(a.failure));
  const restores: number[] = [];
  let openedAt: number | undefined;
  for (const event of events) {
    if (event.failure && openedAt === undefined) {
      openedAt = event.ms;
    } else if (!event.failure && openedAt !== undefined) {
      restores.push((event.ms - openedAt) / 1000);
      openedAt = undefined;
    }
  }
  return restores;
}

interface ProductionView {
  readonly execution: ExecutionRecord;
  readonly productionActions: readonly ActionRecord[];
  readonly deployActions: readonly ActionRecord[];
  readonly sourceActions: readonly ActionRecord[];
}

/**
 * Executions that were rolled back after reaching production: for each rollback execution, the latest standard
 * execution whose production deployment started before the rollback did (other than the rollback's target; of
 * several that started at the same time, the one listed first).
 *
 * O((n + r) log n) for n executions that reached production and r rollbacks: the deployments are sorted once by
 * start, and each rollback finds its latest earlier deployment by binary search, stepping back past its target (at
 * most one entry, since execution ids are unique).
 */
function rolledBackExecutionIds(allExecutions: readonly ExecutionRecord[], views: ReadonlyMap<string, ProductionView>): Set<string> {
  const reached: Array<{ readonly id: string; readonly deployStart: number; readonly order: number }> = [];
  for (const view of views.values()) {
    const deployStart = minimum(view.deployActions.map((a) => a.startMs));
    if (deployStart !== undefined) {
      reached.push({ id: view.execution.pipelineExecutionId, deployStart, order: reached.length });
    }
  }
  // Ascending start; of equal starts the one listed first last, so that a backward walk meets it first.
  reached.sort((a, b) => a.deployStart - b.deployStart || b.order - a.order);
  const rolledBack = new Set<string>();
  for (const rollback of allExecutions) {
    if (rollback.executionType !== 'ROLLBACK') {
      continue;
    }
    // The number of deployments that started before the rollback: the index just past the last candidate.
    let low = 0;
    let high = reached.length;
    while (low < high) {
      const middle = Math.floor((low + high) / 2);
      if (reached[middle].deployStart < rollback.startMs) {
        low = middle + 1;
      } else {
        high = middle;
      }
    }
    let index = low - 1;
    while (index >= 0 && reached[index].id === rollback.rollbackTargetPipelineExecutionId) {
      index -= 1;
    }
    if (index >= 0) {
      rolledBack.add(reached[index].id);
    }
  }
  return rolledBack;
}

/**
 * Compute the delivery metrics of DESIGN.md from a history, over the executions whose `startTime` is in
 * `[since, until)` and whose status is terminal. Pure: no I/O, no clock.
 *
 * DORA extras, from the action executions of the selected standard (non-rollback) executions:
 * - an execution "reached production" when a deploy action ran in a stage whose name starts with `Production`
 *   (approval actions do not count: a rejected approval is a decision, not a failed change);
 * - it "failed in production" when a non-approval production action failed, or a later rollback execution
 *   rolled it back; change failure rate = failed in production / reached production;
 * - lead time of an execution whose production actions all succeeded = end of its last production deploy action
 *   − the earliest source revision time its source actions report (`CommitterDate`, else `AuthorDate` output
 *   variable), else the execution's `startTime` (the time CodePipeline picked the change up);
 * - deployment frequency counts those same executions (production deployments) per day and per week;
 * - time to restore: see `restoreTimes` (a succeeded rollback execution restores production too).
 */
export function computeDeliveryMetrics(history: DeliveryHistory, window: MetricsWindow): DeliveryMetricsReport {
  validateWindow(window);
  const sinceMs = window.since.getTime();
  const untilMs = window.until.getTime();
  const windowDays = (untilMs - sinceMs) / DAY_MS;

  const inWindow = history.executions.filter((e) => e.startMs >= sinceMs && e.startMs < untilMs);
  const selected = inWindow.filter((e) => isTerminal(e.status));
  const counts = countStatuses(selected);

  // Executions left out of the time figures for impossible timestamps, counted once each.
  const impossible = new Set<string>();
  const ended: Ended[] = [];
  for (const execution of selected) {
    const endMs = possibleEnd(execution);
    if (endMs === undefined) {
      impossible.add(execution.pipelineExecutionId);
    } else {
      ended.push({ execution, endMs });
    }
  }
  const durations = ended.filter((e) => e.execution.status === 'Succeeded').map((e) => (e.endMs - e.execution.startMs) / 1000);
  const decided = counts.succeeded + counts.failed;
  const recovery = recoveryTimes(ended);

  const actionsByExecution = new Map<string, ActionRecord[]>();
  for (const action of history.actions) {
    const list = actionsByExecution.get(action.pipelineExecutionId) ?? [];
    list.push(action);
    actionsByExecution.set(action.pipelineExecutionId, list);
  }
  const views = new Map<string, ProductionView>();
  for (const execution of history.executions.filter((e) => e.executionType !== 'ROLLBACK')) {
    const actions = actionsByExecution.get(execution.pipelineExecutionId) ?? [];
    const productionActions = actions.filter((a) => isProductionStage(a.stageName) && !isApproval(a));
    views.set(execution.pipelineExecutionId, {
      execution,
      productionActions,
      deployActions: productionActions.filter(isDeploy),
      sourceActions: actions.filter((a) => a.category === 'Source'),
    });
  }
  const rolledBack = rolledBackExecutionIds(history.executions, views);

  let productionExecutions = 0;
  let failedProductionExecutions = 0;
  let productionDeployments = 0;
  let leadTimeFromSourceRevision = 0;
  const leadTimes: number[] = [];
  const failures: number[] = [];
  const restorations = ended
    .filter((e) => e.execution.executionType === 'ROLLBACK' && e.execution.status === 'Succeeded')
    .map((e) => e.endMs);
  for (const execution of selected) {
    const view = views.get(execution.pipelineExecutionId);
    if (!view || view.deployActions.length === 0) {
      continue;
    }
    productionExecutions += 1;
    const failed = view.productionActions.some((a) => a.status === 'Failed') || rolledBack.has(execution.pipelineExecutionId);
    if (failed) {
      failedProductionExecutions += 1;
      // productionActions holds the deploy actions: never empty here.
      failures.push(maximum(view.productionActions.map((a) => a.lastUpdateMs)) as number);
    }
    if (view.productionActions.every((a) => a.status === 'Succeeded')) {
      productionDeployments += 1;
      const end = maximum(view.deployActions.map((a) => a.lastUpdateMs)) as number;
      if (!failed) {
        restorations.push(end);
      }
      const revisionTime = sourceRevisionTime(view.sourceActions);
      const leadTimeMs = end - (revisionTime ?? execution.startMs);
      if (leadTimeMs < 0 || impossible.has(execution.pipelineExecutionId) || view.deployActions.some((a) => a.lastUpdateMs < a.startMs)) {
        impossible.add(execution.pipelineExecutionId);
        continue;
      }
      if (revisionTime !== undefined) {
        leadTimeFromSourceRevision += 1;
      }
      leadTimes.push(leadTimeMs / 1000);
    }
  }

  const restores = restoreTimes(failures, restorations);
  return {
    pipelineName: history.pipelineName,
    since: window.since.toISOString(),
    until: window.until.toISOString(),
    windowDays,
    counts,
    ignoredInProgress: inWindow.length - selected.length,
    excludedImpossible: impossible.size,
    throughputPerDay: counts.succeeded / windowDays,
    durationMedianSeconds: median(durations),
    durationP95Seconds: percentileNearestRank(durations, 95),
    successRate: decided === 0 ? null : counts.succeeded / decided,
    mttrSeconds: mean(recovery.recoveries),
    recoveredFailureEpisodes: recovery.recoveries.length,
    openFailureEpisodes: recovery.open ? 1 : 0,
    leadTimeMedianSeconds: median(leadTimes),
    leadTimeSamples: leadTimes.length,
    leadTimeFromSourceRevision,
    productionExecutions,
    failedProductionExecutions,
    changeFailureRate: productionExecutions === 0 ? null : failedProductionExecutions / productionExecutions,
    productionDeployments,
    deploymentsPerDay: productionDeployments / windowDays,
    deploymentsPerWeek: productionDeployments / (windowDays / DAYS_PER_WEEK),
    timeToRestoreSeconds: mean(restores),
    restoredProductionFailures: restores.length,
  };
}
