import { COMMIT_AUTHOR_FALLBACK, COMMIT_AUTHOR_VARIABLE } from '../../contract';

/**
 * The author of the released commit, told by the synth build to the approvals.
 *
 * No CodePipeline source provider reports who wrote a commit (CodeConnections and CodeCommit give `AuthorDate`,
 * `CommitId`, `CommitMessage`, …). When the source is a full git clone (`codeBuildCloneOutput: true`) the synth
 * build has the history: it reads the author's name with git and exports it as a CodeBuild variable, which CDK
 * Pipelines makes a CodePipeline variable of the synth action (`CodeBuildStep.exportedVariable`), and the default
 * approval comments name it.
 *
 * The name is written by whoever pushes the commit, so it is data: it is assigned from a command substitution
 * (never evaluated), stripped of control characters, cut to a bounded length, and replaced by a stated fallback
 * when git cannot tell (no `.git`, git missing, an empty name). Reading it never fails the synth build.
 */

/** The variable and its fallback are the construct's contract with the CLI (`src/contract.ts`). */
export { COMMIT_AUTHOR_FALLBACK, COMMIT_AUTHOR_VARIABLE };

/** Display columns of the name git prints at most (longer names end in `..`). */
export const MAX_AUTHOR_COLUMNS = 100;

/**
 * Bytes of the exported value at most, whatever the name holds (zero-width characters take no column, so the
 * column limit alone bounds nothing). A multi-byte character cut at this bound is dropped.
 */
export const MAX_AUTHOR_BYTES = 4 * MAX_AUTHOR_COLUMNS;

/**
 * The shell lines, first of the synth build's commands (POSIX sh, as CodeBuild runs them). Each exits 0.
 *
 * - `git -C "${CODEBUILD_SRC_DIR:-.}"`: the primary source, wherever earlier commands left the shell;
 * - `%<(N,trunc)%an`: the author's name as recorded (not `.mailmap`), cut by git at N columns;
 * - `tr -d`: control characters out (bytes 0–31 and 127 never occur inside a UTF-8 sequence);
 * - `head -c`: the byte bound; `iconv -c` then drops a character the bound cut (or passes the value on as it is
 *   where iconv is missing); `sed`: git's padding out;
 * - the assignment takes the substitution's output as a value: quotes, `$(…)` and backquotes in it are not run;
 *   `|| true`: even a missing tool does not fail the build.
 */
export function commitAuthorCommands(): string[] {
  const v = COMMIT_AUTHOR_VARIABLE;
  return [
    `${v}="$(git -C "\${CODEBUILD_SRC_DIR:-.}" log -1 --format='%<(${MAX_AUTHOR_COLUMNS},trunc)%an' 2>/dev/null | tr -d '\\000-\\037\\177' | head -c ${MAX_AUTHOR_BYTES} | { iconv -c -f UTF-8 -t UTF-8 2>/dev/null || cat; } | sed 's/ *$//')" || true`,
    `export ${v}="\${${v}:-${COMMIT_AUTHOR_FALLBACK}}"`,
  ];
}
