import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecrAssets from 'aws-cdk-lib/aws-ecr-assets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { AwsSolutionsChecks } from 'cdk-nag';
import { DeliveryPipeline, DeliveryPipelineProps, DockerOptions, RegistryCredential, RegistryCredentialUsage } from '../../src';
import { DEFAULT_CDK_ASSETS_VERSION, DEFAULT_CDK_CLI_VERSION } from '../../src/codepipeline/private/tool-versions';
import { readPipelines } from '../../src/private/rendered-pipeline';
import { Fixture, fixture, referenceProps } from '../fixtures/app';

/** A directory with a Dockerfile (the asset is hashed at synthesis, never built: no Docker daemon is needed). */
const IMAGE_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'containers-test-'));
fs.writeFileSync(path.join(IMAGE_DIR, 'Dockerfile'), 'FROM public.ecr.aws/docker/library/busybox:1.36\nUSER 1000\n');

const HUB_SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:111111111111:secret:dockerhub/credentials';
const BASE_IMAGES_ARN = 'arn:aws:ecr:eu-west-1:444444444444:repository/base-images';

/** Two Docker image assets in every application stack (besides the fixture's Lambda file asset). */
function addImages(f: Fixture): void {
  for (const stage of [f.staging, ...f.production]) {
    const stack = stage.node.findChild('Api') as Stack;
    new ecrAssets.DockerImageAsset(stack, 'Web', { directory: IMAGE_DIR });
    new ecrAssets.DockerImageAsset(stack, 'Worker', { directory: IMAGE_DIR, buildArgs: { ROLE: 'worker' } });
  }
}

interface Project {
  readonly id: string;
  /** The CodePipeline action that runs it (the project description ends with the action's path). */
  readonly action: string;
  readonly privileged: boolean;
  /** Whether the pipeline acknowledged cfn-guard's privileged-mode rule (CT.CODEBUILD.PR.4) on it, and why. */
  readonly privilegeReason?: string;
  /** The buildspec document (JSON): inline, or the file in the cloud assembly (asset publishing). */
  readonly buildspec: string;
  /** Statements of the policies attached to the project's role. */
  readonly statements: Array<{ Action: string | string[]; Resource: unknown }>;
}

interface Synthesized {
  readonly template: Template;
  readonly projects: Project[];
  readonly stack: Stack;
  readonly pipeline: DeliveryPipeline;
  project(action: string): Project;
}

type Resources = Record<string, { Type: string; Properties: Record<string, any> }>;

function synth(overrides: Partial<DeliveryPipelineProps> = {}, setup: (f: Fixture) => Partial<DeliveryPipelineProps> = () => ({})): Synthesized {
  const f = fixture();
  addImages(f);
  const pipeline = new DeliveryPipeline(f.stack, 'Delivery', referenceProps(f, { ...setup(f), ...overrides }));
  const assembly = f.app.synth();
  const template = Template.fromJSON(assembly.getStackByName(f.stack.stackName).template);
  const resources = template.toJSON().Resources as Resources;
  const policiesOf = (roleId: string) => Object.values(resources)
    .filter(r => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.Roles).includes(`"${roleId}"`))
    .flatMap(r => r.Properties.PolicyDocument.Statement);
  const reasons = new Map(f.stack.node.findAll().filter((c): c is codebuild.CfnProject => c instanceof codebuild.CfnProject).map(c => [
    f.stack.getLogicalId(c),
    c.node.metadata.filter(m => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .map(m => (m.data as Record<string, string>)['cdk-validator-cfnguard::codebuild_project_environment_privileged_check'])
      .find(r => r !== undefined),
  ]));
  const projects = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::CodeBuild::Project').map(([id, r]): Project => {
    const spec = r.Properties.Source.BuildSpec;
    const buildspec = typeof spec !== 'string' ? JSON.stringify(spec)
      : /^buildspec-.*\.yaml$/.test(spec) ? fs.readFileSync(path.join(assembly.directory, spec), 'utf-8') : spec;
    return {
      id,
      action: String(r.Properties.Description).split('/').pop()!,
      privileged: r.Properties.Environment.PrivilegedMode === true,
      privilegeReason: reasons.get(id),
      buildspec,
      statements: policiesOf(r.Properties.ServiceRole['Fn::GetAtt'][0]),
    };
  });
  return {
    template,
    projects,
    stack: f.stack,
    pipeline,
    project: (action: string) => {
      const found = projects.filter(p => p.action === action);
      expect(found.map(p => p.action)).toEqual([action]);
      return found[0];
    },
  };
}

function withDocker(docker: DockerOptions): Synthesized {
  return synth({ docker });
}

/** The cdk-assets credentials config a buildspec writes, parsed (undefined when it writes none). */
function credentialsConfig(buildspec: string): { domainCredentials: Record<string, Record<string, unknown>> } | undefined {
  const phases = (JSON.parse(buildspec) as { phases: Record<string, { commands?: string[] }> }).phases;
  const commands = Object.values(phases).flatMap(p => p.commands ?? []);
  const writes = commands.map(c => /^echo '(\{.*\})' > \$HOME\/\.cdk\/cdk-docker-creds\.json$/.exec(c)).filter(m => m !== null);
  expect(writes.length).toBeLessThanOrEqual(1);
  return writes.length === 1 ? JSON.parse(writes[0]![1]) : undefined;
}

function readsSecret(project: Project, secretArn: string): boolean {
  return project.statements.some(s => JSON.stringify(s.Action).includes('secretsmanager:GetSecretValue') && JSON.stringify(s.Resource).includes(secretArn));
}

function pullsFrom(project: Project, repositoryArn: string): boolean {
  return project.statements.some(s => JSON.stringify(s.Action).includes('ecr:BatchGetImage') && JSON.stringify(s.Resource).includes(repositoryArn));
}

const hubSecret = (scope: Stack) => secretsmanager.Secret.fromSecretNameV2(scope, 'DockerHubSecret', 'dockerhub/credentials');

describe('Docker image assets', () => {
  const s = synth();

  test('one asset-publishing action per asset type, beside self-mutation and the tests', () => {
    const stage = (s.template.toJSON().Resources as Resources);
    const pipeline = Object.values(stage).find(r => r.Type === 'AWS::CodePipeline::Pipeline')!;
    const test = pipeline.Properties.Stages.find((st: { Name: string }) => st.Name === 'Test');
    expect(test.Actions.map((a: { Name: string }) => a.Name).sort()).toEqual(['DockerAssets', 'FileAssets', 'SelfMutate', 'UnitTests']);
    // Two images, four destinations (staging, three production regions): still one Docker project.
    expect(s.projects.filter(p => p.action === 'DockerAssets')).toHaveLength(1);
    expect(s.project('DockerAssets').buildspec.match(/cdk-assets --path/g)).toHaveLength(8);
  });

  test('the Docker asset project installs the pinned cdk-assets', () => {
    expect(s.project('DockerAssets').buildspec).toContain(`npm install -g cdk-assets@${DEFAULT_CDK_ASSETS_VERSION}`);
    expect(s.project('DockerAssets').buildspec).not.toMatch(/cdk-assets@latest/);
  });

  test('privileged mode (Docker) only where Docker is needed: Docker asset publishing', () => {
    expect(s.projects.filter(p => p.privileged).map(p => p.action)).toEqual(['DockerAssets']);
  });

  test('without credentials, no buildspec writes a registry login and no role reads a secret', () => {
    expect(s.projects.filter(p => credentialsConfig(p.buildspec) !== undefined)).toEqual([]);
    expect(s.projects.filter(p => JSON.stringify(p.statements).includes('secretsmanager:'))).toEqual([]);
  });

  test('no buildspec installs an unpinned tool (with Docker assets, credentials and Docker in synth and self-mutation)', () => {
    const all = synth({}, f => ({
      docker: { enabledForSynth: true, enabledForSelfMutation: true, credentials: [RegistryCredential.dockerHub(hubSecret(f.stack))] },
    }));
    // By default the credential serves every build that runs Docker.
    expect(['Synth', 'SelfMutate', 'DockerAssets'].map(a => credentialsConfig(all.project(a).buildspec) !== undefined)).toEqual([true, true, true]);
    const installs = all.projects.flatMap(p => p.buildspec.match(/npm install -g [^"\\\n]+/g) ?? []);
    expect(new Set(installs)).toEqual(new Set([`npm install -g aws-cdk@${DEFAULT_CDK_CLI_VERSION}`, `npm install -g cdk-assets@${DEFAULT_CDK_ASSETS_VERSION}`]));
  });
});

test('the layout reserves room for both asset types: of 48 tests, 47 fill Test-1 to exactly 50 actions with self-mutation, file and Docker assets; the 48th goes to Test-2', () => {
  const tests = Array.from({ length: 48 }, (_, i) => ({ name: `T${i}`, commands: ['npm test'] }));
  const s = synth({ tests });
  const [{ stages }] = readPipelines(s.template.toJSON());
  expect(stages.filter(st => st.name.startsWith('Test')).map(st => [st.name, st.actions.length])).toEqual([['Test-1', 50], ['Test-2', 1]]);
  expect(stages[2].actions.map(a => a.name)).toEqual(expect.arrayContaining(['SelfMutate', 'FileAssets', 'DockerAssets']));
});

describe('Docker in synth and self-mutation', () => {
  test('enabledForSynth runs the Build stage privileged, nothing else changes', () => {
    const s = withDocker({ enabledForSynth: true });
    expect(s.projects.filter(p => p.privileged).map(p => p.action).sort()).toEqual(['DockerAssets', 'Synth']);
  });

  test('enabledForSelfMutation runs self-mutation privileged', () => {
    const s = withDocker({ enabledForSelfMutation: true });
    expect(s.projects.filter(p => p.privileged).map(p => p.action).sort()).toEqual(['DockerAssets', 'SelfMutate']);
  });
});

describe('privileged mode is acknowledged (cfn-guard CT.CODEBUILD.PR.4) exactly where the pipeline needs Docker', () => {
  const acknowledged = (s: Synthesized) => s.projects.filter(p => p.privilegeReason !== undefined).map(p => p.action).sort();

  test('by default: Docker asset publishing only, with the reason', () => {
    const s = synth();
    expect(acknowledged(s)).toEqual(['DockerAssets']);
    expect(s.project('DockerAssets').privilegeReason).toBe('CodeBuild runs the Docker daemon only in privileged mode, and Docker image asset publishing builds '
      + 'and pushes the app\'s images. The project runs the pipeline\'s own commands on the pipeline\'s source.');
  });

  test('with Docker in synth and self-mutation: those too', () => {
    expect(acknowledged(withDocker({ enabledForSynth: true, enabledForSelfMutation: true }))).toEqual(['DockerAssets', 'SelfMutate', 'Synth']);
  });

  test('a user who makes every project privileged keeps the findings on the projects that do not need Docker', () => {
    const s = synth({ codeBuildDefaults: { buildEnvironment: { privileged: true } } });
    expect(s.projects.filter(p => p.privileged).length).toBeGreaterThan(3);
    expect(acknowledged(s)).toEqual([]);
  });
});

describe('registry credentials', () => {
  test('Docker Hub: by default, asset publishing logs in; synth and self-mutation (no Docker) neither log in nor read the secret', () => {
    const secretArn = HUB_SECRET_ARN;
    const s = synth({}, f => ({ docker: { credentials: [RegistryCredential.dockerHub(hubSecret(f.stack))] } }));
    const docker = s.project('DockerAssets');
    // A secret imported by name: its ARN is written as a plain string (the asset buildspec is a file).
    expect(credentialsConfig(docker.buildspec)).toEqual({
      version: '1.0',
      domainCredentials: { 'https://index.docker.io/v1/': { secretsManagerSecretId: secretArn } },
    });
    expect(readsSecret(docker, `${secretArn}-??????`)).toBe(true);
    for (const action of ['Synth', 'SelfMutate', 'UnitTests', 'Smoke']) {
      expect({ action, login: credentialsConfig(s.project(action).buildspec), reads: readsSecret(s.project(action), secretArn) })
        .toEqual({ action, login: undefined, reads: false });
    }
  });

  test('known CDK Pipelines behaviour: the file-asset project logs in too, and its role may read an asset-publishing credential', () => {
    // aws-cdk-lib grants ASSET_PUBLISHING credentials to every asset project, file assets included. The grant is
    // read-only on the one secret; this test fails when CDK Pipelines narrows it, so the README's note can go.
    const s = synth({}, f => ({ docker: { credentials: [RegistryCredential.dockerHub(hubSecret(f.stack))] } }));
    expect(readsSecret(s.project('FileAssets'), HUB_SECRET_ARN)).toBe(true);
    expect(credentialsConfig(s.project('FileAssets').buildspec)).toEqual(credentialsConfig(s.project('DockerAssets').buildspec));
  });

  test('with Docker in synth, the synth build logs in and its role reads the secret', () => {
    const s = synth({}, f => ({ docker: { enabledForSynth: true, credentials: [RegistryCredential.dockerHub(hubSecret(f.stack))] } }));
    expect(Object.keys(credentialsConfig(s.project('Synth').buildspec)!.domainCredentials)).toEqual(['https://index.docker.io/v1/']);
    expect(readsSecret(s.project('Synth'), HUB_SECRET_ARN)).toBe(true);
    expect(readsSecret(s.project('SelfMutate'), HUB_SECRET_ARN)).toBe(false);
  });

  test('usages scope a credential: SELF_MUTATION only logs in self-mutation, not asset publishing', () => {
    const s = synth({}, f => ({
      docker: {
        enabledForSelfMutation: true,
        credentials: [RegistryCredential.dockerHub(hubSecret(f.stack), { usages: [RegistryCredentialUsage.SELF_MUTATION] })],
      },
    }));
    expect(credentialsConfig(s.project('SelfMutate').buildspec)).toBeDefined();
    expect(readsSecret(s.project('SelfMutate'), HUB_SECRET_ARN)).toBe(true);
    expect(credentialsConfig(s.project('DockerAssets').buildspec)).toBeUndefined();
    expect(readsSecret(s.project('DockerAssets'), HUB_SECRET_ARN)).toBe(false);
    expect(readsSecret(s.project('Synth'), HUB_SECRET_ARN)).toBe(false);
  });

  test('ECR cross-account: the registry host is a plain string, the Docker role pulls from exactly that repository', () => {
    const s = synth({}, f => ({
      docker: { credentials: [RegistryCredential.ecr([ecr.Repository.fromRepositoryArn(f.stack, 'BaseImages', BASE_IMAGES_ARN)])] },
    }));
    const docker = s.project('DockerAssets');
    expect(credentialsConfig(docker.buildspec)).toEqual({
      version: '1.0',
      domainCredentials: { '444444444444.dkr.ecr.eu-west-1.amazonaws.com': { ecrRepository: true } },
    });
    expect(pullsFrom(docker, BASE_IMAGES_ARN)).toBe(true);
    expect(pullsFrom(s.project('Synth'), BASE_IMAGES_ARN)).toBe(false);
    expect(new AwsSolutionsChecks().validateScope(s.stack).violations).toEqual([]);
  });

  test('another registry with custom secret fields and a role to assume', () => {
    const s = synth({}, f => {
      const role = iam.Role.fromRoleArn(f.stack, 'Reader', 'arn:aws:iam::555555555555:role/registry-reader', { mutable: false });
      const secret = secretsmanager.Secret.fromSecretCompleteArn(f.stack, 'Ghcr', 'arn:aws:secretsmanager:us-east-1:555555555555:secret:ghcr-AbCdEf');
      return { docker: { credentials: [RegistryCredential.registry('ghcr.io', secret, { usernameField: 'user', passwordField: 'token', assumeRole: role })] } };
    });
    const docker = s.project('DockerAssets');
    expect(credentialsConfig(docker.buildspec)!.domainCredentials).toEqual({
      'ghcr.io': {
        secretsManagerSecretId: 'arn:aws:secretsmanager:us-east-1:555555555555:secret:ghcr-AbCdEf',
        secretsUsernameField: 'user',
        secretsPasswordField: 'token',
        assumeRoleArn: 'arn:aws:iam::555555555555:role/registry-reader',
      },
    });
    expect(docker.statements).toContainEqual(expect.objectContaining({ Action: 'sts:AssumeRole', Resource: 'arn:aws:iam::555555555555:role/registry-reader' }));
  });

  test('two credentials for one registry are fine when no build uses both', () => {
    const s = synth({}, f => ({
      docker: {
        enabledForSynth: true,
        credentials: [
          RegistryCredential.dockerHub(hubSecret(f.stack), { usages: [RegistryCredentialUsage.ASSET_PUBLISHING] }),
          RegistryCredential.dockerHub(secretsmanager.Secret.fromSecretNameV2(f.stack, 'Ci', 'dockerhub/ci'), { usages: [RegistryCredentialUsage.SYNTH] }),
        ],
      },
    }));
    expect(JSON.stringify(credentialsConfig(s.project('Synth').buildspec))).toContain('dockerhub/ci');
    expect(JSON.stringify(credentialsConfig(s.project('DockerAssets').buildspec))).toContain('dockerhub/credentials');
  });
});

test('the cdk-assets credentials file: the CDK CLI (self-mutation\'s cdk deploy) reads it, aws-cdk-lib only writes it (CDK Pipelines), its bundling ignores it', () => {
  const cli = fs.readFileSync(path.join(path.dirname(require.resolve('aws-cdk/package.json')), 'lib', 'index.js'), 'utf-8');
  expect(cli).toContain('"cdk-docker-creds.json"');
  expect(cli).toContain('configureCdkCredentials');
  const root = path.dirname(require.resolve('aws-cdk-lib/package.json'));
  const readers: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        walk(file);
      } else if (entry.name.endsWith('.js') && fs.readFileSync(file, 'utf-8').includes('cdk-docker-creds')) {
        readers.push(path.relative(root, file));
      }
    }
  };
  walk(root);
  expect(readers).toEqual([path.join('pipelines', 'lib', 'docker-credentials.js')]);
});

describe('why credentials are rewritten as plain strings', () => {
  // The CDK Pipelines behaviour the library works around (aws/aws-cdk#29028): with one publisher per asset type, a
  // registry login that holds a CloudFormation reference fails synthesis. When this test fails, CDK Pipelines writes
  // such logins itself and registry-literals.ts can go.
  const plainCdkPipeline = (credential: (stack: Stack) => pipelines.DockerCredential) => {
    const f = fixture();
    addImages(f);
    const pipeline = new pipelines.CodePipeline(f.stack, 'Pipeline', {
      publishAssetsInParallel: false,
      crossAccountKeys: true,
      dockerCredentials: [credential(f.stack)],
      synth: new pipelines.ShellStep('Synth', {
        input: pipelines.CodePipelineSource.connection('acme/app', 'main', { connectionArn: 'arn:aws:codeconnections:us-east-1:111111111111:connection/x' }),
        commands: ['npx cdk synth'],
      }),
    });
    pipeline.addStage(f.staging);
    return () => pipeline.buildPipeline();
  };

  test('plain CDK Pipelines fails on a secret imported by name and on any ECR repository', () => {
    expect(plainCdkPipeline(stack => pipelines.DockerCredential.dockerHub(hubSecret(stack)))).toThrow(/This BuildSpec contains CloudFormation references/);
    expect(plainCdkPipeline(stack => pipelines.DockerCredential.ecr([ecr.Repository.fromRepositoryArn(stack, 'B', BASE_IMAGES_ARN)])))
      .toThrow(/This BuildSpec contains CloudFormation references/);
  });

  test('and succeeds on plain strings, which is what the library hands it', () => {
    expect(plainCdkPipeline(stack => pipelines.DockerCredential.dockerHub(
      secretsmanager.Secret.fromSecretCompleteArn(stack, 'Hub', `${HUB_SECRET_ARN}-AbCdEf`)))).not.toThrow();
  });
});

describe('validation', () => {
  const pipelineStack = () => fixture();
  const expectError = (docker: (f: Fixture) => DockerOptions, message: string) => {
    const f = pipelineStack();
    expect(() => new DeliveryPipeline(f.stack, 'Delivery', referenceProps(f, { docker: docker(f) }))).toThrow(message);
  };
  const hub = (f: Fixture, options = {}) => RegistryCredential.dockerHub(hubSecret(f.stack), options);

  test.each<[string, (f: Fixture) => DockerOptions, string]>([
    ['empty usages', f => ({ credentials: [hub(f, { usages: [] })] }),
      'docker.credentials[0].usages: the list is empty, so no build would log in with this credential. Name the builds that need it (e.g. [RegistryCredentialUsage.ASSET_PUBLISHING]), or leave usages out.'],
    ['a usage twice', f => ({ credentials: [hub(f, { usages: [RegistryCredentialUsage.ASSET_PUBLISHING, RegistryCredentialUsage.ASSET_PUBLISHING] })] }),
      'docker.credentials[0].usages[1]: ASSET_PUBLISHING is listed twice. List each build once.'],
    ['an unknown usage', f => ({ credentials: [hub(f, { usages: ['DEPLOY' as RegistryCredentialUsage] })] }),
      "RegistryCredential.dockerHub(options).usages[0]: 'DEPLOY' is not a RegistryCredentialUsage value (RegistryCredentialUsage.SYNTH, SELF_MUTATION or ASSET_PUBLISHING)."],
    ['SYNTH without Docker in synth', f => ({ credentials: [hub(f, { usages: [RegistryCredentialUsage.SYNTH] })] }),
      'docker.credentials[0].usages: SYNTH is listed, but that build runs without Docker, so it would only read the credential. Set docker.enabledForSynth: true, or remove SYNTH.'],
    ['SELF_MUTATION without Docker in self-mutation', f => ({ enabledForSynth: true, credentials: [hub(f, { usages: [RegistryCredentialUsage.SELF_MUTATION] })] }),
      'docker.credentials[0].usages: SELF_MUTATION is listed, but that build runs without Docker, so it would only read the credential. Set docker.enabledForSelfMutation: true, or remove SELF_MUTATION.'],
    ['no secret', () => ({ credentials: [RegistryCredential.dockerHub(undefined as unknown as secretsmanager.ISecret)] }),
      "RegistryCredential.dockerHub(secret): the argument is required but was not given. Pass a secretsmanager.ISecret (e.g. secretsmanager.Secret.fromSecretNameV2(this, 'DockerHub', 'dockerhub'))."],
    ['a secret with an empty name', f => ({ credentials: [RegistryCredential.dockerHub(secretsmanager.Secret.fromSecretNameV2(f.stack, 'Empty', ''))] }),
      "docker.credentials[0]: the secret's name is empty. Import the secret by its name or complete ARN, e.g. secretsmanager.Secret.fromSecretNameV2(this, 'DockerHub', 'dockerhub/credentials')."],
    ['a secret created in the pipeline stack', f => ({ credentials: [RegistryCredential.dockerHub(new secretsmanager.Secret(f.stack, 'Created'))] }),
      'docker.credentials[0].secret: the secret\'s ARN is only known at deployment ({"Ref":"Created'],
    ['an empty username field', f => ({ credentials: [hub(f, { usernameField: ' ' })] }),
      "docker.credentials[0].usernameField: ' ' names no JSON field of the secret. Give the field's name, or leave it out for 'username'."],
    ['the same field twice', f => ({ credentials: [hub(f, { passwordField: 'username' })] }),
      "docker.credentials[0]: usernameField and passwordField are both 'username'. The secret's JSON needs one field for the user name and another for the password."],
    ['an empty registry domain', f => ({ credentials: [RegistryCredential.registry('', hubSecret(f.stack))] }),
      "docker.credentials[0]: the registry domain is empty. Pass the registry's host name as it appears in image names, e.g. RegistryCredential.registry('ghcr.io', secret)."],
    ['a URL as registry domain', f => ({ credentials: [RegistryCredential.registry('https://ghcr.io/acme', hubSecret(f.stack))] }),
      "docker.credentials[0]: 'https://ghcr.io/acme' is not a registry host name. Pass the host (and port) only, without scheme or path, e.g. 'ghcr.io'."],
    ['Docker Hub through registry()', f => ({ credentials: [RegistryCredential.registry('docker.io', hubSecret(f.stack))] }),
      "docker.credentials[0]: 'docker.io' is Docker Hub. Use RegistryCredential.dockerHub(secret), which logs in where Docker looks for Docker Hub credentials."],
    ['ECR through registry()', f => ({ credentials: [RegistryCredential.registry('444444444444.dkr.ecr.eu-west-1.amazonaws.com', hubSecret(f.stack))] }),
      "docker.credentials[0]: '444444444444.dkr.ecr.eu-west-1.amazonaws.com' is an Amazon ECR registry, which takes no password secret. Use RegistryCredential.ecr([repository]) (the builds get pull access to those repositories)."],
    ['no ECR repository', () => ({ credentials: [RegistryCredential.ecr([])] }),
      'docker.credentials[0]: no repository was given. Pass the ECR repositories the builds pull from'],
    ['an ECR repository created in the pipeline stack', f => ({ credentials: [RegistryCredential.ecr([new ecr.Repository(f.stack, 'Own')])] }),
      'docker.credentials[0].repositories[0]: the repository\'s ARN is only known at deployment ({"Fn::GetAtt":["Own'],
    ['a missing ECR repository', () => ({ credentials: [RegistryCredential.ecr([undefined as unknown as ecr.IRepository])] }),
      "RegistryCredential.ecr(repositories)[0]: the list holds nothing (undefined). Remove it, or pass an ecr.IRepository (e.g. ecr.Repository.fromRepositoryName(this, 'Base', 'base-images'))."],
    ['ECR repositories of two registries', f => ({
      credentials: [RegistryCredential.ecr([
        ecr.Repository.fromRepositoryArn(f.stack, 'A', BASE_IMAGES_ARN),
        ecr.Repository.fromRepositoryArn(f.stack, 'B', 'arn:aws:ecr:us-east-1:444444444444:repository/tools'),
      ])],
    }), 'docker.credentials[0].repositories[1]: the repository is in the registry 444444444444.dkr.ecr.us-east-1.amazonaws.com, repositories[0] in 444444444444.dkr.ecr.eu-west-1.amazonaws.com. One ecr() credential covers one registry (account and region): add another RegistryCredential.ecr(...) for 444444444444.dkr.ecr.us-east-1.amazonaws.com.'],
    ['two logins to one registry for one build', f => ({
      credentials: [hub(f), RegistryCredential.dockerHub(secretsmanager.Secret.fromSecretNameV2(f.stack, 'Other', 'dockerhub/other'))],
    }), 'docker.credentials[1]: docker.credentials[0] already logs in to Docker Hub for ASSET_PUBLISHING; a build can hold one login per registry. Merge them (one ecr() credential lists every repository of a registry), or give them different usages.'],
    ['not a RegistryCredential', () => ({ credentials: [null as unknown as RegistryCredential] }),
      'docker.credentials[0]: the list holds null. Remove it, or pass a RegistryCredential (made with RegistryCredential.dockerHub(...), ecr(...) or registry(...)).'],
  ])('%s', (_name, docker, message) => {
    expectError(docker, message);
  });

  test('the host-name check accepts real registry hosts (with a port) and rejects paths', () => {
    for (const domain of ['ghcr.io', 'quay.io', 'registry.example.com:5000', 'localhost:5000']) {
      const f = pipelineStack();
      expect(() => new DeliveryPipeline(f.stack, 'Delivery', referenceProps(f, { docker: { credentials: [RegistryCredential.registry(domain, hubSecret(f.stack))] } })))
        .not.toThrow();
    }
    expectError(f => ({ credentials: [RegistryCredential.registry('ghcr.io/acme', hubSecret(f.stack))] }), "'ghcr.io/acme' is not a registry host name");
  });
});
