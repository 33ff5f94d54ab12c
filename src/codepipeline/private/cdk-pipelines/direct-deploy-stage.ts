import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as cpactions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as events from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';
import { HoldingStage } from './holding-stage';
import { InternalError } from '../../../private/errors';

/**
 * A stage of an environment that deploys without change sets while the rest of the pipeline uses them.
 *
 * CDK Pipelines decides change sets for the whole pipeline (`useChangeSets`): each stack gets a
 * `<stack>.Prepare` action (CloudFormation `CHANGE_SET_REPLACE`) and, one run order later, a `<stack>.Deploy`
 * action (`CHANGE_SET_EXECUTE`). This stage takes the actions CDK Pipelines adds, holds them, and when the build
 * is done adds them to the real stage with each such pair made one direct deployment: the prepare action's
 * configuration (template, roles, capabilities, template configuration) with `ActionMode: CREATE_UPDATE`, under
 * the deploy action's name, run order and variables namespace (so verification steps still read the stack's
 * outputs). Run orders are then renumbered without gaps, keeping their order: the removed execute level no longer
 * costs a hop. CDK Pipelines' `useChangeSets: false` renders the same action (`CREATE_UPDATE`) for every stack.
 *
 * Actions are added to the L2 stage only in `flush()`, because the L2 stage copies an action's run order when the
 * action is added.
 */
export class DirectDeployStage extends HoldingStage {

  /** Adds the held actions to the stage, each prepare/execute pair as one direct deployment. */
  public flush(): void {
    this.flushed = true;
    const executes = new Map<string, codepipeline.IAction>();
    for (const action of this.held) {
      if (action instanceof cpactions.CloudFormationExecuteChangeSetAction) {
        executes.set(action.actionProperties.actionName, action);
      }
    }
    const kept: Array<{ action: codepipeline.IAction; runOrder: number }> = [];
    const paired = new Set<codepipeline.IAction>();
    for (const action of this.held) {
      if (action instanceof cpactions.CloudFormationCreateReplaceChangeSetAction) {
        const name = action.actionProperties.actionName;
        // `<stack>.Prepare` / `<stack>.Deploy`; a wave of one Stage with one stack drops the prefix.
        const deployName = /(^|\.)Prepare$/.test(name) ? `${name.slice(0, -'Prepare'.length)}Deploy` : undefined;
        const execute = deployName ? executes.get(deployName) : undefined;
        if (!execute) {
          throw new InternalError(`DeliveryPipeline: the change set action '${name}' in stage '${this.stageName}' has no '<stack>.Deploy' (or 'Deploy') action to pair with, so the stage cannot deploy directly. Please report it with your aws-cdk-lib version, or set useChangeSets: true on this environment.`);
        }
        paired.add(execute);
        kept.push({ action: new DirectDeployAction(action, execute), runOrder: action.actionProperties.runOrder ?? 1 });
      }
    }
    for (const action of this.held) {
      if (action instanceof cpactions.CloudFormationCreateReplaceChangeSetAction) {
        continue;
      }
      if (action instanceof cpactions.CloudFormationExecuteChangeSetAction) {
        if (!paired.has(action)) {
          throw new InternalError(`DeliveryPipeline: the change set action '${action.actionProperties.actionName}' in stage '${this.stageName}' executes a change set no action prepares. Please report it with your aws-cdk-lib version.`);
        }
        continue;
      }
      kept.push({ action, runOrder: action.actionProperties.runOrder ?? 1 });
    }
    // Renumber the run orders without gaps, in the same order.
    const levels = [...new Set(kept.map(k => k.runOrder))].sort((a, b) => a - b);
    const renumbered = new Map(levels.map((level, i) => [level, i + 1]));
    for (const { action, runOrder } of kept) {
      this.target.addAction(new RunOrderAction(action, renumbered.get(runOrder)!));
    }
  }
}

/** The prepare action of a stack, deploying directly under its execute action's name and variables namespace. */
class DirectDeployAction implements codepipeline.IAction {
  public readonly actionProperties: codepipeline.ActionProperties;

  constructor(private readonly prepare: codepipeline.IAction, private readonly execute: codepipeline.IAction) {
    this.actionProperties = {
      ...prepare.actionProperties,
      actionName: execute.actionProperties.actionName,
      variablesNamespace: execute.actionProperties.variablesNamespace,
    };
  }

  public bind(scope: Construct, stage: codepipeline.IStage, options: codepipeline.ActionBindOptions): codepipeline.ActionConfig {
    const config = this.prepare.bind(scope, stage, options);
    // The execute action's variables namespace (the one verification steps read outputs from) resolves only once
    // that action is bound; binding it grants its role what executing a change set needs, on the same bootstrap role.
    this.execute.bind(scope, stage, options);
    const configuration = { ...config.configuration } as Record<string, unknown>;
    if (configuration.ActionMode !== 'CHANGE_SET_REPLACE') {
      throw new InternalError(`DeliveryPipeline: the action '${this.actionProperties.actionName}' was expected to prepare a change set (ActionMode CHANGE_SET_REPLACE), not ${String(configuration.ActionMode)}. Please report it with your aws-cdk-lib version.`);
    }
    configuration.ActionMode = 'CREATE_UPDATE';
    delete configuration.ChangeSetName;
    return { ...config, configuration };
  }

  public onStateChange(name: string, target?: events.IRuleTarget, options?: events.RuleProps): events.Rule {
    return this.prepare.onStateChange(name, target, options);
  }
}

/** An action at another run order. */
export class RunOrderAction implements codepipeline.IAction {
  public readonly actionProperties: codepipeline.ActionProperties;

  constructor(private readonly inner: codepipeline.IAction, runOrder: number) {
    this.actionProperties = { ...inner.actionProperties, runOrder };
  }

  public bind(scope: Construct, stage: codepipeline.IStage, options: codepipeline.ActionBindOptions): codepipeline.ActionConfig {
    return this.inner.bind(scope, stage, options);
  }

  public onStateChange(name: string, target?: events.IRuleTarget, options?: events.RuleProps): events.Rule {
    return this.inner.onStateChange(name, target, options);
  }
}
