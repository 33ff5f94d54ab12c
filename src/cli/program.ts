import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { collect, MAX_LIMIT_SECONDS, parseIsoDate, parsePositiveSeconds, parseSourceRevision, parseVariable, secondsUpTo } from './arguments';
import { registerDiagramCommand } from './diagram';
import { ExitCode, exitCodeFor } from './exit-codes';
import { renderApproval, renderMetrics, renderRelease, renderStatus, renderTransition, renderWait } from './format';
import { CliIo, processIo } from './io';
import { describeOverride, describeRollback, describeStop, renderOverride, renderRetry, renderRollback, renderStop } from './oncall-format';
import { addPreviewsCommand } from './previews';
import { WaitProgressReporter } from './progress';
import { Style } from './style';
import { validateExpectedCommit } from '../runtime/approval-release';
import { validateApprovalSummary } from '../runtime/approvals';
import { abortReason, boundClientBySignal, CommandAborted } from '../runtime/command-signal';
import { DeliveryError, DeliveryErrorCode } from '../runtime/errors';
import { GitRunner, gitRunner } from '../runtime/git-history';
import { DeliveryHistory } from '../runtime/history';
import { chunked, historyFileLines, HistoryCoverage, HistoryFileContents, readHistoryFile } from '../runtime/history-lines';
import { computeDeliveryMetrics, MetricsWindow, validateWindow } from '../runtime/metrics';
import { PipelineOperations } from '../runtime/operations-client';
import { OVERRIDABLE_CONDITIONS } from '../runtime/override-condition';
import { validateReleaseOptions } from '../runtime/release';
import { maximum, minimum } from '../runtime/statistics';
import { validateFreezeReason } from '../runtime/transitions';
import { MAX_POLL_INTERVAL_SECONDS, MAX_WAIT_TIMEOUT_SECONDS, validateWaitTiming } from '../runtime/wait-for-execution';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Options every subcommand takes. */
interface CommonOptions {
  readonly pipeline?: string;
  readonly region?: string;
  readonly profile?: string;
  readonly json?: boolean;
  readonly requestTimeout: number;
  /** Seconds; undefined: CDK_DELIVERY_DEADLINE, else DEFAULT_DEADLINE_SECONDS. */
  readonly deadline?: number;
}

interface ApprovalCliOptions extends CommonOptions {
  readonly stage?: string;
  readonly action?: string;
  readonly summary: string;
  /** approve only: the commit the person expects the approval to be for. */
  readonly commit?: string;
  readonly repo?: string;
}

interface StatusCliOptions extends CommonOptions {
  readonly repo?: string;
}

interface StagesCliOptions extends CommonOptions {
  readonly stage: string[];
  readonly reason?: string;
}

interface ReleaseCliOptions extends CommonOptions {
  readonly variable: string[];
  readonly sourceRevision: string[];
  readonly clientRequestToken?: string;
}

interface WaitCliOptions extends CommonOptions {
  readonly executionId?: string;
  readonly timeout: number;
  readonly interval: number;
}

/** Options of the on-call commands (rollback, retry, stop, override). */
interface OnCallCliOptions extends CommonOptions {
  readonly stage?: string;
  readonly to?: string;
  readonly executionId?: string;
  readonly all?: boolean;
  readonly abandon?: boolean;
  readonly reason?: string;
  readonly condition?: string;
  /** Skip the confirmation (scripts). */
  readonly yes?: boolean;
}

interface WindowCliOptions extends CommonOptions {
  readonly since?: Date;
  readonly until?: Date;
  readonly history?: string;
  readonly out?: string;
}

export const EXIT_CODES_HELP = `
Exit codes:
  0    success (wait: the execution succeeded)
  1    operation failed: AWS/network error, throttled beyond retries, a malformed reply, or the awaited execution did not succeed
  2    usage error: bad or missing option, invalid history file, several approvals pending without --stage
  3    not found: pipeline, stage, action or execution; or no approval pending
  4    access denied, or credentials invalid/expired
  5    timed out: wait --timeout, or no answer within the command deadline (--deadline)
  6    conflict: the approval was already decided (by someone else) or its token is no longer valid
       (rollback, retry, stop, override: the stage is running, or it was already rolled back, stopped or overridden)
  7    no AWS credentials found
  8    outcome unknown: a change was sent and could not be confirmed (check with status)
  9    declined: a rollback, stop or override was not confirmed; nothing was sent
  10   approve --commit: the pending approval is for another commit (or its commit could not be read); nothing approved
  130  interrupted by SIGINT (Ctrl-C) or SIGTERM

Environment: AWS_REGION, AWS_PROFILE, AWS_MAX_ATTEMPTS and AWS_ENDPOINT_URL_CODEPIPELINE are honoured by the
AWS SDK; CDK_DELIVERY_DEADLINE sets the default of --deadline; NO_COLOR (or a non-TTY output) turns colours off.`;

/** Default of --deadline: a command against an endpoint that never answers gives up after this long. */
export const DEFAULT_DEADLINE_SECONDS = 30;
/** Default of --request-timeout: three attempts (the SDK's default) fit in the default deadline. */
export const DEFAULT_REQUEST_TIMEOUT_SECONDS = 10;
/** The environment variable that sets the default of --deadline. */
export const DEADLINE_ENV = 'CDK_DELIVERY_DEADLINE';

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}

function usage(message: string): DeliveryError {
  return new DeliveryError(DeliveryErrorCode.INVALID_INPUT, message);
}

/** Output commander would have printed, held back under --json so that only JSON is written. */
interface HeldOutput {
  out: string;
  err: string;
}

class Cli {
  public exitCode: ExitCode = ExitCode.OK;
  /** What commander printed, under --json. */
  public readonly held: HeldOutput = { out: '', err: '' };
  private readonly out: Style;
  private readonly err: Style;
  /** Aborts every AWS call of the command: at its deadline, or on SIGINT/SIGTERM. */
  private readonly controller = new AbortController();
  private deadlineTimer: NodeJS.Timeout | undefined;
  private stopListening: (() => void) | undefined;
  private readonly clients: Array<{ destroy(): void }> = [];

  constructor(private readonly io: CliIo, private readonly json: boolean) {
    this.out = Style.for(io.stdout, io.env);
    this.err = Style.for(io.stderr, io.env);
    this.stopListening = io.onSignal?.((signal) => this.controller.abort(CommandAborted.interrupted(signal)));
  }

  /** Stop the deadline and the signal handlers, and close the clients (dropping any request still hanging). */
  public dispose(): void {
    clearTimeout(this.deadlineTimer);
    this.stopListening?.();
    this.stopListening = undefined;
    for (const client of this.clients) {
      client.destroy();
    }
  }

  public program(): Command {
    const program = new Command('cdk-delivery')
      .description('Operate a cdk-delivery-pipelines pipeline: status, approvals, freezes, releases and delivery metrics.')
      .version(packageVersion())
      .exitOverride()
      .showSuggestionAfterError()
      .configureOutput(this.json
        ? {
          writeOut: (text) => { this.held.out += text; },
          writeErr: (text) => { this.held.err += text; },
          outputError: () => undefined,
        }
        : {
          writeOut: (text) => this.io.stdout.write(text),
          writeErr: (text) => this.io.stderr.write(text),
          outputError: (text, write) => write(this.err.red(text)),
        })
      .addHelpText('after', EXIT_CODES_HELP);

    this.common(program.command('status').description('Show stages, their latest status, pending approvals, frozen transitions and release mode'))
      .option('--repo <dir>', 'a git clone of the source repository: shows who wrote the commit awaiting approval and the release size in commits and lines')
      .action((options: StatusCliOptions) => this.status(options));

    this.common(program.command('approve').description('Approve the pending manual approval'))
      .option('--stage <name>', 'stage of the approval (required when several are pending)')
      .option('--action <name>', 'approval action name (narrows the choice within the stage)')
      .option('--summary <text>', 'summary recorded with the approval', 'Approved with cdk-delivery')
      .option('--commit <sha>', 'approve only if the approval is for this commit (full SHA or at least 7 hex digits; exit 10 otherwise)')
      .option('--repo <dir>', 'a git clone of the source repository: shows the author and the release size in commits and lines')
      .action((options: ApprovalCliOptions) => this.decide('Approved', options));

    this.common(program.command('reject').description('Reject the pending manual approval'))
      .option('--stage <name>', 'stage of the approval (required when several are pending)')
      .option('--action <name>', 'approval action name (narrows the choice within the stage)')
      .requiredOption('--summary <text>', 'why the change is rejected (recorded with the rejection)')
      .option('--repo <dir>', 'a git clone of the source repository: shows the author and the release size in commits and lines')
      .action((options: ApprovalCliOptions) => this.decide('Rejected', options));

    this.common(program.command('freeze').description('Stop changes from entering production: disable the inbound transition of Production* stages'))
      .requiredOption('--reason <text>', 'why production is frozen (letters, digits, spaces and ! @ ( ) . * ? -)')
      .option('--stage <name>', 'freeze this stage instead of the Production* stages (repeatable)', collect, [])
      .action((options: StagesCliOptions) => this.transition('freeze', options));

    this.common(program.command('unfreeze').description('Let changes enter production again: enable the inbound transition of Production* stages'))
      .option('--stage <name>', 'unfreeze this stage instead of the Production* stages (repeatable)', collect, [])
      .action((options: StagesCliOptions) => this.transition('unfreeze', options));

    this.common(program.command('release').description('Start a pipeline execution and print its id'))
      .option('--variable <name=value>', 'pipeline variable for this execution (repeatable)', collect, [])
      .option('--source-revision <action=TYPE:value>', 'run this source revision, e.g. Source=COMMIT_ID:4f2a9c1 (repeatable)', collect, [])
      .option('--client-request-token <token>', 'idempotency token: a retry with the same token starts no second execution')
      .action((options: ReleaseCliOptions) => this.release(options));

    this.common(program.command('wait').description('Wait for an execution to finish; exit 0 only if it succeeded'))
      .option('--execution-id <id>', 'execution to wait for (default: the most recent one)')
      .option('--timeout <seconds>', `give up after this long (exit 5; 1 to ${MAX_WAIT_TIMEOUT_SECONDS})`, parsePositiveSeconds, 3600)
      .option('--interval <seconds>', `time between polls (1 to ${MAX_POLL_INTERVAL_SECONDS}, less than --timeout)`, parsePositiveSeconds, 10)
      .action((options: WaitCliOptions) => this.wait(options));

    this.window(this.common(program.command('metrics')
      .description('Delivery metrics (CircleCI and DORA) over [since, until), from CodePipeline or offline from an exported history')))
      .option('--history <file>', 'compute offline from a history file written by `export` (no AWS call)')
      .action((options: WindowCliOptions) => this.metrics(options));

    this.window(this.common(program.command('export').description('Write the execution history of [since, until) as JSON for offline metrics')))
      .option('--out <file>', 'write to this file (default: stdout)')
      .action((options: WindowCliOptions) => this.exportHistory(options));

    this.onCallCommands(program);

    registerDiagramCommand(program, this.io);

    addPreviewsCommand(program, this.io, EXIT_CODES_HELP);
    return program;
  }

  private common(command: Command): Command {
    return command
      .option('--pipeline <name>', 'pipeline name')
      .option('--region <region>', 'AWS region (default: AWS_REGION or the profile\'s region)')
      .option('--profile <name>', 'named profile from the shared AWS config/credentials files (default: AWS_PROFILE)')
      .addOption(new Option('--request-timeout <seconds>', 'fail one attempt of a CodePipeline request that takes longer than this (the SDK retries)')
        .argParser(secondsUpTo(MAX_LIMIT_SECONDS)).default(DEFAULT_REQUEST_TIMEOUT_SECONDS))
      .addOption(new Option('--deadline <seconds>',
        `give up on the command's AWS calls, retries included, after this long (wait: after --timeout plus this) [default: ${DEADLINE_ENV} or ${DEFAULT_DEADLINE_SECONDS}]`)
        .argParser(secondsUpTo(MAX_LIMIT_SECONDS)))
      .option('--json', 'print the result as JSON on stdout')
      .addHelpText('after', EXIT_CODES_HELP);
  }

  private window(command: Command): Command {
    return command
      .option('--since <iso>', 'start of the window, inclusive (default: 30 days before --until)', parseIsoDate)
      .option('--until <iso>', 'end of the window, exclusive (default: now)', parseIsoDate);
  }

  /** --deadline, else CDK_DELIVERY_DEADLINE, else the default. */
  private deadlineSeconds(options: CommonOptions): number {
    if (options.deadline !== undefined) {
      return options.deadline;
    }
    const fromEnv = this.io.env[DEADLINE_ENV];
    if (fromEnv === undefined || fromEnv === '') {
      return DEFAULT_DEADLINE_SECONDS;
    }
    try {
      return secondsUpTo(MAX_LIMIT_SECONDS)(fromEnv);
    } catch (error) {
      throw usage(`${DEADLINE_ENV}='${fromEnv}' is invalid. ${(error as InvalidArgumentError).message}`);
    }
  }

  /** (Re)start the command deadline: `extraSeconds` more than --deadline (wait: its --timeout). */
  private armDeadline(options: CommonOptions, extraSeconds = 0): void {
    const seconds = this.deadlineSeconds(options) + extraSeconds;
    clearTimeout(this.deadlineTimer);
    this.deadlineTimer = setTimeout(() => this.controller.abort(CommandAborted.deadline(seconds)), seconds * 1000);
    this.deadlineTimer.unref();
  }

  /**
   * The operations client for the command. Its calls are bounded by one deadline for the whole command
   * (`extraSeconds` more for wait) and end at once on SIGINT/SIGTERM.
   */
  private operations(options: CommonOptions, extraSeconds = 0, readsReviews = false): PipelineOperations {
    if (!options.pipeline) {
      throw usage('Missing --pipeline <name>: the name of the pipeline to operate.');
    }
    if (!this.deadlineTimer) {
      this.armDeadline(options, extraSeconds);
    }
    const settings = { region: options.region, profile: options.profile, requestTimeoutMs: options.requestTimeout * 1000 };
    const client = this.io.createClient(settings);
    this.clients.push(client);
    boundClientBySignal(client, this.controller.signal);
    // status, approve and reject show a change-set review's summary, read from the review function's log group.
    const logsClient = readsReviews ? this.io.createLogsClient?.(settings) : undefined;
    if (logsClient) {
      this.clients.push(logsClient);
      boundClientBySignal(logsClient, this.controller.signal);
    }
    return new PipelineOperations({ client, pipelineName: options.pipeline, logsClient });
  }

  /** The on-call commands: each reads and decides, asks (unless --yes), then sends its change once. */
  private onCallCommands(program: Command): void {
    this.common(program.command('rollback')
      .description('Roll a stage back to the last execution that succeeded in it on the current pipeline definition, or to --to'))
      .requiredOption('--stage <name>', 'the stage to roll back (not the source stage)')
      .option('--to <execution-id>', 'roll back to this execution (default: the most recent eligible one)')
      .option('-y, --yes', 'do not ask for a confirmation (scripts; required when stdin is not a terminal or with --json)')
      .action((options: OnCallCliOptions) => this.rollback(options));

    this.common(program.command('retry').description('Retry the failed actions (or --all) of the latest failed execution of a stage'))
      .requiredOption('--stage <name>', 'the failed stage')
      .option('--all', 'retry every action of the stage from the first, not only the failed ones')
      .option('--execution-id <id>', 'the execution to retry (must be the one the stage failed in last)')
      .action((options: OnCallCliOptions) => this.retry(options));

    this.common(program.command('stop').description('Stop an execution (let running actions finish), or abandon them with --abandon'))
      .requiredOption('--reason <text>', 'why it is stopped (recorded by CodePipeline with the stop; at most 200 characters)')
      .option('--execution-id <id>', 'the execution to stop (default: the one --stage holds, else the only one in progress)')
      .option('--stage <name>', 'stop the execution this stage holds')
      .option('--abandon', 'abandon the actions in progress instead of waiting for them (may leave failed or out-of-sequence work)')
      .option('-y, --yes', 'do not ask for a confirmation (scripts; required when stdin is not a terminal or with --json)')
      .action((options: OnCallCliOptions) => this.stop(options));

    this.common(program.command('override')
      .description('Let the execution a stage holds through a failed stage condition (e.g. a deployment window), with a reason'))
      .requiredOption('--stage <name>', 'the stage whose condition holds the execution back')
      .requiredOption('--reason <text>', 'why (in the command\'s result and output; CodePipeline\'s API takes no reason)')
      .option('--condition <type>', `${OVERRIDABLE_CONDITIONS.map(conditionOption).join(' or ')} (default: the one holding the execution back)`)
      .option('--execution-id <id>', 'the execution (must be the one the stage holds)')
      .option('-y, --yes', 'do not ask for a confirmation (scripts; required when stdin is not a terminal or with --json)')
      .action((options: OnCallCliOptions) => this.override(options));
  }

  /**
   * Ask before a change (unless --yes; `requireConfirmation` refused earlier when nobody can be asked). The command
   * deadline is paused while a person reads the question: it bounds AWS calls, not people.
   */
  private async confirmChange(options: OnCallCliOptions, description: string): Promise<void> {
    if (options.yes || !this.io.confirm) {
      return;
    }
    clearTimeout(this.deadlineTimer);
    this.io.stderr.write(description);
    const answer = await this.io.confirm(`${this.err.bold('Proceed?')} [y/N] `);
    const aborted = abortReason(this.controller.signal);
    if (aborted) {
      throw new DeliveryError(aborted.kind === 'interrupted' ? DeliveryErrorCode.INTERRUPTED : DeliveryErrorCode.TIMEOUT,
        `${aborted.message} at the confirmation: nothing was sent to pipeline '${options.pipeline ?? ''}'.`);
    }
    this.armDeadline(options);
    if (!answer) {
      throw new DeliveryError(DeliveryErrorCode.DECLINED, `Not confirmed: nothing was sent to pipeline '${options.pipeline ?? ''}'.`);
    }
  }

  /** Before any AWS call: a change that needs a confirmation nobody can give is a usage error naming --yes. */
  private requireConfirmation(options: OnCallCliOptions, command: string): void {
    if (!options.yes && (options.json || !this.io.confirm)) {
      throw usage(`${command} changes the pipeline and asks for a confirmation, but ${options.json ? 'under --json no question is asked' : 'stdin is not a terminal'}: ` +
        'run it on a terminal without --json to see what it will do and answer, or pass --yes to confirm in advance.');
    }
  }

  private async rollback(options: OnCallCliOptions): Promise<void> {
    const ops = this.operations(options);
    this.requireConfirmation(options, 'rollback');
    const plan = await ops.planRollback({ stageName: options.stage ?? '', targetPipelineExecutionId: options.to });
    await this.confirmChange(options, describeRollback(plan));
    this.print(options, await ops.executeRollback(plan), (o) => renderRollback(o, this.out));
  }

  private async retry(options: OnCallCliOptions): Promise<void> {
    const ops = this.operations(options);
    const plan = await ops.planRetry({ stageName: options.stage ?? '', allActions: options.all, pipelineExecutionId: options.executionId });
    this.print(options, await ops.executeRetry(plan), (o) => renderRetry(o, this.out));
  }

  private async stop(options: OnCallCliOptions): Promise<void> {
    const ops = this.operations(options);
    this.requireConfirmation(options, 'stop');
    const plan = await ops.planStop({
      reason: options.reason ?? '', abandon: options.abandon, pipelineExecutionId: options.executionId, stageName: options.stage,
    });
    await this.confirmChange(options, describeStop(plan));
    this.print(options, await ops.executeStop(plan), (o) => renderStop(o, this.out));
  }

  private async override(options: OnCallCliOptions): Promise<void> {
    const conditionType = options.condition === undefined ? undefined : conditionTypeOf(options.condition);
    const ops = this.operations(options);
    this.requireConfirmation(options, 'override');
    const plan = await ops.planOverride({
      stageName: options.stage ?? '', reason: options.reason ?? '', conditionType, pipelineExecutionId: options.executionId,
    });
    await this.confirmChange(options, describeOverride(plan));
    this.print(options, await ops.executeOverride(plan), (o) => renderOverride(o, this.out));
  }

  private print<T>(options: CommonOptions, result: T, render: (value: T) => string): void {
    this.io.stdout.write(options.json ? `${JSON.stringify(result, null, 2)}\n` : render(result));
  }

  /** A remark about the result: stderr in text mode; under --json it is part of the JSON result instead. */
  private note(text: string): void {
    this.io.stderr.write(`${this.err.yellow('note:')} ${text}\n`);
  }

  private async status(options: StatusCliOptions): Promise<void> {
    const git = options.repo === undefined ? undefined : await cloneAt(options.repo);
    const ops = this.operations(options, 0, true);
    const status = await ops.status();
    const pendingApprovals = await Promise.all(status.pendingApprovals.map(async (approval) =>
      ({ ...approval, release: await ops.describeApproval(approval, { git, repository: options.repo }) })));
    this.print(options, { ...status, pendingApprovals }, (s) => renderStatus(s, this.out));
  }

  private async decide(decision: 'Approved' | 'Rejected', options: ApprovalCliOptions): Promise<void> {
    validateApprovalSummary(options.summary);
    if (options.commit !== undefined) {
      validateExpectedCommit(options.commit);
    }
    const git = options.repo === undefined ? undefined : await cloneAt(options.repo);
    const ops = this.operations(options, 0, true);
    const request = {
      stageName: options.stage,
      actionName: options.action,
      summary: options.summary,
      expectedCommit: options.commit,
      git,
      repository: options.repo,
    };
    const outcome = decision === 'Approved' ? await ops.approve(request) : await ops.reject(request);
    this.print(options, outcome, (o) => renderApproval(o, this.out));
  }

  private async transition(kind: 'freeze' | 'unfreeze', options: StagesCliOptions): Promise<void> {
    if (kind === 'freeze') {
      validateFreezeReason(options.reason ?? '');
    }
    const ops = this.operations(options);
    const stageNames = options.stage.length > 0 ? options.stage : undefined;
    const outcome = kind === 'freeze'
      ? await ops.freeze({ reason: options.reason ?? '', stageNames })
      : await ops.unfreeze({ stageNames });
    this.print(options, outcome, (o) => renderTransition(o, this.out));
  }

  private async release(options: ReleaseCliOptions): Promise<void> {
    let variables;
    let sourceRevisions;
    try {
      variables = options.variable.map(parseVariable);
      sourceRevisions = options.sourceRevision.map(parseSourceRevision);
    } catch (error) {
      throw usage((error as Error).message);
    }
    const release = { variables, sourceRevisions, clientRequestToken: options.clientRequestToken };
    // Refuse bad input before building a client: usage errors need no credentials.
    validateReleaseOptions(release);
    const outcome = await this.operations(options).release(release);
    this.print(options, outcome, renderRelease);
  }

  private async wait(options: WaitCliOptions): Promise<void> {
    validateWaitTiming(options.timeout, options.interval);
    const ops = this.operations(options, options.timeout);
    // Under --json nothing but the result (stdout) and an error (stderr) is written.
    const reporter = options.json ? undefined : new WaitProgressReporter(this.io.stderr, this.err);
    try {
      const outcome = await ops.wait({
        pipelineExecutionId: options.executionId,
        timeoutSeconds: options.timeout,
        pollIntervalSeconds: options.interval,
        onProgress: (progress) => reporter?.update(progress),
        clock: this.io.clock,
        abortSignal: this.controller.signal,
      });
      reporter?.finish();
      this.print(options, outcome, (o) => renderWait(o, this.out));
      this.exitCode = outcome.succeeded ? ExitCode.OK : ExitCode.FAILED;
    } finally {
      reporter?.finish();
    }
  }

  private resolveWindow(options: WindowCliOptions): MetricsWindow {
    const until = options.until ?? new Date(this.io.clock.now());
    const since = options.since ?? new Date(until.getTime() - 30 * DAY_MS);
    const window = { since, until };
    validateWindow(window);
    return window;
  }

  private async metrics(options: WindowCliOptions): Promise<void> {
    const window = this.resolveWindow(options);
    let metrics;
    if (options.history) {
      const { history, coverage } = await this.readHistory(options.history);
      metrics = computeDeliveryMetrics(history, window);
      const notice = options.since || options.until ? undefined : emptyDefaultWindowNotice(history, coverage, window);
      if (notice && options.json) {
        metrics = { ...metrics, notice };
      } else if (notice) {
        this.note(notice);
      }
    } else if (options.pipeline) {
      metrics = await this.operations(options).metrics(window);
    } else {
      throw usage('metrics needs --pipeline <name> (to read CodePipeline) or --history <file> (offline, from `cdk-delivery export`).');
    }
    this.print(options, metrics, (m) => renderMetrics(m, this.out));
  }

  private async exportHistory(options: WindowCliOptions): Promise<void> {
    const window = this.resolveWindow(options);
    const history = await this.operations(options).exportHistory(window, new Date(this.io.clock.now()));
    // JSON Lines, written in chunks: never one string, whatever the size of the history.
    const chunks = chunked(historyFileLines(history));
    if (!options.out) {
      for (const chunk of chunks) {
        this.io.stdout.write(chunk);
      }
      return;
    }
    try {
      await this.io.writeChunks(options.out, chunks);
    } catch (error) {
      throw new DeliveryError(DeliveryErrorCode.FAILED, `Could not write ${options.out}: ${(error as Error).message}`);
    }
    const summary = {
      file: options.out,
      pipelineName: history.pipelineName,
      since: history.since,
      until: history.until,
      executions: history.pipelineExecutionSummaries.length,
      actionExecutions: history.actionExecutionDetails.length,
    };
    this.print(options, summary, (s) =>
      `Wrote ${s.executions} executions and ${s.actionExecutions} action executions of ${s.pipelineName} (${s.since} to ${s.until}) to ${s.file}\n`);
  }

  /** A history file of either format; a file that cannot be read is a usage error naming it. */
  private async readHistory(path: string): Promise<HistoryFileContents> {
    try {
      return await readHistoryFile(this.io.readLines(path), `History file ${path}`);
    } catch (error) {
      if (error instanceof DeliveryError) {
        throw error;
      }
      throw usage(`Cannot read history file ${path}: ${(error as Error).message}`);
    }
  }
}

/** `--repo`: git for the clone at `directory`, or a usage error when it is not one. */
async function cloneAt(directory: string): Promise<GitRunner> {
  const git = gitRunner(directory);
  try {
    await git(['rev-parse', '--git-dir']);
  } catch (error) {
    throw usage(`--repo ${directory} is not a git clone (${(error as Error).message}). Pass the directory of a clone of the pipeline's source repository.`);
  }
  return git;
}

function isoDay(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * When the default window (the 30 days before now) holds no execution of a history file that has some: say which
 * period the file covers, so an old file does not read as a pipeline that did nothing.
 */
export function emptyDefaultWindowNotice(history: DeliveryHistory, coverage: HistoryCoverage, window: MetricsWindow): string | undefined {
  const since = window.since.getTime();
  const until = window.until.getTime();
  if (history.executions.length === 0 || history.executions.some((e) => e.startMs >= since && e.startMs < until)) {
    return undefined;
  }
  // Loops, not Math.min(...starts): a spread of 200,000 start times overflows the call stack.
  const first = minimum(history.executions.map((e) => e.startMs)) as number;
  const last = maximum(history.executions.map((e) => e.startMs)) as number;
  const period = coverage.since !== undefined && coverage.until !== undefined ? `${coverage.since} to ${coverage.until}` : `${isoDay(first)} to ${isoDay(last)}`;
  return `No execution started in the default window (the 30 days before now: ${window.since.toISOString()} to ${window.until.toISOString()}). ` +
    `The history file covers ${period} (${history.executions.length} executions, the first started ${isoDay(first)}, ` +
    `the last ${isoDay(last)}); pass --since and --until to choose a period inside it.`;
}

/** `before-entry` ↔ `BEFORE_ENTRY`: the option's spelling of a condition type. */
function conditionOption(type: string): string {
  return type.toLowerCase().replace(/_/g, '-');
}

function conditionTypeOf(option: string): string {
  const type = OVERRIDABLE_CONDITIONS.find((t) => conditionOption(t) === option || t === option);
  if (type === undefined) {
    throw usage(`--condition '${option}' is not a condition CodePipeline overrides: use ${OVERRIDABLE_CONDITIONS.map(conditionOption).join(' or ')}.`);
  }
  return type;
}

function reportError(error: unknown, io: CliIo, json: boolean): ExitCode {
  const style = Style.for(io.stderr, io.env);
  const known = error instanceof DeliveryError
    ? error
    : new DeliveryError(DeliveryErrorCode.FAILED, `Unexpected error: ${error instanceof Error ? error.message : String(error)}`);
  const exitCode = exitCodeFor(known.code);
  if (json) {
    io.stderr.write(`${JSON.stringify({ error: { code: known.code, exitCode, message: known.message } }, null, 2)}\n`);
  } else {
    io.stderr.write(`${style.red('error:')} ${known.message}\n`);
  }
  return exitCode;
}

/**
 * Run the CLI in-process: parse `argv` (the arguments after the program name), do the work through `io`,
 * and resolve to the exit code. Never calls process.exit.
 */
export async function run(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const json = argv.includes('--json');
  const cli = new Cli(io, json);
  try {
    await cli.program().parseAsync([...argv], { from: 'user' });
    return cli.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      const shown = error.code === 'commander.helpDisplayed' || error.code === 'commander.version';
      if (!json) {
        // Commander already printed the message (or the help).
        return shown ? ExitCode.OK : ExitCode.USAGE;
      }
      if (shown) {
        const text = cli.held.out || cli.held.err;
        io.stdout.write(`${JSON.stringify(error.code === 'commander.version' ? { version: text.trim() } : { help: text }, null, 2)}\n`);
        return ExitCode.OK;
      }
      // Commander's own message, without its "error: " prefix.
      const message = error.message.replace(/^error: /, '');
      return reportError(new DeliveryError(DeliveryErrorCode.INVALID_INPUT, message), io, true);
    }
    return reportError(error, io, json);
  } finally {
    cli.dispose();
  }
}
