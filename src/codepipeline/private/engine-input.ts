import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import { validateSecurityCheck } from './security-steps';
import { describe, isObject, list, optionalInterface, validateInput, validatePipelineName } from '../../blueprint/validate';
import { ValidationError } from '../../private/errors';
import type { DeliveryPipelineProps } from '../delivery-pipeline';

/**
 * The shape of a `DeliveryPipeline`'s properties, checked before anything reads them: callers in other languages
 * (and plain JavaScript) can pass null or values of other types. The blueprint checks the engine-neutral part
 * (`validateInput`); this file adds the CodePipeline engine's own settings (CodeBuild compute, VPC, CDK Pipelines
 * steps, the permission-broadening approval).
 */
export function validateEngineInput(props: DeliveryPipelineProps): void {
  validateInput(props, {
    requireManualApproval: 'true for continuous delivery, false for continuous deployment',
    useChangeSets: 'false deploys each stack with one action',
    crossAccountKeys: 'true encrypts the artifacts with a customer-managed KMS key',
  }, {
    synth: (synth, property) => computeType(synth, property),
    test: (test, property) => computeType(test, property),
    migration: migration,
  });
  validatePipelineName(props.pipelineName);
  steps(props.testSteps, 'testSteps');
  for (const [property, env] of environments(props)) {
    steps(env?.verifySteps, `${property}.verifySteps`);
  }
  // Not a list: the type check (checkArguments) names it.
  (Array.isArray(props.securityChecks) ? props.securityChecks : []).forEach((c, i) => validateSecurityCheck(c, `securityChecks[${i}]`));
  const approval = props.approval;
  if (approval?.autoApproveUnlessPermissionsBroaden) {
    const unsupported = (['comment', 'reviewUrl', 'notifyEmails', 'timeout'] as const).filter(k => approval[k] !== undefined);
    if (unsupported.length > 0) {
      throw new ValidationError(`approval: ${unsupported.join(', ')} cannot be combined with autoApproveUnlessPermissionsBroaden, whose approval is created by CDK Pipelines' ConfirmPermissionsBroadening (it supports only notificationTopic). Remove ${unsupported.join(', ')} or the automatic approval.`);
    }
  }
}

function computeType(step: object, property: string): void {
  const value = (step as { readonly computeType?: unknown }).computeType;
  if (value !== undefined && value !== null && !(Object.values(codebuild.ComputeType) as unknown[]).includes(value)) {
    throw new ValidationError(`${property}.computeType: ${describe(value)} is not a CodeBuild compute type. Pass a codebuild.ComputeType, e.g. codebuild.ComputeType.MEDIUM.`);
  }
}

function migration(step: object, property: string): void {
  const m = step as { readonly vpc?: unknown; readonly subnetSelection?: unknown; readonly securityGroups?: unknown[] };
  optionalInterface(m.vpc, 'vpcId', 'an ec2.IVpc', `${property}.vpc`, "the VPC to run in, e.g. ec2.Vpc.fromLookup(this, 'Vpc', { vpcId })");
  list(m.securityGroups, `${property}.securityGroups`, 'security groups, e.g. [databaseClients]', (g, q) =>
    optionalInterface(g, 'securityGroupId', 'an ec2.ISecurityGroup', q, 'a security group, e.g. ec2.SecurityGroup.fromSecurityGroupId(this, \'Db\', id)'));
  if (m.subnetSelection && !m.vpc) {
    throw new ValidationError(`${property}.subnetSelection: subnets are set but 'vpc' is not. Pass the VPC the subnets belong to.`);
  }
  if (m.securityGroups && !m.vpc) {
    throw new ValidationError(`${property}.securityGroups: security groups are set but 'vpc' is not. Pass the VPC to run the migration in.`);
  }
}

/** Your own CDK Pipelines steps: each a `pipelines.Step`. */
function steps(value: unknown, property: string): void {
  list(value as unknown[] | undefined, property, "CDK Pipelines steps, e.g. [new pipelines.ShellStep('Lint', { commands: ['npm run lint'] })]", (step, p) => {
    // By a member every Step has, not instanceof: a second copy of aws-cdk-lib (or jsii) hands over other instances.
    if (!isObject(step) || !Array.isArray((step as { readonly consumedStackOutputs?: unknown }).consumedStackOutputs)) {
      throw new ValidationError(`${p}: ${describe(step)} is not a CDK Pipelines Step. Pass a pipelines.ShellStep, CodeBuildStep, ManualApprovalStep or a Step that implements ICodePipelineActionFactory.`);
    }
  });
}

/** Every environment's options with its property path (staging, production, each wave). */
function environments(props: DeliveryPipelineProps): Array<[string, { readonly verifySteps?: unknown } | undefined]> {
  const production = isObject(props.production) ? props.production : undefined;
  return [
    ['staging', isObject(props.staging) ? props.staging : undefined],
    ['production', production],
    ...(Array.isArray(production?.waves) ? production.waves : []).map((w, i): [string, { readonly verifySteps?: unknown } | undefined] =>
      [`production.waves[${i}]`, isObject(w) ? w : undefined]),
  ];
}
