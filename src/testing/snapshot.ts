import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';

/**
 * Snapshot helpers that do not break when only asset contents change.
 */
export class DeliverySnapshot {
  /**
   * The stack's template as stable, indented JSON with every asset hash (64 hex digits, as CDK writes them in
   * asset object keys, publishing commands and buildspec file names) replaced by `<asset-hash>`.
   *
   * Use it with `expect(DeliverySnapshot.templateJson(stack)).toMatchSnapshot()`: the snapshot then changes when
   * the pipeline changes, not when the application's code does.
   */
  public static templateJson(stack: Stack): string {
    return DeliverySnapshot.normalize(JSON.stringify(Template.fromStack(stack).toJSON(), undefined, 2));
  }

  /**
   * Replaces asset hashes in a text (a template, a buildspec) with `<asset-hash>`.
   */
  public static normalize(text: string): string {
    return text.replace(/[0-9a-f]{64}/g, '<asset-hash>');
  }

  private constructor() {}
}
