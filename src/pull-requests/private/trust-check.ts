import { Stack } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';

/**
 * The trust boundary of pull-request checks and previews, checked on their own rendered output at synth: code from
 * a pull request (every check, and the preview deploy build) runs with a role that cannot assume a role in the
 * pipeline, staging or production accounts, and holds no secret.
 */

/** The invariants, named in every message. */
export const REACH_INVARIANT = 'pull-request code cannot reach the pipeline, staging or production accounts';
export const SECRETS_INVARIANT = 'pull-request code holds no secrets';

/** A CodeBuild project that runs code of a pull request, and what its role may assume. */
export interface UntrustedRunner {
  readonly project: codebuild.Project;
  /** The role the project must run with. */
  readonly role: iam.Role;
  /** The only role ARNs the role may assume (as rendered: `${AWS::Partition}` for the partition). */
  readonly mayAssume: string[];
}

const ASSUME_ACTIONS = ['sts:AssumeRole', 'sts:AssumeRoleWithWebIdentity', 'sts:AssumeRoleWithSAML'];
const SECRET_ACTIONS = [
  'secretsmanager:GetSecretValue', 'ssm:GetParameter', 'ssm:GetParameters', 'ssm:GetParametersByPath', 'kms:Decrypt',
];

type Json = any;

/** Every broken invariant of the runners, as messages naming the invariant (empty when the boundary holds). */
export function checkTrustBoundary(owner: string, runners: UntrustedRunner[]): string[] {
  const errors: string[] = [];
  const fail = (invariant: string, message: string) => errors.push(`${owner} self-check: '${invariant}' is broken: ${message}`);
  const seen = new Set<iam.Role>();
  for (const runner of runners) {
    checkProject(runner, fail);
    if (!seen.has(runner.role)) {
      seen.add(runner.role);
      checkRole(runner, fail);
    }
  }
  return errors;
}

/** Records a broken trust invariant: its name and what broke it. */
type BrokenInvariant = (invariant: string, message: string) => void;

function checkProject(runner: UntrustedRunner, fail: BrokenInvariant): void {
  const project = runner.project;
  const stack = Stack.of(project);
  const cfn = project.node.defaultChild as codebuild.CfnProject;
  const roleId = stack.getLogicalId(runner.role.node.defaultChild as iam.CfnRole);
  const serviceRole = stack.resolve(cfn.serviceRole);
  if (JSON.stringify(serviceRole) !== JSON.stringify({ 'Fn::GetAtt': [roleId, 'Arn'] })) {
    fail(REACH_INVARIANT, `the project '${project.node.path}' runs pull-request code with the role ${flatten(serviceRole)}, not with '${runner.role.node.path}' (whose permissions this check verifies).`);
  }
  const environment: Json = stack.resolve(cfn.environment) ?? {};
  for (const variable of asArray(environment.environmentVariables)) {
    if ((variable.type ?? 'PLAINTEXT') !== 'PLAINTEXT') {
      fail(SECRETS_INVARIANT, `the project '${project.node.path}' reads the ${variable.type} variable ${variable.name}.`);
    }
  }
  const source: Json = stack.resolve(cfn.source) ?? {};
  const buildSpec = typeof source.buildSpec === 'string' && source.buildSpec.trim().startsWith('{') ? JSON.parse(source.buildSpec) : {};
  for (const kind of ['secrets-manager', 'parameter-store']) {
    const names = Object.keys(buildSpec.env?.[kind] ?? {});
    if (names.length > 0) {
      fail(SECRETS_INVARIANT, `the buildspec of '${project.node.path}' reads ${names.join(', ')} from ${kind}.`);
    }
  }
}

function checkRole(runner: UntrustedRunner, fail: BrokenInvariant): void {
  const role = runner.role;
  const stack = Stack.of(role);
  const cfnRole = role.node.defaultChild as iam.CfnRole;
  const managed = asArray(stack.resolve(cfnRole.managedPolicyArns));
  if (managed.length > 0) {
    fail(REACH_INVARIANT, `the role '${role.node.path}' has the managed policies ${managed.map(flatten).join(', ')}; a role that runs pull-request code gets only the statements this check can read.`);
  }
  const statements: Json[] = asArray(stack.resolve(cfnRole.policies)).flatMap((p: Json) => asArray(p.policyDocument?.Statement));
  const ref = JSON.stringify({ Ref: stack.getLogicalId(cfnRole) });
  for (const construct of stack.node.findAll()) {
    const attached = attachedStatements(construct, stack, ref);
    statements.push(...attached);
  }
  for (const statement of statements.filter(s => s.Effect === 'Allow')) {
    const actions = asArray(statement.Action).map(String);
    if (statement.NotAction !== undefined || statement.NotResource !== undefined) {
      fail(REACH_INVARIANT, `the role '${role.node.path}' has an Allow statement with NotAction or NotResource (${JSON.stringify(statement)}), which grants more than it names.`);
      continue;
    }
    const assume = actions.filter(a => ASSUME_ACTIONS.some(target => matches(a, target)));
    if (assume.length > 0) {
      for (const resource of asArray(statement.Resource).map(flatten)) {
        if (!runner.mayAssume.includes(resource)) {
          const allowed = runner.mayAssume.length > 0 ? `only ${runner.mayAssume.join(', ')}` : 'no role';
          fail(REACH_INVARIANT, `the role '${role.node.path}' may ${assume.join(', ')} on '${resource}'; it runs pull-request code and may assume ${allowed}.`);
        }
      }
    }
    const secret = actions.filter(a => SECRET_ACTIONS.some(target => matches(a, target)));
    if (secret.length > 0) {
      fail(SECRETS_INVARIANT, `the role '${role.node.path}' may ${secret.join(', ')} on ${asArray(statement.Resource).map(flatten).join(', ')}; it runs pull-request code.`);
    }
  }
}

/** Statements of a policy construct attached to the role (`ref` is the role's `{ Ref }`, as JSON). */
function attachedStatements(construct: IConstruct, stack: Stack, ref: string): Json[] {
  let roles: Json[];
  let document: Json;
  if (construct instanceof iam.CfnPolicy) {
    roles = asArray(stack.resolve(construct.roles));
    document = construct.policyDocument;
  } else if (construct instanceof iam.CfnManagedPolicy) {
    roles = asArray(stack.resolve(construct.roles));
    document = construct.policyDocument;
  } else {
    return [];
  }
  if (!roles.some(r => JSON.stringify(r) === ref)) {
    return [];
  }
  return asArray(stack.resolve(document)?.Statement);
}

/** Whether an IAM action pattern (`*` and `?` wildcards, case-insensitive) matches the action. */
function matches(pattern: string, action: string): boolean {
  const regex = pattern.split('').map(c => c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')).join('');
  return new RegExp(`^${regex}$`, 'i').test(action);
}

function asArray(value: unknown): Json[] {
  return value === undefined || value === null ? [] : Array.isArray(value) ? value : [value];
}

/** A resolved value as text: `Fn::Join` joined, `Ref` and `Fn::GetAtt` as `${…}`. */
export function flatten(value: unknown): string {
  if (typeof value === 'string') {
    return value;
  }
  const v = value as Json;
  if (v?.['Fn::Join']) {
    return v['Fn::Join'][1].map(flatten).join(v['Fn::Join'][0]);
  }
  if (v?.Ref) {
    return `\${${v.Ref}}`;
  }
  if (v?.['Fn::GetAtt']) {
    return `\${${v['Fn::GetAtt'].join('.')}}`;
  }
  return JSON.stringify(v);
}
