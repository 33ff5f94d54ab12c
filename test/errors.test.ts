import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { DeliveryPipeline, DeliveryPipelineProps, PipelineSource } from '../src';
import { fixture, PIPELINE_ENV, referenceProps } from './fixtures/app';
import { InternalError, isValidationError, scoped, ValidationError } from '../src/private/errors';

/** The error a construction throws. */
function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

describe('user errors carry the construct path; internal assertions are distinct', () => {
  const badName = (): Partial<DeliveryPipelineProps> => ({ tests: [{ name: 'bad name', commands: ['npm test'] }] });

  test('two pipelines in one app give different messages, each naming its construct', () => {
    const f = fixture();
    const other = new Stack(f.app, 'OtherPipelineStack', { env: PIPELINE_ENV });
    const first = thrown(() => new DeliveryPipeline(f.stack, 'Delivery', referenceProps(f, badName())));
    const second = thrown(() => new DeliveryPipeline(other, 'Release', referenceProps(f, badName())));
    const property = "tests[0].name: 'bad name' is not a valid step name. Use 1 to 100 letters, digits, '.', '@', '-' or '_' (it becomes a CodePipeline action name).";
    expect(first.message).toBe(`PipelineStack/Delivery: ${property}`);
    expect(second.message).toBe(`OtherPipelineStack/Release: ${property}`);
    expect(first).toBeInstanceOf(ValidationError);
    expect((first as ValidationError).constructPath).toBe('PipelineStack/Delivery');
    expect(first.name).toBe('ValidationError');
    // The stack trace starts with the scoped message and keeps the frames of the code that threw.
    expect(first.stack?.split('\n')[0]).toBe(`ValidationError: PipelineStack/Delivery: ${property}`);
    expect(first.stack).toMatch(/validate\.ts/);
  });

  test('a static factory (no construct at hand) throws the property message without a path', () => {
    const error = thrown(() => PipelineSource.connection('bad', 'main', { connectionArn: 'arn:aws:codeconnections:us-east-1:111111111111:connection/0a1b2c3d' }));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toBe("source: the repository 'bad' is not in the form 'owner/repo'. Pass it as PipelineSource.connection('owner/repo', 'main', { connectionArn }).");
    expect((error as ValidationError).constructPath).toBeUndefined();
  });

  test('scoped adds the path once: an error that already has one, or is not a user error, passes unchanged', () => {
    const app = new App();
    const outer = new Stack(app, 'Outer');
    const inner = new Stack(app, 'Inner');
    const once = scoped(inner, new ValidationError('p: bad.')) as ValidationError;
    expect(once.message).toBe('Inner: p: bad.');
    expect(scoped(outer, once)).toBe(once);
    const internal = new InternalError('DeliveryPipeline: CDK Pipelines changed. Please report it.');
    expect(scoped(outer, internal)).toBe(internal);
    const plain = new TypeError('x is undefined');
    expect(scoped(outer, plain)).toBe(plain);
  });

  test('internal assertions are not validation errors', () => {
    const internal = new InternalError('broken assumption');
    expect(isValidationError(internal)).toBe(false);
    expect(internal.name).toBe('InternalError');
    expect(isValidationError(new ValidationError('p: bad.'))).toBe(true);
    // Another copy of the library in the same process: recognised by name.
    const copy = Object.assign(new Error('p: bad.'), { name: 'ValidationError' });
    expect(isValidationError(copy)).toBe(true);
  });
});

test('the README quotes a message as a user sees it: the construct path, then a message the validation table asserts exactly', () => {
  const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf-8');
  const quoted = readme.split('\n').map(l => l.trim()).find(l => l.startsWith('PipelineStack/Delivery: staging.verify[0].envFromOutputs.URL'));
  expect(quoted).toBeDefined();
  // test/codepipeline/validation.test.ts builds its pipelines as PipelineStack/Delivery and asserts `PipelineStack/Delivery: <message>`.
  const table = fs.readFileSync(path.join(__dirname, 'codepipeline', 'validation.test.ts'), 'utf-8');
  expect(table).toContain(JSON.stringify(quoted!.slice('PipelineStack/Delivery: '.length)).slice(1, -1).replace(/\\"/g, '"'));
});
