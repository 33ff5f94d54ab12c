import { Stack } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { Construct } from 'constructs';
import { acknowledge, CFN_GUARD } from '../../private/acknowledgments';
import { ValidationError } from '../../private/errors';
import { DockerOptions, RegistryCredential } from '../containers';

/** How `docker` reaches CDK Pipelines: validated credentials and Docker flags, and the acknowledgments for privileged builds. */

/** The CDK Pipelines properties for `docker` (validated), to spread into `CodePipelineProps`. */
export interface DockerPipelineProps {
  readonly dockerCredentials?: pipelines.DockerCredential[];
  readonly dockerEnabledForSynth: boolean;
  readonly dockerEnabledForSelfMutation: boolean;
}

/** Validates `docker` (the property named `property`) and maps it to CDK Pipelines' properties. */
export function dockerPipelineProps(scope: Construct, docker: DockerOptions | undefined, property = 'docker'): DockerPipelineProps {
  const options = docker ?? {};
  const bound = (options.credentials ?? []).map((credential, i) => {
    if (!(credential instanceof RegistryCredential)) {
      throw new ValidationError(`${property}.credentials[${i}]: ${String(credential)} is not a RegistryCredential. Pass RegistryCredential.dockerHub(secret), RegistryCredential.registry(domain, secret) or RegistryCredential.ecr(repositories).`);
    }
    return credential._bind(new Construct(scope, `RegistryCredential${i}`), `${property}.credentials[${i}]`, options);
  });
  // cdk-assets keeps one login per registry: a second one for the same build would silently replace the first.
  bound.forEach((b, i) => {
    const j = bound.findIndex((other, k) => k < i && other.registry === b.registry && other.usages.some(u => b.usages.includes(u)));
    if (j >= 0) {
      const shared = b.usages.filter(u => bound[j].usages.includes(u));
      throw new ValidationError(`${property}.credentials[${i}]: ${property}.credentials[${j}] already logs in to ${b.registry} for ${shared.join(', ')}; a build can hold one login per registry. Merge them (one ecr() credential lists every repository of a registry), or give them different usages.`);
    }
  });
  return {
    dockerCredentials: bound.length > 0 ? bound.map(b => b.credential) : undefined,
    dockerEnabledForSynth: options.enabledForSynth ?? false,
    dockerEnabledForSelfMutation: options.enabledForSelfMutation ?? false,
  };
}

/**
 * Acknowledges AWS Control Tower's CT.CODEBUILD.PR.4 (no privileged mode) on the pipeline's CodeBuild projects that
 * run privileged because they run Docker: Docker asset publishing, and synth or self-mutation when `docker` asks.
 * When the user makes every project privileged (`codeBuildDefaults`), only synth and self-mutation can be told apart,
 * so the other projects' findings stay reported.
 */
export function acknowledgePrivilegedBuilds(
  scope: Construct, cdkPipeline: pipelines.CodePipeline, docker: DockerPipelineProps, privilegedByDefault: boolean,
): void {
  const synth = cdkPipeline.synthProject.node.defaultChild;
  const selfMutation = cdkPipeline.selfMutationEnabled ? cdkPipeline.selfMutationProject.node.defaultChild : undefined;
  for (const project of scope.node.findAll().filter((c): c is codebuild.CfnProject => c instanceof codebuild.CfnProject)) {
    const environment = Stack.of(project).resolve(project.environment) as { privilegedMode?: boolean } | undefined;
    if (environment?.privilegedMode !== true) {
      continue;
    }
    const reason = project === synth ? docker.dockerEnabledForSynth && 'the Build stage runs Docker at synthesis (docker.enabledForSynth)'
      : project === selfMutation ? docker.dockerEnabledForSelfMutation && 'self-mutation publishes the pipeline stack\'s Docker image assets (docker.enabledForSelfMutation)'
        : !privilegedByDefault && 'Docker image asset publishing builds and pushes the app\'s images';
    if (reason) {
      acknowledge(project, `${CFN_GUARD}::codebuild_project_environment_privileged_check`,
        `CodeBuild runs the Docker daemon only in privileged mode, and ${reason}. The project runs the pipeline's own commands on the pipeline's source.`);
    }
  }
}
