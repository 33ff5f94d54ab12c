/**
 * What the library's Lambda handlers (the approval guard, the delivery metrics) say about an event they cannot read.
 * Dependency-free: bundled into each handler.
 */

/** The event does not have the shape of an event the function's rules deliver. */
export class InvalidEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidEventError';
  }
}

/** A value of an event, for a message: JSON, at most 80 characters; `nothing` when it is missing. */
export function describeValue(value: unknown): string {
  if (value === undefined) {
    return 'nothing';
  }
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}
