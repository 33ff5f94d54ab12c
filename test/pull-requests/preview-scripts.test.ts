import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { projectByDescription } from './helpers';
import { PullRequestChecks } from '../../src';
import { DeliveryPipeline } from '../../src/codepipeline/delivery-pipeline';
import { AppStage, fixture, referenceProps } from '../fixtures/app';

/**
 * The destroy and sweep buildspecs as rendered, run by bash against a fake `aws` that keeps the stacks of an
 * account in a file and filters `list-stacks` by the query's `starts_with` prefix, as the AWS CLI does.
 */

const FAKE_AWS = `#!/usr/bin/env bash
set -euo pipefail
query=""; name=""; sub=""
while [ $# -gt 0 ]; do
  case "$1" in
    --query) query="$2"; shift 2;;
    --stack-name) name="$2"; shift 2;;
    --profile|--output|--region) shift 2;;
    list-stacks|delete-stack|stack-delete-complete) sub="$1"; shift;;
    *) shift;;
  esac
done
echo "aws $sub $name" >> "$FAKE_AWS_CALLS"
case "$sub" in
  list-stacks)
    prefix=$(printf '%s' "$query" | sed -n "s/.*starts_with(StackName, '\\([^']*\\)').*/\\1/p")
    matches=$(awk -v p="$prefix" 'index($1, p) == 1' "$FAKE_AWS_STACKS")
    if [[ "$query" == *"[StackName,"* ]]; then printf '%s\\n' "$matches" | awk 'NF { print $1 "\\t" $2 }';
    else printf '%s\\n' "$matches" | awk 'NF { printf "%s%s", sep, $1; sep="\\t" } END { print "" }'; fi;;
  delete-stack) awk -v n="$name" '$1 != n' "$FAKE_AWS_STACKS" > "$FAKE_AWS_STACKS.new"; mv "$FAKE_AWS_STACKS.new" "$FAKE_AWS_STACKS";;
esac
`;

function buildCommands(description: RegExp): string[] {
  const f = fixture();
  const pipeline = new DeliveryPipeline(f.stack, 'Delivery', referenceProps(f));
  new PullRequestChecks(f.stack, 'Checks', {
    pipeline,
    previews: { account: '444444444444', region: 'eu-west-1', trustedAuthors: ['1'], stage: { createStage: (s, id, env) => new AppStage(s, id, { env }) } },
  });
  return projectByDescription(Template.fromStack(f.stack), description).buildSpec.phases.build.commands;
}

function run(commands: string[], stacks: string[], env: Record<string, string> = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'preview-scripts-'));
  fs.mkdirSync(path.join(dir, 'bin'));
  fs.writeFileSync(path.join(dir, 'bin', 'aws'), FAKE_AWS, { mode: 0o755 });
  fs.writeFileSync(path.join(dir, 'stacks'), stacks.map(s => `${s}\n`).join(''));
  fs.writeFileSync(path.join(dir, 'calls'), '');
  let output: string;
  try {
    output = execFileSync('bash', ['-e', '-c', commands.join('\n')], {
      cwd: dir,
      encoding: 'utf8',
      env: { PATH: `${path.join(dir, 'bin')}:${process.env.PATH}`, HOME: dir, FAKE_AWS_STACKS: path.join(dir, 'stacks'), FAKE_AWS_CALLS: path.join(dir, 'calls'), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (e) {
    const failed = e as { stdout?: string; stderr?: string };
    throw new Error(`build failed: ${failed.stdout ?? ''}${failed.stderr ?? ''}`);
  }
  const remaining = fs.readFileSync(path.join(dir, 'stacks'), 'utf8').split('\n').filter(Boolean).map(l => l.split(/\s+/)[0]);
  const deleted = fs.readFileSync(path.join(dir, 'calls'), 'utf8').split('\n').filter(l => l.startsWith('aws delete-stack')).map(l => l.split(' ')[2]);
  const config = fs.readFileSync(path.join(dir, '.aws', 'config'), 'utf8');
  fs.rmSync(dir, { recursive: true, force: true });
  return { output, remaining, deleted, config };
}

const NOW = new Date().toISOString();
const OLD = '2020-01-01T00:00:00.000000+00:00';

test('closing pull request 1 deletes its preview stacks only (not pull request 12\'s, not staging), with the preview profile', () => {
  const result = run(buildCommands(/Pull-request Destroy/), [
    `preview-pr1-Api ${NOW}`, `preview-pr1-Db ${NOW}`, `preview-pr12-Api ${NOW}`, `Staging-Api ${OLD}`,
  ], { CODEBUILD_WEBHOOK_TRIGGER: 'pr/1' });
  expect(result.deleted.sort()).toEqual(['preview-pr1-Api', 'preview-pr1-Db']);
  expect(result.remaining).toEqual(['preview-pr12-Api', 'Staging-Api']);
  expect(result.config).toContain('role_arn = arn:${AWS::Partition}:iam::444444444444:role/cdk-delivery-previews-preview-eu-west-1');
});

test('the destroy build refuses a build that is not a pull-request build', () => {
  expect(() => run(buildCommands(/Pull-request Destroy/), [`preview-pr1-Api ${NOW}`], { CODEBUILD_WEBHOOK_TRIGGER: 'branch/main' }))
    .toThrow(/Not a pull-request build \(CODEBUILD_WEBHOOK_TRIGGER=branch\/main\)/);
});

test('the sweep removes previews whose every stack is older than the time to live, and keeps the others', () => {
  const result = run(buildCommands(/^Removes previews/), [
    `preview-pr7-Api ${OLD}`, `preview-pr7-Db ${OLD}`,
    // One stack deployed recently keeps the whole preview.
    `preview-pr12-Api ${OLD}`, `preview-pr12-Db ${NOW}`,
    `preview-pr13-Api ${NOW}`,
    `Staging-Api ${OLD}`, `Prod-Api ${OLD}`,
  ]);
  expect(result.deleted.sort()).toEqual(['preview-pr7-Api', 'preview-pr7-Db']);
  expect(result.remaining).toEqual(['preview-pr12-Api', 'preview-pr12-Db', 'preview-pr13-Api', 'Staging-Api', 'Prod-Api']);
  expect(result.output).toContain('Preview of pull request #7 expired');
});

test('the sweep deletes nothing when every preview is fresh', () => {
  const result = run(buildCommands(/^Removes previews/), [`preview-pr7-Api ${NOW}`, `Staging-Api ${OLD}`]);
  expect(result.deleted).toEqual([]);
});
