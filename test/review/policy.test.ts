import { ChangeClass, ChangeReviewPolicy, ReviewOutcome } from '../../src';
import { CLASSES, OUTCOMES } from '../../src/review/private/review-contract';
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
  });
});
