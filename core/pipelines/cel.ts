/**
 * A task's `triggerPolicy.condition`: the CEL expression the KFP SDK writes for `dsl.If`, `dsl.Elif`
 * and `dsl.Else` (and the older `dsl.Condition`), evaluated as KFP's driver does
 * (backend/src/v2/expression/expression.go, cel-go): over the task's `inputs.parameter_values`, to a
 * bool that says whether the task runs.
 *
 * The SDK's compiler (pipeline_spec_builder.py, `_single_binary_operation_to_cel_condition`) writes
 * `inputs.parameter_values['pipelinechannel--x']`, wrapped in `int(...)` for an integer channel and
 * in `double(...)` when an integer meets a float, compared with `== != < <= > >=` to a literal (a
 * quoted string, `true`/`false`, a number as Python prints it) or to another channel; several
 * comparisons are joined by ` && `, and an Else or Elif negates its earlier branches with `!(...)`.
 * The evaluation is @marcbachmann/cel-js's, a CEL implementation that reads all of that and more, so
 * a hand-written condition outside the SDK's subset is read too.
 *
 * CEL's semantics are kept, not softened: a parameter value is a protobuf Value, so every number is a
 * double (`int()` truncates it; `int('7')` parses); `==` between values of different kinds is false,
 * but ordering them (`'a' < 1`) is an error; a missing parameter is an error ("No such key"), not
 * false; `&&` and `||` absorb an error when the other side decides (`false && error` is false). An
 * error is a value naming the expression and where in it the fault is, which the caller turns into
 * a failed task, as KFP's driver fails it. Known gaps of the library against cel-go, none reachable
 * from what the SDK writes: `int()` of a double beyond int64 does not fail, and `string()` of a
 * double and string ordering across the astral planes differ in corner cases.
 */
import { Environment, type ParseResult } from '@marcbachmann/cel-js';
import type { Result } from '../result.js';
import type { JsonValue } from './ir.js';

/**
 * A parsed, type-checked condition. `text` is the expression as written; the program inside is the
 * library's and is read only through `evaluateCondition`.
 */
export interface Condition {
  readonly text: string;
  /** CEL's static type of the expression: `bool`, or `dyn` when it depends on a parameter's value. */
  readonly resultType: string;
  readonly program: ParseResult;
}

export type CelIssueKind = 'syntax' | 'type' | 'evaluation';

/** What went wrong with a condition, where (offsets into `expression`, 0-based) and why. */
export interface CelIssue {
  readonly kind: CelIssueKind;
  readonly expression: string;
  readonly message: string;
  /** Offset of the faulty part in `expression`, when known. */
  readonly start?: number;
  readonly end?: number;
}

/**
 * The variables a condition sees, as KFP declares them: `inputs` (of ExecutorInput) with its
 * `parameter_values`, each a protobuf Value, hence `dyn`. `inputs.artifacts` is not given: the SDK
 * never writes it in a condition, and an access to it is a "No such key" error at evaluation.
 */
const environment = new Environment().registerVariable('inputs', 'map<string, map<string, dyn>>');

/** Parse and type-check a condition; a syntax or type error names its position. */
export function parseCondition(text: string): Result<Condition, CelIssue> {
  let program: ParseResult;
  try {
    program = environment.parse(text);
  } catch (error) {
    return { ok: false, ...issueOf('syntax', text, error) };
  }
  const checked = program.check();
  if (!checked.valid) return { ok: false, ...issueOf('type', text, checked.error) };
  const resultType = checked.type ?? 'dyn';
  // cel-go compiles a condition of any type and fails it at evaluation ("return type is not bool");
  // one that can never be a bool is refused when read, so that a pipeline is refused at upload.
  if (resultType !== 'bool' && resultType !== 'dyn') {
    return {
      ok: false,
      kind: 'type',
      expression: text,
      message: `a condition must be a bool, but \`${text}\` is ${article(resultType)} ${resultType}`,
      start: 0,
      end: text.length,
    };
  }
  return { ok: true, value: { text, resultType, program } };
}

/**
 * Evaluate a condition over a task's input parameter values (`inputs.parameter_values`). True runs the
 * task, false skips it; an error (a missing parameter, a comparison CEL has no overload for, a value
 * `int()` cannot convert, a result that is not a bool) is a value.
 */
export function evaluateCondition(
  condition: Condition,
  parameterValues: Readonly<Record<string, JsonValue>>,
): Result<boolean, CelIssue> {
  let result: unknown;
  try {
    result = condition.program({ inputs: { parameter_values: parameterValues } });
  } catch (error) {
    return { ok: false, ...issueOf('evaluation', condition.text, error) };
  }
  if (typeof result !== 'boolean') {
    return {
      ok: false,
      kind: 'evaluation',
      expression: condition.text,
      message: `a condition must be a bool, but \`${condition.text}\` gave ${describe(result)}`,
    };
  }
  return { ok: true, value: result };
}

/** Parse and evaluate in one step, for a condition read once. */
export function checkCondition(text: string, parameterValues: Readonly<Record<string, JsonValue>>): Result<boolean, CelIssue> {
  const parsed = parseCondition(text);
  return parsed.ok ? evaluateCondition(parsed.value, parameterValues) : parsed;
}

/**
 * The parameter names a condition reads as `inputs.parameter_values['name']` (or `["name"]`), in the
 * order they first appear: what a task must have resolved before its condition can be evaluated.
 */
export function referencedParameters(condition: Condition): string[] {
  const names: string[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(visit);
      return;
    }
    if (!isAstNode(node)) return;
    if (node.op === '[]' && Array.isArray(node.args)) {
      const [target, key] = node.args as unknown[];
      if (isParameterValuesSelect(target) && isAstNode(key) && key.op === 'value' && typeof key.args === 'string') {
        if (!names.includes(key.args)) names.push(key.args);
      }
    }
    visit(node.args);
  };
  visit(condition.program.ast);
  return names;
}

interface AstNodeLike {
  readonly op: string;
  readonly args: unknown;
}

function isAstNode(node: unknown): node is AstNodeLike {
  return typeof node === 'object' && node !== null && typeof (node as { op?: unknown }).op === 'string' && 'args' in node;
}

/** `inputs.parameter_values` (the library writes a field selection as `.` with [target, field]). */
function isParameterValuesSelect(node: unknown): boolean {
  if (!isAstNode(node) || node.op !== '.' || !Array.isArray(node.args)) return false;
  const [target, field] = node.args as unknown[];
  return field === 'parameter_values' && isAstNode(target) && target.op === 'id' && target.args === 'inputs';
}

/** The library throws its errors with a one-line `summary` and the faulty range. */
function issueOf(kind: CelIssueKind, expression: string, error: unknown): CelIssue {
  const summary = errorSummary(error);
  const range = errorRange(error);
  const where = range === undefined ? '' : ` at column ${range.start + 1}`;
  return {
    kind,
    expression,
    message: `${kind === 'evaluation' ? 'evaluation error' : `${kind} error`}${where} in \`${expression}\`: ${summary}`,
    ...(range === undefined ? {} : { start: range.start, end: range.end }),
  };
}

function errorSummary(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const summary = (error as { summary?: unknown }).summary;
    if (typeof summary === 'string') return summary;
    const message = (error as { message?: unknown }).message;
    if (typeof message === 'string') return message.split('\n')[0] ?? message;
  }
  return String(error);
}

function errorRange(error: unknown): { start: number; end: number } | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const range = (error as { range?: unknown }).range;
  if (typeof range !== 'object' || range === null) return undefined;
  const { start, end } = range as { start?: unknown; end?: unknown };
  if (typeof start !== 'number') return undefined;
  return { start, end: typeof end === 'number' ? end : start };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'bigint') return `the int ${value}`;
  if (typeof value === 'number') return `the double ${value}`;
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  if (Array.isArray(value)) return 'a list';
  return `a ${typeof value}`;
}

function article(word: string): string {
  return /^[aeiou]/.test(word) ? 'an' : 'a';
}
