import { Arn, ArnFormat, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import { DeploymentWindow } from '../../blueprint/deployment-window';
import { BakeFailureAction, BakeOptions } from '../../blueprint/environment';

/**
 * CodePipeline V2 stage conditions for an environment, as camelCase L1 stage properties: a deployment window
 * (`beforeEntry`, DeploymentWindow rule), an alarm-gated bake (`onSuccess`, CloudWatchAlarm rules) and what to
 * do on failure (`onFailure`: ROLLBACK, FAIL or RETRY). Conditions are not actions: they add no hop.
 */
export interface EnvironmentConditions {
  /** Public stage name; rule names are derived from it (they must be unique in the pipeline). */
  readonly stageName: string;
  /** Property path for messages, e.g. `production.waves[1]`. */
  readonly property: string;
  readonly deploymentWindow?: DeploymentWindow;
  readonly bake?: BakeOptions;
}

const ruleType = (provider: string) => ({ category: 'Rule', owner: 'AWS', provider, version: '1' });

export function renderStageConditions(pipeline: codepipeline.Pipeline, env: EnvironmentConditions): Record<string, unknown> {
  const props: Record<string, unknown> = {};
  if (env.deploymentWindow) {
    props.beforeEntry = {
      conditions: [{
        result: 'FAIL',
        rules: [{
          name: `${env.stageName}-DeploymentWindow`,
          ruleTypeId: ruleType('DeploymentWindow'),
          configuration: { Cron: env.deploymentWindow.expression, TimeZone: env.deploymentWindow.timeZone },
        }],
      }],
    };
  }
  if (env.bake) {
    const pipelineStack = Stack.of(pipeline);
    const minutes = bakeMinutes(env.bake, env.property);
    if (env.bake.alarms.length === 0) {
      throw new Error(`${env.property}.bake.alarms: the list is empty. Pass the CloudWatch alarms that must stay out of ALARM during the bake, or remove 'bake'.`);
    }
    const rules = env.bake.alarms.map((alarm, i) => {
      const where = alarmEnvironment(alarm);
      checkAlarmAccount(pipelineStack, where.account, alarm.node.path, `${env.property}.bake.alarms[${i}]`);
      const otherRegion = !Token.isUnresolved(where.region) && where.region !== pipelineStack.region;
      return {
        name: `${env.stageName}-Alarm${i + 1}`,
        ruleTypeId: ruleType('CloudWatchAlarm'),
        configuration: { AlarmName: alarm.alarmName, AlarmStates: 'ALARM', WaitTime: String(minutes) },
        ...(otherRegion ? { region: where.region } : {}),
      };
    });
    // Rules run with the pipeline's role.
    pipeline.role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['cloudwatch:DescribeAlarms'],
      resources: env.bake.alarms.map(a => a.alarmArn),
    }));
    props.onSuccess = { conditions: [{ result: 'FAIL', rules }] };
    // onFailure accepts only ROLLBACK and RETRY; failing is what a stage does without one.
    const onFailure = env.bake.onFailure ?? BakeFailureAction.ROLLBACK;
    if (onFailure === BakeFailureAction.ROLLBACK) {
      props.onFailure = { result: 'ROLLBACK' };
    } else if (onFailure === BakeFailureAction.RETRY) {
      props.onFailure = { result: 'RETRY', retryConfiguration: { retryMode: 'FAILED_ACTIONS' } };
    }
  }
  return props;
}

function bakeMinutes(bake: BakeOptions, property: string): number {
  const seconds = bake.duration.toSeconds();
  if (seconds < 60 || seconds % 60 !== 0) {
    throw new Error(`${property}.bake.duration: ${bake.duration.toHumanString()} is not a whole number of minutes of at least 1. CodePipeline's CloudWatchAlarm rule waits in minutes: use e.g. Duration.minutes(30).`);
  }
  return seconds / 60;
}

/** Account and region of an alarm: from its ARN when known (imported alarms), else from its stack. */
function alarmEnvironment(alarm: cloudwatch.IAlarm): { account: string; region: string } {
  if (!Token.isUnresolved(alarm.alarmArn)) {
    const arn = Arn.split(alarm.alarmArn, ArnFormat.COLON_RESOURCE_NAME);
    return { account: arn.account ?? '', region: arn.region ?? '' };
  }
  const stack = Stack.of(alarm);
  return { account: stack.account, region: stack.region };
}

function checkAlarmAccount(pipelineStack: Stack, account: string, path: string, property: string): void {
  if (!Token.isUnresolved(account) && !Token.isUnresolved(pipelineStack.account) && account !== pipelineStack.account) {
    throw new Error(`${property}: the alarm '${path}' is in account ${account}, but the CloudWatchAlarm rule runs with the pipeline's role in account ${pipelineStack.account} and cannot read alarms in other accounts. Create the alarm in ${pipelineStack.account} (CloudWatch cross-account observability lets it watch the application account's metrics).`);
  }
}
