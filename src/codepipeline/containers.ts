import { Token } from 'aws-cdk-lib';
import type * as ecr from 'aws-cdk-lib/aws-ecr';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { Construct } from 'constructs';
import { literalRepository, literalSecret } from './private/registry-literals';
import { ValidationError } from '../private/errors';
import { checkArguments } from '../private/props-check';
import { validateInert } from '../private/shell';

/**
 * Which builds of the pipeline log in to a registry with a `RegistryCredential`.
 */
export enum RegistryCredentialUsage {
  /**
   * The `Build` stage (`cdk synth`). Needs `docker.enabledForSynth`. The login is written to cdk-assets' credentials
   * file (`~/.cdk/cdk-docker-creds.json`) for the tools of the build that read it; aws-cdk-lib's Docker bundling does not.
   */
  SYNTH = 'SYNTH',
  /**
   * Self-mutation (`cdk deploy` of the pipeline stack), when the pipeline stack itself has Docker image assets.
   * Needs `docker.enabledForSelfMutation`.
   */
  SELF_MUTATION = 'SELF_MUTATION',
  /** Docker image asset publishing (`cdk-assets` builds the app's images and pushes them to the target accounts). */
  ASSET_PUBLISHING = 'ASSET_PUBLISHING',
}

/**
 * Options of every registry credential.
 */
export interface RegistryCredentialOptions {
  /**
   * The builds that log in to the registry. Each build's role may read the credential; no other may.
   *
   * @default - asset publishing, plus synth when `docker.enabledForSynth` and self-mutation when
   * `docker.enabledForSelfMutation` (a build without Docker has no use for a registry login)
   */
  readonly usages?: RegistryCredentialUsage[];

  /**
   * A role the builds assume to read the credential (a secret or repository in another account).
   *
   * @default - the builds' own roles read it
   */
  readonly assumeRole?: iam.IRole;
}

/**
 * Options of a registry credential kept in a Secrets Manager secret (a JSON object with a user name and a password
 * or access token).
 */
export interface SecretRegistryCredentialOptions extends RegistryCredentialOptions {
  /**
   * The JSON field of the secret that holds the user name.
   *
   * @default 'username'
   */
  readonly usernameField?: string;

  /**
   * The JSON field of the secret that holds the password or access token.
   *
   * @default 'secret'
   */
  readonly passwordField?: string;
}

enum CredentialKind { DOCKER_HUB = 'dockerHub', REGISTRY = 'registry', ECR = 'ecr' }

/**
 * A login to a container registry, for the builds that pull or push images (asset publishing, and synth or
 * self-mutation when Docker is enabled for them). With one, Docker Hub's anonymous pull limit no longer fails
 * builds, and images can come from private registries.
 */
export class RegistryCredential {
  /**
   * Docker Hub, with a user name and access token from a Secrets Manager secret.
   *
   * @param secret a secret whose JSON holds `username` and `secret` (see `usernameField`, `passwordField`)
   */
  public static dockerHub(secret: secretsmanager.ISecret, options: SecretRegistryCredentialOptions = {}): RegistryCredential {
    checkArguments('RegistryCredential.dockerHub', [secret, options]);
    return new RegistryCredential(CredentialKind.DOCKER_HUB, options, { secret, domain: DOCKER_HUB_DOMAIN });
  }

  /**
   * Another registry (GitHub, Quay, a self-hosted one), by host name, with a user name and password from a Secrets
   * Manager secret.
   *
   * @param domain the registry's host name, as in image names: `ghcr.io`, `registry.example.com:5000`
   * @param secret a secret whose JSON holds `username` and `secret` (see `usernameField`, `passwordField`)
   */
  public static registry(domain: string, secret: secretsmanager.ISecret, options: SecretRegistryCredentialOptions = {}): RegistryCredential {
    checkArguments('RegistryCredential.registry', [domain, secret, options]);
    return new RegistryCredential(CredentialKind.REGISTRY, options, { secret, domain });
  }

  /**
   * Amazon ECR repositories of one registry (one account and region), for example base images shared from
   * another account. The builds get pull access to exactly these repositories.
   *
   * A cross-account repository must allow the pipeline account in its repository policy (or pass `assumeRole`,
   * a role of the registry's account that may pull).
   *
   * @param repositories the repositories, all in the same account and region
   */
  public static ecr(repositories: ecr.IRepository[], options: RegistryCredentialOptions = {}): RegistryCredential {
    checkArguments('RegistryCredential.ecr', [repositories, options]);
    return new RegistryCredential(CredentialKind.ECR, options, { repositories });
  }

  private constructor(
    private readonly kind: CredentialKind,
    private readonly options: SecretRegistryCredentialOptions,
    private readonly target: { readonly secret?: secretsmanager.ISecret; readonly domain?: string; readonly repositories?: ecr.IRepository[] },
  ) {}

  /**
   * The CDK Pipelines credential, validated; `property` names it in errors.
   * @internal
   */
  public _bind(scope: Construct, property: string, docker: DockerOptions): BoundCredential {
    const usages = this.usages(property, docker);
    const common = { assumeRole: this.options.assumeRole, usages: usages.map(u => CDK_PIPELINES_USAGE[u]) };
    if (this.kind === CredentialKind.ECR) {
      validateRepositories(property, this.target.repositories);
      const repositories = this.target.repositories!.map((r, i) => literalRepository(scope, `Repository${i}`, r, `${property}.repositories[${i}]`));
      const registry = sameRegistry(property, repositories);
      validateInert(registry, `${property}.repositories`, 'registry host');
      inertRole(property, this.options.assumeRole);
      return { registry, usages, credential: pipelines.DockerCredential.ecr(repositories, common) };
    }
    const domain = this.kind === CredentialKind.DOCKER_HUB ? DOCKER_HUB_DOMAIN : registryDomain(property, this.target.domain);
    const secret = literalSecret(scope, 'Secret', validateSecret(property, this.target.secret), property);
    const fields = secretFields(property, this.options);
    // CDK Pipelines writes these into the builds' registry login as `echo '<json>'`, in single quotes it does not
    // escape (docs: src/private/shell.ts): only inert characters may get there.
    validateInert(secret.secretArn, `${property}.secret`, 'secret\'s ARN');
    for (const [name, value] of [['usernameField', fields.username], ['passwordField', fields.password]] as const) {
      if (value !== undefined) {
        validateInert(value, `${property}.${name}`, 'JSON field name');
      }
    }
    inertRole(property, this.options.assumeRole);
    const options = { ...common, secretUsernameField: fields.username, secretPasswordField: fields.password };
    return {
      registry: domain === DOCKER_HUB_DOMAIN ? 'Docker Hub' : domain,
      usages,
      credential: this.kind === CredentialKind.DOCKER_HUB
        ? pipelines.DockerCredential.dockerHub(secret, options)
        : pipelines.DockerCredential.customRegistry(domain, secret, options),
    };
  }

  private usages(property: string, docker: DockerOptions): RegistryCredentialUsage[] {
    const given = this.options.usages;
    if (given === undefined) {
      return [
        RegistryCredentialUsage.ASSET_PUBLISHING,
        ...(docker.enabledForSynth ? [RegistryCredentialUsage.SYNTH] : []),
        ...(docker.enabledForSelfMutation ? [RegistryCredentialUsage.SELF_MUTATION] : []),
      ];
    }
    if (given.length === 0) {
      throw new ValidationError(`${property}.usages: the list is empty, so no build would log in with this credential. Name the builds that need it (e.g. [RegistryCredentialUsage.ASSET_PUBLISHING]), or leave usages out.`);
    }
    given.forEach((usage, i) => {
      if (!Object.values(RegistryCredentialUsage).includes(usage)) {
        throw new ValidationError(`${property}.usages[${i}]: '${usage}' is not a RegistryCredentialUsage. Use SYNTH, SELF_MUTATION or ASSET_PUBLISHING.`);
      }
      if (given.indexOf(usage) !== i) {
        throw new ValidationError(`${property}.usages[${i}]: ${usage} is listed twice. List each build once.`);
      }
    });
    const needsDocker: Array<[RegistryCredentialUsage, boolean | undefined, string]> = [
      [RegistryCredentialUsage.SYNTH, docker.enabledForSynth, 'enabledForSynth'],
      [RegistryCredentialUsage.SELF_MUTATION, docker.enabledForSelfMutation, 'enabledForSelfMutation'],
    ];
    for (const [usage, enabled, flag] of needsDocker) {
      if (given.includes(usage) && !enabled) {
        throw new ValidationError(`${property}.usages: ${usage} is listed, but that build runs without Docker, so it would only read the credential. Set docker.${flag}: true, or remove ${usage}.`);
      }
    }
    return given;
  }
}

/**
 * Container images in the pipeline: registry logins and Docker in the builds that need it.
 *
 * Docker image assets (`ContainerImage.fromAsset`, `DockerImageAsset`) need none of this: they are built and
 * pushed by one asset-publishing action, the only CodeBuild project that runs privileged (Docker) by default.
 */
export interface DockerOptions {
  /**
   * Registry logins for the builds that pull or push images. At most one per registry and build.
   *
   * @default - anonymous pulls (Docker Hub limits them per IP address; shared CodeBuild addresses hit the limit)
   */
  readonly credentials?: RegistryCredential[];

  /**
   * Run the `Build` stage (`cdk synth`) with Docker (CodeBuild privileged mode), for apps that bundle with Docker
   * at synth (`NodejsFunction` without local esbuild, `PythonFunction`, `DockerImage.fromBuild`).
   *
   * @default false
   */
  readonly enabledForSynth?: boolean;

  /**
   * Run self-mutation with Docker (CodeBuild privileged mode), needed only when the pipeline stack itself has Docker
   * image assets (self-mutation publishes them as it deploys the pipeline stack).
   *
   * @default false
   */
  readonly enabledForSelfMutation?: boolean;
}

/** A credential as CDK Pipelines takes it, with what it was validated for. */
export interface BoundCredential {
  /** The registry, for messages. */
  readonly registry: string;
  readonly usages: RegistryCredentialUsage[];
  readonly credential: pipelines.DockerCredential;
}

/** CDK Pipelines' key for Docker Hub (what `DockerCredential.dockerHub` uses). */
const DOCKER_HUB_DOMAIN = 'https://index.docker.io/v1/';

const CDK_PIPELINES_USAGE: Record<RegistryCredentialUsage, pipelines.DockerCredentialUsage> = {
  [RegistryCredentialUsage.SYNTH]: pipelines.DockerCredentialUsage.SYNTH,
  [RegistryCredentialUsage.SELF_MUTATION]: pipelines.DockerCredentialUsage.SELF_UPDATE,
  [RegistryCredentialUsage.ASSET_PUBLISHING]: pipelines.DockerCredentialUsage.ASSET_PUBLISHING,
};

const DOCKER_HUB_HOSTS = ['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com'];
/** A host name with an optional port, as Docker passes it to a credential helper. */
const REGISTRY_HOST = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:\d{1,5})?$/i;

function registryDomain(property: string, domain: string | undefined): string {
  if (typeof domain !== 'string' || domain.trim() === '') {
    throw new ValidationError(`${property}: the registry domain is empty. Pass the registry's host name as it appears in image names, e.g. RegistryCredential.registry('ghcr.io', secret).`);
  }
  if (Token.isUnresolved(domain)) {
    return domain;
  }
  if (DOCKER_HUB_HOSTS.includes(domain.toLowerCase())) {
    throw new ValidationError(`${property}: '${domain}' is Docker Hub. Use RegistryCredential.dockerHub(secret), which logs in where Docker looks for Docker Hub credentials.`);
  }
  if (/\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com/i.test(domain)) {
    throw new ValidationError(`${property}: '${domain}' is an Amazon ECR registry, which takes no password secret. Use RegistryCredential.ecr([repository]) (the builds get pull access to those repositories).`);
  }
  if (!REGISTRY_HOST.test(domain)) {
    const host = domain.replace(/^[a-z]+:\/\//i, '').split('/')[0];
    throw new ValidationError(`${property}: '${domain}' is not a registry host name. Pass the host (and port) only, without scheme or path, e.g. '${REGISTRY_HOST.test(host) ? host : 'ghcr.io'}'.`);
  }
  return domain;
}

function validateSecret(property: string, secret: secretsmanager.ISecret | undefined): secretsmanager.ISecret {
  if (secret === undefined || secret === null) {
    throw new ValidationError(`${property}: no secret was given. Pass the Secrets Manager secret that holds the registry login, e.g. secretsmanager.Secret.fromSecretNameV2(this, 'DockerHub', 'dockerhub/credentials').`);
  }
  const name = secret.secretName;
  if (typeof name === 'string' && !Token.isUnresolved(name) && name.trim() === '') {
    throw new ValidationError(`${property}: the secret's name is empty. Import the secret by its name or complete ARN, e.g. secretsmanager.Secret.fromSecretNameV2(this, 'DockerHub', 'dockerhub/credentials').`);
  }
  return secret;
}

function secretFields(property: string, options: SecretRegistryCredentialOptions): { username?: string; password?: string } {
  const fields: Array<['usernameField' | 'passwordField', string | undefined, string]> = [
    ['usernameField', options.usernameField, 'username'],
    ['passwordField', options.passwordField, 'secret'],
  ];
  for (const [name, value, fallback] of fields) {
    if (value !== undefined && (typeof value !== 'string' || value.trim() === '')) {
      throw new ValidationError(`${property}.${name}: '${value}' names no JSON field of the secret. Give the field's name, or leave it out for '${fallback}'.`);
    }
  }
  const username = options.usernameField ?? 'username';
  const password = options.passwordField ?? 'secret';
  if (username === password) {
    throw new ValidationError(`${property}: usernameField and passwordField are both '${username}'. The secret's JSON needs one field for the user name and another for the password.`);
  }
  return { username: options.usernameField, password: options.passwordField };
}

/** The role to assume for the login, when its ARN is known at synth (it reaches the registry login too). */
function inertRole(property: string, role: iam.IRole | undefined): void {
  if (role !== undefined && !Token.isUnresolved(role.roleArn)) {
    validateInert(role.roleArn, `${property}.assumeRole`, 'role\'s ARN');
  }
}

function validateRepositories(property: string, repositories: ecr.IRepository[] | undefined): void {
  if (!Array.isArray(repositories) || repositories.length === 0) {
    throw new ValidationError(`${property}: no repository was given. Pass the ECR repositories the builds pull from, e.g. RegistryCredential.ecr([ecr.Repository.fromRepositoryArn(this, 'BaseImages', 'arn:aws:ecr:us-east-1:444444444444:repository/base-images')]).`);
  }
  repositories.forEach((repository, i) => {
    if (!repository) {
      throw new ValidationError(`${property}.repositories[${i}]: no repository was given. Pass an ecr.IRepository.`);
    }
  });
}

/** The registry host of the repositories (plain strings), which must share it. */
function sameRegistry(property: string, repositories: ecr.IRepository[]): string {
  const registries = repositories.map(r => r.repositoryUri.split('/')[0]);
  registries.forEach((registry, i) => {
    if (registry !== registries[0]) {
      throw new ValidationError(`${property}.repositories[${i}]: the repository is in the registry ${registry}, repositories[0] in ${registries[0]}. One ecr() credential covers one registry (account and region): add another RegistryCredential.ecr(...) for ${registry}.`);
    }
  });
  return registries[0];
}
