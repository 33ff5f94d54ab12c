import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { Command, Option } from 'commander';
import { parsePositiveSeconds } from './arguments';
import { CliIo, ClientSettings } from './io';
import { Style } from './style';
import { DEFAULT_PREVIEW_PREFIX, parsePullRequestNumber } from '../pull-requests/naming';
import { DeliveryError, DeliveryErrorCode } from '../runtime/errors';
import { destroyPreview, DestroyOutcome, listPreviews, PreviewListing } from '../runtime/previews';

/** How the `previews` command builds its CloudFormation client (tests point it at a local server). */
export type CloudFormationClientFactory = (settings: ClientSettings) => CloudFormationClient;

/** A `CliIo` that may bring its own CloudFormation client factory. */
export interface PreviewsIo extends CliIo {
  readonly createCloudFormationClient?: CloudFormationClientFactory;
}

/** The SDK's credential chain, region resolution, retries and AWS_ENDPOINT_URL_CLOUDFORMATION, with a timeout. */
export const defaultCloudFormationClientFactory: CloudFormationClientFactory = (settings) => new CloudFormationClient({
  region: settings.region,
  profile: settings.profile,
  requestHandler: { requestTimeout: settings.requestTimeoutMs, throwOnRequestTimeout: true },
});

interface PreviewsOptions {
  readonly prefix: string;
  readonly region?: string;
  readonly profile?: string;
  readonly json?: boolean;
  readonly requestTimeout: number;
}

/** `cdk-delivery previews list` and `cdk-delivery previews destroy <pull-request>`. */
export function addPreviewsCommand(program: Command, io: PreviewsIo, helpText: string): void {
  const previews = program.command('previews')
    .description('Preview environments of pull requests: list them (age, pull request, stacks) or destroy one');
  const out = Style.for(io.stdout, io.env);
  const common = (command: Command) => command
    .option('--prefix <prefix>', 'the pipeline\'s previews.stackPrefix', DEFAULT_PREVIEW_PREFIX)
    .option('--region <region>', 'region of the previews (default: AWS_REGION or the profile\'s region)')
    .option('--profile <name>', 'named profile with access to the preview account (default: AWS_PROFILE)')
    .addOption(new Option('--request-timeout <seconds>', 'fail a CloudFormation request that takes longer than this')
      .argParser(parsePositiveSeconds).default(30))
    .option('--json', 'print the result as JSON on stdout')
    .addHelpText('after', helpText);
  const client = (options: PreviewsOptions) => (io.createCloudFormationClient ?? defaultCloudFormationClientFactory)({
    region: options.region, profile: options.profile, requestTimeoutMs: options.requestTimeout * 1000,
  });
  const print = <T>(options: PreviewsOptions, value: T, render: (v: T) => string) =>
    io.stdout.write(options.json ? `${JSON.stringify(value, null, 2)}\n` : render(value));

  common(previews.command('list').description('List the live previews: pull request, age since the last deployment, stacks'))
    .action(async (options: PreviewsOptions) => {
      const listing = await listPreviews(client(options), options.prefix, new Date(io.clock.now()));
      print(options, listing, l => renderListing(l, out));
    });

  common(previews.command('destroy').description('Delete every stack of one pull request\'s preview').argument('<pull-request>', 'the pull-request number'))
    .action(async (pullRequest: string, options: PreviewsOptions) => {
      let number: number;
      try {
        number = parsePullRequestNumber(pullRequest, '<pull-request>');
      } catch (error) {
        throw new DeliveryError(DeliveryErrorCode.INVALID_INPUT, (error as Error).message);
      }
      const outcome = await destroyPreview(client(options), options.prefix, number);
      print(options, outcome, renderDestroy);
    });
}

/** `3d 4h`, `2h 5m`, `42s`. */
export function formatAge(seconds: number): string {
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m`;
  return `${seconds}s`;
}

function renderListing(listing: PreviewListing, style: Style): string {
  if (listing.previews.length === 0) {
    return `No previews (no live stack named ${listing.prefix}-pr<number>-…).\n`;
  }
  const lines = listing.previews.map(p =>
    `  #${p.pullRequest}  ${formatAge(p.ageSeconds)} old (last deployed ${p.lastDeployed})  ${p.stacks.map(s => `${s.stackName} ${s.status}`).join(', ')}`);
  return `${style.bold(`${listing.previews.length} preview(s)`)}, newest first:\n${lines.join('\n')}\n`;
}

function renderDestroy(outcome: DestroyOutcome): string {
  return `Deleting the preview of pull request #${outcome.pullRequest}: ${outcome.deleting.join(', ')}\n`;
}
