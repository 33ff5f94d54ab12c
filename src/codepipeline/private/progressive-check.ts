import { Annotations, CfnResource, Lazy, Stage, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { IConstruct } from 'constructs';
import { CodePipelineSteps } from './cdk-pipelines/engine';
import { DeploymentWindow } from '../../blueprint/deployment-window';
import { ReleaseModel, ResolvedEnvironment } from '../../blueprint/release-model';
import { PROGRESSIVE_METADATA_KEY, ProgressiveRecord, RecordedDeployment } from '../../private/progressive-record';
import { ProgressiveDeployment, ProgressiveDeploymentSummary } from '../../progressive/progressive-deployment';

/**
 * What the pipeline knows about the progressive deployments inside the Stages it deploys (issue 21, item 3): the
 * record its readers show (`PipelineShape`, the diagram), the warnings when an environment's bake or deployment
 * window cannot cover the shift, and the self-check that a shift is stopped only by alarms of the environment's bake.
 * The helpers are read with `ProgressiveDeployment.summariesOf(stage)`.
 */

/** Warning ids a user can acknowledge (`Annotations.of(scope).acknowledgeWarning(id)`). */
export const PROGRESSIVE_WITHOUT_BAKE_WARNING = 'cdk-delivery-pipelines:progressiveWithoutBake';
export const BAKE_SHORTER_THAN_SHIFT_STEP_WARNING = 'cdk-delivery-pipelines:bakeShorterThanShiftStep';
export const WINDOW_SHORTER_THAN_DEPLOYMENT_WARNING = 'cdk-delivery-pipelines:deploymentLongerThanWindow';

/** A progressive deployment of one of an environment's Stages. */
interface StageDeploymentSummary {
  readonly stage: Stage;
  readonly summary: ProgressiveDeploymentSummary;
}

type Environment = ResolvedEnvironment<CodePipelineSteps>;

function summariesOf(targets: readonly Stage[]): StageDeploymentSummary[] {
  return targets.flatMap(stage => ProgressiveDeployment.summariesOf(stage).map(summary => ({ stage, summary })));
}

/**
 * Minutes an environment's deployment takes at least beyond its in-place updates: the longest progressive deployment
 * of its Stages (they deploy in parallel; a Stage's helpers are counted as parallel too, the least they can take),
 * then the bake.
 */
export function expectedMinutes(environment: Environment): number {
  const shift = Math.max(0, ...summariesOf(environment.targets).map(s => s.summary.totalMinutes));
  return shift + (environment.bake ? environment.bake.duration.toMinutes() : 0);
}

/**
 * Writes the record into the pipeline resource's `Metadata`: for each deployment stage (each part of a split
 * environment), the progressive deployments of the Stages it deploys. Read at synthesis, so a helper added to a Stage
 * after the pipeline was constructed is recorded too. Nothing is written when no stage runs one.
 */
export function recordProgressive(cfnPipeline: CfnResource, model: ReleaseModel<CodePipelineSteps>): void {
  const stages = model.stages.flatMap(s => s.deployment ? [{ name: s.planned.name, targets: s.deployment.targets }] : []);
  // Resolved to undefined (the key is left out) when no stage runs a progressive deployment.
  cfnPipeline.addMetadata(PROGRESSIVE_METADATA_KEY, Lazy.any({ produce: () => recordOf(stages) }));
}

function recordOf(stages: ReadonlyArray<{ readonly name: string; readonly targets: Stage[] }>): ProgressiveRecord | undefined {
  const record: { [stageName: string]: RecordedDeployment[] } = {};
  for (const stage of stages) {
    const deployments = summariesOf(stage.targets).map(({ summary }): RecordedDeployment => ({
      path: summary.path,
      target: summary.target,
      description: summary.description,
      totalMinutes: summary.totalMinutes,
      alarmNames: [...summary.alarmNames],
    }));
    if (deployments.length > 0) {
      record[stage.name] = deployments;
    }
  }
  return Object.keys(record).length > 0 ? record : undefined;
}

/**
 * Warnings (not errors: the user may have reasons) when an environment cannot cover its progressive deployment:
 * no bake after it, a bake shorter than one step of the shift, or a deployment window shorter than the deployment.
 */
export function warnProgressive(scope: IConstruct, model: ReleaseModel<CodePipelineSteps>): void {
  for (const environment of model.environments) {
    const deployments = summariesOf(environment.targets);
    if (deployments.length === 0) {
      continue;
    }
    const first = deployments[0];
    const named = (d: StageDeploymentSummary) => `'${d.summary.path}' (${d.summary.description})`;
    if (!environment.bake) {
      Annotations.of(scope).addWarningV2(PROGRESSIVE_WITHOUT_BAKE_WARNING, `${environment.property}: the Stage '${first.stage.node.path}' shifts traffic progressively `
        + `(${named(first)}), but the environment has no bake: once all traffic runs on the new version, no alarm rolls the environment back. `
        + `Add ${environment.property}.bake with the alarms that stop the shift (declare them once with ReleaseAlarm; the bake takes alarm.alarmIn(bakeStack)).`);
    } else {
      const bakeMinutes = environment.bake.duration.toMinutes();
      const longestStep = deployments.reduce((a, b) => b.summary.intervalMinutes > a.summary.intervalMinutes ? b : a);
      if (bakeMinutes < longestStep.summary.intervalMinutes) {
        Annotations.of(scope).addWarningV2(BAKE_SHORTER_THAN_SHIFT_STEP_WARNING, `${environment.property}.bake.duration: ${bakeMinutes} min watches all of the traffic for less time `
          + `than the shift watches one step of it (${named(longestStep)}: ${longestStep.summary.intervalMinutes} min per step). `
          + `Bake for at least ${longestStep.summary.intervalMinutes} minutes, so the whole environment is judged as long as its first share.`);
      }
    }
    const window = environment.deploymentWindow;
    const open = window && windowOpenMinutes(window);
    const expected = expectedMinutes(environment);
    if (window && open !== undefined && expected > open) {
      const longest = deployments.reduce((a, b) => b.summary.totalMinutes > a.summary.totalMinutes ? b : a);
      const bake = environment.bake ? ` + ${environment.bake.duration.toMinutes()} min of bake` : '';
      Annotations.of(scope).addWarningV2(WINDOW_SHORTER_THAN_DEPLOYMENT_WARNING, `${environment.property}.deploymentWindow: the window '${window.expression}' (${window.timeZone}) `
        + `is open ${open} min at a stretch, but the environment's deployment takes at least ${expected} min (${longest.summary.totalMinutes} min of progressive deployment `
        + `${named(longest)}${bake}): CodePipeline checks the window only when a release enters the stage, so even a release that enters at the opening finishes after the window closed. `
        + `Widen the window to at least ${expected} minutes, or shorten the shift or the bake.`);
    }
  }
}

/**
 * Minutes a deployment window is open at a stretch, when its cron expression says so plainly: every minute of the
 * hours `a` or `a-b` (`* * 9-16 ? * MON-FRI`: 480). `undefined` when the expression is anything else (lists, steps,
 * minute ranges, all day): no warning is given then.
 */
export function windowOpenMinutes(window: DeploymentWindow): number | undefined {
  const [, minutes, hours] = window.expression.split(' ');
  if (minutes !== '*' && minutes !== '0-59') {
    return undefined;
  }
  const range = /^(\d{1,2})(?:-(\d{1,2}))?$/.exec(hours ?? '');
  if (!range) {
    return undefined;
  }
  const start = Number(range[1]);
  const end = range[2] === undefined ? start : Number(range[2]);
  if (end < start || (start === 0 && end === 23)) {
    return undefined;
  }
  return (end - start + 1) * 60;
}

/**
 * The self-check: every alarm that stops a progressive deployment must be an alarm of its environment's bake (by
 * name: the two layers read copies of one `ReleaseAlarm` in different accounts). A bake may watch more alarms than a
 * shift (a wave over regions bakes on every region's alarm; each Stage's shift on its own). Not compared: an
 * environment without a bake (warned above) and a bake alarm whose name is not known at synthesis.
 */
export function checkProgressive(model: ReleaseModel<CodePipelineSteps>): string[] {
  const problems: string[] = [];
  for (const environment of model.environments) {
    if (!environment.bake) {
      continue;
    }
    const bakeNames = environment.bake.alarms.map(literalAlarmName);
    if (bakeNames.some(name => name === undefined)) {
      continue;
    }
    for (const { stage, summary } of summariesOf(environment.targets)) {
      const foreign = summary.alarmNames.filter(name => !bakeNames.includes(name));
      if (foreign.length > 0) {
        problems.push(`${environment.property}: the progressive deployment '${summary.path}' in the Stage '${stage.node.path}' is stopped by the alarm(s) `
          + `${foreign.map(n => `'${n}'`).join(', ')} that ${environment.property}.bake does not watch (it watches ${bakeNames.map(n => `'${n}'`).join(', ')}). `
          + "One set of alarms serves both layers: declare each alarm once with ReleaseAlarm and pass it to the helper's 'alarms' and, "
          + `with alarm.alarmIn(bakeStack), to ${environment.property}.bake.alarms.`);
      }
    }
  }
  return problems;
}

/** The name of an alarm as given at synthesis: its own literal name, or the one its CloudFormation resource was given. */
function literalAlarmName(alarm: cloudwatch.IAlarm): string | undefined {
  if (!Token.isUnresolved(alarm.alarmName)) {
    return alarm.alarmName;
  }
  const cfn = alarm.node.defaultChild;
  if (cfn instanceof cloudwatch.CfnAlarm && typeof cfn.alarmName === 'string' && !Token.isUnresolved(cfn.alarmName)) {
    return cfn.alarmName;
  }
  return undefined;
}
