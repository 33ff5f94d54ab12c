import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as events from 'aws-cdk-lib/aws-events';
import { InternalError } from '../../../private/errors';

/**
 * A stage that holds the actions CDK Pipelines adds and places them on the L2 stage only in `flush()` (the L2 stage
 * copies an action's run order when the action is added, so a stage that rearranges run orders must wait for all
 * of them). `DirectDeployStage` and `ReviewStage` differ only in how `flush()` places the held actions.
 */
export abstract class HoldingStage implements codepipeline.IStage {
  protected readonly held: codepipeline.IAction[] = [];
  protected flushed = false;

  constructor(protected readonly target: codepipeline.IStage) {}

  public get stageName(): string {
    return this.target.stageName;
  }

  public get pipeline(): codepipeline.IPipeline {
    return this.target.pipeline;
  }

  public get actions(): codepipeline.IAction[] {
    return this.flushed ? this.target.actions : [...this.held];
  }

  public addAction(action: codepipeline.IAction): void {
    if (this.flushed) {
      throw new InternalError(`DeliveryPipeline: an action ('${action.actionProperties.actionName}') was added to stage '${this.stageName}' after the pipeline was built. Please report it with your aws-cdk-lib version.`);
    }
    this.held.push(action);
  }

  public onStateChange(name: string, target?: events.IRuleTarget, options?: events.RuleProps): events.Rule {
    return this.target.onStateChange(name, target, options);
  }

  /** Adds the held actions to the L2 stage. */
  public abstract flush(): void;
}
