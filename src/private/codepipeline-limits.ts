/**
 * CodePipeline's limits, in one place (the CodePipeline quotas page and the pipeline structure, action and rule
 * references). Dependency-free: the blueprint's layout, the construct's validation, the self-check, the approval
 * guard and the test helpers read them from here; no other module writes one of these numbers.
 */

/** Stages in one pipeline. */
export const MAX_STAGES = 50;

/** Actions in one stage. CDK Pipelines splits a stage with more into `<stage>.1 … <stage>.N`. */
export const MAX_ACTIONS_PER_STAGE = 50;

/** Conditions in one `beforeEntry`, `onSuccess` or `onFailure` block: exactly one. */
export const MAX_CONDITIONS_PER_BLOCK = 1;

/** Rules in one condition (at least one). */
export const MAX_RULES_PER_CONDITION = 5;

/** Characters of a pipeline, stage, action or rule name. */
export const MAX_NAME_LENGTH = 100;

/** A pipeline, stage, action or rule name: 1 to {@link MAX_NAME_LENGTH} letters, digits, `.`, `@`, `-` or `_`. */
export const NAME_PATTERN = /^[A-Za-z0-9.@\-_]{1,100}$/;

/** Characters of one value of an action's configuration (a manual approval's `CustomData`, `ExternalEntityLink`). */
export const MAX_ACTION_CONFIGURATION_VALUE = 1000;

/** Commands of a `Commands` rule. */
export const MAX_RULE_COMMANDS = 50;

/** Characters of one command of a `Commands` rule. */
export const MAX_RULE_COMMAND_LENGTH = 1000;

/** Characters of a `LambdaInvoke` rule's `UserParameters`. */
export const MAX_RULE_USER_PARAMETERS = 1000;

/** Variables declared on a V2 pipeline. */
export const MAX_VARIABLES = 50;

/** A pipeline variable's name: 1 to 128 letters, digits, `@`, `-` or `_`. */
export const VARIABLE_NAME_PATTERN = /^[A-Za-z0-9@_-]{1,128}$/;

/** Characters of a pipeline variable's default value. */
export const MAX_VARIABLE_DEFAULT = 1000;

/** Characters of a pipeline variable's description. */
export const MAX_VARIABLE_DESCRIPTION = 200;

/** Include or exclude patterns of one git trigger filter criterion (branches, tags, file paths). */
export const MAX_TRIGGER_PATTERNS = 8;

/** Characters of one git trigger filter pattern. */
export const MAX_TRIGGER_PATTERN_LENGTH = 255;

/** Push (or pull-request) filters of one git trigger. */
export const MAX_TRIGGER_FILTERS = 3;
