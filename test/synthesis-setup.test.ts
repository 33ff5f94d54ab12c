/**
 * The switches of test/setup/synthesis.ts, each proved both ways. CloudFormation validation, on one app with a known finding (a Lambda
 * function on the deprecated Node.js 20 runtime, rule W2531): without `withCloudFormationValidation` the built-in
 * validation does not run, with it the finding is reported — so the tests that use it really validate.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, CfnResource, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { withCloudFormationValidation } from './fixtures/cloudformation-validation';

interface Report {
  readonly pluginReports: ReadonlyArray<{ readonly pluginName: string; readonly violations: ReadonlyArray<{ readonly ruleName: string }> }>;
}

/** The rules the built-in validation reported, or undefined when it did not run. */
function builtinFindings(outdir: string): string[] | undefined {
  const file = path.join(outdir, 'validation-report.json');
  if (!fs.existsSync(file)) {
    return undefined;
  }
  const builtin = (JSON.parse(fs.readFileSync(file, 'utf-8')) as Report).pluginReports.find(p => p.pluginName === 'CloudFormation Validate');
  return builtin?.violations.map(v => v.ruleName);
}

function appWithDeprecatedRuntime(): App {
  const app = new App();
  new lambda.Function(new Stack(app, 'Stack'), 'Fn', {
    runtime: lambda.Runtime.NODEJS_20_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => {};'),
  });
  return app;
}

test('the jest setup turns the built-in validation off for every test file', () => {
  expect(process.env.CDK_VALIDATION).toBe('false');
  expect(builtinFindings(appWithDeprecatedRuntime().synth().directory)).toBeUndefined();
});

test('withCloudFormationValidation runs it (the known finding is reported) and restores the setting', () => {
  // aws-cdk-lib prints the report with console.error: captured, and checked to be the finding.
  const printed = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  let outdir: string;
  let output: string;
  try {
    outdir = withCloudFormationValidation(() => appWithDeprecatedRuntime().synth().directory);
  } finally {
    output = printed.mock.calls.flat().join('\n');
    printed.mockRestore();
  }
  expect(builtinFindings(outdir)).toContain('W2531');
  expect(output).toContain("Acknowledge with 'CloudFormation-Validate::W2531'");
  expect(process.env.CDK_VALIDATION).toBe('false');
});

test('a clean app: the report is written only when the validation ran (what the tests about validation rely on)', () => {
  const clean = () => {
    const app = new App();
    new CfnResource(new Stack(app, 'Stack'), 'Handle', { type: 'AWS::CloudFormation::WaitConditionHandle' });
    return app;
  };
  expect(fs.existsSync(path.join(clean().synth().directory, 'validation-report.json'))).toBe(false);
  const outdir = withCloudFormationValidation(() => clean().synth().directory);
  expect(builtinFindings(outdir)).toBeUndefined(); // no plugin report: nothing found
  expect(fs.existsSync(path.join(outdir, 'validation-report.json'))).toBe(true);
});

test('creation stack traces are off in tests, and on without the setup', () => {
  const creationStack = () => {
    const resource = new CfnResource(new Stack(new App(), 'Stack'), 'Handle', { type: 'AWS::CloudFormation::WaitConditionHandle' });
    return resource.node.metadata.find(m => m.type === 'aws:cdk:creationStack')?.data as string[] | undefined;
  };
  expect(creationStack()).toBeUndefined();
  const saved = process.env.CDK_CONTEXT_JSON;
  delete process.env.CDK_CONTEXT_JSON;
  try {
    expect(creationStack()?.join('\n')).toContain('synthesis-setup.test.ts');
  } finally {
    process.env.CDK_CONTEXT_JSON = saved;
  }
});
