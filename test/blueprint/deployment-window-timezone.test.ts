import { TimeZone } from 'aws-cdk-lib';
import { DeliveryPipeline, DeploymentWindow } from '../../src';
import { fixture, referenceProps } from '../fixtures/app';
import { renderedStages, stageNamed } from '../fixtures/rendered';

const CRON = '* * 9-16 ? * MON-THU';

/** Every zone aws-cdk-lib's TimeZone lists, by the name it renders. */
const cdkZones = (Object.values(TimeZone) as unknown[])
  .filter((value): value is TimeZone => value instanceof TimeZone)
  .map(zone => zone.timezoneName);

/** The names any of the four time-zone entry points reject, in the message each one throws. */
function rejections(timeZone: string): string[] {
  const attempts = [
    () => DeploymentWindow.cron(CRON, timeZone),
    () => DeploymentWindow.cronIn(CRON, TimeZone.of(timeZone)),
    () => DeploymentWindow.weekly({ startHour: 9, endHour: 16, timeZone }),
    () => DeploymentWindow.weekly({ startHour: 9, endHour: 16, zone: TimeZone.of(timeZone) }),
  ];
  return attempts.flatMap(attempt => {
    try {
      attempt();
      return [];
    } catch (e) {
      return [(e as Error).message];
    }
  });
}

describe('time zones are checked against lists that ship with the code', () => {
  test('aws-cdk-lib lists several hundred zones, including the ones Node 20 ICU lacks', () => {
    expect(cdkZones.length).toBeGreaterThan(300);
    expect(cdkZones).toEqual(expect.arrayContaining(['Asia/Kolkata', 'Etc/UTC', 'Europe/Kyiv']));
  });

  test("every zone of aws-cdk-lib's TimeZone is accepted, except the Factory placeholder", () => {
    const failures = cdkZones.filter(zone => rejections(zone).length > 0);
    expect(failures).toEqual(['Factory']);
    for (const zone of cdkZones.filter(name => name !== 'Factory')) {
      expect(DeploymentWindow.cron(CRON, zone).timeZone).toBe(zone);
    }
  });

  test.each([
    ['Asia/Kolkata'], ['Etc/UTC'], ['Europe/Kyiv'], ['UTC'],
    // backward-compatible IANA links, accepted as written
    ['Asia/Calcutta'], ['Europe/Kiev'], ['US/Eastern'], ['GMT'],
    // zones IANA turned into links since 2022 (not in aws-cdk-lib's list)
    ['Europe/Amsterdam'], ['Europe/Oslo'], ['Europe/Stockholm'], ['Asia/Kuala_Lumpur'],
    // newer than aws-cdk-lib 2.276's list
    ['America/Coyhaique'],
    ['Etc/GMT-2'],
  ])('accepts %s and renders it as given', zone => {
    expect(rejections(zone)).toEqual([]);
    expect(DeploymentWindow.cron(CRON, zone).timeZone).toBe(zone);
    expect(DeploymentWindow.weekly({ startHour: 9, endHour: 9, timeZone: zone }).timeZone).toBe(zone);
  });

  describe('without the host ICU', () => {
    const intl = Intl as unknown as { supportedValuesOf(key: string): string[] };
    afterEach(() => jest.restoreAllMocks());

    test('Intl.supportedValuesOf returning nothing and Intl.DateTimeFormat refusing every zone change nothing', () => {
      const supported = jest.spyOn(intl, 'supportedValuesOf').mockReturnValue([]);
      const format = jest.spyOn(Intl, 'DateTimeFormat').mockImplementation(() => {
        throw new RangeError('Invalid time zone specified');
      });

      for (const zone of ['Asia/Kolkata', 'Etc/UTC', 'Europe/Kyiv', 'UTC', 'Europe/Berlin', 'Asia/Calcutta']) {
        expect(rejections(zone)).toEqual([]);
      }
      expect(() => DeploymentWindow.cron(CRON, 'Mars/Olympus')).toThrow("deploymentWindow.timeZone: 'Mars/Olympus'");
      expect(supported).not.toHaveBeenCalled();
      expect(format).not.toHaveBeenCalled();
      // the stubs were live: the host reports no zones and refuses every one
      expect(intl.supportedValuesOf('timeZone')).toEqual([]);
      expect(() => new Intl.DateTimeFormat('en', { timeZone: 'UTC' })).toThrow(RangeError);
    });

    test('the stubs are restored afterwards', () => {
      expect(intl.supportedValuesOf('timeZone').length).toBeGreaterThan(0);
    });
  });
});

describe('invalid time zones are rejected with the name to use', () => {
  const generic = "Use a name from the IANA time zone database such as 'UTC', 'Europe/Berlin' or 'America/New_York' (aws-cdk-lib's TimeZone lists the canonical ones).";

  test.each([
    ['Mars/Olympus', `'Mars/Olympus' is not an IANA time zone name. ${generic}`],
    ['europe/berlin', "'europe/berlin' is not an IANA time zone name. Use 'Europe/Berlin' (IANA names are case-sensitive, with '_' for spaces)."],
    ['America/New York', "'America/New York' is not an IANA time zone name. Use 'America/New_York' (IANA names are case-sensitive, with '_' for spaces)."],
    [' Europe/Berlin', "' Europe/Berlin' is not an IANA time zone name. Use 'Europe/Berlin' (IANA names are case-sensitive, with '_' for spaces)."],
    ['Berlin', "'Berlin' is not an IANA time zone name. Use 'Europe/Berlin' (IANA names are case-sensitive, with '_' for spaces)."],
    ['kolkata', "'kolkata' is not an IANA time zone name. Use 'Asia/Kolkata' (IANA names are case-sensitive, with '_' for spaces)."],
    ['utc', "'utc' is not an IANA time zone name. Use 'UTC' (IANA names are case-sensitive, with '_' for spaces)."],
    ['', "'' is empty. Leave the time zone out for UTC, or use an IANA time zone name such as 'UTC', 'Europe/Berlin' or 'America/New_York' (aws-cdk-lib's TimeZone lists the canonical ones)."],
    ['UTC+2', "'UTC+2' is not an IANA time zone name. For the fixed offset UTC+2 use 'Etc/GMT-2' (Etc/GMT names invert the sign), or a place's name such as 'Europe/Berlin' to follow its daylight saving time."],
    ['GMT-05:00', "'GMT-05:00' is not an IANA time zone name. For the fixed offset UTC-5 use 'Etc/GMT+5' (Etc/GMT names invert the sign), or a place's name such as 'Europe/Berlin' to follow its daylight saving time."],
    ['UTC+0', "'UTC+0' is not an IANA time zone name. Use 'UTC'."],
    ['UTC+5:30', "'UTC+5:30' is not an IANA time zone name, and IANA has no fixed-offset zone for UTC+5:30. Use the name of a place on that offset, in Area/Location form (aws-cdk-lib's TimeZone lists them)."],
    ['Factory', "'Factory' is IANA's placeholder for a clock whose time zone is unknown, not a place's time. Use an IANA time zone name such as 'UTC', 'Europe/Berlin' or 'America/New_York' (aws-cdk-lib's TimeZone lists the canonical ones)."],
    // ambiguous location: no guess; not fooled by Object.prototype
    ['constructor', `'constructor' is not an IANA time zone name. ${generic}`],
    ['Eastern', `'Eastern' is not an IANA time zone name. ${generic}`],
  ])('%j', (timeZone, problem) => {
    expect(rejections(timeZone)).toEqual([
      `deploymentWindow.timeZone: ${problem}`,
      `deploymentWindow.timeZone: ${problem}`,
      `DeploymentWindow.weekly() option 'timeZone': ${problem}`,
      `DeploymentWindow.weekly() option 'zone': ${problem}`,
    ]);
  });

  test('weekly() takes a name or a TimeZone, not both', () => {
    expect(() => DeploymentWindow.weekly({ startHour: 9, endHour: 16, timeZone: 'Europe/Berlin', zone: TimeZone.EUROPE_PARIS })).toThrow(
      "DeploymentWindow.weekly(): both 'timeZone' ('Europe/Berlin') and 'zone' ('Europe/Paris') are set. Set only one: 'zone' for a TimeZone, 'timeZone' for a name.",
    );
  });

  test('the cron expression is still checked first', () => {
    expect(() => DeploymentWindow.cron('* * 9-16 ?', 'Mars/Olympus')).toThrow("deploymentWindow: the cron expression '* * 9-16 ?' has 4 field(s)");
  });
});

describe('the TimeZone-typed API', () => {
  test('cronIn() renders the TimeZone name', () => {
    const window = DeploymentWindow.cronIn(` ${CRON}  `, TimeZone.ASIA_KOLKATA);
    expect([window.expression, window.timeZone]).toEqual([CRON, 'Asia/Kolkata']);
  });

  test.each([
    [{ zone: TimeZone.EUROPE_KYIV }, 'Europe/Kyiv'],
    [{ zone: TimeZone.ETC_UTC }, 'Etc/UTC'],
    [{ timeZone: 'Asia/Calcutta' }, 'Asia/Calcutta'],
    [{}, 'UTC'],
  ])('weekly(%j) renders %s', (zoneOptions, expected) => {
    expect(DeploymentWindow.weekly({ startHour: 6, endHour: 8, days: 'TUE', ...zoneOptions }).timeZone).toBe(expected);
  });

  test('the pipeline rule carries the TimeZone name', () => {
    const f = fixture();
    new DeliveryPipeline(f.stack, 'Delivery', referenceProps(f, {
      production: {
        deploymentWindow: DeploymentWindow.cronIn(CRON, TimeZone.ASIA_KOLKATA),
        waves: [
          { name: 'canary', stages: [f.production[0]] },
          { name: 'rest', stages: f.production.slice(1), deploymentWindow: DeploymentWindow.weekly({ startHour: 6, endHour: 8, zone: TimeZone.EUROPE_KYIV }) },
        ],
      },
    }));
    const stages = renderedStages(f.stack);
    const windowOf = (name: string) => stageNamed(stages, name).beforeEntry?.conditions[0].rules[0].configuration;
    expect(windowOf('Production-canary')).toEqual({ Cron: CRON, TimeZone: 'Asia/Kolkata' });
    expect(windowOf('Production-rest')).toEqual({ Cron: '* * 6-8 ? * MON-FRI', TimeZone: 'Europe/Kyiv' });
  });
});
