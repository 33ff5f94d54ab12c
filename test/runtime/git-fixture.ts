import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A real git repository in a temporary directory, with commits made by named authors at fixed dates. */
export class GitFixture {
  public readonly dir: string;

  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), 'cdk-delivery-git-'));
    this.git('init', '-q', '-b', 'main');
  }

  public git(...args: string[]): string {
    return execFileSync('git', ['-C', this.dir, ...args], {
      encoding: 'utf8',
      env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', HOME: this.dir },
    });
  }

  /** Write the files and commit them as `author`; returns the commit id. */
  public commit(message: string, files: Record<string, string>, author = 'Jane Doe', date = '2025-05-26T08:35:12+00:00'): string {
    for (const [name, content] of Object.entries(files)) {
      writeFileSync(join(this.dir, name), content);
    }
    this.git('add', '--all');
    const email = `${author.toLowerCase().replace(/[^a-z]+/g, '.')}@example.com`;
    execFileSync('git', ['-C', this.dir, 'commit', '-q', '-m', message], {
      env: {
        ...process.env,
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_CONFIG_GLOBAL: '/dev/null',
        HOME: this.dir,
        GIT_AUTHOR_NAME: author,
        GIT_AUTHOR_EMAIL: email,
        GIT_AUTHOR_DATE: date,
        GIT_COMMITTER_NAME: author,
        GIT_COMMITTER_EMAIL: email,
        GIT_COMMITTER_DATE: date,
      },
    });
    return this.git('rev-parse', 'HEAD').trim();
  }

  public remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** `count` lines `prefix 1` … `prefix count`, each ending in a newline. */
export function lines(count: number, prefix = 'line'): string {
  return Array.from({ length: count }, (_, i) => `${prefix} ${i + 1}\n`).join('');
}
