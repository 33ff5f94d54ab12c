import { ValidationError } from '../../private/errors';

/**
 * Tool versions the pipeline installs at run time, pinned: a release pipeline must not change its tools under a
 * team. `test/codepipeline/tool-versions.test.ts` keeps the CDK CLI pin equal to the version this repository's
 * tests and examples synthesize with (the `aws-cdk` dev dependency).
 */

/** The AWS CDK CLI used by self-mutation (`cdk deploy` of the pipeline stack) and the permissions check. */
export const DEFAULT_CDK_CLI_VERSION = '2.1148.1';

/** The `cdk-assets` CLI used by asset publishing. */
export const DEFAULT_CDK_ASSETS_VERSION = '4.7.3';

const EXACT_VERSION = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;

/** Throws unless `version` is one exact npm version (no range, tag or `latest`). */
export function validateToolVersion(version: string, property: string, example: string): void {
  if (typeof version !== 'string' || !EXACT_VERSION.test(version)) {
    throw new ValidationError(`${property}: '${version}' is not an exact version. A release pipeline must not change its tools under you: pin one, e.g. '${example}'.`);
  }
}
