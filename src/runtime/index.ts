// The operations client. Not exported from the library's jsii entry point (src/index.ts): its types come from
// bundled dependencies (the AWS SDK). The CLI and tests import it from here.
export * from './approval-release';
export * from './approvals';
export * from './command-signal';
export * from './errors';
export * from './git-history';
export * from './history';
export * from './history-fetch';
export * from './history-lines';
export * from './metrics';
export * from './operations-client';
export * from './override-condition';
export * from './pipeline-status';
export { isProductionStage, PRODUCTION_STAGE, RELEASE_MODE_TAG, TERMINAL_EXECUTION_STATUSES } from '../contract';
export * from './release';
export * from './release-size';
export * from './reply-shape';
export * from './retry-stage';
export * from './review-summary';
export * from './rollback';
export * from './rollback-targets';
export * from './stage-change';
export * from './statistics';
export * from './stop-execution';
export * from './transitions';
export * from './wait-for-execution';
