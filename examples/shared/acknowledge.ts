import * as cdk from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

interface ValidationsApi {
  of(scope: IConstruct): { acknowledge(...rules: Array<{ id: string; reason: string }>): void };
}

/**
 * Acknowledges one policy rule on one construct, with the reason. `Validations` arrived in aws-cdk-lib 2.251;
 * on older versions no validation plugin reads acknowledgments, so there is nothing to record.
 */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  const validations = (cdk as unknown as { readonly Validations?: ValidationsApi }).Validations;
  validations?.of(scope).acknowledge({ id, reason });
}
