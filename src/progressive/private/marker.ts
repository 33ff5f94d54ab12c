import { IConstruct } from 'constructs';
import type { IProgressiveDeployment } from '../progressive-deployment';

/** The mark of a progressive deployment helper: a global symbol, so copies of the library in one app agree. */
const PROGRESSIVE_DEPLOYMENT = Symbol.for('cdk-delivery-pipelines.ProgressiveDeployment');

/** Whether `x` is a progressive deployment helper whose constructor completed. */
export function isProgressiveDeployment(x: IConstruct): x is IProgressiveDeployment {
  return PROGRESSIVE_DEPLOYMENT in x;
}

/**
 * Marks `helper` as a progressive deployment helper, for `ProgressiveDeployment.summariesOf`: last in its
 * constructor, so a helper whose validation failed (left in the tree by a caller that caught the error) is not read.
 */
export function markProgressiveDeployment(helper: IProgressiveDeployment): void {
  Object.defineProperty(helper, PROGRESSIVE_DEPLOYMENT, { value: true });
}
