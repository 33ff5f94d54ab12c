import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { wireCli } from './wire-client';
import { run } from '../../src/cli/main';
import { awsError, epochSeconds, FakeReply, ok, useFakeCodePipeline } from '../runtime/fake-codepipeline-server';
import { GitFixture, lines } from '../runtime/git-fixture';

/**
 * The README's `status`, `approve` and `reject` samples that show what an approval is for are the CLI's output: each
 * is run against a stand-in for the README's `shop-api` pipeline and a git clone made here (fixed authors, dates and
 * contents, so the commit ids are the README's), and compared line for line. A sample that elides the top of its
 * output with `...` is compared from there on.
 */

const README = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf-8');
const EXEC = '7c1f0d2e-5b6a-4c1e-9f3d-2a8b4e6c0d11';
const SUPERSEDED_EXEC = '5d0e9f1a-2b3c-4d5e-8f6a-7b8c9d0e1f22';
const RELEASED_EXEC = 'e4a9b2c7-3d18-4f5e-8a6b-9c0d1e2f3a44';
/** The default comment as CodePipeline resolves it: the commit's variables filled in (approval-comment.ts). */
const comment = (commit: string, message: string) =>
  `Approve the release to Production. Staging is deployed; its verification runs in parallel with this approval. It releases commit ${commit}: ${message}`;
const CLONE = '~/src/shop-api';

interface Execution {
  readonly id: string;
  readonly status: string;
  readonly commit: string;
  readonly message: string;
  readonly start: string;
  readonly end: string;
}

/** The shop-api pipeline: the approval in Staging waits for EXEC; RELEASED_EXEC is in production. */
class ShopApi {
  public pending = true;

  constructor(private readonly history: readonly Execution[]) {}

  public handle(operation: string, body: Record<string, unknown>): FakeReply {
    const done = (actionName: string) => ({ actionName, latestExecution: { status: 'Succeeded', lastStatusChange: epochSeconds('2025-05-26T09:31:07Z') } });
    const stage = (stageName: string, executionId: string, status: string, actionStates: unknown[]) =>
      ({ stageName, inboundTransitionState: { enabled: true }, latestExecution: { pipelineExecutionId: executionId, status }, actionStates });
    const filter = body.filter as { pipelineExecutionId?: string } | undefined;
    const execution = this.history.find((e) => e.id === body.pipelineExecutionId || e.id === filter?.pipelineExecutionId);
    switch (operation) {
      case 'GetPipelineState':
        return ok({
          pipelineName: 'shop-api',
          pipelineVersion: 4,
          stageStates: [
            stage('Source', EXEC, 'Succeeded', [{ actionName: 'shop-api', latestExecution: { status: 'Succeeded', summary: 'Cache product catalogue reads', lastStatusChange: epochSeconds('2025-05-26T09:31:07Z') } }]),
            stage('Build', EXEC, 'Succeeded', [done('Synth')]),
            stage('Staging', EXEC, this.pending ? 'InProgress' : 'Succeeded', [done('ShopApi.Prepare'), done('ShopApi.Deploy'), done('ShopApi.Verify'), {
              actionName: 'PromoteToProduction',
              latestExecution: { status: this.pending ? 'InProgress' : 'Succeeded', token: 'c2f1e8a0-1b7d-4e3c-9a55-7f0b2d6e4c19', lastStatusChange: epochSeconds('2025-05-26T09:31:07Z') },
            }]),
            stage('Production', RELEASED_EXEC, 'Succeeded', [done('ShopApi.Prepare'), done('ShopApi.Deploy')]),
          ],
        });
      case 'GetPipeline':
        return ok({ pipeline: { name: 'shop-api', version: 4, stages: [] }, metadata: { pipelineArn: 'arn:aws:codepipeline:eu-west-1:111111111111:shop-api' } });
      case 'ListTagsForResource':
        return ok({ tags: [{ key: 'release-mode', value: 'continuous-delivery' }] });
      case 'PutApprovalResult':
        this.pending = false;
        return ok({ approvedAt: epochSeconds('2025-05-26T09:40:00Z') });
      case 'GetPipelineExecution':
        return execution
          ? ok({
            pipelineExecution: {
              pipelineExecutionId: execution.id,
              status: execution.status,
              artifactRevisions: [{
                name: 'shop-api_Source',
                revisionId: execution.commit,
                revisionSummary: JSON.stringify({ ProviderType: 'GitHub', CommitMessage: execution.message }),
                revisionUrl: `https://eu-west-1.console.aws.amazon.com/codesuite/settings/connections/redirect?referenceType=COMMIT&FullRepositoryId=acme/shop-api&Commit=${execution.commit}`,
              }],
            },
          })
          : awsError(400, 'PipelineExecutionNotFoundException', 'not found');
      case 'ListActionExecutions':
        return ok({
          actionExecutionDetails: execution ? [
            {
              pipelineExecutionId: execution.id,
              stageName: 'Staging',
              actionName: 'PromoteToProduction',
              input: {
                actionTypeId: { category: 'Approval', owner: 'AWS', provider: 'Manual', version: '1' },
                configuration: { CustomData: comment('#{Source@acme_shop-api.CommitId}', '#{Source@acme_shop-api.CommitMessage}') },
                resolvedConfiguration: { CustomData: comment(execution.commit, execution.message) },
              },
            },
            {
              pipelineExecutionId: execution.id,
              stageName: 'Source',
              actionName: 'shop-api',
              input: { actionTypeId: { category: 'Source', owner: 'AWS', provider: 'CodeStarSourceConnection', version: '1' } },
              output: { outputVariables: { CommitId: execution.commit, CommitMessage: execution.message, AuthorDate: '2025-05-26T08:35:12Z', BranchName: 'main', FullRepositoryName: 'acme/shop-api' } },
            },
          ] : [],
        });
      case 'ListPipelineExecutions':
        return ok({
          pipelineExecutionSummaries: this.history.map((e) => ({
            pipelineExecutionId: e.id,
            status: e.status,
            startTime: epochSeconds(e.start),
            lastUpdateTime: epochSeconds(e.end),
            sourceRevisions: [{ actionName: 'shop-api', revisionId: e.commit }],
          })),
        });
      default:
        return ok({});
    }
  }
}

/** The README's console samples of status/approve/reject that show what an approval is for. */
function samples(): Array<{ command: string[]; expected: string; elided: boolean }> {
  return [...README.matchAll(/```console\n([\s\S]*?)```/g)]
    .map((m) => m[1])
    .filter((block) => /^\$ npx cdk-delivery (status|approve|reject) --pipeline shop-api/.test(block) && /\n {2,4}commit {3}|--commit/.test(block) && !block.includes('{'))
    .map((block) => {
      const [first, ...rest] = block.split('\n');
      const words = first.replace('$ npx cdk-delivery ', '').match(/"[^"]*"|\S+/g) ?? [];
      return { command: words.map((w) => w.replace(/^"|"$/g, '')), expected: rest.join('\n'), elided: rest[0] === '...' };
    });
}

const fake = useFakeCodePipeline();
const repo = new GitFixture();
let shop: ShopApi;

beforeAll(() => {
  const released = repo.commit('Show prices with tax', { 'prices.ts': lines(40) }, 'Ann Lee', '2025-05-25T14:02:41+00:00');
  const superseded = repo.commit('Add the catalogue cache', { 'cache.ts': lines(60), 'prices.ts': lines(44) }, 'Bob Smith', '2025-05-26T08:20:03+00:00');
  const head = repo.commit('Cache product catalogue reads\n\nReads hit the cache first.', { 'cache.ts': lines(75), 'catalogue.ts': lines(18) }, 'Jane Doe', '2025-05-26T08:35:12+00:00');
  shop = new ShopApi([
    { id: EXEC, status: 'InProgress', commit: head, message: 'Cache product catalogue reads\n\nReads hit the cache first.', start: '2025-05-26T08:40:00Z', end: '2025-05-26T09:31:07Z' },
    { id: SUPERSEDED_EXEC, status: 'Superseded', commit: superseded, message: 'Add the catalogue cache', start: '2025-05-26T08:21:00Z', end: '2025-05-26T08:41:00Z' },
    { id: RELEASED_EXEC, status: 'Succeeded', commit: released, message: 'Show prices with tax', start: '2025-05-25T14:05:00Z', end: '2025-05-25T14:51:30Z' },
  ]);
});
afterAll(() => repo.remove());

test('the README shows samples of what approvals are for, with and without a clone and --commit', () => {
  const commands = samples().map((s) => s.command.join(' '));
  expect(commands).toEqual(expect.arrayContaining([
    'status --pipeline shop-api',
    `status --pipeline shop-api --repo ${CLONE}`,
    'approve --pipeline shop-api --commit 4b79def',
    `approve --pipeline shop-api --commit 4754928 --repo ${CLONE} --summary Staging dashboards are green`,
    'reject --pipeline shop-api --summary Needs the migration reviewed first',
  ]));
});

test.each(samples().map((s) => [s.command.join(' '), s] as const))('README: cdk-delivery %s prints what the README shows', async (_name, sample) => {
  fake.handler = (operation, body) => shop.handle(operation, body);
  shop.pending = true;
  const t = wireCli(fake);

  const code = await run(sample.command.map((word) => (word === CLONE ? repo.dir : word)), t.io);

  const actual = `${t.stdout()}${t.stderr() ? `[stderr]\n${t.stderr()}` : ''}[exit ${code}]\n`;
  if (sample.elided) {
    expect(actual.endsWith(sample.expected.split('\n').slice(1).join('\n'))).toBe(true);
  } else {
    expect(actual).toBe(sample.expected);
  }
});
