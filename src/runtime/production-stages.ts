/**
 * The construct names production stages `Production` and `Production-<wave>`; every operation that targets
 * "production" (freeze, metrics) recognises them by this prefix.
 */
export const PRODUCTION_STAGE_PREFIX = 'Production';

/** Whether a stage name denotes a production stage (`Production`, `Production-<wave>`). */
export function isProductionStage(stageName: string): boolean {
  return stageName.startsWith(PRODUCTION_STAGE_PREFIX);
}
