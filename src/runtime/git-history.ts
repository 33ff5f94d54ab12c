import { execFile } from 'node:child_process';
import { DeliveryError, DeliveryErrorCode } from './errors';

/**
 * What a local clone of the source repository adds to an approval: the commit's author (no CodePipeline source
 * provider reports one) and the release size in commits and changed lines. Pure reads (`git rev-list`, `git diff
 * --shortstat`, `git log`); nothing is fetched or written.
 */

/** Runs `git` with the arguments and resolves to its stdout; rejects when git fails. */
export type GitRunner = (args: readonly string[]) => Promise<string>;

/** How long one git command may take. */
export const GIT_TIMEOUT_MS = 10_000;

/** A commit id git may be given: 7 to 64 hex digits (SHA-1 or SHA-256), so that no value reads as an option. */
const COMMIT_ID = /^[0-9a-f]{7,64}$/i;

export function isCommitId(value: string): boolean {
  return COMMIT_ID.test(value);
}

/** `git -C <directory> …`, each command bounded by `timeoutMs`. */
export function gitRunner(directory: string, timeoutMs: number = GIT_TIMEOUT_MS): GitRunner {
  return (args) => new Promise((resolve, reject) => {
    execFile('git', ['-C', directory, ...args], { timeout: timeoutMs, maxBuffer: 1024 * 1024, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error) {
        const detail = (stderr || error.message).trim().split('\n')[0];
        reject(new DeliveryError(DeliveryErrorCode.FAILED, `git ${args.join(' ')} in ${directory} failed: ${detail}`, { cause: error }));
        return;
      }
      resolve(stdout);
    });
  });
}

/** The author and subject of a commit, as git records them. */
export interface CommitAuthor {
  readonly name: string;
  readonly email: string;
  /** Author date (ISO 8601, strict). */
  readonly date: string;
  readonly subject: string;
}

/** Commits and changed lines between two revisions, as git counts them. */
export interface GitReleaseSize {
  /** Commits reachable from the new revision and not from the released one (`git rev-list --count base..head`). */
  readonly commits: number;
  readonly filesChanged: number;
  readonly insertions: number;
  readonly deletions: number;
  /** insertions + deletions. */
  readonly changedLines: number;
  /**
   * Whether the released revision is an ancestor of the new one. When it is not (a force push, a release of an
   * older revision), `commits` still counts the new side only and the diff is between the two trees.
   */
  readonly baseIsAncestor: boolean;
}

function checkCommitId(value: string, what: string): void {
  if (!isCommitId(value)) {
    throw new DeliveryError(DeliveryErrorCode.INVALID_INPUT,
      `The ${what} '${value}' is not a git commit id (7 to 64 hex digits), so git is not asked about it.`);
  }
}

/** Whether the clone holds `commit`. */
export async function hasCommit(git: GitRunner, commit: string): Promise<boolean> {
  checkCommitId(commit, 'revision');
  try {
    await git(['cat-file', '-e', `${commit}^{commit}`]);
    return true;
  } catch {
    return false;
  }
}

/** Author, author date and subject of `commit`. */
export async function commitAuthor(git: GitRunner, commit: string): Promise<CommitAuthor> {
  checkCommitId(commit, 'revision');
  const out = await git(['log', '-1', '--format=%an%x00%ae%x00%aI%x00%s', commit]);
  const [name, email, date, subject] = out.replace(/\n$/, '').split('\0');
  return { name: name ?? '', email: email ?? '', date: date ?? '', subject: subject ?? '' };
}

/**
 * `git diff --shortstat` output → counts. Git omits a part that is zero ("1 file changed, 3 deletions(-)") and
 * prints nothing at all when the trees are equal.
 */
export function parseShortStat(text: string): { readonly filesChanged: number; readonly insertions: number; readonly deletions: number } {
  const count = (pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? 0);
  return {
    filesChanged: count(/(\d+) files? changed/),
    insertions: count(/(\d+) insertions?\(\+\)/),
    deletions: count(/(\d+) deletions?\(-\)/),
  };
}

/** The size of the release from `base` (the revision in production) to `head` (the revision awaiting approval). */
export async function gitReleaseSize(git: GitRunner, base: string, head: string): Promise<GitReleaseSize> {
  checkCommitId(base, 'released revision');
  checkCommitId(head, 'new revision');
  const [count, stat, ancestor] = await Promise.all([
    git(['rev-list', '--count', `${base}..${head}`]),
    git(['diff', '--shortstat', base, head]),
    git(['merge-base', '--is-ancestor', base, head]).then(() => true, () => false),
  ]);
  const commits = Number(count.trim());
  if (!Number.isInteger(commits) || commits < 0) {
    throw new DeliveryError(DeliveryErrorCode.FAILED, `git rev-list --count ${base}..${head} printed '${count.trim()}', not a count.`);
  }
  const lines = parseShortStat(stat);
  return { commits, ...lines, changedLines: lines.insertions + lines.deletions, baseIsAncestor: ancestor };
}
