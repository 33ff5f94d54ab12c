/**
 * The contract between the change-set review construct (synth time) and its bundled handler (run time): the
 * classes, outcomes and the configuration the construct writes into the function's environment. Dependency-free,
 * so the handler bundle does not pull in aws-cdk-lib. The public enums `ChangeClass` and `ReviewOutcome` have the
 * same values (test/review/policy.test.ts checks it).
 */

export type Outcome = 'CONTINUE' | 'HOLD' | 'FAIL';
/** The classes found in the change sets: the policy always names an outcome for each. */
export type ChangeSetClass = 'STATEFUL_REPLACEMENT' | 'SECURITY_BROADENING' | 'STACK_REMOVAL';
/** Every class; `LARGE_RELEASE` is configured apart (`ReleaseSizeLimit`), only when a limit is set. */
export type Class = ChangeSetClass | 'LARGE_RELEASE';

export const OUTCOMES: readonly Outcome[] = ['CONTINUE', 'HOLD', 'FAIL'];
export const CHANGE_SET_CLASSES: readonly ChangeSetClass[] = ['STATEFUL_REPLACEMENT', 'SECURITY_BROADENING', 'STACK_REMOVAL'];
export const CLASSES: readonly Class[] = [...CHANGE_SET_CLASSES, 'LARGE_RELEASE'];

/** The outcome per class of change-set finding. */
export type Policy = { readonly [C in ChangeSetClass]: Outcome };

/** The release-size hold: written only when the policy sets `maxReleaseRevisions`. */
export interface ReleaseSizeLimit {
  /** Hold (as `outcome` says) when more new source revisions than this reached the pipeline since the last release. */
  readonly maxRevisions: number;
  /** The policy's `largeRelease`. */
  readonly outcome: Outcome;
}

/** One stack the review reads: its change set and where it lives. */
export interface ReviewTarget {
  /** The stack's name in CloudFormation. */
  readonly stackName: string;
  /** The change set the prepare action creates (CDK Pipelines: `PipelineChange`). */
  readonly changeSetName: string;
  readonly account: string;
  readonly region: string;
  /** The role the function assumes to read the stack (CDK bootstrap's lookup role of that account and region). */
  readonly roleArn: string;
}

/** What the handler needs, as the construct writes it. */
export interface ReviewConfig {
  /** How the summary names the environment (e.g. `Production`). */
  readonly environmentName: string;
  /** The pipeline stage that holds the review approval. */
  readonly stageName: string;
  /** The review approval action. */
  readonly approvalActionName: string;
  readonly targets: readonly ReviewTarget[];
  /**
   * Stack name prefixes the environment owns (e.g. `Prod-` for the stacks of a CDK Stage named `Prod`): a stack with
   * such a name, in a target account and region, that is not a target any more was removed from the app.
   * Empty: removed stacks are not looked for.
   */
  readonly stackNamePrefixes: readonly string[];
  readonly policy: Policy;
  /** The release-size limit; none: the release size is not checked (and the execution history is not read). */
  readonly releaseSize?: ReleaseSizeLimit;
  /** Topic told about a HOLD (the summary); none: the summary is only in the logs. */
  readonly topicArn?: string;
}

/** The environment variable that holds the configuration (JSON). */
export const CONFIG_VARIABLE = 'REVIEW_CONFIG';

/** Targets that share an account, a region, a role and a change set name: written once, with their stack names. */
export interface TargetGroup {
  readonly account: string;
  readonly region: string;
  readonly roleArn: string;
  readonly changeSetName: string;
  readonly stackNames: readonly string[];
}

/** The configuration as the environment holds it (4 KB for all variables): targets grouped. */
export interface EncodedConfig extends Omit<ReviewConfig, 'targets'> {
  readonly groups: readonly TargetGroup[];
}

/** Groups the targets (in their order) so that a stage of 24 stacks fits in a Lambda environment. */
export function encodeConfig(config: ReviewConfig): EncodedConfig {
  const groups: { account: string; region: string; roleArn: string; changeSetName: string; stackNames: string[] }[] = [];
  for (const t of config.targets) {
    const group = groups.find(g => g.account === t.account && g.region === t.region
      && g.roleArn === t.roleArn && g.changeSetName === t.changeSetName);
    if (group) {
      group.stackNames.push(t.stackName);
    } else {
      groups.push({ account: t.account, region: t.region, roleArn: t.roleArn, changeSetName: t.changeSetName, stackNames: [t.stackName] });
    }
  }
  const { targets: _targets, ...rest } = config;
  return { ...rest, groups };
}

/** The targets of an encoded configuration, in their order. */
export function decodeTargets(groups: readonly TargetGroup[]): ReviewTarget[] {
  return groups.flatMap(g => (Array.isArray(g.stackNames) ? g.stackNames : []).map(stackName => ({
    stackName, changeSetName: g.changeSetName, account: g.account, region: g.region, roleArn: g.roleArn,
  })));
}

/**
 * The review's decision line: what the handler logs once per decision, and what the approval's review link (the
 * function's log group in the CloudWatch console, filtered to the execution) and `cdk-delivery status|approve|reject`
 * read. The function logs in Lambda's JSON format, where the runtime writes a logged object under `message`:
 *
 *     {"timestamp":"…","level":"INFO","requestId":"…","message":{"event":"ReviewDecision","pipeline":"my-app",
 *      "executionId":"…","stage":"Production","action":"Review","environment":"Production","decision":"HOLD",
 *      "summary":"Change review of Production: held for a person, …"}}
 *
 * A field is added, never renamed or removed: deployed functions and newer CLIs read each other's lines.
 */
export interface ReviewDecisionLine {
  /** Always `ReviewDecision` (`DECISION_EVENT`): what the filter pattern looks for. */
  readonly event: typeof DECISION_EVENT;
  /** The pipeline's name. */
  readonly pipeline: string;
  /** The execution the review approval waits for. */
  readonly executionId: string;
  /** The stage of the review approval. */
  readonly stage: string;
  /** The review approval action. */
  readonly action: string;
  /** How the summary names the environment. */
  readonly environment: string;
  readonly decision: Outcome;
  /** The whole summary (an approval's summary holds at most 512 characters of it). */
  readonly summary: string;
}

/** The `event` of a decision line. */
export const DECISION_EVENT = 'ReviewDecision';

/** The fields of a decision line, under the key the logging function gives them (`message`, Lambda's JSON format). */
export const DECISION_LINE_KEY = 'message';

/** The decision line of a decision (the handler logs it as an object: the runtime nests it under `message`). */
export function decisionLine(fields: Omit<ReviewDecisionLine, 'event'>): ReviewDecisionLine {
  return {
    event: DECISION_EVENT,
    pipeline: fields.pipeline,
    executionId: fields.executionId,
    stage: fields.stage,
    action: fields.action,
    environment: fields.environment,
    decision: fields.decision,
    summary: fields.summary,
  };
}

/**
 * The CloudWatch Logs filter pattern that selects the decision lines of one execution (`executionId` may be a
 * CodePipeline variable reference, `#{codepipeline.PipelineExecutionId}`, resolved when the approval starts).
 */
export function decisionFilterPattern(executionId: string): string {
  const at = `$.${DECISION_LINE_KEY}`;
  return `{ ${at}.event = "${DECISION_EVENT}" && ${at}.executionId = "${executionId}" }`;
}

/**
 * The decision line in one log event's text, or undefined when the event is not one: Lambda's JSON envelope with the
 * line under `message` (as an object, or as JSON text when a function logs the line as a string), or the bare line
 * (a function logging in text format). Every field is checked: a line a newer or older handler wrote with a field
 * missing or of another type is not a decision line.
 */
export function parseDecisionLine(text: string): ReviewDecisionLine | undefined {
  const parsed = parseJson(text);
  const envelope = isObject(parsed) ? parsed[DECISION_LINE_KEY] : undefined;
  const candidates = [envelope, typeof envelope === 'string' ? parseJson(envelope) : undefined, parsed];
  for (const candidate of candidates) {
    if (!isObject(candidate) || candidate.event !== DECISION_EVENT) {
      continue;
    }
    const fields = ['pipeline', 'executionId', 'stage', 'action', 'environment', 'summary'] as const;
    if (fields.every(f => typeof candidate[f] === 'string') && OUTCOMES.includes(candidate.decision as Outcome)) {
      return decisionLine(candidate as unknown as ReviewDecisionLine);
    }
  }
  return undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The CloudWatch console's encoding of a value inside its `#logsV2:` fragment: URI-encoded twice, each `%` written
 * `$` (`/aws/x` is `$252Faws$252Fx`).
 */
export function consoleFragmentEncode(text: string): string {
  return encodeURIComponent(encodeURIComponent(text)).replace(/%/g, '$');
}

/** The inverse of `consoleFragmentEncode`; undefined for text that is not such an encoding. */
export function consoleFragmentDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(decodeURIComponent(text.replace(/\$/g, '%')));
  } catch {
    return undefined;
  }
}

/** Where the decision link points, in the parts the construct knows at synthesis. */
export interface DecisionLinkParts {
  /** The log group's region. */
  readonly region: string;
  /** The log group's name, written as `consoleFragmentEncode` gives it (a name of only letters, digits and `-` is itself). */
  readonly encodedLogGroupName: string;
  /** The execution: a CodePipeline variable reference the approval resolves, or an id (letters, digits, `-`). */
  readonly executionId: string;
}

/**
 * The review approval's review link: the review function's log group in the CloudWatch console, filtered to the
 * decision line of one execution. The execution id is written as it is (CodePipeline replaces a variable reference in
 * it when the approval starts; execution ids need no encoding), the rest of the filter pattern encoded.
 */
export function decisionLink(parts: DecisionLinkParts): string {
  const mark = '\u0000';
  const [before, after] = decisionFilterPattern(mark).split(mark);
  return `https://${parts.region}.console.aws.amazon.com/cloudwatch/home?region=${parts.region}`
    + `#logsV2:log-groups/log-group/${parts.encodedLogGroupName}/log-events$3FfilterPattern$3D`
    + `${consoleFragmentEncode(before)}${parts.executionId}${consoleFragmentEncode(after)}`;
}

const DECISION_LINK = /^https:\/\/[a-z0-9-]+\.console\.aws\.amazon\.com\/cloudwatch\/home\?region=([a-z0-9-]+)#logsV2:log-groups\/log-group\/([^/?#]+)\/log-events\$3FfilterPattern\$3D/;

/** The log group a review link points at (an approval's `ExternalEntityLink`), or undefined when it is not a decision link. */
export function logGroupOfDecisionLink(url: string): { readonly region: string; readonly logGroupName: string } | undefined {
  const match = DECISION_LINK.exec(url);
  const logGroupName = match ? consoleFragmentDecode(match[2]) : undefined;
  return match && logGroupName ? { region: match[1], logGroupName } : undefined;
}
