import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { startFakeCloudFormation, FakeCloudFormation, FakeStack } from './fake-cloudformation-server';
import { ExitCode, run } from '../../src/cli/main';
import { formatAge } from '../../src/cli/previews';
import { memoryIo } from '../cli/memory-io';

/** `cdk-delivery previews` in-process, its CloudFormation client pointed at a local Query-protocol fake. */

const NOW = Date.parse('2025-05-26T00:00:00Z');
const STACKS: FakeStack[] = [
  { name: 'preview-pr7-Api', status: 'CREATE_COMPLETE', created: '2025-05-20T00:00:00Z' },
  { name: 'preview-pr7-Db', status: 'UPDATE_COMPLETE', created: '2025-05-20T00:00:00Z', updated: '2025-05-22T12:00:00Z' },
  { name: 'preview-pr12-Api', status: 'CREATE_COMPLETE', created: '2025-05-25T22:30:00Z' },
  { name: 'preview-pr13-Api', status: 'DELETE_COMPLETE', created: '2025-05-01T00:00:00Z' },
  { name: 'Staging-Api', status: 'UPDATE_COMPLETE', created: '2025-01-01T00:00:00Z' },
  { name: 'preview-prod-Api', status: 'CREATE_COMPLETE', created: '2025-01-01T00:00:00Z' },
];

let fake: FakeCloudFormation;
beforeEach(async () => { fake = await startFakeCloudFormation(STACKS.map(s => ({ ...s }))); });
afterEach(async () => fake.close());

function cli() {
  const t = memoryIo({ now: NOW });
  const settings: unknown[] = [];
  const io = {
    ...t.io,
    createCloudFormationClient: (s: { region?: string; profile?: string; requestTimeoutMs: number }) => {
      settings.push(s);
      return new CloudFormationClient({
        region: s.region ?? 'eu-west-1',
        endpoint: fake.endpoint,
        credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
        requestHandler: { requestTimeout: s.requestTimeoutMs, throwOnRequestTimeout: true },
      });
    },
  };
  return { ...t, io, settings };
}

test('list shows each live preview once, with its pull request, age since the last deployment and stacks, newest first (all pages read)', async () => {
  const t = cli();
  expect(await run(['previews', 'list', '--region', 'eu-west-1', '--json'], t.io)).toBe(ExitCode.OK);
  expect(JSON.parse(t.stdout())).toEqual({
    prefix: 'preview',
    previews: [
      { pullRequest: 12, lastDeployed: '2025-05-25T22:30:00.000Z', ageSeconds: 5400, stacks: [{ stackName: 'preview-pr12-Api', status: 'CREATE_COMPLETE', lastDeployed: '2025-05-25T22:30:00.000Z' }] },
      {
        pullRequest: 7,
        lastDeployed: '2025-05-22T12:00:00.000Z',
        ageSeconds: 302400,
        stacks: [
          { stackName: 'preview-pr7-Api', status: 'CREATE_COMPLETE', lastDeployed: '2025-05-20T00:00:00.000Z' },
          { stackName: 'preview-pr7-Db', status: 'UPDATE_COMPLETE', lastDeployed: '2025-05-22T12:00:00.000Z' },
        ],
      },
    ],
  });
  // Signed requests, live statuses only (no DELETE_COMPLETE), and more than one page.
  const lists = fake.requests.filter(r => r.action === 'ListStacks');
  expect(lists.length).toBeGreaterThan(1);
  expect(lists[0].authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\//);
  expect([...lists[0].params.entries()].some(([k, v]) => k.startsWith('StackStatusFilter') && v === 'DELETE_COMPLETE')).toBe(false);
  expect(t.settings).toEqual([{ region: 'eu-west-1', profile: undefined, requestTimeoutMs: 30000 }]);
});

test('list as text: pull request, age and stacks', async () => {
  const t = cli();
  expect(await run(['previews', 'list'], t.io)).toBe(ExitCode.OK);
  expect(t.stdout()).toBe([
    '2 preview(s), newest first:',
    '  #12  1h 30m old (last deployed 2025-05-25T22:30:00.000Z)  preview-pr12-Api CREATE_COMPLETE',
    '  #7  3d 12h old (last deployed 2025-05-22T12:00:00.000Z)  preview-pr7-Api CREATE_COMPLETE, preview-pr7-Db UPDATE_COMPLETE',
    '',
  ].join('\n'));
});

test('another prefix lists other stacks; none found says so', async () => {
  const t = cli();
  expect(await run(['previews', 'list', '--prefix', 'pv'], t.io)).toBe(ExitCode.OK);
  expect(t.stdout()).toBe('No previews (no live stack named pv-pr<number>-…).\n');
});

test('destroy deletes every stack of that pull request only', async () => {
  const t = cli();
  expect(await run(['previews', 'destroy', '7'], t.io)).toBe(ExitCode.OK);
  expect(fake.requests.filter(r => r.action === 'DeleteStack').map(r => r.params.get('StackName'))).toEqual(['preview-pr7-Api', 'preview-pr7-Db']);
  expect(t.stdout()).toBe('Deleting the preview of pull request #7: preview-pr7-Api, preview-pr7-Db\n');
  expect(fake.stacks.filter(s => s.status === 'DELETE_IN_PROGRESS').map(s => s.name)).toEqual(['preview-pr7-Api', 'preview-pr7-Db']);
});

test('destroy of a pull request without a preview exits 3 and deletes nothing', async () => {
  const t = cli();
  expect(await run(['previews', 'destroy', '1'], t.io)).toBe(ExitCode.NOT_FOUND);
  expect(t.stderr()).toContain("No preview of pull request #1: no live stack is named 'preview-pr1-…' in this account and region. Run `cdk-delivery previews list` to see the previews.");
  expect(fake.requests.filter(r => r.action === 'DeleteStack')).toEqual([]);
});

test.each([
  [['previews', 'destroy', 'main'], "<pull-request>: 'main' is not a pull-request number. Pass the number shown on the pull request, e.g. 42."],
  [['previews', 'list', '--prefix', '9x'], "--prefix '9x' is not a preview prefix: a letter then up to 19 letters, digits or hyphens, as in the pipeline's previews.stackPrefix (default 'preview')."],
])('%j is a usage error (exit 2) before any request', async (argv, message) => {
  const t = cli();
  expect(await run(argv, t.io)).toBe(ExitCode.USAGE);
  expect(t.stderr()).toContain(message);
  expect(fake.requests).toEqual([]);
});

test('access denied exits 4 with the permission to check', async () => {
  fake.failNext(1, 'AccessDenied', 403);
  const t = cli();
  expect(await run(['previews', 'list'], t.io)).toBe(ExitCode.ACCESS_DENIED);
  expect(t.stderr()).toContain('Access denied for CloudFormation ListStacks (AccessDenied): denied by the fake. Check your credentials (--profile, AWS_PROFILE) and that their policy allows cloudformation:ListStacks.');
});

test('throttling is retried by the SDK and the command succeeds', async () => {
  fake.failNext(1, 'Throttling', 400);
  const t = cli();
  expect(await run(['previews', 'list', '--json'], t.io)).toBe(ExitCode.OK);
  expect(JSON.parse(t.stdout()).previews).toHaveLength(2);
});

test('ages format in the largest two units', () => {
  expect([formatAge(42), formatAge(600), formatAge(5400), formatAge(302400)]).toEqual(['42s', '10m', '1h 30m', '3d 12h']);
});
