import { Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { DeliveryPipeline } from '../../src';
import { fixture, PIPELINE_ENV, referenceProps } from '../fixtures/app';

/** A bake shorter than its alarm's evaluation time is a warning (an annotation), not an error. */

function bakeOn(minutes: number, alarmOf: (stack: Stack) => cloudwatch.IAlarm): Annotations {
  const f = fixture();
  const alarms = new Stack(f.app, 'Alarms', { env: PIPELINE_ENV });
  new DeliveryPipeline(f.stack, 'Delivery', referenceProps(f, {
    production: { stages: f.production, bake: { alarms: [alarmOf(alarms)], duration: Duration.minutes(minutes) } },
  }));
  return Annotations.fromStack(f.stack);
}

/** Three 5-minute periods: 15 minutes before the alarm can fire. */
function slowAlarm(stack: Stack): cloudwatch.Alarm {
  return new cloudwatch.Alarm(stack, 'Errors', {
    metric: new cloudwatch.Metric({ namespace: 'App', metricName: 'Errors', period: Duration.minutes(5) }),
    threshold: 1,
    evaluationPeriods: 3,
  });
}

const warning = "production.bake.duration: 10 minutes is shorter than the 15 minutes the alarm 'Alarms/Errors' needs to go into ALARM "
  + '(3 evaluation period(s) of 5 minutes): a bad release can pass the bake before the alarm can fire. '
  + "Bake for at least 15 minutes, or shorten the alarm's evaluation.";

test('a bake shorter than the alarm\'s evaluation periods is a warning on the pipeline, and the synth goes on', () => {
  bakeOn(10, slowAlarm).hasWarning('/PipelineStack/Delivery', Match.stringLikeRegexp(warning.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
});

test('a bake as long as the evaluation periods, or an imported alarm (its periods are unknown), gives no warning', () => {
  bakeOn(15, slowAlarm).hasNoWarning('*', Match.stringLikeRegexp('bake.duration'));
  bakeOn(1, stack => cloudwatch.Alarm.fromAlarmArn(stack, 'Imported', `arn:aws:cloudwatch:us-east-1:${PIPELINE_ENV.account}:alarm:x`))
    .hasNoWarning('*', Match.stringLikeRegexp('bake.duration'));
});
