import { ApprovalGate, GateReason } from '../../blueprint/release-plan';
import { MAX_ACTION_CONFIGURATION_VALUE } from '../../blueprint/validate';
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
  return source.revisionVariable === 'CommitId'
    ? { noun: 'commit', id: rendered.sourceAttribute('CommitId'), message: rendered.sourceAttribute('CommitMessage') }
    : { noun: 'source version', id: rendered.sourceAttribute(source.revisionVariable) };
}

function revisionSentence(revision: CommentRevision): { readonly text: string; readonly length: number } {
  const text = revision.message === undefined
    ? ` It releases ${revision.noun} ${revision.id}.`
    : ` It releases ${revision.noun} ${revision.id}: ${revision.message}`;
  const references = revision.message === undefined ? 1 : 2;
  const literal = text.replace(revision.id, '').replace(revision.message ?? '', '');
  return { text, length: literal.length + references * MAX_REFERENCE_LENGTH };
}

function gateSentences(gate: ApprovalGate, names: string): string {
  const migrations = gate.migrations.length > 0
    ? ` Approving also lets the migration(s) ${names} run before ${gate.gates} deploys.`
    : '';
  return gate.reason === GateReason.PIPELINE
    ? `Approve the release to ${gate.gates}. Staging is deployed; its verification runs in parallel with this approval.${migrations}`
    : gate.reason === GateReason.ENVIRONMENT
      ? `Approve the deployment to ${gate.gates}.${migrations}`
      : `Approve the migration(s) ${names} before they run in ${gate.gates}.`;
}

/**
 * The default comment of `gate`'s approval, within CodePipeline's 1000 characters: with many long migration names
 * the migrations are counted instead of listed.
 */
export function approvalComment(gate: ApprovalGate, revision?: CommentRevision): string {
  const released = revision ? revisionSentence(revision) : { text: '', length: 0 };
  const listed = gateSentences(gate, gate.migrations.join(', '));
  const comment = listed.length + released.length <= MAX_ACTION_CONFIGURATION_VALUE
    ? listed
    : gateSentences(gate, `${gate.migrations.length} listed in the stage`);
  return comment + released.text;
}
