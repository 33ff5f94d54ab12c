/**
 * The invariant of a stage with a change-set review, read from the rendered pipeline (the self-check's input): no change
 * set executes without its review. For the pipeline's self-check (`node.addValidation`) once the layout adds the review.
 * Dependency-free; it reads the `Stages[]` entry of an `AWS::CodePipeline::Pipeline` as rendered.
 */

/** The parts of a rendered action the check reads. */
export interface RenderedAction {
  readonly Name: string;
  readonly RunOrder?: number;
  readonly ActionTypeId?: { readonly Category?: string; readonly Provider?: string };
  readonly Configuration?: { readonly [key: string]: unknown };
}

/** The parts of a rendered stage the check reads. */
export interface RenderedStage {
  readonly Name: string;
  readonly Actions?: readonly RenderedAction[];
}

/**
 * What breaks "no change set executes without its review" in `stage`, one sentence each (empty: it holds): the review
 * approval `approvalActionName` is a manual approval of the stage; every change set is prepared before it and executed
 * after it; no stack of the stage deploys directly (CREATE_UPDATE), which would bypass the review.
 */
export function reviewOrderProblems(stage: RenderedStage, approvalActionName: string): string[] {
  const actions = stage.Actions ?? [];
  const review = actions.find(a => a.Name === approvalActionName);
  if (review === undefined || review.ActionTypeId?.Category !== 'Approval' || review.ActionTypeId.Provider !== 'Manual') {
    return [`stage '${stage.Name}' has no manual approval '${approvalActionName}': its change sets execute unreviewed`];
  }
  const at = review.RunOrder ?? 1;
  const problems: string[] = [];
  for (const action of actions) {
    if (action.ActionTypeId?.Provider !== 'CloudFormation') {
      continue;
    }
    const mode = String(action.Configuration?.ActionMode ?? '');
    const order = action.RunOrder ?? 1;
    if (mode === 'CHANGE_SET_REPLACE' && order >= at) {
      problems.push(`stage '${stage.Name}': '${action.Name}' prepares its change set at run order ${order}, not before the review '${approvalActionName}' (${at})`);
    }
    if (mode === 'CHANGE_SET_EXECUTE' && order <= at) {
      problems.push(`stage '${stage.Name}': '${action.Name}' executes its change set at run order ${order}, not after the review '${approvalActionName}' (${at})`);
    }
    if (mode === 'CREATE_UPDATE' || mode === 'REPLACE_ON_FAILURE') {
      problems.push(`stage '${stage.Name}': '${action.Name}' deploys directly (${mode}), without a change set the review could read`);
    }
  }
  return problems;
}
