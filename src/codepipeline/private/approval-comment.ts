import { COMMIT_AUTHOR_VARIABLE } from './commit-author';
import { ApprovalGate, approvalComment as gateComment } from '../../blueprint/release-plan';
import { BUILD_STAGE } from '../../contract';
import { MAX_ACTION_CONFIGURATION_VALUE } from '../../private/codepipeline-limits';
import { InternalError } from '../../private/errors';
import { PipelineSource } from '../source';

/**
 * The default comment (CustomData) of the approvals the pipeline creates: what the approval gates, the migrations
 * it lets run, and which source revision it releases. The revision is written as CodePipeline variables of the
 * source action (AWS documents variables in a manual approval's configuration); CodePipeline fills them in when
 * the approval starts waiting, so the console, the notification and `cdk-delivery status` show the commit. When the
 * source is a full git clone, the synth build exports the commit's author (`commit-author.ts`) and the sentence
 * names it too: "It releases commit <id> by <author>: <message>".
 */

/** The source revision a comment names, as references to the source action's output variables. */
export interface CommentRevision {
  /** What the revision is: `commit` for git sources, `source version` for S3. */
  readonly noun: string;
  /** The reference to the revision id (`CommitId` or `VersionId`). */
  readonly id: string;
  /** The reference to the commit message, for sources that report one. */
  readonly message?: string;
  /** The reference to the commit's author, which the synth build exports when the source is a full git clone. */
  readonly author?: string;
}

/**
 * The longest a source variable reference renders to: `#{<stage>@<action>.<variable>}` with a 100-character
 * action name, the longest CodePipeline allows. References are tokens while the comment is built, so their length
 * is counted as this.
 */
const MAX_REFERENCE_LENGTH = '#{Source@.CommitMessage}'.length + 100;

/** The longest the reference to the synth action's author variable renders to, counted the same way. */
const MAX_AUTHOR_REFERENCE_LENGTH = `#{${BUILD_STAGE}@.${COMMIT_AUTHOR_VARIABLE}}`.length + 100;

/**
 * The revision of the pipeline's source, as the variables its action will hold, and the author's name as the synth
 * action's variable (`author`: the reference to it, given when the source is a full git clone).
 */
export function commentRevision(source: PipelineSource, author?: string): CommentRevision {
  const rendered = source.toCodePipelineSource();
  return revisionOf(source, variable => rendered.sourceAttribute(variable), author);
}

/**
 * The revision of the pipeline's source, with `reference` writing a reference to one of its action's variables, and
 * `author` the reference to the author's name (see `commentRevision`).
 */
export function revisionOf(source: PipelineSource, reference: (variable: string) => string, author?: string): CommentRevision {
  return source.revisionVariable === 'CommitId'
    ? { noun: 'commit', id: reference('CommitId'), message: reference('CommitMessage'), author }
    : { noun: 'source version', id: reference(source.revisionVariable) };
}

function revisionSentence(revision: CommentRevision): { readonly text: string; readonly length: number } {
  const by = revision.author === undefined ? '' : ` by ${revision.author}`;
  const text = revision.message === undefined
    ? ` It releases ${revision.noun} ${revision.id}${by}.`
    : ` It releases ${revision.noun} ${revision.id}${by}: ${revision.message}`;
  const references: Array<readonly [string | undefined, number]> = [
    [revision.id, MAX_REFERENCE_LENGTH],
    [revision.message, MAX_REFERENCE_LENGTH],
    [revision.author, MAX_AUTHOR_REFERENCE_LENGTH],
  ];
  const length = references.reduce(
    (total, [reference, longest]) => reference === undefined ? total : total - reference.length + longest,
    text.length);
  return { text, length };
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
  const released = revision ? revisionSentence(revision) : { text: '', length: 0 };
  const decided = `Change-set review of ${environment}: a function reads the change sets prepared above, approves a safe release by itself, `
    + 'and leaves a risky one here for a person. The review\'s summary: see the review link (the function\'s log, filtered to this '
    + 'execution), or run cdk-delivery status.';
  // Environment names are at most 100 characters (stage names), the references counted at their longest: it fits.
  if (decided.length + released.length > MAX_ACTION_CONFIGURATION_VALUE) {
    throw new InternalError(`DeliveryPipeline: the Review approval's comment of ${environment} could pass CodePipeline's ${MAX_ACTION_CONFIGURATION_VALUE} characters. Please report it with your aws-cdk-lib version.`);
  }
  return decided + released.text;
}
