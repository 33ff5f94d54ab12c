/**
 * The contract between the change-set review construct (synth time) and its bundled handler (run time): the
 * classes, outcomes and the configuration the construct writes into the function's environment. Dependency-free,
 * so the handler bundle does not pull in aws-cdk-lib. The public enums `ChangeClass` and `ReviewOutcome` have the
 * same values (test/review/policy.test.ts checks it).
 */

export type Outcome = 'CONTINUE' | 'HOLD' | 'FAIL';
/** The classes found in the change sets: the policy always names an outcome for each. */
export type ChangeSetClass = 'STATEFUL_REPLACEMENT' | 'SECURITY_BROADENING' | 'STACK_REMOVAL';
/** Every class; `LARGE_RELEASE` is configured apart (`ReleaseSizeLimit`), only when a limit is set. */
export type Class = ChangeSetClass | 'LARGE_RELEASE';

export const OUTCOMES: readonly Outcome[] = ['CONTINUE', 'HOLD', 'FAIL'];
export const CHANGE_SET_CLASSES: readonly ChangeSetClass[] = ['STATEFUL_REPLACEMENT', 'SECURITY_BROADENING', 'STACK_REMOVAL'];
export const CLASSES: readonly Class[] = [...CHANGE_SET_CLASSES, 'LARGE_RELEASE'];

/** The outcome per class of change-set finding. */
export type Policy = { readonly [C in ChangeSetClass]: Outcome };

/** The release-size hold: written only when the policy sets `maxReleaseRevisions`. */
export interface ReleaseSizeLimit {
  /** Hold (as `outcome` says) when more new source revisions than this reached the pipeline since the last release. */
  readonly maxRevisions: number;
  /** The policy's `largeRelease`. */
  readonly outcome: Outcome;
}

/** One stack the review reads: its change set and where it lives. */
export interface ReviewTarget {
  /** The stack's name in CloudFormation. */
  readonly stackName: string;
  /** The change set the prepare action creates (CDK Pipelines: `PipelineChange`). */
  readonly changeSetName: string;
  readonly account: string;
  readonly region: string;
  /** The role the function assumes to read the stack (CDK bootstrap's lookup role of that account and region). */
  readonly roleArn: string;
}

/** What the handler needs, as the construct writes it. */
export interface ReviewConfig {
  /** How the summary names the environment (e.g. `Production`). */
  readonly environmentName: string;
  /** The pipeline stage that holds the review approval. */
  readonly stageName: string;
  /** The review approval action. */
  readonly approvalActionName: string;
  readonly targets: readonly ReviewTarget[];
  /**
   * Stack name prefixes the environment owns (e.g. `Prod-` for the stacks of a CDK Stage named `Prod`): a stack with
   * such a name, in a target account and region, that is not a target any more was removed from the app.
   * Empty: removed stacks are not looked for.
   */
  readonly stackNamePrefixes: readonly string[];
  readonly policy: Policy;
  /** The release-size limit; none: the release size is not checked (and the execution history is not read). */
  readonly releaseSize?: ReleaseSizeLimit;
  /** Topic told about a HOLD (the summary); none: the summary is only in the logs. */
  readonly topicArn?: string;
}

/** The environment variable that holds the configuration (JSON). */
export const CONFIG_VARIABLE = 'REVIEW_CONFIG';

/** Targets that share an account, a region, a role and a change set name: written once, with their stack names. */
export interface TargetGroup {
  readonly account: string;
  readonly region: string;
  readonly roleArn: string;
  readonly changeSetName: string;
  readonly stackNames: readonly string[];
}

/** The configuration as the environment holds it (4 KB for all variables): targets grouped. */
export interface EncodedConfig extends Omit<ReviewConfig, 'targets'> {
  readonly groups: readonly TargetGroup[];
}

/** Groups the targets (in their order) so that a stage of 24 stacks fits in a Lambda environment. */
export function encodeConfig(config: ReviewConfig): EncodedConfig {
  const groups: { account: string; region: string; roleArn: string; changeSetName: string; stackNames: string[] }[] = [];
  for (const t of config.targets) {
    const group = groups.find(g => g.account === t.account && g.region === t.region
      && g.roleArn === t.roleArn && g.changeSetName === t.changeSetName);
    if (group) {
      group.stackNames.push(t.stackName);
    } else {
      groups.push({ account: t.account, region: t.region, roleArn: t.roleArn, changeSetName: t.changeSetName, stackNames: [t.stackName] });
    }
  }
  const { targets: _targets, ...rest } = config;
  return { ...rest, groups };
}

/** The targets of an encoded configuration, in their order. */
export function decodeTargets(groups: readonly TargetGroup[]): ReviewTarget[] {
  return groups.flatMap(g => (Array.isArray(g.stackNames) ? g.stackNames : []).map(stackName => ({
    stackName, changeSetName: g.changeSetName, account: g.account, region: g.region, roleArn: g.roleArn,
  })));
}
