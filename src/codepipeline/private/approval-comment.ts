import { ApprovalGate, approvalComment as gateComment } from '../../blueprint/release-plan';
import { MAX_ACTION_CONFIGURATION_VALUE } from '../../private/codepipeline-limits';
import { PipelineSource } from '../source';

/**
 * The default comment (CustomData) of the approvals the pipeline creates: what the approval gates, the migrations
 * it lets run, and which source revision it releases. The revision is written as CodePipeline variables of the
 * source action (AWS documents variables in a manual approval's configuration); CodePipeline fills them in when
 * the approval starts waiting, so the console, the notification and `cdk-delivery status` show the commit.
 */

/** The source revision a comment names, as references to the source action's output variables. */
export interface CommentRevision {
  /** What the revision is: `commit` for git sources, `source version` for S3. */
  readonly noun: string;
  /** The reference to the revision id (`CommitId` or `VersionId`). */
  readonly id: string;
  /** The reference to the commit message, for sources that report one. */
  readonly message?: string;
}

/**
 * The longest a variable reference renders to: `#{<stage>@<action>.<variable>}` with a 100-character action
 * name, the longest CodePipeline allows. References are tokens while the comment is built, so their length is
 * counted as this.
 */
const MAX_REFERENCE_LENGTH = '#{Source@.CommitMessage}'.length + 100;

/** The revision of the pipeline's source, as the variables its action will hold. */
export function commentRevision(source: PipelineSource): CommentRevision {
  const rendered = source.toCodePipelineSource();
  return revisionOf(source, variable => rendered.sourceAttribute(variable));
}

/** The revision of the pipeline's source, with `reference` writing a reference to one of its action's variables. */
export function revisionOf(source: PipelineSource, reference: (variable: string) => string): CommentRevision {
  return source.revisionVariable === 'CommitId'
    ? { noun: 'commit', id: reference('CommitId'), message: reference('CommitMessage') }
    : { noun: 'source version', id: reference(source.revisionVariable) };
}

function revisionSentence(revision: CommentRevision): { readonly text: string; readonly length: number } {
  const text = revision.message === undefined
    ? ` It releases ${revision.noun} ${revision.id}.`
    : ` It releases ${revision.noun} ${revision.id}: ${revision.message}`;
  const references = revision.message === undefined ? 1 : 2;
  const literal = text.replace(revision.id, '').replace(revision.message ?? '', '');
  return { text, length: literal.length + references * MAX_REFERENCE_LENGTH };
}

/**
 * The default comment of `gate`'s approval, within CodePipeline's 1000 characters: the blueprint's wording of what
 * it gates (with many long migration names counted instead of listed), then the revision it releases.
 */
export function approvalComment(gate: ApprovalGate, revision?: CommentRevision): string {
  const released = revision ? revisionSentence(revision) : { text: '', length: 0 };
  return gateComment(gate, MAX_ACTION_CONFIGURATION_VALUE - released.length) + released.text;
}

/**
 * The comment of a change-set review's `Review` approval: what decides it, then the revision it releases (a person
 * who sees it held approves that commit).
 */
export function reviewComment(environment: string, revision?: CommentRevision): string {
  const released = revision ? revisionSentence(revision).text : '';
  return `Change-set review of ${environment}: a function reads the change sets prepared above, approves a safe release by itself, `
    + `and leaves a risky one here for a person, with a summary of what is risky.${released}`;
}
