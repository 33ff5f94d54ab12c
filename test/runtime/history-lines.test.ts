import * as fs from 'node:fs';
import * as path from 'node:path';
import { syntheticHistory, syntheticHistoryFile } from './synthetic-history';
import { parsePipelineHistory, PipelineHistoryFile } from '../../src/runtime/history';
import { chunked, historyFileLines, readHistoryFile } from '../../src/runtime/history-lines';

const EXAMPLE_HISTORY = path.join(__dirname, '..', '..', 'examples', 'history', 'pipeline-history.json');

/** Lines as a file reader gives them: split on newlines, without the line ends. */
async function* linesOf(text: string): AsyncGenerator<string> {
  const lines = text.split('\n');
  yield* (lines[lines.length - 1] === '' ? lines.slice(0, -1) : lines);
}

const textOf = (file: PipelineHistoryFile): string => [...historyFileLines(file)].join('');
const read = (text: string) => readHistoryFile(linesOf(text), 'History file h.jsonl');

describe('history format 2 (JSON Lines)', () => {
  const data = syntheticHistory(300, undefined, undefined, { rollbackEvery: 7 });
  const file = syntheticHistoryFile(data, 'shop-api');

  test('GIVEN a history WHEN written THEN one header line, one line per execution and per action execution, each compact JSON', () => {
    const lines = [...historyFileLines(file)];

    expect(lines).toHaveLength(1 + file.pipelineExecutionSummaries.length + file.actionExecutionDetails.length);
    expect(lines.every((line) => line.endsWith('\n') && !line.slice(0, -1).includes('\n'))).toBe(true);
    expect(JSON.parse(lines[0])).toEqual({
      formatVersion: 2,
      pipelineName: 'shop-api',
      exportedAt: data.until,
      since: data.since,
      until: data.until,
      executions: file.pipelineExecutionSummaries.length,
      actionExecutions: file.actionExecutionDetails.length,
    });
    expect(JSON.parse(lines[1])).toEqual({ pipelineExecutionSummary: file.pipelineExecutionSummaries[0] });
    const lastAction = file.actionExecutionDetails[file.actionExecutionDetails.length - 1];
    expect(JSON.parse(lines[lines.length - 1])).toEqual({ actionExecutionDetail: lastAction });
  });

  test('GIVEN a written history WHEN read back THEN it is the history the one-document form parses to, with its period', async () => {
    const contents = await read(textOf(file));

    expect(contents.formatVersion).toBe(2);
    expect(contents.coverage).toEqual({ since: data.since, until: data.until });
    expect(contents.history).toEqual(parsePipelineHistory(file));
    expect(contents.history.executions.filter((e) => e.executionType === 'ROLLBACK').length).toBeGreaterThan(30);
  });

  test('GIVEN blank lines and Windows line ends WHEN read THEN they are tolerated', async () => {
    const text = textOf(file).split('\n').join('\r\n\n');

    expect((await read(text)).history).toEqual(parsePipelineHistory(file));
  });

  test('GIVEN an indented format 1 document (the example history) WHEN read THEN it is read whole, as before', async () => {
    const text = fs.readFileSync(EXAMPLE_HISTORY, 'utf-8');

    const contents = await read(text);

    expect(contents.formatVersion).toBe(1);
    expect(contents.history).toEqual(parsePipelineHistory(JSON.parse(text)));
    expect(contents.coverage).toEqual({ since: '2025-05-05T00:00:00.000Z', until: '2025-05-26T00:00:00.000Z' });
  });

  test('GIVEN a compact format 1 document on one line WHEN read THEN it is read as format 1', async () => {
    const contents = await read(JSON.stringify(file));

    expect(contents.formatVersion).toBe(1);
    expect(contents.history).toEqual(parsePipelineHistory(file));
  });

  const header = (fields: Record<string, unknown> = {}) => JSON.stringify({ formatVersion: 2, pipelineName: 'p', executions: 1, actionExecutions: 0, ...fields });
  const execution = JSON.stringify({ pipelineExecutionSummary: file.pipelineExecutionSummaries[0] });

  test.each([
    ['an empty file', '', 'History file h.jsonl is empty; expected a history written by `cdk-delivery export`'],
    ['only blank lines', '\n \n', 'History file h.jsonl is empty; expected a history written by `cdk-delivery export`'],
    ['text that is not JSON', 'import x from "y";\n', 'History file h.jsonl is not valid JSON: '],
    ['an unknown format version', '{"formatVersion": 3, "pipelineExecutionSummaries": []}',
      'History file h.jsonl has formatVersion 3, which is not supported; this version reads 1 (one JSON document) and 2 (JSON Lines)'],
    ['a header without counts', `${JSON.stringify({ formatVersion: 2 })}\n`,
      'History file h.jsonl, line 1: the header must give "executions" and "actionExecutions" as whole numbers, got nothing and nothing'],
    ['a header with counts as strings', `${header({ executions: '1' })}\n${execution}\n`,
      'History file h.jsonl, line 1: the header must give "executions" and "actionExecutions" as whole numbers, got "1" and 0'],
    ['a header whose pipelineName is not a string', `${header({ pipelineName: 7 })}\n${execution}\n`,
      'History file h.jsonl, line 1: the header\'s "pipelineName" must be a string, got 7'],
    ['a line that is not JSON', `${header()}\n${execution.slice(0, 40)}\n`,
      `History file h.jsonl, line 2 is not a JSON object: ${execution.slice(0, 40)}`],
    ['a line that is an array', `${header()}\n[1, 2]\n`, 'History file h.jsonl, line 2 is not a JSON object: [1, 2]'],
    ['a line of another kind', `${header()}\n{"stage": {}}\n`,
      'History file h.jsonl, line 2 must hold "pipelineExecutionSummary" or "actionExecutionDetail", got the keys ["stage"]'],
    ['a bad field inside a line', `${header()}\n\n${JSON.stringify({ pipelineExecutionSummary: { ...file.pipelineExecutionSummaries[0], startTime: 'yesterday' } })}\n`,
      'Invalid pipeline history: line 3: pipelineExecutionSummary.startTime must be an ISO 8601 timestamp such as "2025-01-31T12:00:00.000Z", got "yesterday"'],
    ['a bad action inside a line', `${header({ executions: 0, actionExecutions: 1 })}\n${JSON.stringify({ actionExecutionDetail: { stageName: 'Production' } })}\n`,
      'Invalid pipeline history: line 2: actionExecutionDetail.pipelineExecutionId must be a non-empty string, got nothing'],
    ['more lines than announced', `${header({ executions: 0 })}\n${execution}\n`,
      'History file h.jsonl: the header announces 0 executions and 0 action executions, the file holds 1 and 0: it is incomplete or was edited; export it again'],
    ['a file cut short', `${header({ executions: 2, actionExecutions: 5 })}\n${execution}\n`,
      'History file h.jsonl: the header announces 2 executions and 5 action executions, the file holds 1 and 0: it is incomplete or was edited; export it again'],
  ])('GIVEN %s WHEN read THEN it is refused naming the file, the line and the fix', async (_name, text, message) => {
    await expect(read(text)).rejects.toThrow(message);
  });

  test('GIVEN a complete file WHEN one line is dropped THEN the count check sees it', async () => {
    const lines = textOf(file).split('\n');
    lines.splice(5, 1);

    await expect(read(lines.join('\n'))).rejects.toThrow(
      `the header announces ${file.pipelineExecutionSummaries.length} executions and ${file.actionExecutionDetails.length} action executions, ` +
      `the file holds ${file.pipelineExecutionSummaries.length - 1} and ${file.actionExecutionDetails.length}`);
  });
});

describe('chunked', () => {
  test('GIVEN many small pieces WHEN chunked THEN the chunks hold the same text, each at least the size but the last', () => {
    const pieces = Array.from({ length: 1000 }, (_, i) => `line ${i}\n`);

    const chunks = [...chunked(pieces, 500)];

    expect(chunks.join('')).toBe(pieces.join(''));
    expect(chunks.length).toBeGreaterThan(10);
    expect(chunks.slice(0, -1).every((chunk) => chunk.length >= 500 && chunk.length < 510)).toBe(true);
  });

  test('GIVEN nothing WHEN chunked THEN no chunk', () => {
    expect([...chunked([], 10)]).toEqual([]);
  });
});

describe('reading stops cleanly', () => {
  test('GIVEN a bad line early in a long file WHEN read THEN the line source is closed at once, not read to the end', async () => {
    let yielded = 0;
    let closed = false;
    async function* source(): AsyncGenerator<string> {
      try {
        yield JSON.stringify({ formatVersion: 2, executions: 1, actionExecutions: 0 });
        for (;;) {
          yielded += 1;
          yield '[1]';
        }
      } finally {
        closed = true;
      }
    }

    await expect(readHistoryFile(source(), 'History file h.jsonl')).rejects.toThrow('History file h.jsonl, line 2 is not a JSON object: [1]');
    expect(yielded).toBe(1);
    expect(closed).toBe(true);
  });
});
