/**
 * A delivery figure that `DeliveryMetrics` publishes as a CloudWatch metric (one per pipeline, dimension
 * `Pipeline`). Each is computed over the rolling window by the same definitions as `cdk-delivery metrics`.
 */
export enum DeliveryFigure {
  /** CircleCI throughput: succeeded executions per day. */
  THROUGHPUT = 'ThroughputPerDay',
  /** CircleCI duration: median of succeeded executions, in seconds. */
  DURATION_MEDIAN = 'DurationMedian',
  /** 95th percentile (nearest rank) of the duration of succeeded executions, in seconds. */
  DURATION_P95 = 'DurationP95',
  /** CircleCI success rate: succeeded / (succeeded + failed), in percent. */
  SUCCESS_RATE = 'SuccessRate',
  /** CircleCI mean time to recovery: failed execution to the next succeeded one, in seconds. */
  MEAN_TIME_TO_RECOVERY = 'MeanTimeToRecovery',
  /** 1 while the last failure episode (a failed execution not yet followed by a succeeded one) is open, else 0. */
  OPEN_FAILURE_EPISODES = 'OpenFailureEpisodes',
  /** DORA deployment frequency: production deployments per day. */
  DEPLOYMENTS_PER_DAY = 'DeploymentsPerDay',
  /** DORA deployment frequency: production deployments per week. */
  DEPLOYMENTS_PER_WEEK = 'DeploymentsPerWeek',
  /** DORA lead time for changes: median, source revision to production, in seconds. */
  LEAD_TIME_MEDIAN = 'LeadTimeMedian',
  /** DORA change failure rate: failed or rolled-back production changes / changes that reached production, in percent. */
  CHANGE_FAILURE_RATE = 'ChangeFailureRate',
  /** DORA time to restore: mean, failed production change to the next restoring one, in seconds. */
  TIME_TO_RESTORE = 'TimeToRestore',
}
