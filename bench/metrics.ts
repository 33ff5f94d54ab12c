/**
 * Delivery metrics over 10,000 synthetic executions and their action executions, served by a local CodePipeline
 * JSON 1.1 server on 127.0.0.1 so the real SDK stack (serialization, signing, paginators) runs.
 *
 * Prints the API calls made, CPU and wall time, and checks the call budget:
 *   calls ≤ ceil(executions / 100) + ceil(actionExecutions / 100) + 3
 *
 * Usage: npx ts-node --transpile-only --project bench/tsconfig.json bench/metrics.ts
 */
import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import { parsePipelineHistory } from '../src/runtime/history';
import { computeDeliveryMetrics } from '../src/runtime/metrics';
import { PipelineOperations } from '../src/runtime/operations-client';
import { awsError, ok, paginate, startFakeCodePipeline } from '../test/runtime/fake-codepipeline-server';
import { syntheticHistory } from '../test/runtime/synthetic-history';

const EXECUTIONS = 10_000;

function cpuMs(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
}

export async function runMetricsBench(): Promise<void> {
  const data = syntheticHistory(EXECUTIONS);
  const server = await startFakeCodePipeline((operation, body) => {
    if (operation === 'ListPipelineExecutions') return ok(paginate(data.executions, body, 'pipelineExecutionSummaries'));
    if (operation === 'ListActionExecutions') return ok(paginate(data.actions, body, 'actionExecutionDetails'));
    return awsError(400, 'UnknownOperationException', `The bench serves no ${operation}`);
  });
  try {
    const client = new CodePipelineClient({
      region: 'eu-west-1',
      endpoint: server.endpoint,
      credentials: { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench' },
    });
    const ops = new PipelineOperations({ client, pipelineName: 'bench-pipeline' });
    const window = { since: new Date(data.since), until: new Date(data.until) };

    const cpuStart = process.cpuUsage();
    const wallStart = process.hrtime.bigint();
    const history = await ops.exportHistory(window);
    const metrics = computeDeliveryMetrics(parsePipelineHistory(history), window);
    const wallMs = Number(process.hrtime.bigint() - wallStart) / 1e6;
    const cpu = cpuMs(cpuStart);

    const offlineCpuStart = process.cpuUsage();
    const offlineWallStart = process.hrtime.bigint();
    computeDeliveryMetrics(parsePipelineHistory(JSON.parse(JSON.stringify(history))), window);
    const offlineWallMs = Number(process.hrtime.bigint() - offlineWallStart) / 1e6;
    const offlineCpu = cpuMs(offlineCpuStart);

    const calls = server.requests.length;
    const executionCalls = server.calls('ListPipelineExecutions').length;
    const actionCalls = server.calls('ListActionExecutions').length;
    const budget = Math.ceil(data.executions.length / 100) + Math.ceil(data.actions.length / 100) + 3;

    console.log(`executions: ${data.executions.length}, action executions: ${data.actions.length} (kept for metrics: ${history.actionExecutionDetails.length})`);
    console.log(`API calls: ${calls} (ListPipelineExecutions ${executionCalls}, ListActionExecutions ${actionCalls})`);
    console.log(`fetch + compute over HTTP: wall ${wallMs.toFixed(0)} ms, CPU ${cpu.toFixed(0)} ms (includes the in-process fake server)`);
    console.log(`compute from an exported history (offline): wall ${offlineWallMs.toFixed(0)} ms, CPU ${offlineCpu.toFixed(0)} ms`);
    console.log(`metrics: ${metrics.counts.succeeded} succeeded, ${metrics.counts.failed} failed, throughput ${metrics.throughputPerDay.toFixed(2)}/day, ` +
      `success rate ${((metrics.successRate ?? 0) * 100).toFixed(1)} %, change failure rate ${((metrics.changeFailureRate ?? 0) * 100).toFixed(1)} %`);
    console.log(`${calls <= budget ? 'PASS' : 'FAIL'}: ${calls} calls <= ceil(${data.executions.length}/100) + ceil(${data.actions.length}/100) + 3 = ${budget}`);
  } finally {
    await server.close();
  }
}

if (require.main === module) {
  runMetricsBench().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
