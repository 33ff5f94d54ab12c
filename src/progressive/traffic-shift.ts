import { Duration, Token } from 'aws-cdk-lib';
import { describe } from '../blueprint/validate';
import { ValidationError } from '../private/errors';
import { checkArguments } from '../private/props-check';

/**
 * How a new version takes over an environment's traffic.
 */
export enum TrafficShiftKind {
  /** A share of the traffic first, then, after an interval, all of it. */
  CANARY = 'CANARY',
  /** Equal shares, one per interval, until all traffic is shifted. */
  LINEAR = 'LINEAR',
  /** All traffic at once (Lambda, through CodeDeploy). */
  ALL_AT_ONCE = 'ALL_AT_ONCE',
  /** All traffic at once to a second, fully started set of tasks (ECS); the old set stays for the bake time. */
  BLUE_GREEN = 'BLUE_GREEN',
}

/**
 * A share of the traffic and how long each share runs before the next.
 */
export interface TrafficShiftOptions {
  /**
   * Percentage of the traffic shifted in the first step (canary) or in each step (linear). Lambda (CodeDeploy)
   * accepts whole percentages; ECS multiples of 0.1 (canary from 0.1, linear from 3).
   */
  readonly percent: number;

  /**
   * How long each step runs before the next: whole minutes (CodeDeploy and ECS count in minutes).
   */
  readonly interval: Duration;
}

/**
 * A traffic shift: canary, linear, all at once (Lambda) or blue/green (ECS). The options are checked here for what
 * every service accepts (a percentage above 0 and below 100, whole minutes); each helper checks what its service
 * accepts beyond that.
 */
export class TrafficShift {
  /** A share of the traffic for `interval`, then all of it. */
  public static canary(options: TrafficShiftOptions): TrafficShift {
    checkArguments('TrafficShift.canary', [options]);
    return new TrafficShift(TrafficShiftKind.CANARY, 'TrafficShift.canary', options);
  }

  /** `percent` more of the traffic every `interval` until all of it. */
  public static linear(options: TrafficShiftOptions): TrafficShift {
    checkArguments('TrafficShift.linear', [options]);
    return new TrafficShift(TrafficShiftKind.LINEAR, 'TrafficShift.linear', options);
  }

  /** All traffic at once (Lambda only: CodeDeploy still rolls back on the alarms and runs the hooks). */
  public static allAtOnce(): TrafficShift {
    return new TrafficShift(TrafficShiftKind.ALL_AT_ONCE, 'TrafficShift.allAtOnce');
  }

  /** All traffic at once to a new set of tasks, the old set kept for the bake time (ECS only). */
  public static blueGreen(): TrafficShift {
    return new TrafficShift(TrafficShiftKind.BLUE_GREEN, 'TrafficShift.blueGreen');
  }

  /** The kind of shift. */
  public readonly kind: TrafficShiftKind;

  /**
   * Percentage of the traffic per step.
   *
   * @default - 100 (all at once, blue/green)
   */
  public readonly percent: number;

  /**
   * Whole minutes each step runs before the next.
   *
   * @default - 0 (all at once, blue/green)
   */
  public readonly intervalMinutes: number;

  /** How the shift was made, for messages (`TrafficShift.canary`). */
  private readonly factory: string;

  private constructor(kind: TrafficShiftKind, factory: string, options?: TrafficShiftOptions) {
    this.kind = kind;
    this.factory = factory;
    if (!options) {
      this.percent = 100;
      this.intervalMinutes = 0;
      return;
    }
    const percent = options.percent;
    if (Token.isUnresolved(percent) || !Number.isFinite(percent) || percent <= 0 || percent >= 100) {
      throw new ValidationError(`${factory}: percent is ${describe(percent)}, but a step shifts more than 0 and less than 100 percent of the traffic. Pass e.g. { percent: 10 }, or use TrafficShift.allAtOnce() / TrafficShift.blueGreen() to shift everything at once.`);
    }
    const seconds = options.interval.toSeconds();
    if (seconds % 60 !== 0) {
      throw new ValidationError(`${factory}: interval is ${options.interval.toHumanString()}, which is not a whole number of minutes: CodeDeploy and ECS count intervals in minutes. Use e.g. Duration.minutes(5).`);
    }
    this.percent = percent;
    this.intervalMinutes = seconds / 60;
  }

  /** Number of traffic steps until all traffic runs on the new version (1 for all at once). */
  public get steps(): number {
    switch (this.kind) {
      case TrafficShiftKind.CANARY:
        return 2;
      case TrafficShiftKind.LINEAR:
        return Math.ceil(100 / this.percent - 1e-9);
      default:
        return 1;
    }
  }

  /** Whole minutes from the first step to the step that shifts the last traffic. */
  public get shiftMinutes(): number {
    return (this.steps - 1) * this.intervalMinutes;
  }

  /** The shift in words: `canary 10 % for 5 min, then all`. */
  public describe(): string {
    switch (this.kind) {
      case TrafficShiftKind.CANARY:
        return `canary ${this.percent} % for ${this.intervalMinutes} min, then all`;
      case TrafficShiftKind.LINEAR:
        return `linear ${this.percent} % every ${this.intervalMinutes} min (${this.steps} steps, ${this.shiftMinutes} min)`;
      case TrafficShiftKind.ALL_AT_ONCE:
        return 'all at once';
      case TrafficShiftKind.BLUE_GREEN:
        return 'blue/green, all at once';
    }
  }

  /** @internal the factory call, for messages. */
  public get _factory(): string {
    return this.factory;
  }
}
