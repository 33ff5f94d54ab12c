import { createHash } from 'node:crypto';
import { IResolvable, IResolveContext, Stack, Token } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as events from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';
import { InternalError, ValidationError } from '../../../private/errors';

/**
 * The CodePipeline L2 pipeline that CDK Pipelines builds into (through its `codePipeline` property), laid out by
 * this library as CDK Pipelines adds its stages.
 *
 * CDK Pipelines asks for its stages one by one with `addStage({ stageName })`, in a fixed order: `Source`,
 * `Build`, `UpdatePipeline` (self-mutation), `Assets` (when the app has assets), then one stage per wave. This
 * class answers each request from a plan made beforehand: the request must be the one the plan expects (else
 * synthesis fails: CDK Pipelines changed), and the answer is a stage created with the library's public name and
 * its typed V2 conditions (`beforeEntry`/`onSuccess`/`onFailure`), or an existing stage (self-mutation and asset
 * publishing fold into the first test stage, or into a second slot of the build stage when there are no tests).
 * Nothing is renamed or edited after rendering: the L2 stages are the template's stages.
 *
 * Folded CodeBuild actions run beside self-mutation. A change to their project alone (a test's commands) would
 * not change the pipeline definition, so self-mutation would not restart the execution and the running execution
 * would gate the new commit on the old tests. Each folded CodeBuild action therefore carries the hash of its
 * project's configuration in the pipeline definition (the `_PROJECT_CONFIG_HASH` action variable, as CDK
 * Pipelines does for its synth action): a project change is a definition change, and CodePipeline restarts.
 */

/** One stage request the plan expects from CDK Pipelines. */
export interface ExpectedStage {
  /** Names CDK Pipelines may ask with (a wave of one Stage is named after the Stage, else after the wave). */
  readonly requestNames: string[];
  /** CDK Pipelines asks for it only in some apps (`Assets`). */
  readonly optional?: boolean;
  /** The stage to answer with. */
  readonly answer: () => codepipeline.IStage;
}

export class LayoutPipeline extends codepipeline.Pipeline {
  private readonly expected: ExpectedStage[] = [];
  private planned = false;
  private built = false;
  private readonly added: string[] = [];

  constructor(scope: Construct, id: string, props: codepipeline.PipelineProps) {
    super(scope, id, props);
  }

  /** The requests to expect, in order. Until this is called, `addStage` behaves as usual. */
  public expectStages(expected: ExpectedStage[]): void {
    this.expected.push(...expected);
    this.planned = true;
  }

  /** Creates a stage directly (for the plan's answers). */
  public createStage(props: codepipeline.StageOptions): codepipeline.IStage {
    return super.addStage(props);
  }

  /** Whether every expected request came. */
  public get unansweredStages(): string[] {
    return this.expected.filter(e => !e.optional).map(e => e.requestNames.join(' or '));
  }

  /**
   * CDK Pipelines is done: from now on `addStage` is the user's (an escape hatch after construction). Such stages
   * come after the planned ones; the self-check knows them (`addedStages`) and checks them like the others.
   */
  public finishLayout(): void {
    this.built = true;
  }

  /** Names of the stages the user added after construction, in order. */
  public get addedStages(): string[] {
    return [...this.added];
  }

  public addStage(props: codepipeline.StageOptions): codepipeline.IStage {
    if (!this.planned) {
      return super.addStage(props);
    }
    if (this.built) {
      if (props.placement !== undefined) {
        throw new ValidationError(`pipeline.addStage({ stageName: '${props.stageName}' }): 'placement' puts the stage between the planned stages, which the layout and its guard rails (approvals, windows, bakes) were planned without. Add it after the planned stages (leave 'placement' out), or add the work where the release model has room for it: a test step (tests, testSteps), a verification step (verify, verifySteps) or a production wave.`);
      }
      this.added.push(props.stageName);
      return super.addStage(props);
    }
    while (this.expected.length > 0) {
      const next = this.expected.shift()!;
      if (next.requestNames.includes(props.stageName)) {
        return next.answer();
      }
      if (!next.optional) {
        throw new InternalError(`DeliveryPipeline: CDK Pipelines asked for a stage named '${props.stageName}' where the layout expected '${next.requestNames.join("' or '")}'. `
          + 'The layout relies on the order and names of the stages CDK Pipelines builds (docs/architecture.md); this version of aws-cdk-lib builds differently. Please report it with your aws-cdk-lib version.');
      }
    }
    throw new InternalError(`DeliveryPipeline: CDK Pipelines asked for a stage named '${props.stageName}' after the last stage the layout planned. `
      + 'It splits a stage only when it has more than 50 actions, which the layout prevents; please report it with your aws-cdk-lib version.');
  }
}

/** Whether folded CodeBuild actions get their project's configuration hash. */
enum ProjectHash {
  ADD = 'add',
  KEEP = 'keep',
}

/**
 * A stage that adds actions to another one: shifted by `runOrderOffset` (to run after the actions already there)
 * and, for CodeBuild actions, with their project's configuration hash.
 */
export class FoldingStage implements codepipeline.IStage {
  /** For self-mutation: CDK Pipelines already adds the configuration hash to it (the last action "before self-mutation"). */
  public static forSelfMutation(target: codepipeline.IStage, runOrderOffset: number): FoldingStage {
    return new FoldingStage(target, runOrderOffset, ProjectHash.KEEP);
  }

  /** For asset publishing and the first tests: each CodeBuild action gets its project's configuration hash. */
  public static forPreparation(target: codepipeline.IStage, runOrderOffset: number): FoldingStage {
    return new FoldingStage(target, runOrderOffset, ProjectHash.ADD);
  }

  private constructor(private readonly target: codepipeline.IStage, private readonly runOrderOffset: number, private readonly hash: ProjectHash) {}

  public get stageName(): string {
    return this.target.stageName;
  }

  public get pipeline(): codepipeline.IPipeline {
    return this.target.pipeline;
  }

  public get actions(): codepipeline.IAction[] {
    return this.target.actions;
  }

  public addAction(action: codepipeline.IAction): void {
    this.target.addAction(new FoldedAction(action, this.runOrderOffset, this.hash));
  }

  public onStateChange(name: string, target?: events.IRuleTarget, options?: events.RuleProps): events.Rule {
    return this.target.onStateChange(name, target, options);
  }
}

/** Name of the action variable that carries the project configuration hash. */
export const PROJECT_CONFIG_HASH_VARIABLE = '_PROJECT_CONFIG_HASH';

class FoldedAction implements codepipeline.IAction {
  public readonly actionProperties: codepipeline.ActionProperties;

  constructor(private readonly inner: codepipeline.IAction, runOrderOffset: number, private readonly hash: ProjectHash) {
    this.actionProperties = {
      ...inner.actionProperties,
      runOrder: (inner.actionProperties.runOrder ?? 1) + runOrderOffset,
    };
  }

  public bind(scope: Construct, stage: codepipeline.IStage, options: codepipeline.ActionBindOptions): codepipeline.ActionConfig {
    const config = this.inner.bind(scope, stage, options);
    const project = this.inner.actionProperties.resource;
    if (this.hash !== ProjectHash.ADD || this.inner.actionProperties.provider !== 'CodeBuild' || !(project instanceof codebuild.Project)) {
      return config;
    }
    const configuration = { ...config.configuration };
    const hash = { name: PROJECT_CONFIG_HASH_VARIABLE, type: codebuild.BuildEnvironmentVariableType.PLAINTEXT, value: projectConfigHash(project) };
    configuration.EnvironmentVariables = Stack.of(scope).toJsonString([...this.actionVariables(scope, configuration.EnvironmentVariables), hash]);
    return { ...config, configuration };
  }

  public onStateChange(name: string, target?: events.IRuleTarget, options?: events.RuleProps): events.Rule {
    return this.inner.onStateChange(name, target, options);
  }

  /**
   * The action's own environment variables (CodePipeline variable references such as `#{variables.NAME}`), to
   * keep beside the hash. They are plain JSON when they hold no CloudFormation reference, which actions beside
   * self-mutation cannot hold (no stack has deployed yet).
   */
  private actionVariables(scope: Construct, rendered: unknown): unknown[] {
    if (rendered === undefined) {
      return [];
    }
    const resolved = Stack.of(scope).resolve(rendered);
    if (typeof resolved !== 'string') {
      throw new InternalError(`DeliveryPipeline: the action '${this.inner.actionProperties.actionName}' runs beside self-mutation and has action environment variables with CloudFormation references; the layout cannot add its project configuration hash. Please report it with your aws-cdk-lib version.`);
    }
    return JSON.parse(resolved) as unknown[];
  }
}

/** SHA-256 of the project's resolved configuration (everything that decides what a build does). */
export function projectConfigHash(project: codebuild.Project): string {
  return Token.asString(new ProjectConfigHash(project.node.defaultChild as codebuild.CfnProject));
}

class ProjectConfigHash implements IResolvable {
  public readonly creationStack: string[] = [];

  constructor(private readonly cfn: codebuild.CfnProject) {}

  public resolve(context: IResolveContext): string {
    const cfn = this.cfn;
    const resolved: unknown = context.resolve({
      source: cfn.source,
      secondarySources: cfn.secondarySources,
      environment: cfn.environment,
      serviceRole: cfn.serviceRole,
      vpcConfig: cfn.vpcConfig,
      timeoutInMinutes: cfn.timeoutInMinutes,
      cache: cfn.cache,
      logsConfig: cfn.logsConfig,
      fileSystemLocations: cfn.fileSystemLocations,
      encryptionKey: cfn.encryptionKey,
    });
    return createHash('sha256').update(JSON.stringify(resolved)).digest('hex');
  }

  public toString(): string {
    return Token.asString(this);
  }
}
