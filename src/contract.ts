/**
 * The contract between the construct, the operations client (runtime, CLI) and the test helpers: the names the
 * construct writes into a pipeline and the others read back. Dependency-free on purpose (the CLI and the
 * bundled Lambda handlers import it too); never copy these literals elsewhere.
 */

/** Tag on the pipeline resource that records its release mode (`continuous-delivery` / `continuous-deployment`). */
export const RELEASE_MODE_TAG = 'release-mode';

/** Public stage names and name prefixes. */
export const SOURCE_STAGE = 'Source';
export const BUILD_STAGE = 'Build';
export const TEST_STAGE = 'Test';
export const STAGING_STAGE = 'Staging';
export const PRODUCTION_STAGE = 'Production';

/** CodePipeline's limits on names (defined with CodePipeline's other limits). */
export { MAX_NAME_LENGTH, NAME_PATTERN } from './private/codepipeline-limits';

/**
 * The CodeBuild variable the synth build exports with the commit's author when the source is a full git clone (and
 * the CodePipeline output variable of the synth action): written by the construct, read by the CLI.
 */
export const COMMIT_AUTHOR_VARIABLE = 'CDK_DELIVERY_COMMIT_AUTHOR';

/** What that variable holds when git cannot tell the author. */
export const COMMIT_AUTHOR_FALLBACK = 'unknown';

/** What a pipeline stage is for. */
export enum StageKind {
  SOURCE = 'source',
  BUILD = 'build',
  TEST = 'test',
  STAGING = 'staging',
  PRODUCTION = 'production',
}

/**
 * The name of one part of a phase that is split over several stages (tests, or an environment with more targets
 * than one CodePipeline stage holds): the base name alone when there is one part, else `<base>-<part>`.
 */
export function partStageName(base: string, part: number, parts: number): string {
  return parts === 1 ? base : `${base}-${part}`;
}

/** The base stage name of a production environment: `Production`, or `Production-<wave>` for a wave. */
export function productionStageName(wave?: string): string {
  return wave === undefined ? PRODUCTION_STAGE : `${PRODUCTION_STAGE}-${wave}`;
}

/** Whether a stage name denotes a production stage (every operation that targets "production" uses this). */
export function isProductionStage(stageName: string): boolean {
  return stageName === PRODUCTION_STAGE || stageName.startsWith(`${PRODUCTION_STAGE}-`);
}

/** Pipeline execution statuses after which an execution no longer changes. */
export const TERMINAL_EXECUTION_STATUSES: readonly string[] = ['Succeeded', 'Failed', 'Stopped', 'Superseded', 'Cancelled'];

/** Whether a pipeline execution status is final. */
export function isTerminalExecutionStatus(status: string): boolean {
  return TERMINAL_EXECUTION_STATUSES.includes(status);
}

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** Whether a string is shaped like an e-mail address (approval and notification recipients). */
export function isEmailAddress(text: string): boolean {
  return EMAIL.test(text);
}
