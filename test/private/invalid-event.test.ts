import { describeValue, InvalidEventError } from '../../src/private/invalid-event';

/** What the bundled handlers (approval guard, delivery metrics) say about an event they cannot read. */

describe('describeValue', () => {
  test.each([
    ['a missing value', undefined, 'nothing'],
    ['null', null, 'null'],
    ['a short string', 'aws.s3', '"aws.s3"'],
    ['an object', { source: 'aws.s3' }, '{"source":"aws.s3"}'],
    ['a value JSON cannot write', Symbol('detail'), 'Symbol(detail)'],
  ])('%s is written whole (as JSON where it can be)', (_what, value, expected) => {
    expect(describeValue(value)).toBe(expected);
  });

  test('a value longer than 80 characters is cut after 80, with an ellipsis', () => {
    const long = 'x'.repeat(200);
    expect(describeValue(long)).toBe(`"${'x'.repeat(79)}…`);
    expect(describeValue('x'.repeat(78))).toBe(`"${'x'.repeat(78)}"`); // exactly 80 characters: whole
  });
});

test('InvalidEventError is an Error named for what it is', () => {
  const error = new InvalidEventError('Expected an EventBridge event object, got nothing.');
  expect(error).toBeInstanceOf(Error);
  expect(error.name).toBe('InvalidEventError');
  expect(error.message).toBe('Expected an EventBridge event object, got nothing.');
});
