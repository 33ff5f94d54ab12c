import { Token } from 'aws-cdk-lib';

/**
 * Options for a weekly deployment window.
 */
export interface WeeklyWindowOptions {
  /**
   * First hour (0-23) in which deployments may start.
   */
  readonly startHour: number;

  /**
   * Last hour (0-23) in which deployments may start; the window closes at the end of this hour.
   */
  readonly endHour: number;

  /**
   * Days on which the window is open, as CodePipeline day-of-week names or ranges (`MON-FRI`, `TUE,THU`).
   *
   * @default 'MON-FRI'
   */
  readonly days?: string;

  /**
   * IANA time zone of the hours (for example `Europe/Berlin`).
   *
   * @default 'UTC'
   */
  readonly timeZone?: string;
}

/**
 * When an environment may be entered: a CodePipeline V2 `DeploymentWindow` rule in the stage's `beforeEntry`
 * condition. Outside the window the execution waits at the stage entry.
 */
export class DeploymentWindow {
  /**
   * A window from a CodePipeline cron expression: six required fields (seconds, which must be `*`, minutes,
   * hours, day-of-month, month, day-of-week) and an optional year. One of day-of-month and day-of-week must be `?`.
   *
   * Example: `* 0-59 9-16 ? * MON-THU` (Monday to Thursday, 09:00 to 16:59).
   *
   * @param expression the cron expression
   * @param timeZone IANA time zone, default 'UTC'
   */
  public static cron(expression: string, timeZone?: string): DeploymentWindow {
    return new DeploymentWindow(expression.trim().replace(/\s+/g, ' '), timeZone ?? 'UTC');
  }

  /**
   * A weekly window: the given days, from `startHour:00` to `endHour:59`, in a time zone.
   */
  public static weekly(options: WeeklyWindowOptions): DeploymentWindow {
    for (const [name, hour] of [['startHour', options.startHour], ['endHour', options.endHour]] as const) {
      if (!Number.isInteger(hour) || hour < 0 || hour > 23) {
        throw new Error(`deploymentWindow: ${name} ${hour} is not an hour. Use a whole number from 0 to 23.`);
      }
    }
    if (options.endHour < options.startHour) {
      throw new Error(`deploymentWindow: endHour ${options.endHour} is before startHour ${options.startHour}. A window cannot span midnight; use DeploymentWindow.cron() for that.`);
    }
    const hours = options.startHour === options.endHour ? `${options.startHour}` : `${options.startHour}-${options.endHour}`;
    return DeploymentWindow.cron(`* * ${hours} ? * ${options.days ?? 'MON-FRI'}`, options.timeZone);
  }

  private constructor(
    /** The cron expression CodePipeline evaluates. */
    public readonly expression: string,
    /** The IANA time zone of the expression. */
    public readonly timeZone: string,
  ) {
    validateCron(expression);
    validateTimeZone(timeZone);
  }
}

interface FieldSpec {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: string[];
  readonly special: RegExp;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

const FIELDS: FieldSpec[] = [
  { name: 'seconds', min: 0, max: 0, special: /^\*$/ },
  { name: 'minutes', min: 0, max: 59, special: /^$/ },
  { name: 'hours', min: 0, max: 23, special: /^$/ },
  { name: 'day-of-month', min: 1, max: 31, special: /^(\?|L(-\d{1,2})?|LW|\d{1,2}W)$/ },
  { name: 'month', min: 1, max: 12, names: MONTHS, special: /^$/ },
  { name: 'day-of-week', min: 1, max: 7, names: DAYS, special: /^(\?|L|[1-7]L|[A-Z]{3}L|[1-7]#[1-5]|[A-Z]{3}#[1-5])$/ },
  { name: 'year', min: 1970, max: 2199, special: /^$/ },
];

function fail(expression: string, problem: string): never {
  throw new Error(`deploymentWindow: the cron expression '${expression}' ${problem}. Use six fields and an optional year: `
    + "'* <minutes> <hours> <day-of-month> <month> <day-of-week> [year]' with '?' in day-of-month or day-of-week, e.g. '* * 9-16 ? * MON-FRI'.");
}

function validateCron(expression: string): void {
  if (Token.isUnresolved(expression)) {
    return;
  }
  const fields = expression.split(' ');
  if (fields.length < 6 || fields.length > 7) {
    fail(expression, `has ${fields.length} field(s), not 6 or 7`);
  }
  fields.forEach((field, i) => validateField(expression, field, FIELDS[i]));
  const [, , , dayOfMonth, , dayOfWeek] = fields;
  if ((dayOfMonth === '?') === (dayOfWeek === '?')) {
    fail(expression, "must have '?' in exactly one of day-of-month and day-of-week");
  }
}

function validateField(expression: string, field: string, spec: FieldSpec): void {
  if (spec.special.test(field)) {
    return;
  }
  if (spec.name === 'seconds') {
    fail(expression, `has '${field}' in the seconds field, where CodePipeline allows only '*'`);
  }
  for (const item of field.split(',')) {
    const [range, step, ...rest] = item.split('/');
    if (rest.length > 0 || (step !== undefined && !/^\d+$/.test(step))) {
      fail(expression, `has an invalid step '${item}' in the ${spec.name} field`);
    }
    if (range === '*') {
      continue;
    }
    const bounds = range.split('-');
    if (bounds.length > 2 || bounds.some(b => b === '')) {
      fail(expression, `has an invalid range '${range}' in the ${spec.name} field`);
    }
    const values = bounds.map(b => valueOf(b, spec));
    if (values.some(v => v === undefined)) {
      fail(expression, `has '${range}' in the ${spec.name} field, outside ${spec.min}-${spec.max}${spec.names ? ` or ${spec.names[0]}-${spec.names[spec.names.length - 1]}` : ''}`);
    }
  }
}

function valueOf(token: string, spec: FieldSpec): number | undefined {
  const named = spec.names?.indexOf(token.toUpperCase()) ?? -1;
  if (named >= 0) {
    return named + spec.min;
  }
  if (!/^\d+$/.test(token)) {
    return undefined;
  }
  const value = Number(token);
  return value >= spec.min && value <= spec.max ? value : undefined;
}

function validateTimeZone(timeZone: string): void {
  if (Token.isUnresolved(timeZone) || timeZone === 'UTC') {
    return;
  }
  const known = (Intl as unknown as { supportedValuesOf(key: string): string[] }).supportedValuesOf('timeZone');
  if (!known.includes(timeZone)) {
    throw new Error(`deploymentWindow: the time zone '${timeZone}' is not an IANA time zone. Use a name such as 'UTC', 'Europe/Berlin' or 'America/New_York'.`);
  }
}
