export * from './blueprint/release-mode';
export * from './blueprint/steps';
export * from './codepipeline/approval-options';
export * from './codepipeline/source';
export * from './codepipeline/delivery-pipeline';
export * from './testing/pipeline-shape';
export * from './testing/snapshot';
