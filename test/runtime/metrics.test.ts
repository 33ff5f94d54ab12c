import { action, at, DAY, execution, history, HOUR, MINUTE, T0, window } from './history-fixtures';
import { syntheticHistory, syntheticHistoryFile } from './synthetic-history';
import { parsePipelineHistory } from '../../src/runtime/history';
import { benchmarks, computeDeliveryMetrics, defaultWindow } from '../../src/runtime/metrics';

/** A succeeded execution starting `offsetMs` after T0 that took `seconds`. */
const succeeded = (id: string, offsetMs: number, seconds: number) => execution(id, 'Succeeded', T0 + offsetMs, T0 + offsetMs + seconds * 1000);

describe('computeDeliveryMetrics', () => {
  test('GIVEN no executions WHEN computed THEN counts are zero and every ratio and duration is null', () => {
    const metrics = computeDeliveryMetrics(history([]), window(30));

    expect(metrics).toMatchObject({
      windowDays: 30,
      counts: { succeeded: 0, failed: 0, stopped: 0, superseded: 0, cancelled: 0 },
      throughputPerDay: 0,
      durationMedianSeconds: null,
      durationP95Seconds: null,
      successRate: null,
      mttrSeconds: null,
      openFailureEpisodes: 0,
      leadTimeMedianSeconds: null,
      changeFailureRate: null,
      productionDeployments: 0,
      deploymentsPerDay: 0,
      deploymentsPerWeek: 0,
      timeToRestoreSeconds: null,
      restoredProductionFailures: 0,
    });
  });

  test('GIVEN an odd number of successes WHEN computed THEN the median is the middle value and p95 the nearest rank', () => {
    // durations 600, 60, 120 → sorted 60, 120, 600; median 120; p95 index ceil(2.85)-1 = 2 → 600
    const metrics = computeDeliveryMetrics(history([succeeded('a', 0, 600), succeeded('b', HOUR, 60), succeeded('c', 2 * HOUR, 120)]), window(30));

    expect(metrics.durationMedianSeconds).toBe(120);
    expect(metrics.durationP95Seconds).toBe(600);
  });

  test('GIVEN an even number of successes WHEN computed THEN the median is the mean of the two middle values', () => {
    // sorted 60, 120, 300, 600 → (120 + 300) / 2 = 210; p95 index ceil(3.8)-1 = 3 → 600
    const metrics = computeDeliveryMetrics(history([
      succeeded('a', 0, 300), succeeded('b', HOUR, 60), succeeded('c', 2 * HOUR, 600), succeeded('d', 3 * HOUR, 120),
    ]), window(30));

    expect(metrics.durationMedianSeconds).toBe(210);
    expect(metrics.durationP95Seconds).toBe(600);
  });

  test.each([
    // n = 20: ceil(0.95 * 20) - 1 = 18 → the 19th smallest (19 minutes)
    [20, 19 * 60],
    // n = 21: ceil(19.95) - 1 = 19 → the 20th smallest
    [21, 20 * 60],
    // n = 1: the only value
    [1, 60],
  ])('GIVEN %i successes of 1..n minutes WHEN computed THEN p95 is the nearest rank %i s', (n, expected) => {
    const executions = Array.from({ length: n }, (_, i) => succeeded(`e${i}`, i * HOUR, (n - i) * 60));

    expect(computeDeliveryMetrics(history(executions), window(30)).durationP95Seconds).toBe(expected);
  });

  test('GIVEN only failures WHEN computed THEN success rate is 0, nothing recovered, one episode is open', () => {
    const metrics = computeDeliveryMetrics(history([
      execution('a', 'Failed', T0, T0 + 5 * MINUTE),
      execution('b', 'Failed', T0 + HOUR, T0 + HOUR + 5 * MINUTE),
    ]), window(10));

    expect(metrics.counts.failed).toBe(2);
    expect(metrics.successRate).toBe(0);
    expect(metrics.throughputPerDay).toBe(0);
    expect(metrics.durationMedianSeconds).toBeNull();
    expect(metrics.mttrSeconds).toBeNull();
    expect(metrics.recoveredFailureEpisodes).toBe(0);
    expect(metrics.openFailureEpisodes).toBe(1);
  });

  test('GIVEN two failure episodes that closed WHEN computed THEN MTTR is the mean from first failure to next success', () => {
    // ordered by lastUpdateTime: S@1h, F@2h (opens), F@2h30 (already open), S@3h (closes: 3600 s), F@5h (opens), S@5h30 (closes: 1800 s)
    const metrics = computeDeliveryMetrics(history([
      execution('s1', 'Succeeded', T0, T0 + HOUR),
      execution('f1', 'Failed', T0 + 90 * MINUTE, T0 + 2 * HOUR),
      execution('f2', 'Failed', T0 + 140 * MINUTE, T0 + 150 * MINUTE),
      execution('s2', 'Succeeded', T0 + 160 * MINUTE, T0 + 3 * HOUR),
      execution('f3', 'Failed', T0 + 4 * HOUR, T0 + 5 * HOUR),
      execution('s3', 'Succeeded', T0 + 5 * HOUR, T0 + 5.5 * HOUR),
    ]), window(30));

    expect(metrics.mttrSeconds).toBe(2700);
    expect(metrics.recoveredFailureEpisodes).toBe(2);
    expect(metrics.openFailureEpisodes).toBe(0);
    expect(metrics.successRate).toBe(0.5);
  });

  test('GIVEN a failure still open at the end WHEN computed THEN it is reported open and left out of MTTR', () => {
    const metrics = computeDeliveryMetrics(history([
      execution('f1', 'Failed', T0, T0 + HOUR),
      execution('s1', 'Succeeded', T0 + HOUR, T0 + 2 * HOUR),
      execution('f2', 'Failed', T0 + 3 * HOUR, T0 + 4 * HOUR),
    ]), window(30));

    expect(metrics.mttrSeconds).toBe(3600);
    expect(metrics.openFailureEpisodes).toBe(1);
  });

  test('GIVEN a success that finished before an earlier-started failure WHEN computed THEN episodes follow lastUpdateTime, not startTime', () => {
    // f starts first but ends last: by lastUpdateTime the order is s (1h), f (3h) → the episode never closes
    const metrics = computeDeliveryMetrics(history([
      execution('f', 'Failed', T0, T0 + 3 * HOUR),
      execution('s', 'Succeeded', T0 + 30 * MINUTE, T0 + HOUR),
    ]), window(30));

    expect(metrics.mttrSeconds).toBeNull();
    expect(metrics.openFailureEpisodes).toBe(1);
  });

  test('GIVEN executions on the window edges WHEN computed THEN since is inclusive and until exclusive', () => {
    const metrics = computeDeliveryMetrics(history([
      execution('before', 'Succeeded', T0 - 1, T0 + MINUTE),
      execution('at-since', 'Succeeded', T0, T0 + MINUTE),
      execution('last-ms', 'Failed', T0 + 7 * DAY - 1, T0 + 7 * DAY + MINUTE),
      execution('at-until', 'Succeeded', T0 + 7 * DAY, T0 + 7 * DAY + MINUTE),
    ]), window(7));

    expect(metrics.counts).toEqual({ succeeded: 1, failed: 1, stopped: 0, superseded: 0, cancelled: 0 });
    expect(metrics.throughputPerDay).toBeCloseTo(1 / 7, 12);
  });

  test('GIVEN InProgress and Stopping executions WHEN computed THEN they are ignored everywhere but reported', () => {
    const metrics = computeDeliveryMetrics(history([
      execution('f', 'Failed', T0, T0 + HOUR),
      execution('running', 'InProgress', T0 + 2 * HOUR, T0 + 3 * HOUR),
      execution('stopping', 'Stopping', T0 + 2 * HOUR, T0 + 3 * HOUR),
    ]), window(30));

    expect(metrics.counts).toEqual({ succeeded: 0, failed: 1, stopped: 0, superseded: 0, cancelled: 0 });
    expect(metrics.ignoredInProgress).toBe(2);
    expect(metrics.successRate).toBe(0);
    expect(metrics.openFailureEpisodes).toBe(1);
  });

  test('GIVEN stopped, superseded and cancelled executions WHEN computed THEN they are counted but stay out of the success rate', () => {
    const metrics = computeDeliveryMetrics(history([
      succeeded('s1', 0, 60), succeeded('s2', HOUR, 60), succeeded('s3', 2 * HOUR, 60),
      execution('f', 'Failed', T0 + 3 * HOUR, T0 + 3.1 * HOUR),
      execution('st', 'Stopped', T0 + 4 * HOUR, T0 + 4.1 * HOUR),
      execution('su', 'Superseded', T0 + 5 * HOUR, T0 + 5.1 * HOUR),
      execution('ca', 'Cancelled', T0 + 6 * HOUR, T0 + 6.1 * HOUR),
    ]), window(2));

    expect(metrics.counts).toEqual({ succeeded: 3, failed: 1, stopped: 1, superseded: 1, cancelled: 1 });
    expect(metrics.successRate).toBe(0.75);
    expect(metrics.throughputPerDay).toBe(1.5);
  });

  test('GIVEN production deploys WHEN computed THEN lead time starts at the source revision time when reported, else at the execution start', () => {
    const executions = [
      // commit 30 min before start (CommitterDate wins over AuthorDate); prod deploy ends at +40 min → 70 min
      succeeded('with-committer', 0, 45 * 60),
      // only AuthorDate: 20 min before start; prod deploy ends at +10 min → 30 min
      succeeded('with-author', DAY, 15 * 60),
      // no source time: start → prod deploy end at +50 min → 50 min
      succeeded('no-source-time', 2 * DAY, 55 * 60),
    ];
    const actions = [
      action('with-committer', 'Source', 'Source', 'Source', 'Succeeded', T0, T0 + MINUTE,
        { CommitterDate: '2025-02-28T23:30:00Z', AuthorDate: '2025-02-20T00:00:00Z' }),
      action('with-committer', 'Production', 'Approve', 'Approval', 'Succeeded', T0 + 10 * MINUTE, T0 + 20 * MINUTE),
      action('with-committer', 'Production', 'Deploy', 'Deploy', 'Succeeded', T0 + 20 * MINUTE, T0 + 40 * MINUTE),
      action('with-committer', 'Production', 'SmokeTest', 'Test', 'Succeeded', T0 + 40 * MINUTE, T0 + 45 * MINUTE),
      action('with-author', 'Source', 'Source', 'Source', 'Succeeded', T0 + DAY, T0 + DAY + MINUTE, { AuthorDate: at(T0 + DAY - 20 * MINUTE) }),
      action('with-author', 'Production-eu', 'Deploy', 'Deploy', 'Succeeded', T0 + DAY + 2 * MINUTE, T0 + DAY + 5 * MINUTE),
      action('with-author', 'Production-us', 'Deploy', 'Deploy', 'Succeeded', T0 + DAY + 2 * MINUTE, T0 + DAY + 10 * MINUTE),
      action('no-source-time', 'Source', 'Source', 'Source', 'Succeeded', T0 + 2 * DAY, T0 + 2 * DAY + MINUTE, { CommitId: 'abc' }),
      action('no-source-time', 'Production', 'Deploy', 'Deploy', 'Succeeded', T0 + 2 * DAY + 5 * MINUTE, T0 + 2 * DAY + 50 * MINUTE),
    ];

    const metrics = computeDeliveryMetrics(history(executions, actions), window(30));

    // lead times 70, 30, 50 minutes → median 50 minutes
    expect(metrics.leadTimeSamples).toBe(3);
    expect(metrics.leadTimeFromSourceRevision).toBe(2);
    expect(metrics.leadTimeMedianSeconds).toBe(50 * 60);
    expect(metrics.productionExecutions).toBe(3);
    expect(metrics.changeFailureRate).toBe(0);
  });

  test('GIVEN production failures, a rollback and a rejected approval WHEN computed THEN change failure rate counts failed or rolled-back production changes', () => {
    const executions = [
      succeeded('good', 0, 30 * 60),
      execution('broke-prod', 'Failed', T0 + DAY, T0 + DAY + 30 * MINUTE),
      succeeded('rolled-back', 2 * DAY, 30 * 60),
      execution('rollback', 'Succeeded', T0 + 2 * DAY + HOUR, T0 + 2 * DAY + 70 * MINUTE,
        { executionType: 'ROLLBACK', rollbackMetadata: { rollbackTargetPipelineExecutionId: 'good' } }),
      execution('rejected', 'Failed', T0 + 3 * DAY, T0 + 3 * DAY + 30 * MINUTE),
      execution('staging-failure', 'Failed', T0 + 4 * DAY, T0 + 4 * DAY + 30 * MINUTE),
      succeeded('good-2', 5 * DAY, 30 * 60),
    ];
    const deploy = (id: string, offset: number, status: string) => action(id, 'Production', 'Deploy', 'Deploy', status, T0 + offset + 10 * MINUTE, T0 + offset + 30 * MINUTE);
    const actions = [
      deploy('good', 0, 'Succeeded'),
      deploy('broke-prod', DAY, 'Failed'),
      deploy('rolled-back', 2 * DAY, 'Succeeded'),
      deploy('rollback', 2 * DAY + HOUR, 'Succeeded'),
      action('rejected', 'Production', 'Approve', 'Approval', 'Failed', T0 + 3 * DAY, T0 + 3 * DAY + 30 * MINUTE),
      action('staging-failure', 'Staging', 'Deploy', 'Deploy', 'Failed', T0 + 4 * DAY, T0 + 4 * DAY + 30 * MINUTE),
      deploy('good-2', 5 * DAY, 'Succeeded'),
    ];

    const metrics = computeDeliveryMetrics(history(executions, actions), window(30));

    // reached production: good, broke-prod, rolled-back, good-2 (the rollback itself and the rejected approval do not count)
    expect(metrics.productionExecutions).toBe(4);
    expect(metrics.failedProductionExecutions).toBe(2);
    expect(metrics.changeFailureRate).toBe(0.5);
    // lead time only where every production action succeeded: good, rolled-back, good-2 → 30 min each
    expect(metrics.leadTimeSamples).toBe(3);
    expect(metrics.leadTimeMedianSeconds).toBe(30 * 60);
    // deployed: the same three (rolled-back was deployed before it was rolled back) over 30 days
    expect(metrics.productionDeployments).toBe(3);
    expect(metrics.deploymentsPerDay).toBeCloseTo(0.1, 12);
    expect(metrics.deploymentsPerWeek).toBeCloseTo(0.7, 12);
    // broke-prod fails at 1d 30m and opens an episode; rolled-back (2d 30m) fails inside it; the rollback ends at
    // 2d 70m and restores production: 1d 40m. good-2 restores nothing (no episode open).
    expect(metrics.restoredProductionFailures).toBe(1);
    expect(metrics.timeToRestoreSeconds).toBe(DAY / 1000 + 40 * 60);
  });

  test('GIVEN succeeded executions with and without production deploys WHEN computed THEN deployment frequency counts production deployments only', () => {
    const executions = [
      succeeded('deployed-1', 0, 30 * 60),
      succeeded('deployed-2', DAY, 30 * 60),
      // succeeded, but no production action in its history (e.g. production skipped by a condition): not a deployment
      succeeded('no-production', 2 * DAY, 30 * 60),
      // its production smoke test failed after the deploy: a failed change, not a deployment
      execution('failed-verification', 'Failed', T0 + 3 * DAY, T0 + 3 * DAY + 30 * MINUTE),
      // an approval only: never deployed
      execution('rejected', 'Failed', T0 + 4 * DAY, T0 + 4 * DAY + 30 * MINUTE),
      // in progress: ignored although its deploy succeeded
      execution('running', 'InProgress', T0 + 5 * DAY, T0 + 5 * DAY + 30 * MINUTE),
    ];
    const deploy = (id: string, offset: number, status = 'Succeeded') => action(id, 'Production', 'Deploy', 'Deploy', status, T0 + offset, T0 + offset + 20 * MINUTE);
    const actions = [
      deploy('deployed-1', 0),
      deploy('deployed-2', DAY),
      action('no-production', 'Staging', 'Deploy', 'Deploy', 'Succeeded', T0 + 2 * DAY, T0 + 2 * DAY + 20 * MINUTE),
      deploy('failed-verification', 3 * DAY),
      action('failed-verification', 'Production', 'Smoke', 'Test', 'Failed', T0 + 3 * DAY + 20 * MINUTE, T0 + 3 * DAY + 30 * MINUTE),
      action('rejected', 'Production', 'Approve', 'Approval', 'Failed', T0 + 4 * DAY, T0 + 4 * DAY + 30 * MINUTE),
      deploy('running', 5 * DAY),
    ];

    const metrics = computeDeliveryMetrics(history(executions, actions), window(14));

    expect(metrics.counts.succeeded).toBe(3);
    expect(metrics.throughputPerDay).toBeCloseTo(3 / 14, 12);
    expect(metrics.productionDeployments).toBe(2);
    expect(metrics.deploymentsPerDay).toBeCloseTo(2 / 14, 12);
    expect(metrics.deploymentsPerWeek).toBe(1);
    // failed-verification opened an episode that nothing restored in the window
    expect(metrics.timeToRestoreSeconds).toBeNull();
    expect(metrics.restoredProductionFailures).toBe(0);
  });

  test('GIVEN two production failure episodes WHEN computed THEN time to restore is their mean, from the failed production action to the next good deployment', () => {
    const deploy = (id: string, offset: number, status: string) => action(id, 'Production', 'Deploy', 'Deploy', status, T0 + offset, T0 + offset + 10 * MINUTE);
    const executions = [
      execution('fail-1', 'Failed', T0, T0 + 10 * MINUTE),
      // a second failure inside the open episode does not reopen it
      execution('fail-2', 'Failed', T0 + HOUR, T0 + HOUR + 10 * MINUTE),
      succeeded('fix-1', 2 * HOUR, 10 * 60),
      execution('fail-3', 'Failed', T0 + DAY, T0 + DAY + 10 * MINUTE),
      succeeded('fix-2', DAY + 30 * MINUTE, 10 * 60),
    ];
    const actions = [
      deploy('fail-1', 0, 'Failed'),
      deploy('fail-2', HOUR, 'Failed'),
      deploy('fix-1', 2 * HOUR, 'Succeeded'),
      deploy('fail-3', DAY, 'Failed'),
      deploy('fix-2', DAY + 30 * MINUTE, 'Succeeded'),
    ];

    const metrics = computeDeliveryMetrics(history(executions, actions), window(30));

    // episode 1: 0h10m → 2h10m = 2 h; episode 2: 1d 0h10m → 1d 0h40m = 30 min; mean 75 min
    expect(metrics.restoredProductionFailures).toBe(2);
    expect(metrics.timeToRestoreSeconds).toBe(75 * 60);
    expect(metrics.changeFailureRate).toBe(0.6);
  });

  test('GIVEN an empty or inverted window WHEN computed THEN it is refused with the dates in the message', () => {
    expect(() => computeDeliveryMetrics(history([]), { since: new Date(T0), until: new Date(T0) }))
      .toThrow('The metrics window is empty: since (2025-03-01T00:00:00.000Z) must be before until (2025-03-01T00:00:00.000Z).');
    expect(() => computeDeliveryMetrics(history([]), { since: new Date('nope'), until: new Date(T0) }))
      .toThrow('The metrics window needs valid dates for since and until.');
  });

  test('GIVEN now WHEN the default window is asked THEN it is the 30 days before now', () => {
    const now = new Date(T0);

    expect(defaultWindow(now)).toEqual({ since: new Date(T0 - 30 * DAY), until: now });
  });
});

describe('benchmarks', () => {
  test('GIVEN figures on both sides of the CircleCI goals WHEN compared THEN each says whether it is met, n/a as null', () => {
    const base = computeDeliveryMetrics(history([succeeded('a', 0, 600)]), window(1));

    expect(benchmarks(base)).toEqual([
      { metric: 'durationMedianSeconds', goal: '<= 10 min', met: true },
      { metric: 'mttrSeconds', goal: '< 60 min', met: null },
      { metric: 'successRate', goal: '>= 90 %', met: true },
      { metric: 'throughputPerDay', goal: '>= 1 per day', met: true },
    ]);
    expect(benchmarks({ ...base, durationMedianSeconds: 601, mttrSeconds: 3600, successRate: 0.89, throughputPerDay: 0.99 }).map((b) => b.met))
      .toEqual([false, false, false, false]);
  });
});

describe('impossible timestamps', () => {
  // Three good successes of 10, 20 and 30 minutes, each deployed to production with a commit 5 minutes before start.
  const good = [succeeded('a', 0, 10 * 60), succeeded('b', HOUR, 20 * 60), succeeded('c', 2 * HOUR, 30 * 60)];
  const deployOf = (id: string, offset: number, minutes: number) => [
    action(id, 'Source', 'Source', 'Source', 'Succeeded', T0 + offset, T0 + offset + MINUTE, { CommitterDate: at(T0 + offset - 5 * MINUTE) }),
    action(id, 'Production', 'Deploy', 'Deploy', 'Succeeded', T0 + offset + MINUTE, T0 + offset + minutes * MINUTE),
  ];
  const goodActions = [...deployOf('a', 0, 10), ...deployOf('b', HOUR, 20), ...deployOf('c', 2 * HOUR, 30)];

  test('GIVEN only possible timestamps WHEN computed THEN nothing is excluded', () => {
    const metrics = computeDeliveryMetrics(history(good, goodActions), window(30));

    expect(metrics.excludedImpossible).toBe(0);
    expect(metrics.durationMedianSeconds).toBe(20 * 60);
    expect(metrics.leadTimeSamples).toBe(3);
  });

  test('GIVEN a success whose lastUpdateTime is a day before its startTime WHEN computed THEN it is counted, but no duration is negative', () => {
    const backwards = execution('backwards', 'Succeeded', T0 + 3 * HOUR, T0 + 3 * HOUR - DAY);

    const metrics = computeDeliveryMetrics(history([...good, backwards], goodActions), window(30));

    expect(metrics.counts.succeeded).toBe(4);
    expect(metrics.excludedImpossible).toBe(1);
    // durations of a, b, c only: without the exclusion the median would be (10 + 20) / 2 min and the p95 unchanged
    expect(metrics.durationMedianSeconds).toBe(20 * 60);
    expect(metrics.durationP95Seconds).toBe(30 * 60);
  });

  test('GIVEN failures and successes with a missing or backwards lastUpdateTime WHEN computed THEN they stay out of MTTR and are counted', () => {
    const executions = [
      execution('fail', 'Failed', T0, T0 + 10 * MINUTE),
      // ends an hour before the failure started: used, it would order the episode wrongly
      execution('fix-backwards', 'Succeeded', T0 + 20 * MINUTE, T0 - HOUR),
      { ...execution('fix-missing', 'Succeeded', T0 + 25 * MINUTE, 0), lastUpdateTime: undefined },
      execution('fix', 'Succeeded', T0 + 30 * MINUTE, T0 + 40 * MINUTE),
      { ...execution('fail-missing', 'Failed', T0 + 50 * MINUTE, 0), lastUpdateTime: null as unknown as string },
    ];

    const metrics = computeDeliveryMetrics(history(executions), window(30));

    expect(metrics.counts).toMatchObject({ succeeded: 3, failed: 2 });
    expect(metrics.successRate).toBe(0.6);
    expect(metrics.excludedImpossible).toBe(3);
    // fail (T0 + 10 min) → fix (T0 + 40 min): 30 min; fail-missing opens no episode
    expect(metrics.mttrSeconds).toBe(30 * 60);
    expect(metrics.recoveredFailureEpisodes).toBe(1);
    expect(metrics.openFailureEpisodes).toBe(0);
    expect(metrics.durationMedianSeconds).toBe(10 * 60);
  });

  test('GIVEN a deployment that ends before its source revision or before it starts WHEN computed THEN its lead time is left out and counted, the deployment is not', () => {
    const executions = [
      ...good,
      succeeded('commit-in-future', 3 * HOUR, 10 * 60),
      succeeded('deploy-backwards', 4 * HOUR, 10 * 60),
    ];
    const actions = [
      ...goodActions,
      action('commit-in-future', 'Source', 'Source', 'Source', 'Succeeded', T0 + 3 * HOUR, T0 + 3 * HOUR + MINUTE, { CommitterDate: at(T0 + 5 * HOUR) }),
      action('commit-in-future', 'Production', 'Deploy', 'Deploy', 'Succeeded', T0 + 3 * HOUR + MINUTE, T0 + 3 * HOUR + 10 * MINUTE),
      action('deploy-backwards', 'Production', 'Deploy', 'Deploy', 'Succeeded', T0 + 4 * HOUR + 5 * MINUTE, T0 + 4 * HOUR + 4 * MINUTE),
    ];

    const metrics = computeDeliveryMetrics(history(executions, actions), window(30));

    expect(metrics.excludedImpossible).toBe(2);
    expect(metrics.leadTimeSamples).toBe(3);
    // a, b, c: 15, 25, 35 minutes from commit to the end of the deployment
    expect(metrics.leadTimeMedianSeconds).toBe(25 * 60);
    expect(metrics.productionDeployments).toBe(5);
    expect(metrics.deploymentsPerDay).toBeCloseTo(5 / 30, 12);
    // their durations are possible: they count there
    expect(metrics.durationMedianSeconds).toBe(10 * 60);
  });

  test('GIVEN a succeeded rollback without an end WHEN computed THEN it restores nothing and is counted', () => {
    const executions = [
      execution('broke', 'Failed', T0, T0 + 30 * MINUTE),
      { ...execution('rollback', 'Succeeded', T0 + HOUR, 0, { executionType: 'ROLLBACK' }), lastUpdateTime: undefined },
    ];
    const actions = [action('broke', 'Production', 'Deploy', 'Deploy', 'Failed', T0 + 10 * MINUTE, T0 + 30 * MINUTE)];

    const withoutEnd = computeDeliveryMetrics(history(executions, actions), window(30));
    const withEnd = computeDeliveryMetrics(history([executions[0], execution('rollback', 'Succeeded', T0 + HOUR, T0 + 70 * MINUTE, { executionType: 'ROLLBACK' })], actions), window(30));

    expect(withoutEnd.excludedImpossible).toBe(1);
    expect(withoutEnd.restoredProductionFailures).toBe(0);
    expect(withoutEnd.timeToRestoreSeconds).toBeNull();
    expect(withEnd.excludedImpossible).toBe(0);
    expect(withEnd.timeToRestoreSeconds).toBe(40 * 60);
  });

  test('GIVEN impossible executions outside the window or still running WHEN computed THEN they are not counted as excluded', () => {
    const executions = [
      ...good,
      execution('before-window', 'Succeeded', T0 - DAY, T0 - 2 * DAY),
      execution('running', 'InProgress', T0 + 5 * HOUR, T0 + 4 * HOUR),
    ];

    const metrics = computeDeliveryMetrics(history(executions, goodActions), window(30));

    expect(metrics.excludedImpossible).toBe(0);
    expect(metrics.ignoredInProgress).toBe(1);
  });
});

describe('generated histories with rollbacks', () => {
  test.each([
    [600, 7],
    [1500, 50],
  ])('GIVEN %i executions, every %i-th a rollback WHEN computed THEN failed production changes are the failed deployments plus those the generator rolled back', (count, every) => {
    const data = syntheticHistory(count, undefined, undefined, { rollbackEvery: every });
    const file = syntheticHistoryFile(data);
    const fullWindow = { since: new Date(data.since), until: new Date(data.until) };

    const metrics = computeDeliveryMetrics(parsePipelineHistory(file), fullWindow);

    // the oracle, from the generated data: executions that ran a production deploy action, and how it ended
    const statusOf = new Map(file.pipelineExecutionSummaries.map((e) => [e.pipelineExecutionId as string, e]));
    const standard = (id: string) => statusOf.get(id)?.executionType === 'STANDARD';
    const production = file.actionExecutionDetails.filter((a) => a.stageName === 'Production' && standard(a.pipelineExecutionId as string));
    const failedInProduction = new Set(production.filter((a) => a.status === 'Failed').map((a) => a.pipelineExecutionId));
    const rolledBack = new Set(data.rolledBack);
    expect(rolledBack.size).toBeGreaterThanOrEqual(Math.floor(count / every) - 2);
    expect(metrics.productionExecutions).toBe(production.length);
    expect(metrics.failedProductionExecutions).toBe(new Set([...failedInProduction, ...rolledBack]).size);
    expect(metrics.counts.succeeded).toBe(file.pipelineExecutionSummaries.filter((e) => e.status === 'Succeeded').length);
    expect(metrics.excludedImpossible).toBe(0);
  });

  test('GIVEN two deployments that started at the same moment before a rollback WHEN computed THEN the one listed first is the one rolled back', () => {
    const deploy = (id: string, from: number, to: number, status = 'Succeeded') => action(id, 'Production', 'Deploy', 'Deploy', status, T0 + from, T0 + to);
    const executions = [
      // newest first, as ListPipelineExecutions lists them
      execution('rollback', 'Succeeded', T0 + 3 * HOUR, T0 + 3 * HOUR + 5 * MINUTE, { executionType: 'ROLLBACK', rollbackMetadata: { rollbackTargetPipelineExecutionId: 'good' } }),
      execution('listed-first', 'Succeeded', T0 + 2 * HOUR, T0 + 2 * HOUR + 10 * MINUTE),
      execution('listed-second', 'Succeeded', T0 + 2 * HOUR, T0 + 2 * HOUR + 20 * MINUTE),
      execution('broke', 'Failed', T0 + HOUR, T0 + HOUR + 10 * MINUTE),
      execution('good', 'Succeeded', T0, T0 + 10 * MINUTE),
    ];
    const actions = [
      deploy('rollback', 3 * HOUR, 3 * HOUR + 5 * MINUTE),
      deploy('listed-first', 2 * HOUR, 2 * HOUR + 10 * MINUTE),
      deploy('listed-second', 2 * HOUR, 2 * HOUR + 20 * MINUTE),
      deploy('broke', HOUR, HOUR + 10 * MINUTE, 'Failed'),
      deploy('good', 0, 10 * MINUTE),
    ];

    const metrics = computeDeliveryMetrics(history(executions, actions), window(30));

    // listed-first rolled back: listed-second (not rolled back) restores the failure of broke: 1h 10m → 2h 20m
    expect(metrics.failedProductionExecutions).toBe(2);
    expect(metrics.restoredProductionFailures).toBe(1);
    expect(metrics.timeToRestoreSeconds).toBe(70 * 60);
  });

  test('GIVEN a generated history WHEN its executions and actions are listed oldest first instead of newest first THEN every figure is the same', () => {
    const data = syntheticHistory(800, undefined, undefined, { rollbackEvery: 9 });
    const file = syntheticHistoryFile(data);
    const fullWindow = { since: new Date(data.since), until: new Date(data.until) };
    const reversed = {
      ...file,
      pipelineExecutionSummaries: [...file.pipelineExecutionSummaries].reverse(),
      actionExecutionDetails: [...file.actionExecutionDetails].reverse(),
    };

    const asListed = computeDeliveryMetrics(parsePipelineHistory(file), fullWindow);
    expect(computeDeliveryMetrics(parsePipelineHistory(reversed), fullWindow)).toEqual(asListed);
  });
});
