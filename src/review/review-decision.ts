/**
 * What the operations client reads of the review room: the decision line the change-set review logs, how to find
 * it in the review function's log group, and how to read it back. Dependency-free (the CLI loads it without
 * aws-cdk-lib); the contract itself stays in this room's private/review-contract.ts, and this module is the room's
 * one door to it for the runtime room.
 */
export { DECISION_EVENT, decisionFilterPattern, logGroupOfDecisionLink, parseDecisionLine } from './private/review-contract';
export type { ReviewDecisionLine } from './private/review-contract';
