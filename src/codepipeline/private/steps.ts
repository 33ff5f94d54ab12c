import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { MigrationStepOptions, TestStepOptions, VerificationStepOptions } from '../../blueprint/steps';
import { PipelineSource } from '../source';

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

export function testStep(options: TestStepOptions, source: PipelineSource): pipelines.CodeBuildStep {
  const reports = options.junitReportPaths ?? [];
  return new pipelines.CodeBuildStep(options.name, {
    input: source.toCodePipelineSource(),
    installCommands: options.installCommands,
    commands: options.commands,
    env: options.env,
    buildEnvironment: {
      buildImage: options.buildImage,
      computeType: options.computeType,
    },
    partialBuildSpec: reports.length > 0
      ? codebuild.BuildSpec.fromObject({
        reports: {
          junit: { 'files': reports, 'file-format': 'JUNITXML' },
        },
      })
      : undefined,
  });
}

export function verificationStep(options: VerificationStepOptions, source: PipelineSource, environment: string): pipelines.CodeBuildStep {
  return new pipelines.CodeBuildStep(options.name, {
    input: source.toCodePipelineSource(),
    installCommands: options.installCommands,
    commands: options.commands,
    env: { ...deployContext(source, environment), ...options.env },
    envFromCfnOutputs: options.envFromOutputs,
    buildEnvironment: secretsEnvironment(options.secretEnv),
  });
}

export function migrationStep(options: MigrationStepOptions, source: PipelineSource, environment: string): pipelines.CodeBuildStep {
  return new pipelines.CodeBuildStep(options.name, {
    input: source.toCodePipelineSource(),
    installCommands: options.installCommands,
    commands: options.commands,
    env: { ...deployContext(source, environment), ...options.env },
    buildEnvironment: secretsEnvironment(options.secretEnv),
    vpc: options.vpc,
    subnetSelection: options.subnetSelection,
    securityGroups: options.securityGroups,
  });
}

function secretsEnvironment(secrets: Record<string, string> | undefined): codebuild.BuildEnvironment | undefined {
  if (!secrets || Object.keys(secrets).length === 0) {
    return undefined;
  }
  return {
    environmentVariables: Object.fromEntries(Object.entries(secrets).map(([name, secret]) =>
      [name, { type: codebuild.BuildEnvironmentVariableType.SECRETS_MANAGER, value: secret }])),
  };
}
