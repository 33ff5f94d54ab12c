/**
 * The parts of a CloudFormation template the review reads, and how it shows template values to a person.
 * Dependency-free: the bundled review handler imports it.
 */

/** A resource of a template. */
export interface CfnResource {
  readonly Type: string;
  readonly Properties?: { readonly [name: string]: unknown };
  readonly DeletionPolicy?: unknown;
  readonly UpdateReplacePolicy?: unknown;
  readonly Metadata?: { readonly [key: string]: unknown };
}

/** A template, as `cdk synth` writes it and CloudFormation's `GetTemplate` returns it (parsed). */
export interface CfnTemplate {
  readonly Resources?: { readonly [logicalId: string]: CfnResource };
}

/** The resources of a template (none when it has none or is not an object). */
export function resourcesOf(template: CfnTemplate | undefined): { readonly [logicalId: string]: CfnResource } {
  const resources = template?.Resources;
  return typeof resources === 'object' && resources !== null ? resources : {};
}

/**
 * How a person finds the resource: its construct path inside the stack and its logical id (`Orders (OrdersA9B65338)`)
 * when the template carries CDK's `aws:cdk:path` metadata (the CDK CLI writes it by default), else the logical id.
 */
export function displayName(logicalId: string, resource: CfnResource): string {
  const cdkPath = isRecord(resource.Metadata) ? resource.Metadata['aws:cdk:path'] : undefined;
  if (typeof cdkPath !== 'string') {
    return logicalId;
  }
  const inStack = cdkPath.split('/').slice(1).filter((part, i, parts) => !(i === parts.length - 1 && (part === 'Resource' || part === 'Default')));
  return inStack.length === 0 ? logicalId : `${inStack.join('/')} (${logicalId})`;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A canonical text of a JSON value (object keys sorted): equal values give equal texts. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map(canonical).join(',')}]`;
  }
  if (isRecord(value)) {
    return `{${Object.keys(value).sort().map(k => `${JSON.stringify(k)}:${canonical(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * A template value as a person reads it: `{ Ref: X }` is `${X}`, `{ 'Fn::GetAtt': [X, 'Arn'] }` is `${X.Arn}`,
 * `Fn::Join` and `Fn::Sub` are written out; anything else is compact JSON.
 */
export function render(value: unknown): string {
  if (typeof value === 'string') {
    return value;
  }
  if (typeof value === 'number' || typeof value === 'boolean') {
    return String(value);
  }
  if (Array.isArray(value)) {
    return value.map(render).join(', ');
  }
  if (isRecord(value)) {
    const keys = Object.keys(value);
    if (keys.length === 1) {
      const [key] = keys;
      const arg = value[key];
      if (key === 'Ref' && typeof arg === 'string') {
        return `\${${arg}}`;
      }
      if (key === 'Fn::GetAtt') {
        const parts = Array.isArray(arg) ? arg : typeof arg === 'string' ? arg.split('.') : [];
        if (parts.length === 2 && parts.every(p => typeof p === 'string')) {
          return `\${${parts[0]}.${parts[1]}}`;
        }
      }
      if (key === 'Fn::Join' && Array.isArray(arg) && arg.length === 2 && typeof arg[0] === 'string' && Array.isArray(arg[1])) {
        return arg[1].map(render).join(arg[0]);
      }
      if (key === 'Fn::Sub') {
        if (typeof arg === 'string') {
          return arg;
        }
        if (Array.isArray(arg) && typeof arg[0] === 'string') {
          return arg[0];
        }
      }
      if (key === 'Fn::ImportValue') {
        return `\${Import:${render(arg)}}`;
      }
    }
  }
  return canonical(value);
}

/** The value as a list (a single value is a list of one; nothing is an empty list). */
export function asList(value: unknown): unknown[] {
  if (value === undefined || value === null) {
    return [];
  }
  return Array.isArray(value) ? value : [value];
}
