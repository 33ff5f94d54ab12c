import { ValidationError } from './errors';
/**
 * The one quoting discipline for configuration values that reach a shell line (DESIGN.md: configuration values are
 * data, never code). Every value is (a) validated strictly at synthesis by the property that names it, and (b)
 * quoted with `shellQuote` wherever the library writes it into a command. Dependency-free, so the CodePipeline
 * backend and the pull-request checks share it without import cycles.
 *
 * Where a value reaches a shell through another library's rendering (CDK Pipelines links `additionalSources` into
 * `"<directory>"` in double quotes), that rendering is not ours to quote: the validation's character set is what
 * keeps the value inert there, and `test/shell-quoting.test.ts` runs that rendering too.
 */

/**
 * `value` as one POSIX shell word: wrapped in single quotes, each `'` written as `'\''`. Inside single quotes no
 * character is special (`$`, backticks, `"`, `\`, newlines, globs), so the shell passes the text through unchanged.
 *
 * A CDK token inside `value` is quoted as its placeholder text: pass only tokens whose deployed value cannot hold
 * a `'` (pseudo parameters such as the partition).
 */
export function shellQuote(value: string): string {
  if (typeof value !== 'string') {
    throw new ValidationError(`shellQuote: expected a string, got ${typeof value} (${String(value)}). This is a bug in cdk-delivery-pipelines: please report it.`);
  }
  if (value.includes('\0')) {
    throw new ValidationError(`shellQuote: ${JSON.stringify(value)} holds a NUL character, which no shell word can carry. This is a bug in cdk-delivery-pipelines (the value should have been refused at validation): please report it.`);
  }
  return `'${value.replace(/'/g, "'\\''")}'`;
}

/**
 * AWS region names of every partition: `us-east-1`, `eu-central-2`, `cn-north-1`, `us-gov-west-1`,
 * `us-iso-east-1`, `us-isob-east-1`, `eu-isoe-west-1`, `ap-southeast-7`, `eusc-de-east-1` (the European Sovereign Cloud).
 */
export const REGION_PATTERN = /^[a-z]{2,4}(-[a-z]+)+-\d{1,2}$/;

/** Throws unless `value` is a literal AWS region name; `property` names it in the message (`previews.region`). */
export function validateRegion(value: unknown, property: string): string {
  if (typeof value !== 'string' || !REGION_PATTERN.test(value)) {
    throw new ValidationError(`${property}: ${describe(value)} is not an AWS region name. Pass a region such as 'us-east-1', 'eu-west-2' or 'us-gov-west-1' (lowercase letters, hyphens and the region's number).`);
  }
  return value;
}

/**
 * Characters no shell treats specially inside single or double quotes, and all that ARNs, secret names, registry
 * hosts and JSON field names need.
 */
const INERT = /^[A-Za-z0-9/_+=.,@:-]+$/;

/**
 * Throws unless `value` is made of inert characters only. For values that reach a shell line through another
 * library's rendering, which we cannot quote (CDK Pipelines writes registry logins as `echo '<json>'`).
 */
export function validateInert(value: string, property: string, what: string): void {
  if (typeof value !== 'string' || !INERT.test(value)) {
    const bad = typeof value === 'string' ? unsafeCharacters(value, /[A-Za-z0-9/_+=.,@:-]/) : [];
    const why = bad.length > 0 ? `has the character${bad.length > 1 ? 's' : ''} ${bad.map(c => JSON.stringify(c)).join(', ')}, which` : 'is not a plain string, and';
    throw new ValidationError(`${property}: the ${what} ${describe(value)} ${why} would reach a shell command that CDK Pipelines writes unescaped (the registry login). Use letters, digits and / _ + = . , @ : - only.`);
  }
}

/** One path segment of a directory: letters, digits, `.`, `_`, `-`, not starting with `-` (it would read as an option). */
const SEGMENT = /^[A-Za-z0-9._][A-Za-z0-9._-]*$/;

/** The longest directory accepted (CodeBuild paths are far shorter in practice; Linux allows 4096). */
const MAX_DIRECTORY_LENGTH = 255;

/**
 * Throws unless `value` is a directory inside the working directory: relative, no `..`, segments of letters,
 * digits, `.`, `_` and `-` separated by `/` (an optional leading `./` and trailing `/` are allowed). Returns it
 * normalized (`./infra/` → `infra`). `example` completes the message (`'infra'`).
 */
export function validateRelativeDirectory(value: unknown, property: string, example: string): string {
  const fix = `Pass a relative path inside the source of letters, digits, '.', '_', '-' and '/', e.g. ${example}`;
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ValidationError(`${property}: ${describe(value)} names no directory. ${fix}.`);
  }
  if (value.startsWith('/')) {
    throw new ValidationError(`${property}: ${describe(value)} is an absolute path; the step can only use directories inside its source. ${fix}.`);
  }
  if (value.length > MAX_DIRECTORY_LENGTH) {
    throw new ValidationError(`${property}: ${describe(value)} has ${value.length} characters, more than ${MAX_DIRECTORY_LENGTH}. ${fix}.`);
  }
  const normalized = normalizeDirectory(value);
  const segments = normalized.split('/');
  if (segments.includes('..')) {
    throw new ValidationError(`${property}: ${describe(value)} leaves the source with '..'. ${fix}.`);
  }
  const bad = segments.find(s => !SEGMENT.test(s));
  if (bad !== undefined) {
    const why = bad === '' ? 'has an empty path segment (\'//\')'
      : bad.startsWith('-') ? `has the segment ${describe(bad)}, which starts with '-'`
        : `has the character${unsafeCharacters(bad).length > 1 ? 's' : ''} ${unsafeCharacters(bad).map(c => JSON.stringify(c)).join(', ')}`;
    throw new ValidationError(`${property}: ${describe(value)} ${why}. ${fix}.`);
  }
  return normalized;
}

/** `./infra/` → `infra`, `./` → `.`: the form a validated directory is used in. */
export function normalizeDirectory(value: string): string {
  return value.replace(/^\.\//, '').replace(/\/$/, '') || '.';
}

function unsafeCharacters(text: string, allowed = /[A-Za-z0-9._-]/): string[] {
  return [...new Set([...text].filter(c => !allowed.test(c)))];
}

/** A value for an error message: strings quoted (and escaped, so a newline shows as `\n`), others by type. */
function describe(value: unknown): string {
  if (typeof value === 'string') {
    const shown = /[\n\r\t\0]/.test(value) ? JSON.stringify(value) : `'${value}'`;
    return shown;
  }
  if (value === undefined || value === null) {
    return String(value);
  }
  return `${typeof value} ${JSON.stringify(value) ?? String(value)}`;
}
