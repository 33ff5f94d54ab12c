import { TimeZone, Token } from 'aws-cdk-lib';
import { ValidationError } from '../private/errors';
import { checkArguments } from '../private/props-check';

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
   * IANA time zone of the hours, as a name (for example `Europe/Berlin`).
   *
   * Checked against the names listed under "Time zones" on `DeploymentWindow`. Set at most one of `timeZone` and `zone`.
   *
   * @default - the time zone of `zone`, or 'UTC' when neither is set
   */
  readonly timeZone?: string;

  /**
   * Time zone of the hours, as aws-cdk-lib's `TimeZone` (for example `TimeZone.EUROPE_BERLIN`).
   *
   * Set at most one of `timeZone` and `zone`.
   *
   * @default - `timeZone`, or 'UTC' when neither is set
   */
  readonly zone?: TimeZone;
}

/**
 * When an environment may be entered: a CodePipeline V2 `DeploymentWindow` rule in the stage's `beforeEntry`
 * condition. Outside the window the execution waits at the stage entry.
 *
 * Time zones: CodePipeline reads the rule's `TimeZone` as an IANA time zone name. The name is checked at synth
 * against lists that ship with the code, never against the host's ICU: `Intl.supportedValuesOf('timeZone')` on
 * Node 20 lacks canonical names such as `Asia/Kolkata`, `Etc/UTC` and `Europe/Kyiv`, so the same app synthesized on
 * one machine and failed on another. Accepted are:
 *
 * - every zone of aws-cdk-lib's `TimeZone` (the canonical IANA names, e.g. `Asia/Kolkata`, `Etc/UTC`, `Europe/Kyiv`),
 *   except `Factory`, IANA's placeholder for a clock whose zone is unknown;
 * - the IANA names of tzdata 2026d that this list lacks: `UTC`, the backward-compatible links (`Asia/Calcutta`,
 *   `Europe/Kiev`, `US/Eastern`), the zones IANA turned into links since 2022 (`Europe/Amsterdam`, `Europe/Oslo`)
 *   and zones newer than aws-cdk-lib's list (`America/Coyhaique`).
 *
 * Links are IANA names too, and the old check accepted many of them, so they are accepted as written rather than
 * rejected or rewritten to their canonical zone: rewriting would change the definition of pipelines already deployed.
 * The name reaches CodePipeline exactly as given. Names are case-sensitive, as in IANA; a near miss such as
 * `europe/berlin`, `Berlin` or `UTC+2` is rejected with the name to use.
 */
export class DeploymentWindow {
  /**
   * A window from a CodePipeline cron expression: six required fields (seconds, which must be `*`, minutes,
   * hours, day-of-month, month, day-of-week) and an optional year. One of day-of-month and day-of-week must be `?`.
   *
   * Example: `* 0-59 9-16 ? * MON-THU` (Monday to Thursday, 09:00 to 16:59).
   *
   * @param expression the cron expression
   * @param timeZone IANA time zone name (see "Time zones" above), default 'UTC'
   */
  public static cron(expression: string, timeZone?: string): DeploymentWindow {
    checkArguments('DeploymentWindow.cron', [expression, timeZone]);
    return DeploymentWindow.create(expression, timeZone ?? 'UTC', 'deploymentWindow.timeZone');
  }

  /**
   * A window from a CodePipeline cron expression (as for `cron()`) in a time zone given as aws-cdk-lib's `TimeZone`.
   *
   * Example: `DeploymentWindow.cronIn('* * 9-16 ? * MON-THU', TimeZone.ASIA_KOLKATA)`.
   *
   * @param expression the cron expression
   * @param timeZone the time zone of the expression
   */
  public static cronIn(expression: string, timeZone: TimeZone): DeploymentWindow {
    checkArguments('DeploymentWindow.cronIn', [expression, timeZone]);
    return DeploymentWindow.create(expression, timeZone.timezoneName, 'deploymentWindow.timeZone');
  }

  /**
   * A weekly window: the given days, from `startHour:00` to `endHour:59`, in a time zone.
   */
  public static weekly(options: WeeklyWindowOptions): DeploymentWindow {
    checkArguments('DeploymentWindow.weekly', [options]);
    for (const [name, hour] of [['startHour', options.startHour], ['endHour', options.endHour]] as const) {
      if (!Number.isInteger(hour) || hour < 0 || hour > 23) {
        throw new ValidationError(`deploymentWindow: ${name} ${hour} is not an hour. Use a whole number from 0 to 23.`);
      }
    }
    if (options.endHour < options.startHour) {
      throw new ValidationError(`deploymentWindow: endHour ${options.endHour} is before startHour ${options.startHour}. A window cannot span midnight; use DeploymentWindow.cron() for that.`);
    }
    if (options.timeZone !== undefined && options.zone !== undefined) {
      throw new ValidationError(`DeploymentWindow.weekly(): both 'timeZone' ('${options.timeZone}') and 'zone' ('${options.zone.timezoneName}') are set. Set only one: 'zone' for a TimeZone, 'timeZone' for a name.`);
    }
    const hours = options.startHour === options.endHour ? `${options.startHour}` : `${options.startHour}-${options.endHour}`;
    const expression = `* * ${hours} ? * ${options.days ?? 'MON-FRI'}`;
    if (options.zone !== undefined) {
      return DeploymentWindow.create(expression, options.zone.timezoneName, "DeploymentWindow.weekly() option 'zone'");
    }
    return DeploymentWindow.create(expression, options.timeZone ?? 'UTC', "DeploymentWindow.weekly() option 'timeZone'");
  }

  private static create(expression: string, timeZone: string, timeZoneProperty: string): DeploymentWindow {
    const normalized = expression.trim().replace(/\s+/g, ' ');
    validateCron(normalized);
    validateTimeZone(timeZone, timeZoneProperty);
    return new DeploymentWindow(normalized, timeZone);
  }

  private constructor(
    /** The cron expression CodePipeline evaluates. */
    public readonly expression: string,
    /** The IANA time zone name of the expression, as given. */
    public readonly timeZone: string,
  ) {}
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
  throw new ValidationError(`deploymentWindow: the cron expression '${expression}' ${problem}. Use six fields and an optional year: `
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

/**
 * IANA names (tzdata 2026d) missing from aws-cdk-lib 2.276's `TimeZone`, by area: the links (backward-compatible
 * aliases and zones merged since 2022) and zones added since. Together with `TimeZone` this is every IANA name.
 */
const IANA_NAMES_BEYOND_CDK: Record<string, string[]> = {
  'Africa': [
    'Accra Addis_Ababa Asmara Asmera Bamako Bangui Banjul Blantyre Brazzaville Bujumbura Conakry Dakar',
    'Dar_es_Salaam Djibouti Douala Freetown Gaborone Harare Kampala Kigali Kinshasa Libreville Lome Luanda',
    'Lubumbashi Lusaka Malabo Maseru Mbabane Mogadishu Niamey Nouakchott Ouagadougou Porto-Novo Timbuktu',
  ],
  'America': [
    'Anguilla Antigua Argentina/ComodRivadavia Aruba Atikokan Atka Blanc-Sablon Buenos_Aires Catamarca Cayman',
    'Coral_Harbour Cordoba Coyhaique Creston Curacao Dominica Ensenada Fort_Wayne Godthab Grenada Guadeloupe',
    'Indianapolis Jujuy Knox_IN Kralendijk Louisville Lower_Princes Marigot Mendoza Montreal Montserrat Nassau',
    'Nipigon Pangnirtung Port_of_Spain Porto_Acre Rainy_River Rosario Santa_Isabel Shiprock St_Barthelemy',
    'St_Kitts St_Lucia St_Thomas St_Vincent Thunder_Bay Tortola Virgin',
  ],
  'Antarctica': ['DumontDUrville McMurdo South_Pole Syowa Vostok'],
  'Arctic': ['Longyearbyen'],
  'Asia': [
    'Aden Ashkhabad Bahrain Brunei Calcutta Chongqing Chungking Dacca Harbin Istanbul Kashgar Katmandu',
    'Kuala_Lumpur Kuwait Macao Muscat Phnom_Penh Rangoon Saigon Tel_Aviv Thimbu Ujung_Pandang Ulan_Bator',
    'Vientiane',
  ],
  'Atlantic': ['Faeroe Jan_Mayen Reykjavik St_Helena'],
  'Australia': ['ACT Canberra Currie LHI NSW North Queensland South Tasmania Victoria West Yancowinna'],
  'Brazil': ['Acre DeNoronha East West'],
  'Canada': ['Atlantic Central Eastern Mountain Newfoundland Pacific Saskatchewan Yukon'],
  'Chile': ['Continental EasterIsland'],
  '': [
    'Cuba Egypt Eire GB GB-Eire GMT GMT+0 GMT-0 GMT0 Greenwich Hongkong Iceland Iran Israel Jamaica Japan',
    'Kwajalein Libya NZ NZ-CHAT Navajo PRC Poland Portugal ROC ROK Singapore Turkey UCT UTC Universal W-SU',
    'Zulu',
  ],
  'Etc': ['GMT+0 GMT-0 GMT0 Greenwich UCT Universal Zulu'],
  'Europe': [
    'Amsterdam Belfast Bratislava Busingen Copenhagen Guernsey Isle_of_Man Jersey Kiev Ljubljana Luxembourg',
    'Mariehamn Monaco Nicosia Oslo Podgorica San_Marino Sarajevo Skopje Stockholm Tiraspol Uzhgorod Vaduz',
    'Vatican Zagreb Zaporozhye',
  ],
  'Indian': ['Antananarivo Christmas Cocos Comoro Kerguelen Mahe Mayotte Reunion'],
  'Mexico': ['BajaNorte BajaSur General'],
  'Pacific': ['Chuuk Enderbury Funafuti Johnston Majuro Midway Pohnpei Ponape Saipan Samoa Truk Wake Wallis Yap'],
  'US': [
    'Alaska Aleutian Arizona Central East-Indiana Eastern Hawaii Indiana-Starke Michigan Mountain Pacific',
    'Samoa',
  ],
};

/** Names whose time is no place's: IANA's placeholder for an unconfigured clock. */
const REJECTED_ZONES = new Map<string, string>([
  ['Factory', "is IANA's placeholder for a clock whose time zone is unknown, not a place's time"],
]);

let knownTimeZones: Map<string, string> | undefined;

/** Every accepted name, keyed by its lower-case form with spaces as '_' (to suggest the right spelling). */
function timeZoneNames(): Map<string, string> {
  if (knownTimeZones === undefined) {
    const names: string[] = [];
    for (const value of Object.values(TimeZone) as unknown[]) {
      if (value instanceof TimeZone) {
        names.push(value.timezoneName);
      }
    }
    for (const [area, lines] of Object.entries(IANA_NAMES_BEYOND_CDK)) {
      for (const location of lines.join(' ').split(' ')) {
        names.push(area === '' ? location : `${area}/${location}`);
      }
    }
    knownTimeZones = new Map(names.filter(name => !REJECTED_ZONES.has(name)).map(name => [looseKey(name), name]));
  }
  return knownTimeZones;
}

function looseKey(name: string): string {
  return name.trim().replace(/\s+/g, '_').toLowerCase();
}

function validateTimeZone(timeZone: string, property: string): void {
  if (Token.isUnresolved(timeZone) || timeZoneNames().get(looseKey(timeZone)) === timeZone) {
    return;
  }
  throw new ValidationError(`${property}: ${timeZoneProblem(timeZone)}`);
}

const EXAMPLES = "such as 'UTC', 'Europe/Berlin' or 'America/New_York' (aws-cdk-lib's TimeZone lists the canonical ones)";

function timeZoneProblem(timeZone: string): string {
  if (timeZone.trim() === '') {
    return `'${timeZone}' is empty. Leave the time zone out for UTC, or use an IANA time zone name ${EXAMPLES}.`;
  }
  const rejected = REJECTED_ZONES.get(timeZone);
  if (rejected !== undefined) {
    return `'${timeZone}' ${rejected}. Use an IANA time zone name ${EXAMPLES}.`;
  }
  const spelled = timeZoneNames().get(looseKey(timeZone)) ?? uniqueLocation(timeZone);
  if (spelled !== undefined) {
    return `'${timeZone}' is not an IANA time zone name. Use '${spelled}' (IANA names are case-sensitive, with '_' for spaces).`;
  }
  const offset = /^(?:UTC|GMT)?\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?$/i.exec(timeZone.trim());
  if (offset) {
    const [, sign, hours, minutes] = offset;
    const hour = Number(hours);
    const label = `UTC${sign}${hour}${minutes && minutes !== '00' ? `:${minutes}` : ''}`;
    if (hour === 0 && (minutes ?? '00') === '00') {
      return `'${timeZone}' is not an IANA time zone name. Use 'UTC'.`;
    }
    if ((minutes ?? '00') === '00' && hour <= (sign === '+' ? 14 : 12)) {
      const etc = `Etc/GMT${sign === '+' ? '-' : '+'}${hour}`;
      return `'${timeZone}' is not an IANA time zone name. For the fixed offset ${label} use '${etc}' (Etc/GMT names invert the sign), `
        + "or a place's name such as 'Europe/Berlin' to follow its daylight saving time.";
    }
    return `'${timeZone}' is not an IANA time zone name, and IANA has no fixed-offset zone for ${label}. Use the name of a place on that offset, `
      + "in Area/Location form (aws-cdk-lib's TimeZone lists them).";
  }
  return `'${timeZone}' is not an IANA time zone name. Use a name from the IANA time zone database ${EXAMPLES}.`;
}

/** 'Berlin' or 'new york' → 'Europe/Berlin', 'America/New_York' when exactly one accepted name ends in that location. */
function uniqueLocation(timeZone: string): string | undefined {
  const key = looseKey(timeZone);
  if (key.includes('/')) {
    return undefined;
  }
  const matches = [...timeZoneNames().entries()].filter(([loose]) => loose.endsWith(`/${key}`)).map(([, name]) => name);
  return matches.length === 1 ? matches[0] : undefined;
}
