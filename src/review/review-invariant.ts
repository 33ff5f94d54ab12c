/**
 * The invariant of a stage with a change-set review, read from the rendered pipeline (the self-check's input): no change
 * set executes without its review. For the pipeline's self-check (`node.addValidation`) once the layout adds the review.
 * It reads a stage through the one reading model of a rendered pipeline.
 */
import { isApprovalAction, RenderedStage } from '../private/rendered-pipeline';

/**
 * What breaks "no change set executes without its review" in `stage`, one sentence each (empty: it holds): the review
 * approval `approvalActionName` is a manual approval of the stage; every change set is prepared before it and executed
 * after it; no stack of the stage deploys directly (CREATE_UPDATE), which would bypass the review.
 */
export function reviewOrderProblems(stage: RenderedStage, approvalActionName: string): string[] {
  const actions = stage.actions;
  const review = actions.find(a => a.name === approvalActionName);
  if (review === undefined || !isApprovalAction(review) || review.actionTypeId.provider !== 'Manual') {
    return [`stage '${stage.name}' has no manual approval '${approvalActionName}': its change sets execute unreviewed`];
  }
  const at = review.runOrder;
  const problems: string[] = [];
  for (const action of actions) {
    if (action.actionTypeId.provider !== 'CloudFormation') {
      continue;
    }
    const mode = String(action.configuration?.ActionMode ?? '');
    const order = action.runOrder;
    if (mode === 'CHANGE_SET_REPLACE' && order >= at) {
      problems.push(`stage '${stage.name}': '${action.name}' prepares its change set at run order ${order}, not before the review '${approvalActionName}' (${at})`);
    }
    if (mode === 'CHANGE_SET_EXECUTE' && order <= at) {
      problems.push(`stage '${stage.name}': '${action.name}' executes its change set at run order ${order}, not after the review '${approvalActionName}' (${at})`);
    }
    if (mode === 'CREATE_UPDATE' || mode === 'REPLACE_ON_FAILURE') {
      problems.push(`stage '${stage.name}': '${action.name}' deploys directly (${mode}), without a change set the review could read`);
    }
  }
  return problems;
}
