/**
 * Jest setup (every test file, before it loads): what synthesis does that the tests do not read is switched off,
 * in this test file's own `process.env` (jest gives each file a copy), with aws-cdk-lib's documented switches.
 *
 * - Built-in CloudFormation validation (cfn-lint rules compiled to WASM) runs on every `App.synth()` and costs most
 *   of a synthesis: the guard-rails suite took 109 s with it and 9 s without. `CDK_VALIDATION=false` turns it off;
 *   the tests about validation turn it back on around their synthesis with `withCloudFormationValidation()`
 *   (test/fixtures/cloudformation-validation.ts); test/synthesis-setup.test.ts proves both states.
 * - Stack traces captured while constructing (`aws:cdk:creationStack` metadata on every CloudFormation element,
 *   metadata and annotation traces): each goes through jest's source-map wrapper — a tenth of the property test's
 *   CPU. aws-cdk-lib's performance switches turn them off: the `aws:cdk:disable-creation-stack-traces` and
 *   `aws:cdk:disable-stack-trace` context keys (given to every App through `CDK_CONTEXT_JSON`, as the CLI gives
 *   context) and `CDK_DISABLE_STACK_TRACE`.
 *
 * `npm run examples`, `npm run cdk-compat` and `npm run bench` synthesize with the real CLI, both on, as users do.
 */
process.env.CDK_VALIDATION = 'false';
process.env.CDK_DISABLE_STACK_TRACE = '1';
process.env.CDK_CONTEXT_JSON = JSON.stringify({ 'aws:cdk:disable-creation-stack-traces': true, 'aws:cdk:disable-stack-trace': true });
