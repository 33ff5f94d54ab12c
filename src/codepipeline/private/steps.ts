import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { cacheBuildSpec } from './pipeline-features';
import { CommandStepOptions, VerificationStepOptions } from '../../blueprint/steps';
import { PipelineSource } from '../source';
import { MigrationStepOptions, TestStepOptions } from '../step-options';

/**
 * CDK Pipelines steps for the blueprint's step options.
 */

/** Variables every post-deployment step receives (deploy markers for error trackers). */
export function deployContext(source: PipelineSource, environment: string): Record<string, string> {
  return {
    DEPLOY_ENVIRONMENT: environment,
    PIPELINE_EXECUTION_ID: '#{codepipeline.PipelineExecutionId}',
    SOURCE_REVISION: source.toCodePipelineSource().sourceAttribute(source.revisionVariable),
  };
}

/** A CodeBuild step on the source with the options every step has. */
function commandStep(
  options: CommandStepOptions,
  source: PipelineSource,
  extra: Partial<pipelines.CodeBuildStepProps> = {},
): pipelines.CodeBuildStep {
  return new pipelines.CodeBuildStep(options.name, {
    input: source.toCodePipelineSource(),
    installCommands: options.installCommands,
    commands: options.commands,
    ...extra,
    env: { ...extra.env, ...options.env },
    buildEnvironment: {
      ...extra.buildEnvironment,
      environmentVariables: secretVariables(options.secretEnv),
    },
  });
}

/** Directories of the additional sources, available to every step. */
export type AdditionalInputs = Record<string, pipelines.IFileSetProducer> | undefined;

export function testStep(options: TestStepOptions, source: PipelineSource, additionalInputs?: AdditionalInputs): pipelines.CodeBuildStep {
  const reports = options.junitReportPaths ?? [];
  const buildSpec = {
    ...(reports.length > 0 ? { reports: { junit: { 'files': reports, 'file-format': 'JUNITXML' } } } : {}),
    ...cacheBuildSpec(options.cache),
  };
  return commandStep(options, source, {
    additionalInputs,
    buildEnvironment: { buildImage: options.buildImage, computeType: options.computeType },
    cache: options.cache?.cache,
    partialBuildSpec: Object.keys(buildSpec).length > 0 ? codebuild.BuildSpec.fromObject(buildSpec) : undefined,
  });
}

export function verificationStep(
  options: VerificationStepOptions, source: PipelineSource, environment: string, additionalInputs?: AdditionalInputs,
): pipelines.CodeBuildStep {
  return commandStep(options, source, {
    additionalInputs,
    env: deployContext(source, environment),
    envFromCfnOutputs: options.envFromOutputs,
  });
}

export function migrationStep(
  options: MigrationStepOptions, source: PipelineSource, environment: string, additionalInputs?: AdditionalInputs,
): pipelines.CodeBuildStep {
  return commandStep(options, source, {
    additionalInputs,
    env: deployContext(source, environment),
    vpc: options.vpc,
    subnetSelection: options.subnetSelection,
    securityGroups: options.securityGroups,
  });
}

function secretVariables(secrets: Record<string, string> | undefined): Record<string, codebuild.BuildEnvironmentVariable> | undefined {
  if (!secrets || Object.keys(secrets).length === 0) {
    return undefined;
  }
  return Object.fromEntries(Object.entries(secrets).map(([name, secret]) =>
    [name, { type: codebuild.BuildEnvironmentVariableType.SECRETS_MANAGER, value: secret }]));
}
