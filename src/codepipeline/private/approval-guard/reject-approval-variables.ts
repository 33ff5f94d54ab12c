/**
 * The contract between the `ApprovalGuard` construct, which writes the function's environment, and the
 * handler, which reads it. Dependency-free: the construct (synth time) and the bundled handler (run time)
 * both import it, so the names are never copied as literals.
 */

/** Environment variable: the stage whose pending approvals the handler may reject. */
export const STAGE_NAME_VARIABLE = 'STAGE_NAME';

/** Environment variable: the approval action names in that stage, comma-separated. */
export const APPROVAL_ACTION_NAMES_VARIABLE = 'APPROVAL_ACTION_NAMES';

/** Separator of `APPROVAL_ACTION_NAMES`. CodePipeline action names cannot contain it (`[A-Za-z0-9.@_-]+`). */
const SEPARATOR = ',';

/** Renders approval action names into the value of `APPROVAL_ACTION_NAMES`. */
export function encodeActionNames(names: readonly string[]): string {
  return names.join(SEPARATOR);
}

/** Parses `APPROVAL_ACTION_NAMES`: trims each name and drops empty entries. */
export function decodeActionNames(value: string): string[] {
  return value.split(SEPARATOR).map(name => name.trim()).filter(name => name.length > 0);
}
