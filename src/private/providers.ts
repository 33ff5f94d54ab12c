/**
 * The CodePipeline vocabulary the library writes and reads: action categories, action providers and rule
 * providers, each as CodePipeline spells it in `ActionTypeId` / `RuleTypeId`. Dependency-free (the CLI's diagram
 * and the approval guard's handler read it too); no other module spells one of these strings.
 */

/** `ActionTypeId.Category` of an action. */
export enum ActionCategory {
  SOURCE = 'Source',
  BUILD = 'Build',
  TEST = 'Test',
  DEPLOY = 'Deploy',
  APPROVAL = 'Approval',
  INVOKE = 'Invoke',
  COMPUTE = 'Compute',
}

/** `ActionTypeId.Provider` of the actions the library reads. */
export enum ActionProvider {
  /** A GitHub, GitLab or Bitbucket repository through a CodeConnections connection. */
  CODESTAR_SOURCE_CONNECTION = 'CodeStarSourceConnection',
  CODEBUILD = 'CodeBuild',
  CLOUDFORMATION = 'CloudFormation',
  /** A manual approval. */
  MANUAL = 'Manual',
}

/** `RuleTypeId.Provider` of the stage condition rules the library renders. */
export enum RuleProvider {
  DEPLOYMENT_WINDOW = 'DeploymentWindow',
  CLOUDWATCH_ALARM = 'CloudWatchAlarm',
  LAMBDA_INVOKE = 'LambdaInvoke',
  VARIABLE_CHECK = 'VariableCheck',
  COMMANDS = 'Commands',
}

/** `ActionMode` of a CloudFormation action. */
export enum CloudFormationActionMode {
  /** Deploy the stack directly. */
  CREATE_UPDATE = 'CREATE_UPDATE',
  /** Prepare a change set. */
  CHANGE_SET_REPLACE = 'CHANGE_SET_REPLACE',
  /** Execute a prepared change set. */
  CHANGE_SET_EXECUTE = 'CHANGE_SET_EXECUTE',
}

/** What a stage does when a condition's rules fail (`Result`), or when the stage fails (`onFailure.Result`). */
export enum ConditionResult {
  FAIL = 'FAIL',
  ROLLBACK = 'ROLLBACK',
  RETRY = 'RETRY',
  SKIP = 'SKIP',
}
