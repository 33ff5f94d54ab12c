import { ChangeSetClass, Class, Outcome, OUTCOMES, Policy } from './review-contract';
import { securityBroadenings } from './security-diff';
import { statefulType } from './stateful-catalog';
import { canonical, CfnResource, CfnTemplate, displayName, isRecord, resourcesOf } from './template-model';

/**
 * The change-set review's classification: pure, engine-free, SDK-free. Given, per stack, the deployed template, the
 * new template and (at run time) CloudFormation's resource changes from the change set, it finds the risky changes
 * (stateful resources replaced or deleted, security broadened, stacks removed from the app), decides the outcome under
 * the environment's policy, and writes the summary a person reads.
 */

/** One resource change of a change set, as `DescribeChangeSet` reports it (SDK-free). */
export interface ResourceChangeFact {
  readonly logicalId: string;
  readonly resourceType: string;
  /** `Add`, `Modify`, `Remove`, `Import`, `Dynamic`. */
  readonly action: string;
  /** `True`, `False` or `Conditional` (Modify only). */
  readonly replacement?: string;
  /** Properties whose change requires recreation (`Details[].Target.Name` with `RequiresRecreation` not `Never`). */
  readonly recreatedBy?: readonly string[];
}

/** One stack of the environment, before and after the release. */
export interface StackChange {
  readonly stackName: string;
  /** The deployed template; undefined when the stack does not exist yet (the change set creates it). */
  readonly before?: CfnTemplate;
  /** The new template; undefined when the stack is no longer in the app. */
  readonly after?: CfnTemplate;
  /** CloudFormation's resource changes (the change set); undefined when only the templates are known. */
  readonly resourceChanges?: readonly ResourceChangeFact[];
}

/** A risky change. */
export interface Finding {
  readonly changeClass: ChangeSetClass;
  readonly stackName: string;
  /** One sentence, starting with the stack name. */
  readonly text: string;
}

/** What the review found in an environment's stacks. */
export interface Review {
  readonly findings: readonly Finding[];
  /** Changes that look risky but are not (a replaced resource that is retained): shown to the person, not decided on. */
  readonly notes: readonly string[];
  /** One entry per stack: `AppStack (3 changes)`, `NewStack (new, 4 resources)`, `OldStack (removed from the app)`. */
  readonly stacks: readonly string[];
}

/** The outcome under a policy, and the summary a person reads. */
export interface Decision {
  readonly outcome: Outcome;
  /** The full summary (notification, logs). */
  readonly summary: string;
}

/** CloudFormation keeps the physical resource for these policies. */
const RETAINED = new Set(['Retain', 'RetainExceptOnCreate']);

/** Classifies the changes of every stack. */
export function classify(stacks: readonly StackChange[]): Review {
  const findings: Finding[] = [];
  const notes: string[] = [];
  const lines: string[] = [];
  for (const stack of stacks) {
    if (stack.after === undefined) {
      const resources = Object.values(resourcesOf(stack.before)).filter(isRecord);
      const stateful = resources.filter(r => statefulType(r.Type) !== undefined).length;
      findings.push({
        changeClass: 'STACK_REMOVAL',
        stackName: stack.stackName,
        text: `${stack.stackName} is no longer in the app; CloudFormation leaves it running (${resources.length} resources, `
          + `${stateful} stateful): delete it yourself if that is intended`,
      });
      lines.push(`${stack.stackName} (removed from the app)`);
      continue;
    }
    const stateful = statefulChanges(stack);
    findings.push(...stateful.findings);
    notes.push(...stateful.notes);
    for (const broadening of securityBroadenings(stack.before, stack.after)) {
      findings.push({ changeClass: 'SECURITY_BROADENING', stackName: stack.stackName, text: `${stack.stackName}: ${broadening.text}` });
    }
    lines.push(stack.before === undefined
      ? `${stack.stackName} (new, ${Object.keys(resourcesOf(stack.after)).length} resources)`
      : `${stack.stackName} (${plural(changeCount(stack), 'change')})`);
  }
  return { findings, notes, stacks: lines };
}

function statefulChanges(stack: StackChange): { findings: Finding[]; notes: string[] } {
  const findings: Finding[] = [];
  const notes: string[] = [];
  const before = resourcesOf(stack.before);
  const after = resourcesOf(stack.after);
  const facts = new Map((stack.resourceChanges ?? []).map(fact => [fact.logicalId, fact]));
  for (const [logicalId, old] of Object.entries(before)) {
    const type = isRecord(old) ? statefulType(old.Type) : undefined;
    if (type === undefined) {
      continue;
    }
    const name = `${stack.stackName}: ${type.label} ${displayName(logicalId, old)}`;
    const current = after[logicalId];
    if (!isRecord(current) || current.Type !== old.Type) {
      if (RETAINED.has(String(old.DeletionPolicy))) {
        notes.push(`${name} is removed from the stack; the resource and its data are kept (DeletionPolicy: ${old.DeletionPolicy})`);
      } else {
        findings.push({ changeClass: 'STATEFUL_REPLACEMENT', stackName: stack.stackName, text: `${name} is deleted; its data is lost${snapshot(old.DeletionPolicy)}` });
      }
      continue;
    }
    const replacement = replacementOf(logicalId, old, current, type.replacedBy, facts, stack.resourceChanges !== undefined);
    if (replacement === undefined) {
      continue;
    }
    const why = replacement.because.length > 0 ? ` (${replacement.because.join(', ')} changed)` : '';
    const verb = replacement.certain ? 'is replaced' : 'may be replaced';
    if (RETAINED.has(String(current.UpdateReplacePolicy))) {
      notes.push(`${name} ${verb}${why}; the old resource and its data are kept (UpdateReplacePolicy: ${current.UpdateReplacePolicy})`);
    } else {
      const loss = replacement.certain ? 'its data is deleted' : 'its data would be deleted';
      findings.push({ changeClass: 'STATEFUL_REPLACEMENT', stackName: stack.stackName, text: `${name} ${verb}${why}; ${loss}${snapshot(current.UpdateReplacePolicy)}` });
    }
  }
  return { findings, notes };
}

function snapshot(policy: unknown): string {
  return policy === 'Snapshot' ? ' (a snapshot is taken first)' : '';
}

/**
 * Whether the resource is replaced: CloudFormation's answer when the change set is known (authoritative), else the
 * catalog's create-only properties that changed between the templates.
 */
function replacementOf(
  logicalId: string, old: CfnResource, current: CfnResource, replacedBy: readonly string[],
  facts: ReadonlyMap<string, ResourceChangeFact>, fromChangeSet: boolean,
): { certain: boolean; because: readonly string[] } | undefined {
  if (fromChangeSet) {
    const fact = facts.get(logicalId);
    if (fact === undefined || fact.action !== 'Modify' || (fact.replacement !== 'True' && fact.replacement !== 'Conditional')) {
      return undefined;
    }
    return { certain: fact.replacement === 'True', because: fact.recreatedBy ?? [] };
  }
  const changed = replacedBy.filter(p => canonical(old.Properties?.[p]) !== canonical(current.Properties?.[p]));
  return changed.length > 0 ? { certain: true, because: changed } : undefined;
}

/** Resources added, removed or modified between the templates (or as the change set counts them). */
function changeCount(stack: StackChange): number {
  if (stack.resourceChanges !== undefined) {
    return stack.resourceChanges.length;
  }
  const before = resourcesOf(stack.before);
  const after = resourcesOf(stack.after);
  const ids = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...ids].filter(id => canonical(before[id]) !== canonical(after[id])).length;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

// ---- Decision and summary ----

const CLASS_LABELS: { readonly [C in Class]: string } = {
  STATEFUL_REPLACEMENT: 'data',
  SECURITY_BROADENING: 'security',
  STACK_REMOVAL: 'removed stack',
  LARGE_RELEASE: 'release size',
};

/** What the release-size check found (`release-size-check.ts`), when the policy sets a limit. */
export interface ReleaseSizeReport {
  /** One sentence without the final period: the count, the last release and the limit, or why it is not determined. */
  readonly text: string;
  /** Set when the release exceeds the limit: the policy's outcome for a large release. Unset: it decides nothing. */
  readonly outcome?: Outcome;
}

/**
 * The outcome of `review` under `policy` in `environmentName`, and its summary. A release over its size limit is one
 * more finding (`LARGE_RELEASE`, decided by its own outcome); otherwise the size is a line of the summary.
 */
export function decide(review: Review, policy: Policy, environmentName: string, releaseSize?: ReleaseSizeReport): Decision {
  const decided: { changeClass: Class; text: string; outcome: Outcome }[] = review.findings.map(finding => ({
    changeClass: finding.changeClass, text: finding.text, outcome: policy[finding.changeClass],
  }));
  if (releaseSize?.outcome !== undefined) {
    decided.push({ changeClass: 'LARGE_RELEASE', text: releaseSize.text, outcome: releaseSize.outcome });
  }
  const outcome = decided.reduce<Outcome>((worst, d) => (OUTCOMES.indexOf(d.outcome) > OUTCOMES.indexOf(worst) ? d.outcome : worst), 'CONTINUE');
  // The findings that decided first, then the others, each group in the order found.
  const ordered = [...decided].sort((a, b) => OUTCOMES.indexOf(b.outcome) - OUTCOMES.indexOf(a.outcome));
  const counted = decided.filter(d => d.outcome === outcome).length;
  const headline = {
    CONTINUE: decided.length === 0
      ? `Change review of ${environmentName}: approved automatically, no stateful resource replaced or deleted, no permission broadened, no stack removed.`
      : `Change review of ${environmentName}: approved automatically, the policy lets every finding continue.`,
    HOLD: `Change review of ${environmentName}: held for a person, ${plural(counted, 'risky change')}.`,
    FAIL: `Change review of ${environmentName}: rejected, ${plural(counted, 'change')} the policy does not allow.`,
  }[outcome];
  const lines = [
    headline,
    ...ordered.map(d => `- [${d.outcome}] ${CLASS_LABELS[d.changeClass]}: ${d.text}.`),
    ...review.notes.map(note => `- [not risky] ${note}.`),
    ...(releaseSize !== undefined && releaseSize.outcome === undefined ? [releaseSizeLine(releaseSize)] : []),
    `Stacks: ${review.stacks.join(', ')}.`,
  ];
  return { outcome, summary: lines.join('\n') };
}

/** The summary's line for a release size that decides nothing (within the limit, or not determined). */
export function releaseSizeLine(releaseSize: ReleaseSizeReport): string {
  return `Release size: ${releaseSize.text}.`;
}

/** CodePipeline's limit on an approval's summary. */
export const APPROVAL_SUMMARY_LIMIT = 512;

/**
 * The summary shortened to `limit` characters for `PutApprovalResult`: whole lines from the top, then a line that
 * says how many were left out and where to read them.
 */
export function shortSummary(summary: string, limit: number = APPROVAL_SUMMARY_LIMIT): string {
  if (summary.length <= limit) {
    return summary;
  }
  const lines = summary.split('\n');
  const kept: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const rest = lines.length - i - 1;
    const tail = `… ${plural(rest + 1, 'more line')}: see the review notification or the review function's log.`;
    const candidate = [...kept, lines[i]].join('\n');
    const fitsWithTail = rest === 0 ? candidate.length <= limit : `${candidate}\n${tail}`.length <= limit;
    if (!fitsWithTail) {
      const ending = `… ${plural(lines.length - i, 'more line')}: see the review notification or the review function's log.`;
      const text = [...kept, ending].join('\n');
      return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
    }
    kept.push(lines[i]);
  }
  return kept.join('\n');
}
