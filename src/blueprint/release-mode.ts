/**
 * The release practice a pipeline follows.
 */
export enum ReleaseMode {
  /**
   * Continuous delivery: every change that passes build, tests and staging is ready to ship and waits for a
   * person to approve production.
   */
  CONTINUOUS_DELIVERY = 'continuous-delivery',

  /**
   * Continuous deployment: no person in the path; tests and staging verification are the gate and every
   * passing change reaches production.
   */
  CONTINUOUS_DEPLOYMENT = 'continuous-deployment',
}
