import { Stage } from 'aws-cdk-lib';
import { DeliverySnapshot } from './snapshot';

/*
 * A Jest snapshot serializer: `expect(app).toMatchSnapshot()` records `DeliverySnapshot.appJson(app)` for an App
 * or a Stage. TypeScript/JavaScript only (jsii has no way to express Jest's serializer interface), so it is not
 * exported from the package's entry point. Register it in the Jest configuration,
 *   snapshotSerializers: ['cdk-delivery-pipelines/lib/testing/jest-serializer']
 * or in a test file: `expect.addSnapshotSerializer(require('cdk-delivery-pipelines/lib/testing/jest-serializer'))`.
 */

/** Jest asks every serializer whether a value is its own: an App or a Stage is. */
export function test(value: unknown): boolean {
  return Stage.isStage(value);
}

/** The snapshot of an App or a Stage: the whole app, normalized (`DeliverySnapshot.appJson`). */
export function serialize(value: Stage): string {
  return DeliverySnapshot.appJson(value);
}
