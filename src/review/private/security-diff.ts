import { asList, canonical, CfnResource, CfnTemplate, displayName, isRecord, render, resourcesOf } from './template-model';

/**
 * Security broadening between two templates of one stack: IAM statements (identity policies, role trust, managed
 * policy attachments), resource policies (S3, SQS, SNS, KMS, ECR, Secrets Manager, Lambda permissions) and security
 * group ingress.
 *
 * The comparison is done on atoms: a statement with N actions, M resources and P principals is N·M·P atoms of one
 * action on one resource for one principal, under one condition. Permissions broaden when the new template has an
 * Allow atom that no Allow atom of the deployed template covers (same owner, principal and condition; an action or
 * resource pattern with `*`/`?` covers what it matches), or when it lost a Deny atom. Narrowing a statement adds no
 * atom, so it is not reported. An ingress rule broadens when no deployed rule of the same group and source covers its
 * protocol and ports.
 *
 * It is deliberately smaller than `@aws-cdk/cloudformation-diff` (docs/change-review.md says why): it does not
 * resolve intrinsic functions (a value is compared as written), so renaming a referenced resource counts as new.
 */

/** One new permission, as a person reads it. */
export interface Broadening {
  /** Logical id of the resource that grants it (the policy, role, bucket policy, security group …). */
  readonly logicalId: string;
  /** One line: what now may do what, on what. */
  readonly text: string;
}

interface Atom {
  readonly owner: string;
  readonly ownerText: string;
  readonly logicalId: string;
  readonly effect: 'Allow' | 'Deny';
  /** `Principal` text (`AWS:…`, `Service:…`, `*`) or '' for identity policies. */
  readonly principal: string;
  /** Action (or `NotAction:…`), or `managed-policy` for an attachment. */
  readonly action: string;
  /** Resource (or `NotResource:…`) as a canonical text; '' when the statement has none (trust policies). */
  readonly resource: string;
  /** The resource as a person reads it. */
  readonly resourceText: string;
  readonly condition: string;
}

interface IngressRule {
  readonly group: string;
  readonly groupText: string;
  readonly logicalId: string;
  readonly protocol: string;
  readonly from: number;
  readonly to: number;
  readonly source: string;
  readonly sourceText: string;
}

/** The broadenings from `before` (undefined: the stack does not exist yet) to `after`. */
export function securityBroadenings(before: CfnTemplate | undefined, after: CfnTemplate | undefined): Broadening[] {
  const oldAtoms = atomsOf(before);
  const newAtoms = atomsOf(after);
  const broadenings: Broadening[] = [];

  const added = newAtoms.filter(atom => atom.effect === 'Allow' && !oldAtoms.some(old => old.effect === 'Allow' && covers(old, atom)));
  broadenings.push(...group(added, 'allows'));
  const newKeys = new Set(newAtoms.map(key));
  const removedDenies = oldAtoms.filter(atom => atom.effect === 'Deny' && !newKeys.has(key(atom)));
  broadenings.push(...group(removedDenies, 'no longer denies'));

  const oldRules = ingressOf(before);
  for (const rule of ingressOf(after)) {
    if (!oldRules.some(old => ruleCovers(old, rule))) {
      broadenings.push({
        logicalId: rule.logicalId,
        text: `security group ${rule.groupText} allows ingress ${portsText(rule)} from ${rule.sourceText}`,
      });
    }
  }
  return dedupe(broadenings);
}

function key(atom: Atom): string {
  return [atom.owner, atom.effect, atom.principal, atom.action, atom.resource, atom.condition].join('\u0000');
}

/** Atoms of one owner, principal, resource and condition become one line that lists their actions. */
function group(atoms: readonly Atom[], verb: string): Broadening[] {
  const lines = new Map<string, { atom: Atom; actions: string[] }>();
  for (const atom of atoms) {
    const k = [atom.owner, atom.principal, atom.resource, atom.condition].join('\u0000');
    const entry = lines.get(k) ?? { atom, actions: [] };
    if (!entry.actions.includes(atom.action)) {
      entry.actions.push(atom.action);
    }
    lines.set(k, entry);
  }
  // Lines that grant the same actions to the same principal under the same condition list their resources together.
  const merged = new Map<string, { atom: Atom; actions: string[]; resources: string[] }>();
  for (const { atom, actions } of lines.values()) {
    const k = [atom.owner, atom.principal, atom.condition, actions.join(',')].join('\u0000');
    const entry = merged.get(k) ?? { atom, actions, resources: [] };
    if (atom.resourceText !== '' && !entry.resources.includes(atom.resourceText)) {
      entry.resources.push(atom.resourceText);
    }
    merged.set(k, entry);
  }
  return [...merged.values()].map(({ atom, actions, resources }) => {
    if (atom.action === 'managed-policy') {
      return { logicalId: atom.logicalId, text: `${atom.ownerText} ${verb === 'allows' ? 'attaches' : 'no longer denies'} managed policy ${resources.join(', ')}` };
    }
    const who = atom.principal === '' ? '' : ` to ${atom.principal}`;
    const on = resources.length === 0 ? '' : ` on ${resources.join(' and ')}`;
    const when = atom.condition === '' ? '' : ` when ${atom.condition}`;
    return { logicalId: atom.logicalId, text: `${atom.ownerText} ${verb} ${actions.join(', ')}${who}${on}${when}` };
  });
}

function dedupe(items: Broadening[]): Broadening[] {
  const seen = new Set<string>();
  return items.filter(item => (seen.has(item.text) ? false : (seen.add(item.text), true)));
}

// ---- IAM and resource policies ----

/** Where a policy document sits in a resource of each type, and how the owner is named. */
function documentsOf(logicalId: string, resource: CfnResource): { where: string; text: string; document: unknown }[] {
  const p = resource.Properties ?? {};
  const shown = displayName(logicalId, resource);
  switch (resource.Type) {
    case 'AWS::IAM::Policy':
    case 'AWS::IAM::ManagedPolicy': {
      const attached = ['Roles', 'Users', 'Groups'].flatMap(k => asList(p[k]).map(render));
      const to = attached.length > 0 ? ` (attached to ${attached.join(', ')})` : '';
      return [{ where: 'PolicyDocument', text: `IAM policy ${shown}${to}`, document: p.PolicyDocument }];
    }
    case 'AWS::IAM::Role':
    case 'AWS::IAM::User':
    case 'AWS::IAM::Group': {
      const kind = resource.Type.split('::')[2].toLowerCase();
      const documents = asList(p.Policies).filter(isRecord).map(policy => ({
        where: `Policies.${render(policy.PolicyName)}`,
        text: `${kind} ${shown} (inline policy ${render(policy.PolicyName)})`,
        document: policy.PolicyDocument,
      }));
      if (resource.Type === 'AWS::IAM::Role') {
        documents.push({ where: 'AssumeRolePolicyDocument', text: `role ${shown} trust policy`, document: p.AssumeRolePolicyDocument });
      }
      return documents;
    }
    case 'AWS::S3::BucketPolicy':
      return [{ where: 'PolicyDocument', text: `bucket policy ${shown} (bucket ${render(p.Bucket)})`, document: p.PolicyDocument }];
    case 'AWS::SQS::QueuePolicy':
      return [{ where: 'PolicyDocument', text: `queue policy ${shown} (${asList(p.Queues).map(render).join(', ')})`, document: p.PolicyDocument }];
    case 'AWS::SNS::TopicPolicy':
      return [{ where: 'PolicyDocument', text: `topic policy ${shown} (${asList(p.Topics).map(render).join(', ')})`, document: p.PolicyDocument }];
    case 'AWS::KMS::Key':
      return [{ where: 'KeyPolicy', text: `key policy of KMS key ${shown}`, document: p.KeyPolicy }];
    case 'AWS::ECR::Repository':
      return [{ where: 'RepositoryPolicyText', text: `repository policy of ECR repository ${shown}`, document: p.RepositoryPolicyText }];
    case 'AWS::SecretsManager::ResourcePolicy':
      return [{ where: 'ResourcePolicy', text: `secret policy ${shown} (secret ${render(p.SecretId)})`, document: p.ResourcePolicy }];
    default:
      return [];
  }
}

function atomsOf(template: CfnTemplate | undefined): Atom[] {
  const atoms: Atom[] = [];
  for (const [logicalId, resource] of Object.entries(resourcesOf(template))) {
    if (!isRecord(resource)) {
      continue;
    }
    for (const { where, text, document } of documentsOf(logicalId, resource)) {
      atoms.push(...statementAtoms(`${logicalId}#${where}`, text, logicalId, document));
    }
    const p = resource.Properties ?? {};
    if (['AWS::IAM::Role', 'AWS::IAM::User', 'AWS::IAM::Group'].includes(resource.Type)) {
      const kind = resource.Type.split('::')[2].toLowerCase();
      for (const arn of asList(p.ManagedPolicyArns)) {
        atoms.push({
          owner: `${logicalId}#ManagedPolicyArns`,
          ownerText: `${kind} ${displayName(logicalId, resource)}`,
          logicalId,
          effect: 'Allow',
          principal: '',
          action: 'managed-policy',
          resource: canonical(arn),
          resourceText: render(arn),
          condition: '',
        });
      }
    }
    if (resource.Type === 'AWS::Lambda::Permission') {
      const conditions = ['SourceArn', 'SourceAccount', 'PrincipalOrgID', 'FunctionUrlAuthType']
        .filter(k => p[k] !== undefined).map(k => `${k}=${render(p[k])}`).join(' and ');
      atoms.push({
        owner: `${logicalId}#Permission`,
        ownerText: `Lambda permission ${displayName(logicalId, resource)}`,
        logicalId,
        effect: 'Allow',
        principal: principalText(p.Principal),
        action: render(p.Action),
        resource: canonical(p.FunctionName),
        resourceText: render(p.FunctionName),
        condition: conditions,
      });
    }
  }
  return atoms;
}

function statementAtoms(owner: string, ownerText: string, logicalId: string, document: unknown): Atom[] {
  const parsed = typeof document === 'string' ? parseJson(document) : document;
  if (!isRecord(parsed)) {
    return [];
  }
  const atoms: Atom[] = [];
  for (const statement of asList(parsed.Statement)) {
    if (!isRecord(statement)) {
      continue;
    }
    const effect = statement.Effect === 'Deny' ? 'Deny' : 'Allow';
    const actions = statement.NotAction !== undefined
      ? asList(statement.NotAction).map(a => `NotAction:${render(a)}`)
      : asList(statement.Action).map(render);
    const resources = statement.NotResource !== undefined
      ? asList(statement.NotResource).map(r => ({ key: `NotResource:${canonical(r)}`, text: `everything but ${render(r)}` }))
      : asList(statement.Resource).map(r => ({ key: canonical(r), text: render(r) }));
    const principals = statement.NotPrincipal !== undefined
      ? principalList(statement.NotPrincipal).map(p => `everyone but ${p}`)
      : principalList(statement.Principal);
    const condition = statement.Condition === undefined ? '' : canonical(statement.Condition);
    for (const action of actions.length > 0 ? actions : ['']) {
      for (const resource of resources.length > 0 ? resources : [{ key: '', text: '' }]) {
        for (const principal of principals.length > 0 ? principals : ['']) {
          atoms.push({ owner, ownerText, logicalId, effect, principal, action, resource: resource.key, resourceText: resource.text, condition });
        }
      }
    }
  }
  return atoms;
}

function principalList(principal: unknown): string[] {
  if (principal === undefined) {
    return [];
  }
  if (!isRecord(principal)) {
    return [render(principal)];
  }
  return Object.keys(principal).sort().flatMap(kind => asList(principal[kind]).map(value => `${kind}:${render(value)}`));
}

function principalText(principal: unknown): string {
  const text = render(principal);
  return text.endsWith('.amazonaws.com') ? `Service:${text}` : text === '*' ? '*' : `AWS:${text}`;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Whether the deployed atom `old` grants at least what `atom` grants. */
function covers(old: Atom, atom: Atom): boolean {
  return old.owner === atom.owner
    && old.principal === atom.principal
    && old.condition === atom.condition
    && patternCovers(old.action, atom.action, true)
    && (old.resource === atom.resource || resourcePatternCovers(old, atom));
}

function resourcePatternCovers(old: Atom, atom: Atom): boolean {
  // Only plain strings (a JSON string in canonical form) are patterns.
  if (!old.resource.startsWith('"') || !atom.resource.startsWith('"')) {
    return false;
  }
  return patternCovers(JSON.parse(old.resource), JSON.parse(atom.resource), false);
}

/** IAM's wildcard match: `*` any run of characters, `?` one; actions compare case-insensitively. */
function patternCovers(pattern: string, value: string, ignoreCase: boolean): boolean {
  if (pattern === value) {
    return true;
  }
  if (!pattern.includes('*') && !pattern.includes('?')) {
    return ignoreCase && pattern.toLowerCase() === value.toLowerCase();
  }
  const regex = new RegExp(`^${pattern.split('').map(c => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('')}$`, ignoreCase ? 'i' : '');
  return regex.test(value);
}

// ---- Security group ingress ----

function ingressOf(template: CfnTemplate | undefined): IngressRule[] {
  const rules: IngressRule[] = [];
  for (const [logicalId, resource] of Object.entries(resourcesOf(template))) {
    if (!isRecord(resource)) {
      continue;
    }
    const p = resource.Properties ?? {};
    if (resource.Type === 'AWS::EC2::SecurityGroup') {
      const groupRef = { 'Fn::GetAtt': [logicalId, 'GroupId'] };
      for (const rule of asList(p.SecurityGroupIngress).filter(isRecord)) {
        rules.push(ingressRule(canonical(groupRef), displayName(logicalId, resource), logicalId, rule));
      }
    }
    if (resource.Type === 'AWS::EC2::SecurityGroupIngress') {
      rules.push(ingressRule(canonical(p.GroupId), render(p.GroupId), logicalId, p));
    }
  }
  return rules;
}

function ingressRule(groupKey: string, groupText: string, logicalId: string, rule: Record<string, unknown>): IngressRule {
  const protocol = normaliseProtocol(rule.IpProtocol);
  const allPorts = protocol === '-1';
  const from = allPorts ? -1 : toPort(rule.FromPort, -1);
  const to = allPorts ? 65535 : toPort(rule.ToPort, from);
  const sourceKey = ['CidrIp', 'CidrIpv6', 'SourceSecurityGroupId', 'SourcePrefixListId', 'SourceSecurityGroupName'].find(k => rule[k] !== undefined);
  const source = sourceKey === undefined ? '' : `${sourceKey}=${canonical(rule[sourceKey])}`;
  const sourceText = sourceKey === undefined ? 'anywhere in its VPC' : render(rule[sourceKey]);
  return { group: groupKey, groupText, logicalId, protocol, from, to, source, sourceText };
}

function normaliseProtocol(protocol: unknown): string {
  const text = String(protocol ?? '-1').toLowerCase();
  return ({ all: '-1', 6: 'tcp', 17: 'udp', 1: 'icmp', 58: 'icmpv6' } as Record<string, string>)[text] ?? text;
}

function toPort(value: unknown, fallback: number): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  return Number.isFinite(n) ? n : fallback;
}

function ruleCovers(old: IngressRule, rule: IngressRule): boolean {
  return old.group === rule.group
    && old.source === rule.source
    && (old.protocol === '-1' || (old.protocol === rule.protocol && old.from <= rule.from && old.to >= rule.to));
}

function portsText(rule: IngressRule): string {
  if (rule.protocol === '-1') {
    return 'on all ports';
  }
  if (rule.from === -1 && rule.to === -1) {
    return rule.protocol;
  }
  return rule.from === rule.to ? `${rule.protocol} ${rule.from}` : `${rule.protocol} ${rule.from}-${rule.to}`;
}
