/**
 * The contract between the `DeliveryMetrics` construct, which writes the function's environment, and the
 * handler, which reads it. Dependency-free: both import it, so the names are never copied as literals.
 */

/** Environment variable: the pipeline whose history the function reads. */
export const PIPELINE_NAME_VARIABLE = 'PIPELINE_NAME';

/** Environment variable: the CloudWatch namespace to publish in. */
export const NAMESPACE_VARIABLE = 'METRICS_NAMESPACE';

/** Environment variable: the length of the rolling window, in whole days. */
export const WINDOW_DAYS_VARIABLE = 'WINDOW_DAYS';

/** The longest window: CodePipeline keeps 12 months of execution history. */
export const MAX_WINDOW_DAYS = 365;
