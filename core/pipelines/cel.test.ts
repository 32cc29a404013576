import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type CelIssue, type Condition, checkCondition, evaluateCondition, parseCondition, referencedParameters } from './cel.js';
import type { JsonValue } from './ir.js';

const FIXTURES = new URL('./fixtures/kfp/', import.meta.url);

/** Every `triggerPolicy.condition` of a compiled pipeline, with the DAG component and the task it guards. */
function conditionsOf(file: string): { component: string; task: string; condition: string }[] {
  // biome-ignore lint/suspicious/noExplicitAny: a compiled pipeline read as plain YAML
  const spec: any = parse(readFileSync(new URL(file, FIXTURES), 'utf8'));
  // biome-ignore lint/suspicious/noExplicitAny: as above
  const dags: [string, any][] = [['root', spec.root], ...Object.entries<any>(spec.components ?? {})];
  return dags.flatMap(([component, body]) =>
    Object.entries<{ triggerPolicy?: { condition?: string } }>(body?.dag?.tasks ?? {}).flatMap(([task, t]) =>
      t.triggerPolicy?.condition === undefined ? [] : [{ component, task, condition: t.triggerPolicy.condition }],
    ),
  );
}

const compiledFiles = readdirSync(FIXTURES).filter((f) => f.endsWith('.yaml'));
const allConditions = compiledFiles.flatMap((file) => conditionsOf(file).map((c) => ({ file, ...c })));

function parsed(text: string): Condition {
  const r = parseCondition(text);
  if (!r.ok) throw new Error(r.message);
  return r.value;
}

function evaluate(text: string, values: Record<string, JsonValue>): boolean {
  const r = checkCondition(text, values);
  if (!r.ok) throw new Error(r.message);
  return r.value;
}

function failure(text: string, values: Record<string, JsonValue> = {}): CelIssue {
  const r = checkCondition(text, values);
  if (r.ok) throw new Error(`expected \`${text}\` to fail, it gave ${r.value}`);
  return r;
}

/** The one condition of a sample's DAG component guarding a task. */
function conditionFor(file: string, component: string, task: string): string {
  const found = conditionsOf(file).find((c) => c.component === component && c.task === task);
  if (!found) throw new Error(`no condition for ${component}/${task} in ${file}`);
  return found.condition;
}

describe('the conditions of the compiled samples', () => {
  it('are all found (the samples use conditions in two files)', () => {
    expect(allConditions.filter((c) => c.file === 'critical_flip_coin.yaml')).toHaveLength(6);
    expect(allConditions.filter((c) => c.file === 'if_elif_else_complex.yaml')).toHaveLength(10);
  });

  it.each(allConditions.map((c) => [`${c.file} ${c.component}/${c.task}`, c.condition] as const))(
    '%s parses to a bool condition',
    (_, text) => {
      const condition = parsed(text);
      expect(condition.text).toBe(text);
      expect(condition.resultType).toBe('bool');
      expect(referencedParameters(condition).every((name) => name.startsWith('pipelinechannel--'))).toBe(true);
    },
  );

  it('name the parameters they read, once each', () => {
    const text = conditionFor('if_elif_else_complex.yaml', 'comp-condition-branches-4', 'condition-13');
    expect(text).toContain('!(int(');
    expect(referencedParameters(parsed(text))).toEqual(['pipelinechannel--int-0-to-9999-Output']);
    expect(referencedParameters(parsed(`inputs.parameter_values["b"] == 1 || inputs.parameter_values['a'] == 2`))).toEqual([
      'b',
      'a',
    ]);
  });
});

describe('flip coin', () => {
  const file = 'critical_flip_coin.yaml';
  const heads = conditionFor(file, 'root', 'condition-1');
  const tails = conditionFor(file, 'root', 'condition-4');
  const above5 = conditionFor(file, 'comp-condition-1', 'condition-2');
  const upTo5 = conditionFor(file, 'comp-condition-1', 'condition-3');
  const above15 = conditionFor(file, 'comp-condition-4', 'condition-5');
  const upTo15 = conditionFor(file, 'comp-condition-4', 'condition-6');

  it('reads the conditions as the SDK wrote them', () => {
    expect(heads).toBe("inputs.parameter_values['pipelinechannel--flip-coin-Output'] == 'heads'");
    expect(above5).toBe("int(inputs.parameter_values['pipelinechannel--random-num-Output']) > 5");
    expect(upTo15).toBe("int(inputs.parameter_values['pipelinechannel--random-num-2-Output']) <= 15");
  });

  it.each([
    ['heads', true, false],
    ['tails', false, true],
    ['edge', false, false],
  ])('the coin shows %s: heads %s, tails %s', (coin, h, t) => {
    const values = { 'pipelinechannel--flip-coin-Output': coin };
    expect(evaluate(heads, values)).toBe(h);
    expect(evaluate(tails, values)).toBe(t);
  });

  // A random number is an integer output: a protobuf number (a double), which int() truncates.
  it.each([
    [0, false, true],
    [5, false, true],
    [5.9, false, true],
    [6, true, false],
    [9, true, false],
  ])('random-num is %s: above 5 %s, up to 5 %s', (n, above, upTo) => {
    const values = { 'pipelinechannel--random-num-Output': n };
    expect(evaluate(above5, values)).toBe(above);
    expect(evaluate(upTo5, values)).toBe(upTo);
  });

  it.each([
    [10, false, true],
    [15, false, true],
    [16, true, false],
    [20, true, false],
  ])('random-num-2 is %s: above 15 %s, up to 15 %s', (n, above, upTo) => {
    const values = { 'pipelinechannel--random-num-2-Output': n };
    expect(evaluate(above15, values)).toBe(above);
    expect(evaluate(upTo15, values)).toBe(upTo);
  });

  it('takes an integer written as a string, as int() parses it', () => {
    expect(evaluate(above5, { 'pipelinechannel--random-num-Output': '7' })).toBe(true);
    expect(failure(above5, { 'pipelinechannel--random-num-Output': 'seven' }).kind).toBe('evaluation');
  });

  it('fails, naming the expression, when the parameter is missing', () => {
    const issue = failure(heads, { other: 'heads' });
    expect(issue.kind).toBe('evaluation');
    expect(issue.expression).toBe(heads);
    expect(issue.message).toContain('No such key');
    expect(issue.message).toContain(heads);
  });
});

describe('if / elif / else', () => {
  const file = 'if_elif_else_complex.yaml';
  const branches = {
    below: conditionFor(file, 'comp-condition-branches-4', 'condition-8'),
    above: conditionFor(file, 'comp-condition-branches-4', 'condition-9'),
    equal: conditionFor(file, 'comp-condition-branches-4', 'condition-13'),
  };

  it('reads the Else branches with their negations', () => {
    expect(branches.below).toBe("int(inputs.parameter_values['pipelinechannel--int-0-to-9999-Output']) < 5000");
    expect(branches.above).toBe(
      "!(int(inputs.parameter_values['pipelinechannel--int-0-to-9999-Output']) < 5000) && int(inputs.parameter_values['pipelinechannel--int-0-to-9999-Output']) > 5000",
    );
    expect(branches.equal).toBe(
      "!(int(inputs.parameter_values['pipelinechannel--int-0-to-9999-Output']) < 5000) && !(int(inputs.parameter_values['pipelinechannel--int-0-to-9999-Output']) > 5000)",
    );
  });

  it.each([
    [0, 'below'],
    [4999, 'below'],
    [5000, 'equal'],
    [5001, 'above'],
    [9999, 'above'],
  ])('int-0-to-9999 gives %s: exactly the %s branch runs', (n, expected) => {
    const values = { 'pipelinechannel--int-0-to-9999-Output': n };
    const taken = Object.entries(branches)
      .filter(([, text]) => evaluate(text, values))
      .map(([name]) => name);
    expect(taken).toEqual([expected]);
  });

  it.each([
    ['comp-condition-branches-5', 'condition-6', 'condition-7'],
    ['comp-condition-branches-10', 'condition-11', 'condition-12'],
  ])('%s: even takes the If (%s), odd the Else (%s)', (component, ifTask, elseTask) => {
    const ifText = conditionFor(file, component, ifTask);
    const elseText = conditionFor(file, component, elseTask);
    expect(elseText).toBe(`!(${ifText})`);
    const [parameter] = referencedParameters(parsed(ifText));
    for (const [value, even] of [
      ['even', true],
      ['odd', false],
    ] as const) {
      expect(evaluate(ifText, { [parameter!]: value })).toBe(even);
      expect(evaluate(elseText, { [parameter!]: value })).toBe(!even);
    }
  });

  it('compares booleans with true', () => {
    const lucky = allConditions.find((c) => c.condition.includes('repeat_if_lucky_number'))!.condition;
    const drumroll = allConditions.find((c) => c.condition.includes('add_drumroll'))!.condition;
    expect(lucky).toBe("inputs.parameter_values['pipelinechannel--repeat_if_lucky_number'] == true");
    expect(evaluate(lucky, { 'pipelinechannel--repeat_if_lucky_number': true })).toBe(true);
    expect(evaluate(lucky, { 'pipelinechannel--repeat_if_lucky_number': false })).toBe(false);
    // A string is not the bool true: CEL's equality across kinds is false, not an error.
    expect(evaluate(drumroll, { 'pipelinechannel--add_drumroll': 'true' })).toBe(false);
    expect(evaluate(drumroll, { 'pipelinechannel--add_drumroll': true })).toBe(true);
  });

  it('selects the loop item 3', () => {
    const item = allConditions.find((c) => c.condition.includes('trials-loop-item'))!.condition;
    const runs = [1, 2, 3, 4].filter((n) => evaluate(item, { 'pipelinechannel--trials-loop-item': n }));
    expect(runs).toEqual([3]);
  });
});

describe('CEL semantics', () => {
  const p = (name: string) => `inputs.parameter_values['${name}']`;

  it.each<[string, Record<string, JsonValue>, boolean]>([
    // int() truncates toward zero, parses decimal strings
    [`int(${p('x')}) == 7`, { x: 7.9 }, true],
    [`int(${p('x')}) == -7`, { x: -7.9 }, true],
    [`int(${p('x')}) == 7`, { x: '7' }, true],
    [`int(${p('x')}) == -7`, { x: '-7' }, true],
    // numbers are doubles; int and double literals compare with them by value
    [`${p('x')} == 1`, { x: 1 }, true],
    [`${p('x')} == 1.0`, { x: 1 }, true],
    [`${p('x')} < 2`, { x: 1.5 }, true],
    [`${p('x')} >= 1e-05`, { x: 0.5 }, true],
    [`${p('x')} > -5`, { x: -3 }, true],
    [`double(${p('x')}) == 2.5`, { x: '2.5' }, true],
    [`double(int(${p('x')})) < 3.5`, { x: 3 }, true],
    [`string(${p('x')}) == '3'`, { x: 3 }, true],
    // strings: both quotes, escapes, lexicographic order
    [`${p('x')} == "it's"`, { x: "it's" }, true],
    [`${p('x')} == 'say \\"hi\\"'`, { x: 'say "hi"' }, true],
    [`${p('x')} == 'a\\nb'`, { x: 'a\nb' }, true],
    [`${p('x')} == '\\u00e9t\\xe9'`, { x: 'été' }, true],
    [`${p('x')} < 'b'`, { x: 'a' }, true],
    [`${p('x')} != 'b'`, { x: 'a' }, true],
    [`inputs.parameter_values["x"] == "a"`, { x: 'a' }, true],
    // kinds that differ are unequal, not an error
    [`${p('x')} == 'heads'`, { x: 1 }, false],
    [`${p('x')} != 'heads'`, { x: 1 }, true],
    [`${p('x')} == null`, { x: null }, true],
    [`${p('x')} == true`, { x: 'true' }, false],
    // booleans, negation, parentheses, precedence (&& binds tighter than ||)
    [`${p('x')}`, { x: true }, true],
    [`!${p('x')}`, { x: true }, false],
    [`!(${p('x')} == 1) || ${p('y')} == 2 && ${p('z')} == 3`, { x: 1, y: 2, z: 3 }, true],
    [`(!(${p('x')} == 1) || ${p('y')} == 2) && ${p('z')} == 3`, { x: 1, y: 2, z: 4 }, false],
    [`false || true && !false`, {}, true],
    // && and || absorb an error the other side decides
    [`false && ${p('missing')} == 1`, {}, false],
    [`${p('missing')} == 1 && false`, {}, false],
    [`${p('missing')} == 1 || true`, {}, true],
    [`true || int(${p('x')}) == 1`, { x: 'nope' }, true],
  ])('%s over %j is %s', (text, values, expected) => {
    expect(evaluate(text, values)).toBe(expected);
  });

  it.each<[string, Record<string, JsonValue>, string]>([
    [`${p('x')} < 'a'`, { x: 1 }, 'no such overload'],
    [`${p('x')} > 1`, { x: 'b' }, 'no such overload'],
    [`${p('x')} < ${p('y')}`, { x: null, y: null }, 'no such overload'],
    [`int(${p('x')}) > 5`, { x: true }, 'int(bool)'],
    [`int(${p('x')}) > 5`, { x: '7.5' }, 'int'],
    [`${p('x')} == 1`, {}, 'No such key: x'],
    [`${p('x')}`, { x: 'yes' }, 'a condition must be a bool'],
    [`!${p('x')}`, { x: 'yes' }, 'no such overload'],
    [`${p('x')} == 1 && true`, {}, 'No such key: x'],
  ])('%s over %j is an error (%s)', (text, values, fragment) => {
    const issue = failure(text, values);
    expect(issue.kind).toBe('evaluation');
    expect(issue.expression).toBe(text);
    expect(issue.message).toContain(fragment);
  });

  it('refuses at parse time what cannot type-check or cannot be a bool', () => {
    for (const [text, fragment] of [
      ["'a' == 1", 'no such overload'],
      ['!5', 'no such overload'],
      ['undeclared == 1', 'Unknown variable: undeclared'],
      [`int(${p('x')})`, 'must be a bool'],
      [`'yes'`, 'must be a bool'],
    ] as const) {
      const r = parseCondition(text);
      expect(r.ok, text).toBe(false);
      if (!r.ok) {
        expect(r.kind, text).toBe('type');
        expect(r.message, text).toContain(fragment);
      }
    }
  });

  it('reports syntax errors with their position', () => {
    for (const [text, start] of [
      [`int(${p('x')}) >`, 35], // the end: an operand is missing
      [`int(${p('x')} > 5`, 36], // the end: a parenthesis is missing
      [`${p('x')} == 'unterminated`, 32], // where the string opens
      [`${p('x')} === 1`, 31], // the third =
      [`${p('x')} == 1 &&& true`, 36], // the third &
      [`${p('x')} == 'a' 'b'`, 36], // the second string
      [`(${p('x')} == 1`, 34],
      ['', 0],
    ] as const) {
      const r = parseCondition(text);
      expect(r.ok, text).toBe(false);
      if (!r.ok) {
        expect(r.kind, text).toBe('syntax');
        expect(r.start, text).toBe(start);
        expect(r.message, text).toContain(`column ${start + 1}`);
        expect(r.message, text).toContain(text);
      }
    }
  });

  it('does not see inherited properties as parameters', () => {
    expect(failure(`${p('toString')} == 'x'`, {}).message).toContain('No such key');
    expect(failure(`${p('constructor')} == 'x'`, {}).message).toContain('No such key');
  });

  it('evaluates one parsed condition many times, each over its own values', () => {
    const condition = parsed(`int(${p('n')}) % 2 == 0`);
    const even = [0, 1, 2, 3, 4, 5].filter((n) => {
      const r = evaluateCondition(condition, { n });
      return r.ok && r.value;
    });
    expect(even).toEqual([0, 2, 4]);
  });
});

describe('property: !(c) is the negation of c', () => {
  const names = ['a', 'b', 'c'] as const;
  const value = fc.oneof(
    fc.integer({ min: -20, max: 20 }),
    fc.double({ min: -20, max: 20, noNaN: true }),
    fc.constantFrom('heads', 'tails', '7', 'even', ''),
    fc.boolean(),
    fc.constant(null),
  );
  const literal = fc.oneof(
    fc.integer({ min: -20, max: 20 }).map(String),
    fc
      .double({ min: -20, max: 20, noNaN: true, noDefaultInfinity: true })
      .map((d) => (Number.isInteger(d) ? `${d}.0` : String(d))),
    fc.constantFrom("'heads'", '"tails"', "'7'", 'true', 'false', 'null'),
  );
  const operand = fc.oneof(
    fc.constantFrom(...names).map((n) => `inputs.parameter_values['${n}']`),
    fc.constantFrom(...names).map((n) => `int(inputs.parameter_values['${n}'])`),
  );
  const comparison = fc
    .tuple(operand, fc.constantFrom('==', '!=', '<', '<=', '>', '>='), literal)
    .map(([left, op, right]) => `${left} ${op} ${right}`)
    // a comparison whose two sides type-check apart (int() against a string) is refused when read
    .filter((text) => parseCondition(text).ok);
  const condition: fc.Arbitrary<string> = fc.letrec<{ c: string }>((tie) => ({
    c: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      comparison,
      tie('c').map((c) => `!(${c})`),
      fc.tuple(tie('c'), fc.constantFrom('&&', '||'), tie('c')).map(([l, op, r]) => `(${l}) ${op} (${r})`),
    ),
  })).c;

  it('for random conditions and values, an error either way', () => {
    fc.assert(
      fc.property(condition, fc.record({ a: value, b: value, c: value }), (text, values) => {
        const plain = checkCondition(text, values);
        const negated = checkCondition(`!(${text})`, values);
        expect(negated.ok).toBe(plain.ok);
        if (plain.ok && negated.ok) expect(negated.value).toBe(!plain.value);
      }),
      { numRuns: 300 },
    );
  });
});
