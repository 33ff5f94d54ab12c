import Table from 'cli-table3';
import { renderRollbackTargets } from './oncall-format';
import { Style } from './style';
import { ApprovalRelease, ReleaseRevision } from '../runtime/approval-release';
import { ApprovalOutcome, PendingApproval } from '../runtime/approvals';
import { isCommitId } from '../runtime/git-history';
import { benchmarks, DeliveryMetricsReport } from '../runtime/metrics';
import { PipelineStatus } from '../runtime/pipeline-status';
import { ReleaseOutcome } from '../runtime/release';
import { TransitionOutcome } from '../runtime/transitions';
import { WaitOutcome } from '../runtime/wait-for-execution';

/** `450` → `7m 30s`; `5400` → `1h 30m`; `180000` → `2d 2h`; null → `n/a`. */
export function formatDuration(seconds: number | null): string {
  if (seconds === null) {
    return 'n/a';
  }
  const total = Math.round(seconds);
  const days = Math.floor(total / 86400);
  const hours = Math.floor((total % 86400) / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const secs = total % 60;
  if (days > 0) return `${days}d ${hours}h`;
  if (hours > 0) return `${hours}h ${minutes}m`;
  if (minutes > 0) return `${minutes}m ${secs}s`;
  return `${secs}s`;
}

export function formatPercent(fraction: number | null): string {
  return fraction === null ? 'n/a' : `${(fraction * 100).toFixed(1)} %`;
}

function table(style: Style, head: string[]): Table.Table {
  return new Table({ head, style: style.tableStyle() });
}

/** A pending approval with what it is for (`status` reads it for each pending approval). */
export interface DescribedApproval extends PendingApproval {
  readonly release?: ApprovalRelease;
}

/** The status as `status` prints it: each pending approval with what it is for. */
export interface DescribedStatus extends PipelineStatus {
  readonly pendingApprovals: DescribedApproval[];
}

function shortId(revisionId: string): string {
  return isCommitId(revisionId) ? revisionId.slice(0, 12) : revisionId;
}

function revisionLines(revision: ReleaseRevision): string[] {
  const where = [revision.repository ?? revision.actionName, revision.branch].filter((v) => v !== undefined).join(' ');
  const message = revision.message?.split('\n')[0];
  const lines = [`commit   ${shortId(revision.revisionId)}${where ? ` (${where})` : ''}${message ? `: ${message}` : ''}`];
  if (revision.author !== undefined) {
    lines.push(`author   ${revision.author}${revision.authorEmail ? ` <${revision.authorEmail}>` : ''}${revision.authorDate ? `, ${revision.authorDate}` : ''}`);
  } else if (isCommitId(revision.revisionId)) {
    lines.push(`author   not reported by CodePipeline${revision.authorDate ? ` (authored ${revision.authorDate})` : ''}; pass --repo <clone> to see who`);
  }
  return lines;
}

/** What an approval is for, one fact a line, indented by `indent`. */
export function renderApprovalRelease(release: ApprovalRelease, style: Style, indent: string): string[] {
  const lines = release.revisions.flatMap(revisionLines);
  const size = release.size;
  if (size) {
    const since = `since ${size.lastReleaseRevision ? `${shortId(size.lastReleaseRevision)} ` : ''}(the last production release, execution ${size.lastReleaseExecutionId})`;
    if (size.commits !== undefined) {
      const files = `${size.filesChanged ?? 0} ${size.filesChanged === 1 ? 'file' : 'files'}`;
      const notAncestor = size.baseIsAncestor === false ? '; the released commit is not an ancestor of this one' : '';
      lines.push(`size     ${size.commits} ${size.commits === 1 ? 'commit' : 'commits'}, ${files}, +${size.insertions ?? 0} -${size.deletions ?? 0} lines ${since}${notAncestor}`);
    } else {
      lines.push(`size     ${size.newRevisions} new source ${size.newRevisions === 1 ? 'revision' : 'revisions'} (at least ${size.newRevisions} ` +
        `${size.newRevisions === 1 ? 'commit' : 'commits'}) ${since}; pass --repo <clone> for commits and lines`);
    }
  }
  if (release.sizeUnknown !== undefined) {
    lines.push(`size     unknown: ${release.sizeUnknown}`);
  }
  if (release.comment !== undefined) {
    // A resolved comment may hold a multi-line commit message: its lines stay under the first.
    const [first, ...rest] = release.comment.split('\n');
    lines.push(`comment  ${first}`, ...rest.map((line) => `         ${line}`));
  }
  if (release.reviewUrl !== undefined) {
    lines.push(`review   ${release.reviewUrl}`);
  }
  if (release.review !== undefined) {
    // The change-set review's summary, a line of it per line (control characters were removed when it was read).
    const [first, ...rest] = release.review.summary.split('\n');
    lines.push(`summary  ${first}`, ...rest.map((line) => `         ${line}`));
  }
  for (const gap of release.gaps) {
    lines.push(`${style.yellow('not read')}: ${gap}`);
  }
  return lines.map((line) => `${indent}${line}`.trimEnd());
}

export function renderStatus(status: DescribedStatus, style: Style): string {
  const mode = status.releaseMode === 'unknown'
    ? `release mode unknown${status.releaseModeTag ? ` (tag release-mode=${status.releaseModeTag})` : ' (no release-mode tag)'}`
    : status.releaseMode;
  const lines = [`${style.bold(`Pipeline ${status.pipelineName}`)}: ${mode}${status.pipelineVersion !== undefined ? `, version ${status.pipelineVersion}` : ''}`];
  const stages = table(style, ['Stage', 'Status', 'Inbound', 'Actions']);
  for (const stage of status.stages) {
    stages.push([
      stage.production ? `${stage.stageName} (prod)` : stage.stageName,
      style.status(stage.status),
      stage.inboundTransitionEnabled ? 'open' : style.red('frozen'),
      stage.actions.map((a) => `${a.actionName}: ${style.status(a.status)}`).join('\n'),
    ]);
  }
  lines.push(stages.toString());
  if (status.pendingApprovals.length === 0) {
    lines.push('No approval pending.');
  } else {
    lines.push(style.bold('Pending approvals:'));
    for (const approval of status.pendingApprovals) {
      const since = approval.waitingSince ? `, waiting since ${approval.waitingSince}` : '';
      lines.push(`  ${approval.stageName}/${approval.actionName} (execution ${approval.pipelineExecutionId ?? 'unknown'}${since})`);
      if (approval.release) {
        lines.push(...renderApprovalRelease(approval.release, style, '    '));
      }
    }
  }
  for (const transition of status.disabledTransitions) {
    const by = transition.changedBy ? ` by ${transition.changedBy}` : '';
    const at = transition.changedAt ? ` at ${transition.changedAt}` : '';
    lines.push(`${style.red('Frozen')}: ${transition.stageName}${by}${at}: ${transition.reason ?? '(no reason given)'}`);
  }
  lines.push(...renderRollbackTargets(status.automaticRollback, style));
  return lines.join('\n') + '\n';
}

export function renderApproval(outcome: ApprovalOutcome, style: Style): string {
  const verb = outcome.decision === 'Approved' ? style.green('Approved') : style.red('Rejected');
  const execution = outcome.pipelineExecutionId ? ` of execution ${outcome.pipelineExecutionId}` : '';
  const confirmed = outcome.confirmedAfter
    ? `(Recorded once: ${outcome.confirmedAfter}; the pipeline state, read again, shows the decision.)\n`
    : '';
  const release = outcome.release ? renderApprovalRelease(outcome.release, style, '  ').map((line) => `${line}\n`).join('') : '';
  return `${verb} ${outcome.stageName}/${outcome.actionName}${execution} in pipeline ${outcome.pipelineName}: "${outcome.summary}"\n${release}${confirmed}`;
}

export function renderTransition(outcome: TransitionOutcome, style: Style): string {
  if (outcome.state === 'frozen') {
    return `${style.red('Frozen')} ${outcome.stageNames.join(', ')} in pipeline ${outcome.pipelineName}: ${outcome.reason ?? ''}\n`;
  }
  return `${style.green('Unfrozen')} ${outcome.stageNames.join(', ')} in pipeline ${outcome.pipelineName}\n`;
}

export function renderRelease(outcome: ReleaseOutcome): string {
  return `Started execution ${outcome.pipelineExecutionId} of pipeline ${outcome.pipelineName}\n`;
}

export function renderWait(outcome: WaitOutcome, style: Style): string {
  const summary = outcome.statusSummary ? `: ${outcome.statusSummary}` : '';
  return `Execution ${outcome.pipelineExecutionId} of pipeline ${outcome.pipelineName} ${style.status(outcome.status)} ` +
    `after ${formatDuration(outcome.elapsedSeconds)} of waiting${summary}\n`;
}

function met(value: boolean | null, style: Style): string {
  if (value === null) return 'n/a';
  return value ? style.green('yes') : style.red('no');
}

export function renderMetrics(metrics: DeliveryMetricsReport, style: Style): string {
  const c = metrics.counts;
  const name = metrics.pipelineName ? `Pipeline ${metrics.pipelineName}, ` : '';
  const ignored = metrics.ignoredInProgress > 0 ? ` (${metrics.ignoredInProgress} in progress, ignored)` : '';
  const header = `${style.bold(`${name}${metrics.since} to ${metrics.until}`)} (${metrics.windowDays.toFixed(1)} days): ` +
    `${c.succeeded} succeeded, ${c.failed} failed, ${c.stopped} stopped, ${c.superseded} superseded, ${c.cancelled} cancelled${ignored}`;
  const goals = new Map(benchmarks(metrics).map((b) => [b.metric, b]));
  const row = (label: string, value: string, metric?: string): string[] => {
    const goal = metric ? goals.get(metric) : undefined;
    return [label, value, goal?.goal ?? '', goal ? met(goal.met, style) : ''];
  };
  const t = table(style, ['Metric', 'Value', 'CircleCI benchmark', 'Met']);
  t.push(
    row('Throughput', `${metrics.throughputPerDay.toFixed(2)} per day`, 'throughputPerDay'),
    row('Duration (median)', formatDuration(metrics.durationMedianSeconds), 'durationMedianSeconds'),
    row('Duration (p95)', formatDuration(metrics.durationP95Seconds)),
    row('Success rate', `${formatPercent(metrics.successRate)} (${c.succeeded}/${c.succeeded + c.failed})`, 'successRate'),
    row('Mean time to recovery', `${formatDuration(metrics.mttrSeconds)} (${metrics.recoveredFailureEpisodes} recovered)`, 'mttrSeconds'),
    row('Open failure episodes', String(metrics.openFailureEpisodes)),
    row('Deployment frequency', `${metrics.deploymentsPerDay.toFixed(2)} per day (${metrics.deploymentsPerWeek.toFixed(1)} per week)`),
    row('Lead time (median)', `${formatDuration(metrics.leadTimeMedianSeconds)} (${metrics.leadTimeSamples} deployments)`),
    row('Change failure rate',
      `${formatPercent(metrics.changeFailureRate)} (${metrics.failedProductionExecutions}/${metrics.productionExecutions})`),
    row('Time to restore', `${formatDuration(metrics.timeToRestoreSeconds)} (${metrics.restoredProductionFailures} restored)`),
  );
  const excluded = metrics.excludedImpossible > 0
    ? `${style.yellow('Excluded')} from duration, recovery, lead time and time to restore: ${metrics.excludedImpossible} ` +
      `${metrics.excludedImpossible === 1 ? 'execution' : 'executions'} with impossible timestamps (lastUpdateTime missing or before startTime, ` +
      'or a production deployment that ends before it starts or before its source revision); still counted above.\n'
    : '';
  return `${header}\n${t.toString()}\n${excluded}`;
}
