import { Style } from './style';
import { OverrideOutcome, OverridePlan } from '../runtime/override-condition';
import { RetryOutcome } from '../runtime/retry-stage';
import { RollbackOutcome, RollbackPlan, RollbackTarget } from '../runtime/rollback';
import { StopOutcome, StopPlan } from '../runtime/stop-execution';

/** Text output of the on-call commands (rollback, retry, stop, override) and of `status`'s rollback targets. */

function confirmed(confirmedAfter: string | undefined): string {
  return confirmedAfter ? `(Done once: ${confirmedAfter}; the pipeline, read again, shows the change.)\n` : '';
}

function started(time: string | undefined): string {
  return time ? `, started ${time}` : '';
}

/** What a rollback will do: the question asked before it is sent. */
export function describeRollback(plan: RollbackPlan): string {
  const version = plan.pipelineVersion !== undefined ? ` (pipeline definition version ${plan.pipelineVersion})` : '';
  return `Roll back stage ${plan.stageName} of pipeline ${plan.pipelineName}${version}\n` +
    `  from execution ${plan.currentPipelineExecutionId ?? '(none)'}${plan.currentStatus ? ` (${plan.currentStatus})` : ''}\n` +
    `  to   execution ${plan.targetPipelineExecutionId}${started(plan.targetStartTime)}\n` +
    'CodePipeline redeploys the stage with that execution\'s source revisions, artifacts and variables.\n';
}

export function renderRollback(outcome: RollbackOutcome, style: Style): string {
  return `${style.yellow('Rolling back')} ${outcome.stageName} of pipeline ${outcome.pipelineName} to execution ${outcome.targetPipelineExecutionId}: ` +
    `rollback execution ${outcome.pipelineExecutionId} started\n${confirmed(outcome.confirmedAfter)}`;
}

export function renderRetry(outcome: RetryOutcome, style: Style): string {
  const what = outcome.retryMode === 'ALL_ACTIONS'
    ? 'all actions'
    : `the failed actions${outcome.failedActions.length > 0 ? ` (${outcome.failedActions.join(', ')})` : ''}`;
  return `${style.yellow('Retrying')} ${what} of stage ${outcome.stageName} in execution ${outcome.pipelineExecutionId} of pipeline ${outcome.pipelineName}\n` +
    confirmed(outcome.confirmedAfter);
}

export function describeStop(plan: StopPlan): string {
  const how = plan.abandon
    ? 'abandon its actions in progress (they may leave failed or out-of-sequence work behind)'
    : 'let its actions in progress finish and start no further action';
  return `Stop execution ${plan.pipelineExecutionId} of pipeline ${plan.pipelineName} (${plan.statusBefore}): ${how}.\n  Reason: ${plan.reason}\n`;
}

export function renderStop(outcome: StopOutcome, style: Style): string {
  return `${style.red(outcome.abandon ? 'Abandoning' : 'Stopping')} execution ${outcome.pipelineExecutionId} of pipeline ${outcome.pipelineName}: ${outcome.reason}\n` +
    confirmed(outcome.confirmedAfter);
}

export function describeOverride(plan: OverridePlan): string {
  return `Override the ${plan.conditionType} condition of stage ${plan.stageName} (${plan.conditionStatus}) for execution ${plan.pipelineExecutionId} ` +
    `of pipeline ${plan.pipelineName}: the execution goes on as if the condition had passed.\n  Reason: ${plan.reason}\n`;
}

export function renderOverride(outcome: OverrideOutcome, style: Style): string {
  return `${style.yellow('Overrode')} the ${outcome.conditionType} condition of stage ${outcome.stageName} for execution ${outcome.pipelineExecutionId} ` +
    `of pipeline ${outcome.pipelineName} (it was ${outcome.conditionStatus}): ${outcome.reason}\n${confirmed(outcome.confirmedAfter)}`;
}

/** `status`: the rollback target of each stage that rolls back on failure. */
export function renderRollbackTargets(targets: readonly RollbackTarget[], style: Style): string[] {
  if (targets.length === 0) {
    return [];
  }
  const lines = [style.bold('Automatic rollback (a failure now rolls the stage back to):')];
  for (const target of targets) {
    if (target.unknownBecause !== undefined) {
      lines.push(`  ${target.stageName}: ${style.yellow('unknown')}: ${target.unknownBecause}`);
    } else if (target.targetPipelineExecutionId) {
      lines.push(`  ${target.stageName}: execution ${target.targetPipelineExecutionId}${started(target.targetStartTime)}`);
    } else {
      lines.push(`  ${target.stageName}: ${style.red('no target')}: ${target.noTargetReason}; a failure fails the stage and restores nothing.`);
    }
  }
  return lines;
}
