import type { FilePathFilter, ReleaseTrigger, TagTriggerOptions } from '../source';

/**
 * What the library reads from sources and triggers (not public API).
 */

export interface TriggerFilters {
  readonly filePaths?: FilePathFilter;
  readonly tags?: TagTriggerOptions;
}

export interface ConnectionDetails {
  /** The source action's name in the Source stage. */
  readonly actionName: string;
  /** The released branch. */
  readonly branch: string;
  /** The triggers that start the pipeline (empty: CodePipeline's default change detection). */
  readonly triggers: ReleaseTrigger[];
}

