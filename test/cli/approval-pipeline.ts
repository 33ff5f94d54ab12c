import { awsError, epochSeconds, FakeReply, ok } from '../runtime/fake-codepipeline-server';

/**
 * A CodePipeline stand-in with state for approvals, served by the local JSON 1.1 server on 127.0.0.1. A
 * PutApprovalResult with the pending token commits the decision (then the test decides what the client hears); a
 * second one with the same token gets ApprovalAlreadyCompletedException, as CodePipeline answers.
 *
 * The pending approval waits in Production for execution `exec-3`, which releases `RELEASE_COMMIT` from the
 * connection source `octo_shop`. The history before it: `exec-1` succeeded (production runs `RELEASED_COMMIT`),
 * `exec-2` (another commit) was superseded by `exec-3`, so the release carries two new revisions.
 */

export const RELEASE_COMMIT = '4f2a9c1d0e7b5a3c9f8e7d6c5b4a39281706f5e4';
export const RELEASED_COMMIT = '1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d';
export const SUPERSEDED_COMMIT = '9e8d7c6b5a4938271605f4e3d2c1b0a998877665';
export const SOURCE_ACTION = 'octo_shop';

interface Decision {
  readonly status: 'Approved' | 'Rejected';
  readonly summary: string;
}

/** One execution the stand-in knows: its status, source commit and message, and when it started and ended. */
export interface StandInExecution {
  readonly id: string;
  readonly status: string;
  readonly commit: string;
  readonly message: string;
  readonly start: string;
  readonly end: string;
}

export const HISTORY: readonly StandInExecution[] = [
  { id: 'exec-3', status: 'InProgress', commit: RELEASE_COMMIT, message: 'Cache product catalogue reads\n\nReads hit the cache first.', start: '2025-05-26T08:40:00Z', end: '2025-05-26T09:00:00Z' },
  { id: 'exec-2', status: 'Superseded', commit: SUPERSEDED_COMMIT, message: 'Add the catalogue cache', start: '2025-05-26T08:30:00Z', end: '2025-05-26T08:41:00Z' },
  { id: 'exec-1', status: 'Succeeded', commit: RELEASED_COMMIT, message: 'Show prices with tax', start: '2025-05-25T15:00:00Z', end: '2025-05-25T15:40:00Z' },
];

export class ApprovalPipeline {
  public readonly decisions: Decision[] = [];
  private action: { status: string; token: string; summary?: string; executionId: string } = { status: 'InProgress', token: 'tok-1', executionId: 'exec-3' };
  private executions: StandInExecution[];

  constructor(
    private readonly afterCommit: () => FakeReply = () => ok({ approvedAt: epochSeconds('2025-05-26T10:00:00Z') }),
    history: readonly StandInExecution[] = HISTORY,
  ) {
    this.executions = [...history];
    this.action = { ...this.action, executionId: history[0].id };
  }

  /** Someone else decides in the console. */
  public decideElsewhere(status: 'Approved' | 'Rejected', summary: string): void {
    this.action = { ...this.action, status: status === 'Approved' ? 'Succeeded' : 'Failed', summary };
  }

  /** A newer execution reaches the approval (the earlier one was rejected elsewhere): a new token, another commit. */
  public newExecutionWaits(id: string, commit: string): void {
    this.executions = [{ id, status: 'InProgress', commit, message: 'Hotfix the checkout', start: '2025-05-26T09:10:00Z', end: '2025-05-26T09:20:00Z' }, ...this.executions];
    this.action = { status: 'InProgress', token: `tok-${id}`, executionId: id };
  }

  public state(): unknown {
    return {
      pipelineName: 'my-app',
      pipelineVersion: 3,
      stageStates: [
        { stageName: 'Build', latestExecution: { pipelineExecutionId: this.action.executionId, status: 'Succeeded' }, actionStates: [] },
        {
          stageName: 'Production',
          latestExecution: { pipelineExecutionId: this.action.executionId, status: this.action.status === 'InProgress' ? 'InProgress' : 'Succeeded' },
          actionStates: [{
            actionName: 'Approve',
            latestExecution: {
              status: this.action.status,
              token: this.action.token,
              summary: this.action.summary,
              lastStatusChange: epochSeconds('2025-05-26T09:00:00Z'),
            },
          }],
        },
      ],
    };
  }

  public put(body: Record<string, unknown>): FakeReply {
    const result = body.result as { status: 'Approved' | 'Rejected'; summary: string };
    if (body.token !== this.action.token) {
      return awsError(400, 'InvalidApprovalTokenException', 'The token is invalid');
    }
    if (this.action.status !== 'InProgress') {
      return awsError(400, 'ApprovalAlreadyCompletedException', 'The approval action has already been completed');
    }
    this.decisions.push({ status: result.status, summary: result.summary });
    this.decideElsewhere(result.status, result.summary);
    return this.afterCommit();
  }

  private execution(id: unknown): StandInExecution | undefined {
    return this.executions.find((e) => e.id === id);
  }

  /** GetPipelineExecution: the artifact revision, with the summary as CodeConnections writes it (JSON). */
  public getExecution(body: Record<string, unknown>): FakeReply {
    const execution = this.execution(body.pipelineExecutionId);
    if (!execution) {
      return awsError(400, 'PipelineExecutionNotFoundException', `Execution ${String(body.pipelineExecutionId)} not found`);
    }
    return ok({
      pipelineExecution: {
        pipelineName: 'my-app',
        pipelineExecutionId: execution.id,
        status: execution.status,
        artifactRevisions: [{
          name: `${SOURCE_ACTION}_Source`,
          revisionId: execution.commit,
          revisionSummary: JSON.stringify({ ProviderType: 'GitHub', CommitMessage: execution.message }),
          revisionUrl: `https://eu-west-1.console.aws.amazon.com/codesuite/settings/connections/redirect?referenceType=COMMIT&FullRepositoryId=octo/shop&Commit=${execution.commit}`,
        }],
      },
    });
  }

  /** ListActionExecutions filtered to one execution: the source action's variables and the approval's comment. */
  public listActions(body: Record<string, unknown>): FakeReply {
    const filter = body.filter as { pipelineExecutionId?: string } | undefined;
    const execution = this.execution(filter?.pipelineExecutionId);
    if (!execution) {
      return ok({ actionExecutionDetails: [] });
    }
    return ok({
      actionExecutionDetails: [
        {
          pipelineExecutionId: execution.id,
          stageName: 'Production',
          actionName: 'Approve',
          status: 'InProgress',
          input: {
            actionTypeId: { category: 'Approval', owner: 'AWS', provider: 'Manual', version: '1' },
            configuration: { CustomData: 'Approve the release to Production. Staging is deployed.' },
            resolvedConfiguration: { CustomData: 'Approve the release to Production. Staging is deployed.' },
          },
        },
        {
          pipelineExecutionId: execution.id,
          stageName: 'Source',
          actionName: SOURCE_ACTION,
          status: 'Succeeded',
          input: { actionTypeId: { category: 'Source', owner: 'AWS', provider: 'CodeStarSourceConnection', version: '1' }, configuration: { FullRepositoryId: 'octo/shop', BranchName: 'main' } },
          output: {
            outputVariables: {
              CommitId: execution.commit,
              CommitMessage: execution.message,
              AuthorDate: '2025-05-26T08:35:12Z',
              BranchName: 'main',
              FullRepositoryName: 'octo/shop',
              ConnectionArn: 'arn:aws:codeconnections:eu-west-1:111111111111:connection/abcd',
            },
            executionResult: { externalExecutionId: execution.commit },
          },
        },
      ],
    });
  }

  /** ListPipelineExecutions, newest first. */
  public listExecutions(): FakeReply {
    return ok({
      pipelineExecutionSummaries: this.executions.map((e) => ({
        pipelineExecutionId: e.id,
        status: e.status,
        startTime: epochSeconds(e.start),
        lastUpdateTime: epochSeconds(e.end),
        sourceRevisions: [{ actionName: SOURCE_ACTION, revisionId: e.commit, revisionSummary: JSON.stringify({ ProviderType: 'GitHub', CommitMessage: e.message }) }],
      })),
    });
  }

  public handler(overrides: {
    readonly state?: (call: number) => FakeReply | undefined;
    readonly other?: (operation: string, body: Record<string, unknown>) => FakeReply | undefined;
  } = {}) {
    let stateCalls = 0;
    return (operation: string, body: Record<string, unknown>): FakeReply => {
      const override = overrides.other?.(operation, body);
      if (override) {
        return override;
      }
      switch (operation) {
        case 'GetPipelineState':
          stateCalls += 1;
          return overrides.state?.(stateCalls) ?? ok(this.state());
        case 'PutApprovalResult': return this.put(body);
        case 'GetPipelineExecution': return this.getExecution(body);
        case 'ListActionExecutions': return this.listActions(body);
        case 'ListPipelineExecutions': return this.listExecutions();
        case 'GetPipeline':
          return ok({ pipeline: { name: 'my-app', version: 3, stages: [{ name: 'Build' }, { name: 'Production' }] }, metadata: { pipelineArn: 'arn:aws:codepipeline:eu-west-1:1:my-app' } });
        default: return ok({});
      }
    };
  }
}
