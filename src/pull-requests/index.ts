export * from './pull-request-checks';
export * from './preview-environments';
