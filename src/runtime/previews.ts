import { CloudFormationClient, DeleteStackCommand, ListStacksCommand, StackStatus, StackSummary } from '@aws-sdk/client-cloudformation';
import { DeliveryError, DeliveryErrorCode } from './errors';
import { DEFAULT_PREVIEW_PREFIX, parsePreviewStackName, PREVIEW_PREFIX_PATTERN, previewNamespace } from '../pull-requests/naming';

/**
 * The preview environments of pull requests, read from (and deleted in) CloudFormation: every stack named
 * `<prefix>-pr<number>-…` that is not deleted.
 */

/** One stack of a preview. */
export interface PreviewStack {
  readonly stackName: string;
  readonly status: string;
  /** When the stack was last created or updated. */
  readonly lastDeployed: string;
}

/** The preview of one pull request. */
export interface PreviewSummary {
  readonly pullRequest: number;
  readonly stacks: PreviewStack[];
  /** The most recent deployment of any of its stacks (the sweep's clock). */
  readonly lastDeployed: string;
  /** Seconds since `lastDeployed`. */
  readonly ageSeconds: number;
}

export interface PreviewListing {
  readonly prefix: string;
  readonly previews: PreviewSummary[];
}

export interface DestroyOutcome {
  readonly pullRequest: number;
  /** Stacks whose deletion was started. */
  readonly deleting: string[];
}

/** Every stack status except DELETE_COMPLETE (deleted stacks stay listed for 90 days). */
const LIVE_STATUSES = Object.values(StackStatus).filter(s => s !== StackStatus.DELETE_COMPLETE);

const ACCESS_ERRORS = new Set(['AccessDenied', 'AccessDeniedException', 'ExpiredToken', 'InvalidClientTokenId', 'SignatureDoesNotMatch', 'CredentialsProviderError']);
const TIMEOUT_ERRORS = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);

export function validatePreviewPrefix(prefix: string): void {
  if (!PREVIEW_PREFIX_PATTERN.test(prefix)) {
    throw new DeliveryError(DeliveryErrorCode.INVALID_INPUT,
      `--prefix '${prefix}' is not a preview prefix: a letter then up to 19 letters, digits or hyphens, as in the pipeline's previews.stackPrefix (default '${DEFAULT_PREVIEW_PREFIX}').`);
  }
}

async function callCloudFormation<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const e = error as Error & { $metadata?: { attempts?: number } };
    const name = e?.name ?? 'Error';
    const detail = e?.message ? `: ${e.message}` : '';
    if (ACCESS_ERRORS.has(name)) {
      throw new DeliveryError(DeliveryErrorCode.ACCESS_DENIED,
        `Access denied for CloudFormation ${operation} (${name})${detail}. Check your credentials (--profile, AWS_PROFILE) and that their policy allows cloudformation:${operation}.`, { cause: error });
    }
    if (TIMEOUT_ERRORS.has(name)) {
      throw new DeliveryError(DeliveryErrorCode.TIMEOUT,
        `CloudFormation did not answer ${operation} in time${detail}. Check the network or raise --request-timeout.`, { cause: error });
    }
    if (e?.message === 'Region is missing') {
      throw new DeliveryError(DeliveryErrorCode.INVALID_INPUT,
        `No AWS region for CloudFormation ${operation}: pass --region (the previews' region), set AWS_REGION, or set a region in the profile.`, { cause: error });
    }
    const attempts = e?.$metadata?.attempts && e.$metadata.attempts > 1 ? ` (after ${e.$metadata.attempts} attempts)` : '';
    throw new DeliveryError(DeliveryErrorCode.FAILED, `CloudFormation ${operation} failed (${name})${attempts}${detail}`, { cause: error });
  }
}

async function liveStacks(client: CloudFormationClient, prefix: string): Promise<StackSummary[]> {
  const namespace = previewNamespace(prefix);
  const stacks: StackSummary[] = [];
  let nextToken: string | undefined;
  do {
    const page = await callCloudFormation('ListStacks', () => client.send(new ListStacksCommand({ NextToken: nextToken, StackStatusFilter: LIVE_STATUSES })));
    stacks.push(...(page.StackSummaries ?? []).filter(s => s.StackName?.startsWith(namespace) && s.StackStatus !== StackStatus.DELETE_COMPLETE));
    nextToken = page.NextToken;
  } while (nextToken);
  return stacks;
}

/** The live previews, newest deployment first. */
export async function listPreviews(client: CloudFormationClient, prefix: string, now: Date): Promise<PreviewListing> {
  validatePreviewPrefix(prefix);
  const byPullRequest = new Map<number, PreviewStack[]>();
  for (const stack of await liveStacks(client, prefix)) {
    const parsed = parsePreviewStackName(prefix, stack.StackName!);
    if (!parsed) {
      continue;
    }
    const deployed = stack.LastUpdatedTime ?? stack.CreationTime;
    const list = byPullRequest.get(parsed.pullRequest) ?? [];
    list.push({ stackName: stack.StackName!, status: stack.StackStatus ?? 'UNKNOWN', lastDeployed: deployed ? deployed.toISOString() : '' });
    byPullRequest.set(parsed.pullRequest, list);
  }
  const previews = [...byPullRequest.entries()].map(([pullRequest, stacks]) => {
    const lastDeployed = stacks.map(s => s.lastDeployed).sort().reverse()[0];
    return {
      pullRequest,
      stacks: stacks.sort((a, b) => a.stackName.localeCompare(b.stackName)),
      lastDeployed,
      ageSeconds: Math.max(0, Math.floor((now.getTime() - Date.parse(lastDeployed)) / 1000)),
    };
  }).sort((a, b) => a.ageSeconds - b.ageSeconds || a.pullRequest - b.pullRequest);
  return { prefix, previews };
}

/** Starts deleting every stack of one pull request's preview. */
export async function destroyPreview(client: CloudFormationClient, prefix: string, pullRequest: number): Promise<DestroyOutcome> {
  validatePreviewPrefix(prefix);
  const stacks = (await liveStacks(client, prefix))
    .filter(s => parsePreviewStackName(prefix, s.StackName!)?.pullRequest === pullRequest)
    .map(s => s.StackName!)
    .sort();
  if (stacks.length === 0) {
    throw new DeliveryError(DeliveryErrorCode.NOT_FOUND,
      `No preview of pull request #${pullRequest}: no live stack is named '${previewNamespace(prefix)}${pullRequest}-…' in this account and region. Run \`cdk-delivery previews list\` to see the previews.`);
  }
  for (const stackName of stacks) {
    await callCloudFormation('DeleteStack', () => client.send(new DeleteStackCommand({ StackName: stackName })));
  }
  return { pullRequest, deleting: stacks };
}
