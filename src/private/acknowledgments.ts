import * as cdk from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Acknowledgments of policy findings (cdk-nag, the cfn-guard plugin) on constructs the library creates, shared by
 * the pipeline, the metrics, the approval guard and the pull-request checks: one rule on one construct, with a
 * written reason, in the metadata entry that `Validations.of(construct).acknowledge()` writes.
 */

/** The cfn-guard plugin's rule ids, as `Validations.acknowledge` takes them (`${CFN_GUARD}::<rule>`). */
export const CFN_GUARD = 'cdk-validator-cfnguard';

/**
 * The metadata type of `Validations.of(node).acknowledge()`. `Validations` arrived in aws-cdk-lib 2.251 and the
 * peer range starts lower, so the key is read when present and written with its value otherwise: the metadata
 * needs nothing new. On older versions nothing reads it (cdk-nag 3, which does, runs on aws-cdk-lib 2.258 and later).
 */
export const ACKNOWLEDGED_RULES_METADATA_KEY: string =
  (cdk as unknown as { readonly Validations?: { readonly ACKNOWLEDGED_RULES_METADATA_KEY?: string } })
    .Validations?.ACKNOWLEDGED_RULES_METADATA_KEY ?? 'aws:cdk:acknowledged-rules';

/**
 * Acknowledges one rule of one validation plugin on one construct, with a reason: the metadata entry that
 * `Validations.of(construct).acknowledge()` writes (aws-cdk-lib 2.251+), written directly so that older versions
 * of the peer range synthesize too (they run no validation plugin that would read it).
 */
export function acknowledge(construct: IConstruct, rule: string, reason: string): void {
  construct.node.addMetadata(ACKNOWLEDGED_RULES_METADATA_KEY, { [rule]: reason });
}

/**
 * Acknowledges exact finding ids (rule id → reason) on a construct, in one metadata entry; nothing when `reasons`
 * is empty.
 *
 * Written directly because `acknowledge()` captures a stack trace per rule: measured at 0.25-0.5 ms per call
 * under ts-node, about 10 % of the reference pipeline's synth time for ~55 acknowledgments.
 */
export function acknowledgeFindings(node: IConstruct, reasons: Map<string, string>): void {
  if (reasons.size > 0) {
    node.node.addMetadata(ACKNOWLEDGED_RULES_METADATA_KEY, Object.fromEntries(reasons));
  }
}

function asRecord(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value as Record<string, unknown> : {};
}

/**
 * Renders a resolved CloudFormation value the way cdk-nag names it in finding ids (cdk-nag's
 * `flattenCfnReference`: `Fn::Join` joined, `Ref`/`Fn::GetAtt` as `<Name>`/`<Name.Attribute>`, `${X}` of
 * `Fn::Sub` as `<X>`, anything else as JSON).
 */
export function flattenCfnReference(value: unknown): string {
  if (value === undefined) {
    return '';
  }
  if (typeof value === 'string') {
    return value.replace(/\${/g, '<').replace(/}/g, '>');
  }
  const obj = asRecord(value);
  if (obj['Fn::Join']) {
    const [separator, parts] = obj['Fn::Join'] as [string, unknown[]];
    return parts.map(flattenCfnReference).join(separator);
  }
  if (obj['Fn::Sub']) {
    return flattenCfnReference(obj['Fn::Sub']);
  }
  if (obj['Fn::GetAtt']) {
    const [resource, attribute] = obj['Fn::GetAtt'] as [unknown, unknown];
    return `<${flattenCfnReference(resource)}.${flattenCfnReference(attribute)}>`;
  }
  if (obj['Fn::ImportValue']) {
    return flattenCfnReference(obj['Fn::ImportValue']);
  }
  if (obj.Ref) {
    return `<${flattenCfnReference(obj.Ref)}>`;
  }
  return JSON.stringify(value);
}
