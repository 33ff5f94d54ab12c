import { awsError, epochSeconds, FakeReply, ok, paginate } from './fake-codepipeline-server';

/**
 * A CodePipeline stand-in with state for the on-call commands (rollback, retry, stop, override), served by the local
 * JSON 1.1 server. It answers as CodePipeline documents: a rollback only to an execution that succeeded in the stage
 * on the current definition and is no rollback, and not while the stage runs; a retry only of a failed stage in its
 * latest execution; a second stop of the same kind is a DuplicatedStopRequestException; an override only of a
 * condition that holds the execution back. A change that is refused is not made, so a resend of a change already
 * made (the SDK's retry after a lost reply) is refused, as CodePipeline refuses it. `changes` records what was made.
 */

/** A CodePipeline-shaped execution id: `uuid(3)` → `00000000-0000-4000-8000-000000000003`. */
export function uuid(n: number): string {
  return `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

export interface Execution {
  readonly id: string;
  readonly version: number;
  status: string;
  readonly type: 'STANDARD' | 'ROLLBACK';
  readonly rollbackTarget?: string;
  readonly startTime: string;
  /** Stages this execution succeeded in. */
  readonly succeededIn: string[];
}

export interface Stage {
  readonly name: string;
  executionId?: string;
  status?: string;
  type?: 'STANDARD' | 'ROLLBACK';
  failedActions: string[];
  manualRetries: number;
  beforeEntry?: string;
  onSuccess?: string;
  /** onFailure result ROLLBACK in the declaration. */
  readonly rollsBack: boolean;
  /** An onSuccess condition with result ROLLBACK in the declaration. */
  onSuccessRollsBack?: boolean;
}

export interface Change {
  readonly operation: string;
  readonly body: Record<string, unknown>;
}

export class OnCallPipeline {
  public version = 8;
  public readonly executions: Execution[] = [];
  public readonly stages: Stage[] = [];
  public readonly changes: Change[] = [];
  /** Whether ListPipelineExecutions' succeededInStage filter keeps only the current version (as documented). */
  public filterByVersion = true;
  private nextExecution = 100;

  constructor(stageNames: readonly string[] = ['Source', 'Build', 'Staging', 'Production'], rollingBack: readonly string[] = ['Staging', 'Production']) {
    for (const name of stageNames) {
      this.stages.push({ name, failedActions: [], manualRetries: 0, rollsBack: rollingBack.includes(name) });
    }
  }

  /** What the client hears after a change was made (default: the normal reply). */
  public afterChange(_operation: string, reply: FakeReply): FakeReply {
    return reply;
  }

  public stage(name: string): Stage {
    const stage = this.stages.find((s) => s.name === name);
    if (!stage) {
      throw new Error(`no stage ${name}`);
    }
    return stage;
  }

  /** Add an execution (newest first in listings: add them oldest first). */
  public execution(n: number, fields: Partial<Execution> = {}): Execution {
    const execution: Execution = {
      id: uuid(n),
      version: this.version,
      status: 'Succeeded',
      type: 'STANDARD',
      startTime: `2026-12-0${1 + (n % 3)}T0${n % 10}:00:00Z`,
      succeededIn: this.stages.map((s) => s.name),
      ...fields,
    };
    this.executions.unshift(execution);
    return execution;
  }

  /** The stage holds this execution with this status. */
  public hold(stageName: string, execution: Execution, status: string, fields: Partial<Stage> = {}): void {
    Object.assign(this.stage(stageName), { executionId: execution.id, status, type: execution.type, ...fields });
  }

  public handler(overrides: { readonly state?: (call: number) => FakeReply | undefined } = {}) {
    let stateCalls = 0;
    return (operation: string, body: Record<string, unknown>): FakeReply => {
      if (operation === 'GetPipelineState') {
        stateCalls += 1;
        return overrides.state?.(stateCalls) ?? ok(this.state());
      }
      return this.answer(operation, body);
    };
  }

  public state(): unknown {
    return {
      pipelineName: 'my-app',
      pipelineVersion: this.version,
      stageStates: this.stages.map((stage) => ({
        stageName: stage.name,
        ...(stage.executionId ? { latestExecution: { pipelineExecutionId: stage.executionId, status: stage.status, type: stage.type ?? 'STANDARD' } } : {}),
        actionStates: [
          { actionName: 'Deploy', latestExecution: { status: stage.failedActions.includes('Deploy') ? 'Failed' : 'Succeeded' } },
          ...stage.failedActions.filter((a) => a !== 'Deploy').map((actionName) => ({ actionName, latestExecution: { status: 'Failed' } })),
        ],
        ...(stage.beforeEntry ? { beforeEntryConditionState: { latestExecution: { status: stage.beforeEntry } } } : {}),
        ...(stage.onSuccess ? { onSuccessConditionState: { latestExecution: { status: stage.onSuccess } } } : {}),
        retryStageMetadata: { manualStageRetryAttempt: stage.manualRetries },
      })),
    };
  }

  private summary(e: Execution): Record<string, unknown> {
    return {
      pipelineExecutionId: e.id,
      status: e.status,
      startTime: epochSeconds(e.startTime),
      executionType: e.type,
      ...(e.rollbackTarget ? { rollbackMetadata: { rollbackTargetPipelineExecutionId: e.rollbackTarget } } : {}),
    };
  }

  private find(id: unknown): Execution | undefined {
    return this.executions.find((e) => e.id === id);
  }

  private answer(operation: string, body: Record<string, unknown>): FakeReply {
    switch (operation) {
      case 'GetPipeline':
        return ok({
          pipeline: {
            name: 'my-app',
            version: this.version,
            stages: this.stages.map((s) => ({
              name: s.name,
              actions: [],
              ...(s.rollsBack ? { onFailure: { result: 'ROLLBACK' } } : {}),
              ...(s.onSuccessRollsBack ? { onSuccess: { conditions: [{ result: 'ROLLBACK', rules: [] }] } } : {}),
            })),
          },
          metadata: { pipelineArn: 'arn:aws:codepipeline:eu-west-1:111111111111:my-app' },
        });
      case 'ListTagsForResource':
        return ok({ tags: [{ key: 'release-mode', value: 'continuous-deployment' }] });
      case 'ListPipelineExecutions': {
        const stageName = (body.filter as { succeededInStage?: { stageName?: string } } | undefined)?.succeededInStage?.stageName;
        const listed = stageName === undefined
          ? this.executions
          : this.executions.filter((e) => e.succeededIn.includes(stageName) && (!this.filterByVersion || e.version === this.version));
        return ok(paginate(listed.map((e) => this.summary(e)), body, 'pipelineExecutionSummaries'));
      }
      case 'GetPipelineExecution': {
        const e = this.find(body.pipelineExecutionId);
        if (!e) {
          return awsError(400, 'PipelineExecutionNotFoundException', `Execution ${String(body.pipelineExecutionId)} not found`);
        }
        return ok({
          pipelineExecution: {
            pipelineName: 'my-app',
            pipelineVersion: e.version,
            pipelineExecutionId: e.id,
            status: e.status,
            executionType: e.type,
            ...(e.rollbackTarget ? { rollbackMetadata: { rollbackTargetPipelineExecutionId: e.rollbackTarget } } : {}),
            trigger: { triggerType: e.type === 'ROLLBACK' ? 'ManualRollback' : 'StartPipelineExecution' },
          },
        });
      }
      case 'RollbackStage':
        return this.rollback(body);
      case 'RetryStageExecution':
        return this.retry(body);
      case 'StopPipelineExecution':
        return this.stop(body);
      case 'OverrideStageCondition':
        return this.override(body);
      default:
        return awsError(400, 'UnknownOperationException', operation);
    }
  }

  private made(operation: string, body: Record<string, unknown>, reply: FakeReply): FakeReply {
    this.changes.push({ operation, body });
    return this.afterChange(operation, reply);
  }

  private rollback(body: Record<string, unknown>): FakeReply {
    const stage = this.stages.find((s) => s.name === body.stageName);
    if (!stage) {
      return awsError(400, 'StageNotFoundException', `Stage ${String(body.stageName)} not found`);
    }
    const target = this.find(body.targetPipelineExecutionId);
    if (stage.status === 'InProgress' || stage.status === 'Stopping') {
      return awsError(400, 'UnableToRollbackStageException', 'Unable to roll back: the stage is currently running');
    }
    if (!target || target.version !== this.version || target.type === 'ROLLBACK' || !target.succeededIn.includes(stage.name)) {
      return awsError(400, 'UnableToRollbackStageException', 'Unable to roll back to the target pipeline execution');
    }
    const rollback = this.execution(this.nextExecution++, { status: 'InProgress', type: 'ROLLBACK', rollbackTarget: target.id, succeededIn: [] });
    this.hold(stage.name, rollback, 'InProgress');
    return this.made('RollbackStage', body, ok({ pipelineExecutionId: rollback.id }));
  }

  private retry(body: Record<string, unknown>): FakeReply {
    const stage = this.stages.find((s) => s.name === body.stageName);
    if (!stage) {
      return awsError(400, 'StageNotFoundException', `Stage ${String(body.stageName)} not found`);
    }
    if (stage.executionId !== body.pipelineExecutionId) {
      return awsError(400, 'NotLatestPipelineExecutionException', 'The stage has failed in a later run of the pipeline');
    }
    if (stage.status !== 'Failed') {
      return awsError(400, 'StageNotRetryableException', 'Unable to retry: the stage is not in a failed state');
    }
    stage.status = 'InProgress';
    stage.manualRetries += 1;
    return this.made('RetryStageExecution', body, ok({ pipelineExecutionId: stage.executionId }));
  }

  private stop(body: Record<string, unknown>): FakeReply {
    const execution = this.find(body.pipelineExecutionId);
    if (!execution) {
      return awsError(400, 'PipelineExecutionNotFoundException', 'Execution not found');
    }
    const abandon = body.abandon === true;
    if (execution.status === 'Stopping' && !abandon) {
      return awsError(400, 'DuplicatedStopRequestException', 'The pipeline execution is already in a Stopping state');
    }
    if (execution.status !== 'InProgress' && execution.status !== 'Stopping') {
      return awsError(400, 'PipelineExecutionNotStoppableException', 'Unable to stop the pipeline execution');
    }
    execution.status = abandon ? 'Stopped' : 'Stopping';
    return this.made('StopPipelineExecution', body, ok({ pipelineExecutionId: execution.id }));
  }

  private override(body: Record<string, unknown>): FakeReply {
    const stage = this.stages.find((s) => s.name === body.stageName);
    if (!stage) {
      return awsError(400, 'StageNotFoundException', `Stage ${String(body.stageName)} not found`);
    }
    const key = body.conditionType === 'BEFORE_ENTRY' ? 'beforeEntry' : 'onSuccess';
    if (stage.executionId !== body.pipelineExecutionId) {
      return awsError(400, 'NotLatestPipelineExecutionException', 'Not the latest execution of the stage');
    }
    if (stage[key] !== 'Failed' && stage[key] !== 'InProgress' && stage[key] !== 'Errored') {
      return awsError(400, 'ConditionNotOverridableException', 'Unable to override because the condition does not allow overrides');
    }
    stage[key] = 'Overridden';
    return this.made('OverrideStageCondition', body, ok({}));
  }
}
