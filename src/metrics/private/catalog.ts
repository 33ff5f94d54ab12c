import type { DeliveryMetricsReport } from '../../runtime/metrics';
import { DeliveryFigure } from '../figures';

/**
 * How each `DeliveryFigure` is read from the shared metric definitions (`src/runtime/metrics.ts`, the module
 * `cdk-delivery metrics` prints) and published: the handler writes these values, the construct's dashboard and
 * alarm read the same names and units. Dependency-free: the bundled handler imports it too.
 */

/** Embedded metric format units used here. */
export type FigureUnit = 'Seconds' | 'Percent' | 'Count' | 'None';

export interface FigureDefinition {
  readonly figure: DeliveryFigure;
  readonly unit: FigureUnit;
  /** The figure's value in its unit; `null` when the window has nothing to measure it on (not published). */
  readonly value: (metrics: DeliveryMetricsReport) => number | null;
}

const percent = (fraction: number | null): number | null => (fraction === null ? null : fraction * 100);

/** Every published figure, in dashboard order. */
export const FIGURES: readonly FigureDefinition[] = [
  { figure: DeliveryFigure.THROUGHPUT, unit: 'None', value: (m) => m.throughputPerDay },
  { figure: DeliveryFigure.DURATION_MEDIAN, unit: 'Seconds', value: (m) => m.durationMedianSeconds },
  { figure: DeliveryFigure.DURATION_P95, unit: 'Seconds', value: (m) => m.durationP95Seconds },
  { figure: DeliveryFigure.SUCCESS_RATE, unit: 'Percent', value: (m) => percent(m.successRate) },
  { figure: DeliveryFigure.MEAN_TIME_TO_RECOVERY, unit: 'Seconds', value: (m) => m.mttrSeconds },
  { figure: DeliveryFigure.OPEN_FAILURE_EPISODES, unit: 'Count', value: (m) => m.openFailureEpisodes },
  { figure: DeliveryFigure.DEPLOYMENTS_PER_DAY, unit: 'None', value: (m) => m.deploymentsPerDay },
  { figure: DeliveryFigure.DEPLOYMENTS_PER_WEEK, unit: 'None', value: (m) => m.deploymentsPerWeek },
  { figure: DeliveryFigure.LEAD_TIME_MEDIAN, unit: 'Seconds', value: (m) => m.leadTimeMedianSeconds },
  { figure: DeliveryFigure.CHANGE_FAILURE_RATE, unit: 'Percent', value: (m) => percent(m.changeFailureRate) },
  { figure: DeliveryFigure.TIME_TO_RESTORE, unit: 'Seconds', value: (m) => m.timeToRestoreSeconds },
];

/** The metric dimension that names the pipeline. */
export const PIPELINE_DIMENSION = 'Pipeline';

/** Default CloudWatch namespace of the published metrics. */
export const DEFAULT_NAMESPACE = 'CdkDeliveryPipelines';

/** The unit a figure is published in. */
export function unitOf(figure: DeliveryFigure): FigureUnit {
  const definition = FIGURES.find((d) => d.figure === figure);
  if (!definition) {
    throw new Error(`Unknown delivery figure '${figure}'. Use a DeliveryFigure member.`);
  }
  return definition.unit;
}
