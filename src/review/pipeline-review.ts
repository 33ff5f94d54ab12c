/**
 * What the CodePipeline room uses of the review room to put a change-set review into a pipeline: the construct
 * that deploys the review function for one stage. The construct stays in this room's private/ (it is not part of
 * the library's public API); this module is the room's one door to it.
 */
export { ChangeSetReview } from './private/change-set-review';
export type { ChangeSetReviewProps, ChangeSetReviewTarget } from './private/change-set-review';
