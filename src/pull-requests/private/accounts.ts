import { Aws, Stack, Stage, Token } from 'aws-cdk-lib';
import { stacksOf } from '../../blueprint/validate';
import { ValidationError } from '../../private/errors';
import { REGION_PATTERN } from '../../private/shell';

/**
 * Accounts and regions of previews, compared as the 12-digit strings AWS uses whatever type the caller passed
 * (a JavaScript caller may pass the number 333333333333, which a comparison with a set of strings would miss).
 */

/** CDK's bootstrap template: `Qualifier` `AllowedPattern` (it names the bootstrap's roles, bucket and repository). */
export const BOOTSTRAP_QUALIFIER_PATTERN = /^[A-Za-z0-9_-]{1,10}$/;

const ACCOUNT_PATTERN = /^\d{12}$/;

/** `value` as a 12-digit account id string (a number gets its leading zeros back); undefined if it is not one. */
export function normalizeAccount(value: unknown): string | undefined {
  if (typeof value === 'number') {
    return Number.isSafeInteger(value) && value >= 0 && value <= 999_999_999_999 ? String(value).padStart(12, '0') : undefined;
  }
  return typeof value === 'string' && ACCOUNT_PATTERN.test(value) ? value : undefined;
}

/** `value` as an account id, or an error naming the property, the value and the fix. */
export function requireAccount(value: unknown, property: string, example: string): string {
  if (typeof value === 'string' && Token.isUnresolved(value)) {
    throw new ValidationError(`${property}: the account is a token. Pass the literal 12-digit account id (it is compared with the pipeline, staging and production accounts at synth), e.g. '${example}'.`);
  }
  const account = normalizeAccount(value);
  if (account === undefined) {
    throw new ValidationError(`${property}: ${describe(value)} is not an AWS account id. Pass the 12-digit id as a string, e.g. '${example}'.`);
  }
  return account;
}

/** `value` as a literal region name, or an error naming the property, the value and the fix. */
export function requireRegion(value: unknown, property: string): string {
  if (typeof value !== 'string' || Token.isUnresolved(value) || !REGION_PATTERN.test(value)) {
    throw new ValidationError(`${property}: ${describe(value)} is not an AWS region name. Pass the literal region, e.g. 'us-east-1' (no wildcard, no token).`);
  }
  return value;
}

/** `value` (or CDK's default) as a bootstrap qualifier, or an error naming the property, the value and the fix. */
export function requireQualifier(value: unknown, property: string, fallback: string): string {
  const qualifier = value ?? fallback;
  if (typeof qualifier !== 'string' || Token.isUnresolved(qualifier) || !BOOTSTRAP_QUALIFIER_PATTERN.test(qualifier)) {
    throw new ValidationError(`${property}: ${describe(qualifier)} is not a CDK bootstrap qualifier. Pass the qualifier the account was bootstrapped with (cdk bootstrap --qualifier): 1 to 10 letters, digits, '_' or '-', e.g. '${fallback}'.`);
  }
  return qualifier;
}

function describe(value: unknown): string {
  if (typeof value === 'string') {
    return `'${value}'`;
  }
  if (value === undefined || value === null) {
    return String(value);
  }
  return `${JSON.stringify(value) ?? String(value)} (a ${Array.isArray(value) ? 'list' : typeof value})`;
}

/** An account the preview account must not be, and why. */
export interface ProtectedAccount {
  readonly account: string;
  readonly what: string;
}

/**
 * The accounts previews must stay out of: the pipeline's (which every target account's bootstrap trusts) and
 * every account staging and production deploy into. An env-agnostic stack deploys into the pipeline's account (CDK
 * Pipelines resolves its roles in the pipeline stack), so it is protected with the pipeline's account; an account
 * that is neither literal nor env-agnostic cannot be proven different and is an error.
 */
export function protectedAccounts(pipelineStack: Stack, staging: Stage, production: Stage[]): ProtectedAccount[] {
  const pipelineAccount = normalizeAccount(pipelineStack.account);
  if (pipelineAccount === undefined) {
    throw new ValidationError(`previews: the pipeline stack '${pipelineStack.node.path}' has no explicit account, so the preview account cannot be proven different from it (every target account's bootstrap trusts the pipeline's account). Give the pipeline stack an explicit env, e.g. new Stack(app, 'Pipeline', { env: { account: '111111111111', region: 'us-east-1' } }).`);
  }
  const found: ProtectedAccount[] = [];
  const roles: Array<[Stage, string]> = [[staging, 'staging'], ...production.map((p): [Stage, string] => [p, 'production'])];
  for (const [stage, role] of roles) {
    for (const stack of stacksOf(stage)) {
      const account = normalizeAccount(stack.account);
      if (account !== undefined) {
        found.push({ account, what: `the account of the ${role} Stage '${stage.node.path}'` });
      } else if (stack.account === Aws.ACCOUNT_ID) {
        found.push({ account: pipelineAccount, what: `the account the env-agnostic ${role} stack '${stack.node.path}' deploys into (the pipeline's account)` });
      } else {
        throw new ValidationError(`previews: the ${role} stack '${stack.node.path}' has an account that is not a literal (${String(stack.account)}), so the preview account cannot be proven different from it. Give the ${role} Stage an explicit env with a literal account.`);
      }
    }
  }
  found.push({ account: pipelineAccount, what: `the pipeline's account (stack '${pipelineStack.node.path}'), which every target account's bootstrap trusts` });
  return found;
}
