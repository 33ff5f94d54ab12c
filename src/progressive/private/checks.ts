import { Duration, Token } from 'aws-cdk-lib';
import { describe } from '../../blueprint/validate';
import { ValidationError } from '../../private/errors';
import { ReleaseAlarm } from '../release-alarm';
import { TrafficShift, TrafficShiftKind } from '../traffic-shift';

/** The installed aws-cdk-lib's version, for messages. */
export function installedCdkVersion(): string {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require('aws-cdk-lib/package.json') as { readonly version: string }).version;
  } catch {
    return '(version unknown)';
  }
}

/** The shift, checked to be one (untyped callers pass anything). */
export function checkShift(shift: unknown, property: string): TrafficShift {
  if (!(shift instanceof TrafficShift)) {
    throw new ValidationError(`${property}: ${describe(shift)} is not a TrafficShift. Create it with TrafficShift.canary(), TrafficShift.linear(), TrafficShift.allAtOnce() or TrafficShift.blueGreen().`);
  }
  return shift;
}

/** The alarms, checked to be release alarms with distinct names, at most `max` of them. */
export function checkAlarms(alarms: readonly unknown[] | undefined, property: string, service: string, max: number): ReleaseAlarm[] {
  const list = alarms ?? [];
  list.forEach((alarm, i) => {
    if (!(alarm instanceof ReleaseAlarm)) {
      throw new ValidationError(`${property}[${i}]: ${describe(alarm)} is not a ReleaseAlarm. Declare the environment's alarms once with new ReleaseAlarm({...}) and pass the same objects to the bake (alarm.alarmIn(alarmStack)) and here.`);
    }
  });
  const checked = list as ReleaseAlarm[];
  const names = checked.map(a => a.alarmName);
  const twice = names.find((name, i) => names.indexOf(name) !== i);
  if (twice !== undefined) {
    throw new ValidationError(`${property}: the alarm '${twice}' is listed twice. List each alarm once.`);
  }
  if (checked.length > max) {
    throw new ValidationError(`${property}: ${checked.length} alarms, but ${service} watches at most ${max}. Combine related alarms into a cloudwatch.CompositeAlarm.`);
  }
  return checked;
}

/** Whole minutes of a duration within [min, max], or an error naming the property. */
export function wholeMinutes(duration: Duration, property: string, min: number, max: number, accepts: string): number {
  if (Token.isUnresolved(duration.toSeconds())) {
    return 0;
  }
  const seconds = duration.toSeconds();
  if (seconds % 60 !== 0 || seconds / 60 < min || seconds / 60 > max) {
    throw new ValidationError(`${property}: ${duration.toHumanString()} is not a whole number of minutes from ${min} to ${max}: ${accepts}. Use e.g. Duration.minutes(${Math.max(min, 10)}).`);
  }
  return seconds / 60;
}

/**
 * What aws-cdk-lib's ECS module lacks to render the strategy `kind` (undefined when nothing): the strategy enum
 * member, and for alarms the `AlarmBehavior` enum. Takes the module, so the check can be shown on a module without them.
 */
export function missingEcsApi(module: object, kind: TrafficShiftKind): string | undefined {
  const api = module as { readonly DeploymentStrategy?: { readonly [member: string]: unknown }; readonly AlarmBehavior?: unknown };
  if (api.DeploymentStrategy?.[kind] === undefined) {
    return `ecs.DeploymentStrategy.${kind}`;
  }
  if (api.AlarmBehavior === undefined) {
    return 'ecs.AlarmBehavior';
  }
  return undefined;
}

/**
 * Refuses a shift whose ECS strategy `module` (aws-cdk-lib's ECS module) cannot render, naming the installed
 * aws-cdk-lib version. Takes the module, so the refusal can be shown on a module without the strategies.
 */
export function checkEcsStrategy(module: object, shift: TrafficShift): void {
  const missing = missingEcsApi(module, shift.kind);
  if (missing !== undefined) {
    throw new ValidationError(`shift: ${shift._factory}() needs ECS's ${shift.kind} deployment strategy, but aws-cdk-lib ${installedCdkVersion()} has no ${missing}. `
      + "Upgrade aws-cdk-lib in your app's package.json (2.276.0 renders CANARY, LINEAR and BLUE_GREEN), or deploy this service without EcsProgressiveDeployment "
      + '(EcsProgressiveDeployment.isStrategyAvailable() tells which strategies the installed version has).');
  }
}
