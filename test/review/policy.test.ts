import { ChangeClass, ChangeReviewPolicy, ReviewOutcome } from '../../src';
import { CHANGE_SET_CLASSES, CLASSES, OUTCOMES } from '../../src/review/private/review-contract';
import { errorOf } from '../fixtures/app';

describe('ChangeReviewPolicy', () => {
  test('defaults: stateful replacement and security broadening hold, a removed stack continues', () => {
    const policy = ChangeReviewPolicy.defaults();
    expect([policy.statefulReplacement, policy.securityBroadening, policy.stackRemoval])
      .toEqual([ReviewOutcome.HOLD, ReviewOutcome.HOLD, ReviewOutcome.CONTINUE]);
    expect(policy.continuesAlways).toBe(false);
  });

  test('of(): each class given is used, the others keep their default', () => {
    const policy = ChangeReviewPolicy.of({ stackRemoval: ReviewOutcome.FAIL });
    expect(policy.outcomeFor(ChangeClass.STACK_REMOVAL)).toBe(ReviewOutcome.FAIL);
    expect(policy.outcomeFor(ChangeClass.STATEFUL_REPLACEMENT)).toBe(ReviewOutcome.HOLD);
    expect(policy.outcomeFor(ChangeClass.SECURITY_BROADENING)).toBe(ReviewOutcome.HOLD);
    const all = ChangeReviewPolicy.of({
      statefulReplacement: ReviewOutcome.CONTINUE,
      securityBroadening: ReviewOutcome.CONTINUE,
      stackRemoval: ReviewOutcome.CONTINUE,
    });
    expect(all.continuesAlways).toBe(true);
  });

  test.each([
    [{ statefulReplacement: 'hold' }, /ChangeReviewPolicy\.of\(options\)\.statefulReplacement.*'hold'.*ReviewOutcome/],
    [{ securityBroadening: true }, /ChangeReviewPolicy\.of\(options\)\.securityBroadening.*true.*ReviewOutcome/],
    [{ stackRemoval: 2 }, /ChangeReviewPolicy\.of\(options\)\.stackRemoval.*2.*ReviewOutcome/],
  ])('untyped callers: %j is refused, naming the property, the value and the type expected', (options, message) => {
    expect(errorOf(() => ChangeReviewPolicy.of(options as never))).toMatch(message);
  });

  test('untyped callers: no options, or a class that does not exist', () => {
    expect(errorOf(() => ChangeReviewPolicy.of(undefined as never))).toMatch(/ChangeReviewPolicy\.of\(options\).*required/);
    expect(errorOf(() => ChangeReviewPolicy.defaults().outcomeFor('DATA' as never))).toMatch(/ChangeReviewPolicy\.outcomeFor\(changeClass\).*'DATA'.*ChangeClass/);
  });

  test('the public enums and the handler\'s contract have the same values (the construct passes them through)', () => {
    expect(Object.values(ReviewOutcome)).toEqual([...OUTCOMES]);
    expect(Object.values(ChangeClass)).toEqual([...CLASSES]);
    expect(CLASSES.filter(c => !CHANGE_SET_CLASSES.includes(c as never))).toEqual(['LARGE_RELEASE']);
  });
});

describe('ChangeReviewPolicy: release size', () => {
  test('defaults: no limit; a large release would hold', () => {
    const policy = ChangeReviewPolicy.defaults();
    expect(policy.maxReleaseRevisions).toBeUndefined();
    expect(policy.largeRelease).toBe(ReviewOutcome.HOLD);
    expect(policy.outcomeFor(ChangeClass.LARGE_RELEASE)).toBe(ReviewOutcome.HOLD);
  });

  test('of(): the limit and the outcome given are kept; the outcome defaults to HOLD', () => {
    expect(ChangeReviewPolicy.of({ maxReleaseRevisions: 20 })).toMatchObject({ maxReleaseRevisions: 20, largeRelease: ReviewOutcome.HOLD });
    const failing = ChangeReviewPolicy.of({ maxReleaseRevisions: 1, largeRelease: ReviewOutcome.FAIL });
    expect([failing.maxReleaseRevisions, failing.outcomeFor(ChangeClass.LARGE_RELEASE)]).toEqual([1, ReviewOutcome.FAIL]);
  });

  const everyClassContinues = {
    statefulReplacement: ReviewOutcome.CONTINUE,
    securityBroadening: ReviewOutcome.CONTINUE,
    stackRemoval: ReviewOutcome.CONTINUE,
  };
  test.each([
    ['no limit', everyClassContinues, true],
    ['a limit whose large release continues', { ...everyClassContinues, maxReleaseRevisions: 20, largeRelease: ReviewOutcome.CONTINUE }, true],
    ['a limit whose large release holds (the default)', { ...everyClassContinues, maxReleaseRevisions: 20 }, false],
    ['a limit whose large release fails', { ...everyClassContinues, maxReleaseRevisions: 20, largeRelease: ReviewOutcome.FAIL }, false],
  ])('continuesAlways with every change-set class continuing and %s: %s', (_, options, expected) => {
    expect(ChangeReviewPolicy.of(options).continuesAlways).toBe(expected);
  });

  const fix = 'Pass the most new source revisions a release may carry without a person, e.g. 20, or leave it out for no limit.';
  test.each<[string, unknown, string]>([
    ['zero', 0, '0'],
    ['a negative number', -5, '-5'],
    ['a fraction', 1.5, '1.5'],
    ['infinity', Number.POSITIVE_INFINITY, 'Infinity'],
    // Untyped callers (JavaScript, a JSON config, other languages through jsii).
    ['a string', '20', "'20'"],
    ['NaN', Number.NaN, 'NaN'],
    ['a boolean', true, 'true'],
  ])('refuses %s as maxReleaseRevisions, naming the property, the value and the fix', (_, value, shown) => {
    expect(errorOf(() => ChangeReviewPolicy.of({ maxReleaseRevisions: value as number }))).toBe(
      `ChangeReviewPolicy.of(options).maxReleaseRevisions: ${shown} is not a whole number of at least 1. ${fix}`);
  });

  test('whole numbers of at least 1 are accepted; null is no limit, as for every optional property', () => {
    expect([1, 20, 1000].map(n => ChangeReviewPolicy.of({ maxReleaseRevisions: n }).maxReleaseRevisions)).toEqual([1, 20, 1000]);
    expect(ChangeReviewPolicy.of({ maxReleaseRevisions: null as never }).maxReleaseRevisions).toBeUndefined();
  });

  test('untyped callers: a large-release outcome that is not a ReviewOutcome', () => {
    expect(errorOf(() => ChangeReviewPolicy.of({ maxReleaseRevisions: 20, largeRelease: 'hold' as never })))
      .toMatch(/^ChangeReviewPolicy\.of\(options\)\.largeRelease: 'hold' is not .*ReviewOutcome/);
  });

  test('a large-release outcome without a limit is refused (it would never apply)', () => {
    expect(errorOf(() => ChangeReviewPolicy.of({ largeRelease: ReviewOutcome.FAIL }))).toBe(
      "ChangeReviewPolicy.of(options).largeRelease: 'FAIL' is given without maxReleaseRevisions, so it would never apply. "
      + 'Set maxReleaseRevisions (e.g. 20) too, or leave largeRelease out.');
  });
});
