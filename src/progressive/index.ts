export * from './traffic-shift';
export * from './release-alarm';
export * from './progressive-deployment';
export * from './lambda-progressive-deployment';
export * from './ecs-progressive-deployment';
