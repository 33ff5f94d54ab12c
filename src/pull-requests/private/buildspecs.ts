import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { SynthOptions, TestStepOptions } from '../../codepipeline/step-options';
import { shellQuote } from '../../private/shell';
import { PREVIEW_ENV_VARIABLE } from '../naming';

/**
 * The CodeBuild jobs of pull-request checks and previews, derived from the pipeline's definition: the same
 * commands, environment variables, images and compute sizes as the pipeline's Synth and test actions.
 */

/** One check: a CodeBuild project that runs one of the pipeline's build or test steps on the pull request. */
export interface CheckJob {
  /** The step's name in the pipeline (`Synth`, or the test step's name). */
  readonly name: string;
  readonly installCommands: string[];
  readonly commands: string[];
  readonly env: Record<string, string>;
  readonly buildImage: codebuild.IBuildImage;
  readonly computeType: codebuild.ComputeType;
  readonly junitReportPaths: string[];
  /** Secret variables the pipeline step reads and the check runs without. */
  readonly omittedSecrets: string[];
}

/** CDK Pipelines' image when neither the step nor `codeBuildDefaults` names one. */
const PIPELINES_DEFAULT_IMAGE = codebuild.LinuxBuildImage.STANDARD_7_0;

export function synthJob(synth: SynthOptions, defaults: pipelines.CodeBuildOptions | undefined): CheckJob {
  return {
    name: 'Synth',
    installCommands: synth.installCommands ?? [],
    commands: synth.commands,
    env: synth.env ?? {},
    buildImage: synth.buildImage ?? defaults?.buildEnvironment?.buildImage ?? PIPELINES_DEFAULT_IMAGE,
    computeType: synth.computeType ?? codebuild.ComputeType.MEDIUM,
    junitReportPaths: [],
    omittedSecrets: [],
  };
}

export function testJob(test: TestStepOptions, defaults: pipelines.CodeBuildOptions | undefined): CheckJob {
  return {
    name: test.name,
    installCommands: test.installCommands ?? [],
    commands: test.commands,
    env: test.env ?? {},
    buildImage: test.buildImage ?? defaults?.buildEnvironment?.buildImage ?? PIPELINES_DEFAULT_IMAGE,
    computeType: test.computeType ?? defaults?.buildEnvironment?.computeType ?? codebuild.ComputeType.SMALL,
    junitReportPaths: test.junitReportPaths ?? [],
    omittedSecrets: Object.keys(test.secretEnv ?? {}),
  };
}

/** The buildspec of a check: the step's install and build commands, and its JUnit reports. */
export function checkBuildSpec(job: CheckJob): codebuild.BuildSpec {
  return codebuild.BuildSpec.fromObject({
    version: '0.2',
    phases: {
      ...(job.installCommands.length > 0 ? { install: { commands: job.installCommands } } : {}),
      build: { commands: job.commands },
    },
    ...(job.junitReportPaths.length > 0
      ? { reports: { junit: { 'files': job.junitReportPaths, 'file-format': 'JUNITXML' } } }
      : {}),
  });
}

/** Reads the pull-request number of a webhook build (`CODEBUILD_WEBHOOK_TRIGGER=pr/<number>`) into `$PR`. */
const READ_PULL_REQUEST = [
  'PR="${CODEBUILD_WEBHOOK_TRIGGER#pr/}"',
  'case "$PR" in ""|*[!0-9]*) echo "Not a pull-request build (CODEBUILD_WEBHOOK_TRIGGER=$CODEBUILD_WEBHOOK_TRIGGER)"; exit 1;; esac',
];

/** Writes an AWS CLI profile `preview` that assumes the preview role from the build's own credentials. */
function previewProfile(roleArn: string, region: string): string[] {
  return [
    'mkdir -p ~/.aws',
    `printf '[profile preview]\\nrole_arn = %s\\ncredential_source = EcsContainer\\nregion = %s\\n' ${shellQuote(roleArn)} ${shellQuote(region)} >> ~/.aws/config`,
  ];
}

export interface PreviewScripts {
  readonly roleArn: string;
  readonly region: string;
  /** `<prefix>-pr`: every preview stack name starts with it. */
  readonly namespace: string;
}

/**
 * Deploys the preview of the pull request: the pipeline's synth (with the preview asked for), then `cdk deploy` of
 * the preview Stage's stacks only, with the preview role; the stack outputs go to the build log.
 */
export function previewDeployBuildSpec(synth: CheckJob, outDir: string, cdkCliVersion: string, scripts: PreviewScripts): codebuild.BuildSpec {
  return codebuild.BuildSpec.fromObject({
    version: '0.2',
    env: { shell: 'bash' },
    phases: {
      ...(synth.installCommands.length > 0 ? { install: { commands: synth.installCommands } } : {}),
      build: {
        commands: [
          ...READ_PULL_REQUEST,
          `export ${PREVIEW_ENV_VARIABLE}="$PR"`,
          ...synth.commands,
          ...previewProfile(scripts.roleArn, scripts.region),
          `npx -y ${shellQuote(`aws-cdk@${cdkCliVersion}`)} deploy --app ${shellQuote(outDir)} --profile preview --require-approval never --outputs-file preview-outputs.json ${shellQuote(scripts.namespace)}"$PR"'/*'`,
          'echo "Preview of pull request #$PR:"',
          'cat preview-outputs.json',
        ],
      },
    },
  });
}

/** Deletes every stack of `$PR`'s preview, in rounds (a stack whose exports another imports goes in a later round). */
function deletePreviewStacks(namespace: string): string[] {
  return [
    'for round in 1 2 3 4 5; do',
    `  STACKS=$(aws cloudformation list-stacks --profile preview --query ${shellQuote(`StackSummaries[?StackStatus!='DELETE_COMPLETE' && starts_with(StackName, '${namespace}`)}"$PR"${shellQuote('-\')].StackName')} --output text)`,
    '  [ -z "$STACKS" ] || [ "$STACKS" = "None" ] && break',
    '  for s in $STACKS; do echo "Deleting $s"; aws cloudformation delete-stack --profile preview --stack-name "$s"; done',
    '  for s in $STACKS; do aws cloudformation wait stack-delete-complete --profile preview --stack-name "$s" || true; done',
    'done',
  ];
}

/** Destroys the preview of a closed or merged pull request. Runs no code of the pull request. */
export function previewDestroyBuildSpec(scripts: PreviewScripts): codebuild.BuildSpec {
  return codebuild.BuildSpec.fromObject({
    version: '0.2',
    env: { shell: 'bash' },
    phases: {
      build: {
        commands: [
          ...READ_PULL_REQUEST,
          ...previewProfile(scripts.roleArn, scripts.region),
          ...deletePreviewStacks(scripts.namespace),
        ],
      },
    },
  });
}

/**
 * Removes previews whose close event was missed: every preview whose newest stack was last deployed more than
 * `ttlHours` ago.
 */
export function previewSweepBuildSpec(scripts: PreviewScripts, ttlHours: number): codebuild.BuildSpec {
  return codebuild.BuildSpec.fromObject({
    version: '0.2',
    env: { shell: 'bash' },
    phases: {
      build: {
        commands: [
          ...previewProfile(scripts.roleArn, scripts.region),
          `CUTOFF=$(date -u -d ${shellQuote(`-${ttlHours} hours`)} +%Y-%m-%dT%H:%M:%S)`,
          'echo "Removing previews last deployed before $CUTOFF"',
          `aws cloudformation list-stacks --profile preview --query ${shellQuote(`StackSummaries[?StackStatus!='DELETE_COMPLETE' && starts_with(StackName, '${scripts.namespace}')].[StackName, LastUpdatedTime || CreationTime]`)} --output text > stacks.txt`,
          // A preview is stale when none of its stacks was deployed after the cutoff. The namespace reaches awk as
          // data (-v), not as program text.
          `EXPIRED=$(awk -v cutoff="$CUTOFF" -v ns=${shellQuote(scripts.namespace)} '{ n=$1; if (index(n, ns) != 1) next; n=substr(n, length(ns) + 1); sub(/-.*/, "", n); if (n ~ /^[0-9]+$/) { if ($2 >= cutoff) fresh[n]=1; seen[n]=1 } } END { for (n in seen) if (!(n in fresh)) print n }' stacks.txt)`,
          'for PR in $EXPIRED; do',
          '  echo "Preview of pull request #$PR expired"',
          ...deletePreviewStacks(scripts.namespace).map(line => `  ${line}`),
          'done',
        ],
      },
    },
  });
}
