import * as fs from 'node:fs';
import * as path from 'node:path';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct, IConstruct } from 'constructs';
import { ValidationError } from './errors';

/**
 * Root of the package: this module is `lib/private/bundled-handler.js` in the installed package and
 * `src/private/bundled-handler.ts` in the repository; `assets/` sits beside both `lib/` and `src/`.
 */
const PACKAGE_ROOT = path.join(__dirname, '..', '..');

/**
 * The code of a Lambda handler that the build bundled with esbuild (`src/<handler>.ts` →
 * `assets/<handler>/index.js`, the `bundle` task). A package packed without its bundles would otherwise fail deep
 * in aws-cdk-lib with `Cannot find asset at …`: this names the cause and the fix first.
 *
 * @param scope the scope of the function that runs the handler
 * @param id the function's id (the error names the function's path)
 * @param handler the handler's path under `src/` without `.ts`, e.g. `metrics/private/publish-metrics.lambda`
 * @param packageRoot where `assets/` is (tests give a scratch directory)
 */
export function bundledHandlerCode(scope: IConstruct, id: string, handler: string, packageRoot: string = PACKAGE_ROOT): lambda.Code {
  const directory = path.join(packageRoot, 'assets', handler);
  const entry = path.join(directory, 'index.js');
  if (!fs.existsSync(entry)) {
    const functionPath = [scope.node.path, id].filter(p => p !== '').join('/');
    throw new ValidationError(`${functionPath}: the bundled Lambda handler '${handler}' is missing: ${entry} does not exist. `
      + 'This copy of cdk-delivery-pipelines was packed without its bundles (assets/ is written by `npx projen bundle`, '
      + 'which `npx projen compile` runs first). In your clone of cdk-delivery-pipelines run '
      + '`npm ci && npx projen compile && npm pack` (README, "Deploying the pipeline", step 1), then install the new '
      + 'tarball in your app.');
  }
  return lambda.Code.fromAsset(directory);
}

/** Props of `BundledFunction`. */
export interface BundledFunctionProps extends lambda.FunctionOptions {
  /** The handler's path under `src/` without `.ts`, e.g. `metrics/private/publish-metrics.lambda`. */
  readonly bundle: string;
}

/**
 * A Lambda function (Node.js 24, `index.handler`) that runs a handler the build bundled into `assets/`
 * (`bundledHandlerCode`). The runtime is named by its identifier (`nodejs24.x`), not `Runtime.NODEJS_24_X`
 * (aws-cdk-lib 2.224+), so the whole peer range synthesizes it.
 */
export class BundledFunction extends lambda.Function {
  constructor(scope: Construct, id: string, props: BundledFunctionProps) {
    const { bundle, ...options } = props;
    super(scope, id, {
      description: `src/${bundle}.ts`,
      ...options,
      runtime: new lambda.Runtime('nodejs24.x', lambda.RuntimeFamily.NODEJS),
      handler: 'index.handler',
      code: bundledHandlerCode(scope, id, bundle),
    });
    this.addEnvironment('AWS_NODEJS_CONNECTION_REUSE_ENABLED', '1', { removeInEdge: true });
  }
}
