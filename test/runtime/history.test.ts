import { action, execution, T0 } from './history-fixtures';
import { HISTORY_FORMAT_VERSION, jsonify, parseIsoTime, parsePipelineHistory } from '../../src/runtime/history';

describe('parsePipelineHistory', () => {
  test('GIVEN a valid history WHEN parsed THEN times become epoch ms and categories/output variables are kept', () => {
    const parsed = parsePipelineHistory({
      formatVersion: HISTORY_FORMAT_VERSION,
      pipelineName: 'my-app',
      pipelineExecutionSummaries: [execution('e1', 'Succeeded', T0, T0 + 1000, {
        executionType: 'ROLLBACK', rollbackMetadata: { rollbackTargetPipelineExecutionId: 'e0' },
      })],
      actionExecutionDetails: [action('e1', 'Source', 'Source', 'Source', 'Succeeded', T0, T0 + 500, { CommitId: 'abc' })],
    });

    expect(parsed).toEqual({
      pipelineName: 'my-app',
      executions: [{
        pipelineExecutionId: 'e1',
        status: 'Succeeded',
        startMs: T0,
        lastUpdateMs: T0 + 1000,
        executionType: 'ROLLBACK',
        rollbackTargetPipelineExecutionId: 'e0',
      }],
      actions: [{
        pipelineExecutionId: 'e1',
        stageName: 'Source',
        actionName: 'Source',
        status: 'Succeeded',
        startMs: T0,
        lastUpdateMs: T0 + 500,
        category: 'Source',
        outputVariables: { CommitId: 'abc' },
      }],
    });
  });

  test('GIVEN a history without action executions WHEN parsed THEN it has none', () => {
    expect(parsePipelineHistory({ pipelineExecutionSummaries: [] }).actions).toEqual([]);
  });

  test.each([
    ['a non-object', [], 'Invalid pipeline history: expected a JSON object with "pipelineExecutionSummaries" (as written by `cdk-delivery export`)'],
    ['an unknown format version', { formatVersion: 2, pipelineExecutionSummaries: [] },
      'Invalid pipeline history: formatVersion 2 is not supported; this version reads 1'],
    ['no executions array', { pipelineExecutionSummaries: {} },
      'Invalid pipeline history: "pipelineExecutionSummaries" must be an array (the ListPipelineExecutions shape)'],
    ['an action list that is not an array', { pipelineExecutionSummaries: [], actionExecutionDetails: 'x' },
      'Invalid pipeline history: "actionExecutionDetails" must be an array (the ListActionExecutions shape) when present'],
    ['an execution that is not an object', { pipelineExecutionSummaries: [42] },
      'Invalid pipeline history: pipelineExecutionSummaries[0] must be an object'],
    ['an execution without id', { pipelineExecutionSummaries: [{ status: 'Succeeded' }] },
      'Invalid pipeline history: pipelineExecutionSummaries[0].pipelineExecutionId must be a non-empty string, got nothing'],
    ['a bad start time', { pipelineExecutionSummaries: [{ ...execution('e', 'Succeeded', T0, T0), startTime: 'yesterday' }] },
      'Invalid pipeline history: pipelineExecutionSummaries[0].startTime must be an ISO 8601 timestamp such as "2025-01-31T12:00:00.000Z", got "yesterday"'],
    ['epoch seconds instead of ISO', { pipelineExecutionSummaries: [{ ...execution('e', 'Succeeded', T0, T0), lastUpdateTime: 1740787200 }] },
      'Invalid pipeline history: pipelineExecutionSummaries[0].lastUpdateTime must be an ISO 8601 timestamp such as "2025-01-31T12:00:00.000Z", got 1740787200'],
    ['a non-string execution type', { pipelineExecutionSummaries: [{ ...execution('e', 'Succeeded', T0, T0), executionType: 3 }] },
      'Invalid pipeline history: pipelineExecutionSummaries[0].executionType must be a string, got 3'],
    ['an action that is not an object', { pipelineExecutionSummaries: [], actionExecutionDetails: [null] },
      'Invalid pipeline history: actionExecutionDetails[0] must be an object'],
    ['an action without stage', { pipelineExecutionSummaries: [], actionExecutionDetails: [{ ...action('e', 'S', 'A', 'Deploy', 'Succeeded', T0, T0), stageName: '' }] },
      'Invalid pipeline history: actionExecutionDetails[0].stageName must be a non-empty string, got ""'],
    ['a non-string output variable', {
      pipelineExecutionSummaries: [],
      actionExecutionDetails: [{ ...action('e', 'S', 'A', 'Source', 'Succeeded', T0, T0), output: { outputVariables: { CommitId: 7 } } }],
    }, 'Invalid pipeline history: actionExecutionDetails[0].output.outputVariables.CommitId must be a string, got 7'],
  ])('GIVEN %s WHEN parsed THEN it is refused naming the field', (_name, data, message) => {
    expect(() => parsePipelineHistory(data)).toThrow(message);
  });
});

describe('parseIsoTime', () => {
  test.each([
    ['2025-03-01', Date.parse('2025-03-01T00:00:00Z')],
    ['2025-03-01T10:20:30Z', Date.parse('2025-03-01T10:20:30Z')],
    ['2025-03-01T10:20:30.123+02:00', Date.parse('2025-03-01T08:20:30.123Z')],
    ['March 1 2025', undefined],
    ['2025-13-45', undefined],
    ['', undefined],
  ])('GIVEN %j WHEN parsed THEN %s', (text, expected) => {
    expect(parseIsoTime(text)).toBe(expected);
  });
});

describe('missing end times', () => {
  test.each([
    ['absent', undefined],
    ['null', null],
  ])('GIVEN an execution whose lastUpdateTime is %s WHEN parsed THEN it is kept without an end (the metrics count it as excluded)', (_name, value) => {
    const parsed = parsePipelineHistory({ pipelineExecutionSummaries: [{ ...execution('e', 'Failed', T0, T0), lastUpdateTime: value }] });

    expect(parsed.executions).toEqual([{ pipelineExecutionId: 'e', status: 'Failed', startMs: T0, lastUpdateMs: undefined, executionType: undefined, rollbackTargetPipelineExecutionId: undefined }]);
  });

  test('GIVEN an execution without startTime WHEN parsed THEN it is refused: no window can hold it', () => {
    expect(() => parsePipelineHistory({ pipelineExecutionSummaries: [{ ...execution('e', 'Failed', T0, T0), startTime: undefined }] }))
      .toThrow('Invalid pipeline history: pipelineExecutionSummaries[0].startTime must be an ISO 8601 timestamp such as "2025-01-31T12:00:00.000Z", got nothing');
  });
});

describe('jsonify', () => {
  test('GIVEN an invalid Date WHEN jsonified THEN the field is left out as a missing time, instead of toISOString throwing', () => {
    const invalid = new Date('not a date');
    expect(() => invalid.toISOString()).toThrow(RangeError);

    expect(jsonify({ pipelineExecutionId: 'e', startTime: new Date(T0), lastUpdateTime: invalid }))
      .toEqual({ pipelineExecutionId: 'e', startTime: '2025-03-01T00:00:00.000Z' });
  });

  test('GIVEN an SDK object with nested dates WHEN jsonified THEN dates are ISO strings and undefined fields dropped', () => {
    expect(jsonify({ startTime: new Date(T0), nested: [{ at: new Date(T0 + 1000), n: 1, gone: undefined }] }))
      .toEqual({ startTime: '2025-03-01T00:00:00.000Z', nested: [{ at: '2025-03-01T00:00:01.000Z', n: 1 }] });
  });
});
