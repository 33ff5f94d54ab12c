import { Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import {
  MAX_RULE_COMMAND_LENGTH as MAX_COMMAND_LENGTH, MAX_RULE_COMMANDS as MAX_COMMANDS, MAX_RULE_USER_PARAMETERS as MAX_USER_PARAMETERS,
} from '../private/codepipeline-limits';
import { ValidationError } from '../private/errors';
import { checkArguments } from '../private/props-check';

/**
 * How a `GateRule.variableCheck` compares the variable with the value.
 */
export enum VariableCheckOperator {
  /** The variable equals the value. */
  EQUALS = 'EQ',
  /** The variable differs from the value. */
  NOT_EQUALS = 'NE',
  /** The variable contains the value. */
  CONTAINS = 'CONTAINS',
  /** The variable matches the value, a regular expression. */
  MATCHES = 'MATCHES',
}

/** The kinds of gate rule the library renders (CodePipeline rule providers). */
export enum GateRuleKind {
  /** A CloudWatch alarm must not be in ALARM (`CloudWatchAlarm`). */
  NO_ALARM = 'CloudWatchAlarm',
  /** A Lambda function decides (`LambdaInvoke`). */
  LAMBDA = 'LambdaInvoke',
  /** A pipeline variable must compare as configured (`VariableCheck`). */
  VARIABLE_CHECK = 'VariableCheck',
  /** Shell commands must succeed on the source (`Commands`). */
  COMMANDS = 'Commands',
}

/**
 * Options of a `GateRule.lambda`.
 */
export interface LambdaGateOptions {
  /**
   * Input for the function (the rule's `UserParameters`).
   *
   * @default - none
   */
  readonly userParameters?: string;
}

/**
 * A CodePipeline V2 rule that must pass before a stage is entered (a `beforeEntry` condition, result FAIL): the
 * stage is not entered, and the execution fails at that stage, when the rule fails. Create one with a static
 * factory; pass it in an environment's `gates`.
 *
 * A stage holds one `beforeEntry` condition of at most 5 rules, shared with the deployment window: synthesis fails
 * when an environment asks for more.
 */
export abstract class GateRule {
  /**
   * Do not enter while the alarm is in ALARM ("do not deploy into an environment that is already alarming").
   *
   * The alarm must be in the pipeline's account (the rule reads it with the pipeline's role); any region. The
   * pipeline's role may describe exactly this alarm.
   */
  public static noAlarm(alarm: cloudwatch.IAlarm): GateRule {
    checkArguments('GateRule.noAlarm', [alarm]);
    if (alarm === undefined || alarm === null) {
      throw new ValidationError('GateRule.noAlarm: the alarm is missing. Pass the cloudwatch.IAlarm that must not be in ALARM when the stage is entered.');
    }
    return new ResolvedGateRule(GateRuleKind.NO_ALARM, 'NoAlarm', { alarm });
  }

  /**
   * Invoke a Lambda function that decides whether the stage may be entered (CodePipeline's `LambdaInvoke` rule).
   * The pipeline's role may invoke exactly this function.
   *
   * The function must be in the pipeline's account (the rule names it, and the pipeline's role invokes it there);
   * a function in another region is invoked in its region (the rule's region).
   */
  public static lambda(fn: lambda.IFunction, options: LambdaGateOptions = {}): GateRule {
    checkArguments('GateRule.lambda', [fn, options]);
    if (fn === undefined || fn === null) {
      throw new ValidationError('GateRule.lambda: the function is missing. Pass the lambda.IFunction that decides whether the stage may be entered.');
    }
    const parameters = options.userParameters;
    if (parameters !== undefined && !Token.isUnresolved(parameters) && (parameters.length === 0 || parameters.length > MAX_USER_PARAMETERS)) {
      throw new ValidationError(`GateRule.lambda: userParameters has ${parameters.length} characters; CodePipeline accepts 1 to ${MAX_USER_PARAMETERS}. Shorten it, or leave it out.`);
    }
    return new ResolvedGateRule(GateRuleKind.LAMBDA, 'Lambda', { fn, userParameters: parameters });
  }

  /**
   * Enter only when a pipeline variable compares as given, e.g.
   * `GateRule.variableCheck('#{variables.RELEASE_KIND}', VariableCheckOperator.NOT_EQUALS, 'hotfix-only')`.
   *
   * A `#{variables.NAME}` reference must name a variable declared in the pipeline's `variables`.
   */
  public static variableCheck(variable: string, operator: VariableCheckOperator, value: string): GateRule {
    checkArguments('GateRule.variableCheck', [variable, operator, value]);
    if (typeof variable !== 'string' || !VARIABLE_REFERENCE.test(variable)) {
      throw new ValidationError(`GateRule.variableCheck: the variable '${String(variable)}' is not a variable reference. Pass it as '#{namespace.name}', e.g. '#{variables.RELEASE_KIND}' for a pipeline variable.`);
    }
    if (!Object.values(VariableCheckOperator).includes(operator)) {
      throw new ValidationError(`GateRule.variableCheck: the operator '${String(operator)}' is not one of ${Object.values(VariableCheckOperator).join(', ')}. Use a VariableCheckOperator.`);
    }
    if (typeof value !== 'string' || value.length === 0) {
      throw new ValidationError(`GateRule.variableCheck: the value for ${variable} is empty. Pass the value to compare with.`);
    }
    return new ResolvedGateRule(GateRuleKind.VARIABLE_CHECK, 'VariableCheck', { variable, operator, value });
  }

  /**
   * Run shell commands on the source revision being released; enter only when they succeed (CodePipeline's
   * `Commands` rule, which runs on CodeBuild compute managed by CodePipeline and logs to
   * `/aws/codepipeline/<pipelineName>`; the pipeline needs an explicit `pipelineName`).
   */
  public static commands(commands: string[]): GateRule {
    checkArguments('GateRule.commands', [commands]);
    if (!Array.isArray(commands) || commands.length === 0) {
      throw new ValidationError('GateRule.commands: the list of commands is empty. Pass the commands that must succeed before the stage is entered.');
    }
    if (commands.length > MAX_COMMANDS) {
      throw new ValidationError(`GateRule.commands: ${commands.length} commands; a Commands rule runs at most ${MAX_COMMANDS}. Move them into a script in the repository and run that.`);
    }
    commands.forEach((command, i) => {
      if (typeof command !== 'string' || command.trim() === '') {
        throw new ValidationError(`GateRule.commands: commands[${i}] is empty. Remove it or give the command.`);
      }
      if (/[\r\n]/.test(command)) {
        throw new ValidationError(`GateRule.commands: commands[${i}] spans several lines; a Commands rule runs single-line commands only. Split it into one command per line of the list, or move it into a script.`);
      }
      if (command.length > MAX_COMMAND_LENGTH) {
        throw new ValidationError(`GateRule.commands: commands[${i}] has ${command.length} characters; a Commands rule accepts at most ${MAX_COMMAND_LENGTH} per command. Move it into a script in the repository.`);
      }
    });
    return new ResolvedGateRule(GateRuleKind.COMMANDS, 'Commands', { commands: [...commands] });
  }

  /** What the rule checks. */
  public abstract readonly kind: GateRuleKind;

  /** Suffix of the rule's name in the stage (`<stage>-<suffix><n>`). */
  public abstract readonly nameSuffix: string;

  /** @internal */
  public abstract readonly _settings: GateRuleSettings;
}

/** `#{namespace.name}`: a CodePipeline variable reference. */
const VARIABLE_REFERENCE = /^#\{[A-Za-z0-9@_-]+\.[A-Za-z0-9@_-]+\}$/;

/** What a gate rule needs to be rendered (read by the CodePipeline backend; not public API). */
export interface GateRuleSettings {
  readonly alarm?: cloudwatch.IAlarm;
  readonly fn?: lambda.IFunction;
  readonly userParameters?: string;
  readonly variable?: string;
  readonly operator?: VariableCheckOperator;
  readonly value?: string;
  readonly commands?: string[];
}

class ResolvedGateRule extends GateRule {
  constructor(
    public readonly kind: GateRuleKind,
    public readonly nameSuffix: string,
    public readonly _settings: GateRuleSettings,
  ) {
    super();
  }
}
