import { ValidationError } from '../private/errors';
/**
 * Names of preview environments, shared by the constructs (synth time) and the `previews` command (runtime).
 * No aws-cdk-lib here: the CLI loads it.
 */

/** Default prefix of every preview stack name. */
export const DEFAULT_PREVIEW_PREFIX = 'preview';

/** The longest pull-request number names are checked for (2^31 - 1 has 10 digits). */
export const LONGEST_PULL_REQUEST_NUMBER = 2147483647;

/** CloudFormation's limit on stack names. */
export const MAX_STACK_NAME_LENGTH = 128;

/** Prefixes: a letter, then letters, digits or hyphens; short enough to leave room for the stack names. */
export const PREVIEW_PREFIX_PATTERN = /^[A-Za-z][A-Za-z0-9-]{0,19}$/;

/** Tag on every preview stack: the pull request it previews. */
export const PULL_REQUEST_TAG = 'cdk-delivery:pull-request';

/**
 * Context key (or environment variable `CDK_DELIVERY_PREVIEW_PULL_REQUEST`) that asks the app to synthesize the
 * preview of one pull request.
 */
export const PREVIEW_CONTEXT_KEY = 'cdk-delivery:preview-pull-request';
export const PREVIEW_ENV_VARIABLE = 'CDK_DELIVERY_PREVIEW_PULL_REQUEST';

/** Every preview stack name starts with this (the IAM resource pattern is `<this>*`). */
export function previewNamespace(prefix: string): string {
  return `${prefix}-pr`;
}

/** The `Stage` id (and stack name prefix) of the preview of one pull request: `<prefix>-pr<number>`. */
export function previewStageId(prefix: string, pullRequest: number): string {
  return `${previewNamespace(prefix)}${pullRequest}`;
}

/** A preview stack as the `previews` command sees it. */
export interface PreviewStackName {
  readonly pullRequest: number;
}

/** The pull request a stack name belongs to, or undefined when it is not a preview stack of `prefix`. */
export function parsePreviewStackName(prefix: string, stackName: string): PreviewStackName | undefined {
  const namespace = previewNamespace(prefix);
  if (!stackName.startsWith(namespace)) {
    return undefined;
  }
  const match = /^(\d+)-/.exec(stackName.slice(namespace.length));
  return match ? { pullRequest: Number(match[1]) } : undefined;
}

/** A pull-request number as given on the command line or in the build: a positive integer. */
export function parsePullRequestNumber(text: string, what: string): number {
  if (!/^[1-9]\d{0,9}$/.test(text.trim()) || Number(text) > LONGEST_PULL_REQUEST_NUMBER) {
    throw new ValidationError(`${what}: '${text}' is not a pull-request number. Pass the number shown on the pull request, e.g. 42.`);
  }
  return Number(text);
}

/** Name of the role in the preview account that deploys and deletes previews (`PreviewAccess`). */
export function previewDeployRoleName(prefix: string, region: string): string {
  return `cdk-delivery-previews-${prefix}-${region}`;
}

/** Name of the role in the pipeline account that the preview builds run with. */
export function previewBuildRoleName(prefix: string, region: string): string {
  return `cdk-delivery-pr-${prefix}-${region}`;
}
