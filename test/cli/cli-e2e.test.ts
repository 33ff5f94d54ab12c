import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { awsError, epochSeconds, FakeCodePipeline, FakeHandler, hang, ok, startFakeCodePipeline } from '../runtime/fake-codepipeline-server';
import { OnCallPipeline, uuid } from '../runtime/oncall-pipeline';

/**
 * The CLI as a user runs it: a separate Node process (TypeScript via ts-node, transpile only), configured only
 * through the environment. Proves the SDK honours AWS_ENDPOINT_URL_CODEPIPELINE and the env credential chain,
 * and that exit codes reach the shell.
 */

const ROOT = join(__dirname, '..', '..');
const MAIN = join(ROOT, 'src', 'cli', 'main.ts');

interface Result { readonly code: number; readonly stdout: string; readonly stderr: string }

function cdkDelivery(args: string[], env: Record<string, string>, timeout = 30_000): Promise<Result> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['-r', 'ts-node/register/transpile-only', MAIN, ...args], { cwd: ROOT, env, timeout }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

let server: FakeCodePipeline;
let handler: FakeHandler = () => ok({});
let home: string;
let env: Record<string, string>;

beforeAll(async () => {
  server = await startFakeCodePipeline((operation, body) => handler(operation, body));
  home = mkdtempSync(join(tmpdir(), 'cdk-delivery-e2e-'));
  env = {
    PATH: process.env.PATH ?? '',
    HOME: home,
    AWS_CONFIG_FILE: join(home, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'secret',
    AWS_REGION: 'eu-west-1',
    AWS_ENDPOINT_URL_CODEPIPELINE: server.endpoint,
    TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'),
  };
});

afterAll(async () => {
  await server.close();
  rmSync(home, { recursive: true, force: true });
});

describe('cdk-delivery as a process', () => {
  test('GIVEN AWS_ENDPOINT_URL_CODEPIPELINE WHEN status --json runs THEN the SDK calls the local endpoint and the process exits 0', async () => {
    handler = (op) => {
      if (op === 'GetPipeline') return ok({ pipeline: { name: 'shop-api', version: 4, stages: [] }, metadata: { pipelineArn: 'arn:aws:codepipeline:eu-west-1:1:shop-api' } });
      if (op === 'ListTagsForResource') return ok({ tags: [{ key: 'release-mode', value: 'continuous-delivery' }] });
      return ok({ pipelineName: 'shop-api', stageStates: [{ stageName: 'Production', latestExecution: { pipelineExecutionId: 'e9', status: 'Succeeded' } }] });
    };

    const result = await cdkDelivery(['status', '--pipeline', 'shop-api', '--json'], env);

    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(result.stdout)).toMatchObject({ pipelineName: 'shop-api', releaseMode: 'continuous-delivery', stages: [{ stageName: 'Production', status: 'Succeeded' }] });
    expect(server.calls('GetPipelineState')[0].authorization).toContain('Credential=AKIDEXAMPLE/');
  });

  test('GIVEN a used approval token WHEN approve runs THEN the process exits 6 with the message on stderr', async () => {
    handler = (op) => op === 'GetPipelineState'
      ? ok({
        stageStates: [{
          stageName: 'Production',
          latestExecution: { status: 'InProgress' },
          actionStates: [{ actionName: 'Approve', latestExecution: { status: 'InProgress', token: 't', lastStatusChange: epochSeconds('2025-05-26T09:00:00Z') } }],
        }],
      })
      : awsError(400, 'ApprovalAlreadyCompletedException', 'Approval already completed');

    const result = await cdkDelivery(['approve', '--pipeline', 'shop-api'], env);

    expect(result.code).toBe(6);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('error: The approval was not recorded: it was already approved or rejected');
  });

  test('GIVEN the example history and no AWS configuration at all WHEN metrics runs THEN it works offline and exits 0', async () => {
    const offline = { PATH: env.PATH, HOME: home, TS_NODE_PROJECT: env.TS_NODE_PROJECT, NO_COLOR: '1' };

    const result = await cdkDelivery(['metrics', '--history', 'examples/history/pipeline-history.json', '--since', '2025-05-05', '--until', '2025-05-26'], offline);

    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/│ Throughput\s+│ 2\.43 per day\s+│ >= 1 per day\s+│ yes │/);
  });

  test('GIVEN no credentials anywhere WHEN status runs THEN exit 7 says none were found and how to provide them', async () => {
    const { AWS_ACCESS_KEY_ID: _id, AWS_SECRET_ACCESS_KEY: _secret, ...noCredentials } = env;
    handler = () => ok({});
    const before = server.requests.length;

    const result = await cdkDelivery(['status', '--pipeline', 'shop-api'], noCredentials);

    expect(result.code).toBe(7);
    expect(result.stderr).toContain('error: No AWS credentials found for GetPipeline');
    expect(result.stderr).toContain('Provide them with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, with --profile NAME (or AWS_PROFILE)');
    expect(server.requests).toHaveLength(before);
  });

  test('GIVEN Node.js 20 and no AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED WHEN a command calls AWS THEN no SDK warning; set to false, it shows', async () => {
    handler = () => ok({ pipelineExecutionId: 'e1' });
    const major = Number(process.versions.node.split('.')[0]);

    const quiet = await cdkDelivery(['release', '--pipeline', 'shop-api'], env);
    const loud = await cdkDelivery(['release', '--pipeline', 'shop-api'], { ...env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'false' });

    expect(quiet).toEqual({ code: 0, stdout: 'Started execution e1 of pipeline shop-api\n', stderr: '' });
    expect(loud.code).toBe(0);
    // The SDK warns only below Node.js 22; on a newer Node neither run prints it.
    expect(loud.stderr.includes('NodeVersionSupportWarning')).toBe(major < 22);
  });

  test('GIVEN a real SIGINT while wait --json polls WHEN the process gets it THEN it exits 130 with a JSON error on stderr', async () => {
    handler = (op) => op === 'GetPipelineExecution'
      ? ok({ pipelineExecution: { pipelineName: 'shop-api', pipelineExecutionId: 'e5', status: 'InProgress' } })
      : ok({});
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', MAIN, 'wait', '--pipeline', 'shop-api', '--execution-id', 'e5',
      '--interval', '1', '--json'], { cwd: ROOT, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

    while (server.calls('GetPipelineExecution').length < 2) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    child.kill('SIGINT');

    expect(await exited).toBe(130);
    expect(stdout).toBe('');
    expect(JSON.parse(stderr)).toEqual({ error: { code: 'INTERRUPTED', exitCode: 130, message: expect.stringContaining('Interrupted by SIGINT while waiting for execution e5') } });
  }, 30_000);

  test('GIVEN an endpoint that never answers and no --deadline WHEN status runs THEN the process gives up after the default 30 s deadline (≤ 35 s), exit 5', async () => {
    let firstRequestAt: number | undefined;
    handler = () => {
      firstRequestAt ??= Date.now();
      return hang();
    };

    const result = await cdkDelivery(['status', '--pipeline', 'shop-api'], env, 60_000);

    // Measured from the first request, so that ts-node's start-up (seconds, absent from the compiled CLI) does not count.
    const seconds = (Date.now() - (firstRequestAt ?? 0)) / 1000;
    expect(result.code).toBe(5);
    expect(result.stderr).toMatch(/within the command deadline of 30 s\. Nothing was changed\./);
    expect(seconds).toBeGreaterThan(29);
    expect(seconds).toBeLessThan(32);
  }, 60_000);
  test('GIVEN a script (stdin not a terminal) WHEN rollback runs without --yes THEN exit 2 naming --yes, nothing sent; with --yes one rollback, exit 0', async () => {
    const pipeline = new OnCallPipeline();
    pipeline.execution(1);
    pipeline.hold('Production', pipeline.execution(2, { status: 'Failed', succeededIn: ['Source', 'Build', 'Staging'] }), 'Failed');
    handler = pipeline.handler();
    const args = ['rollback', '--pipeline', 'my-app', '--stage', 'Production'];

    const refused = await cdkDelivery(args, env);
    const confirmed = await cdkDelivery([...args, '--yes'], env);

    expect(refused).toMatchObject({ code: 2, stdout: '' });
    expect(refused.stderr).toContain('stdin is not a terminal: run it on a terminal without --json to see what it will do and answer, or pass --yes');
    expect(confirmed).toMatchObject({ code: 0, stderr: '' });
    expect(confirmed.stdout).toContain(`to execution ${uuid(1)}: rollback execution`);
    expect(pipeline.changes).toHaveLength(1);
  }, 60_000);
});
