import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { flatten } from '../../src/pull-requests/private/trust-check';

/** A CodeBuild project of the template, with its buildspec parsed. */
export interface RenderedProject {
  readonly id: string;
  readonly properties: any;
  readonly buildSpec: any;
  /** Plaintext variables of the project and of its buildspec's `env.variables`. */
  readonly variables: Record<string, string>;
  readonly secretVariables: string[];
}

export function projects(template: Template): RenderedProject[] {
  return Object.entries(template.findResources('AWS::CodeBuild::Project')).map(([id, r]) => {
    const text = r.Properties.Source.BuildSpec === undefined ? '' : flatten(r.Properties.Source.BuildSpec);
    const spec = text.startsWith('{') ? JSON.parse(text) : {};
    const env: Array<{ Name: string; Type: string; Value: string }> = r.Properties.Environment.EnvironmentVariables ?? [];
    return {
      id,
      properties: r.Properties,
      buildSpec: spec,
      variables: {
        ...spec.env?.variables,
        ...Object.fromEntries(env.filter(v => v.Type === 'PLAINTEXT').map(v => [v.Name, v.Value])),
      },
      secretVariables: [
        ...env.filter(v => v.Type !== 'PLAINTEXT').map(v => v.Name),
        ...Object.keys(spec.env?.['secrets-manager'] ?? {}),
        ...Object.keys(spec.env?.['parameter-store'] ?? {}),
      ],
    };
  });
}

export function projectByDescription(template: Template, description: RegExp): RenderedProject {
  const found = projects(template).filter(p => description.test(p.properties.Description ?? ''));
  if (found.length !== 1) {
    throw new Error(`expected one project described like ${description}, found ${found.map(p => p.properties.Description).join(', ') || 'none'}`);
  }
  return found[0];
}

/** The logical id of the role a project runs with. */
export function roleOf(project: RenderedProject): string {
  return project.properties.ServiceRole['Fn::GetAtt'][0];
}

export interface Grant {
  readonly actions: string[];
  readonly resources: unknown[];
  readonly conditions?: unknown;
}

/** Every Allow statement of the policies attached to a role (inline and AWS::IAM::Policy), resolved. */
export function grantsOf(stack: Stack, template: Template, roleLogicalId: string): Grant[] {
  const toArray = <T>(x: T | T[] | undefined): T[] => x === undefined ? [] : Array.isArray(x) ? x : [x];
  const role = template.findResources('AWS::IAM::Role')[roleLogicalId];
  if (!role) {
    throw new Error(`no role ${roleLogicalId}`);
  }
  const inline = toArray(role.Properties.Policies).flatMap((p: any) => toArray(p.PolicyDocument.Statement));
  const attached = Object.values(template.findResources('AWS::IAM::Policy'))
    .filter(p => toArray(p.Properties.Roles).some((r: any) => r.Ref === roleLogicalId))
    .flatMap(p => toArray(p.Properties.PolicyDocument.Statement));
  void stack;
  return [...inline, ...attached].filter((s: any) => s.Effect === 'Allow')
    .map((s: any) => ({ actions: toArray(s.Action), resources: toArray(s.Resource), conditions: s.Condition }));
}

export function actionsOf(grants: Grant[]): string[] {
  return [...new Set(grants.flatMap(g => g.actions))].sort();
}

/** A resolved ARN (Fn::Join of strings and refs) as text, refs as `${Ref}`: the library's own reader, which its trust check uses. */
export { flatten };
