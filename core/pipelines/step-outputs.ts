/**
 * A finished step's outputs from the files it wrote, read as KFP's launcher reads them
 * (backend/src/v2/component/launcher_v2.go): each output parameter from the file its placeholder
 * named (`/tmp/kfp/outputs/<name>`), typed by the parameter's `parameterType` (STRING as written,
 * numbers and booleans parsed, LIST and STRUCT as JSON); the executor output file, which the SDK's
 * Python components write (`ExecutorOutput`: `parameterValues`, `artifacts` with their metadata),
 * overrides what it names. A parameter with neither is missing, and the step fails saying which.
 *
 * Artifacts are where the step's outputs were provisioned (their URIs), with the metadata the
 * executor output gives them. How the files get out of the step's container is the runtime's
 * business (on Kubernetes, a sidecar that prints them); this is pure.
 */
import type { InterfaceSpec, JsonValue, ParameterType } from './ir.js';
import type { ArtifactValue, TaskOutputs } from './model.js';
import { provisionedArtifacts, type StepJob } from './step.js';

export type StepOutputsResult =
  | { readonly ok: true; readonly value: TaskOutputs }
  | { readonly ok: false; readonly message: string };

const isObject = (v: unknown): v is Record<string, JsonValue> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A parameter file's text as its type reads it, or why it does not. */
export function typedParameter(
  text: string,
  type: ParameterType,
): { ok: true; value: JsonValue } | { ok: false; message: string } {
  switch (type) {
    case 'STRING':
      return { ok: true, value: text };
    case 'NUMBER_INTEGER':
    case 'NUMBER_DOUBLE': {
      const t = text.trim();
      const n = Number(t);
      // Go's ParseFloat: an empty or non-numeric text is an error, not 0.
      if (t === '' || !Number.isFinite(n)) return { ok: false, message: `${JSON.stringify(text)} is not a number` };
      return { ok: true, value: n };
    }
    case 'BOOLEAN': {
      // Go's ParseBool accepts these, and nothing else.
      const t = text.trim();
      if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(t)) return { ok: true, value: true };
      if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(t)) return { ok: true, value: false };
      return { ok: false, message: `${JSON.stringify(text)} is not a boolean` };
    }
    default: {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        return { ok: false, message: `${JSON.stringify(text.slice(0, 80))} is not JSON` };
      }
      if (type === 'LIST' && !Array.isArray(value)) return { ok: false, message: 'is not a JSON list' };
      if (type === 'STRUCT' && !isObject(value)) return { ok: false, message: 'is not a JSON object' };
      return { ok: true, value: value as JsonValue };
    }
  }
}

/** The executor output file's parameter values: `parameterValues`, or the older typed `parameters`. */
function executorParameters(output: Record<string, JsonValue>): Record<string, JsonValue> {
  const values: Record<string, JsonValue> = {};
  const old = output.parameters;
  if (isObject(old)) {
    for (const [name, v] of Object.entries(old)) {
      if (!isObject(v)) continue;
      // proto3 JSON writes an int64 as a string.
      if (v.intValue !== undefined) values[name] = Number(v.intValue);
      else if (v.doubleValue !== undefined) values[name] = v.doubleValue;
      else if (v.stringValue !== undefined) values[name] = v.stringValue;
    }
  }
  const current = output.parameterValues;
  if (isObject(current)) Object.assign(values, current);
  return values;
}

/**
 * The outputs of a step whose attempt succeeded, from the files it left (`files`: path -> text, as
 * collected) and where its outputs were provisioned (step.ts `stepOutputs`).
 */
export function parseStepOutputs(
  files: ReadonlyMap<string, string>,
  outputs: StepJob['outputs'],
  outputDefinitions: InterfaceSpec | undefined,
): StepOutputsResult {
  let executorOutput: Record<string, JsonValue> = {};
  const metadataText = files.get(outputs.outputMetadataFile);
  if (metadataText !== undefined && metadataText.trim() !== '') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(metadataText);
    } catch {
      return { ok: false, message: `its executor output file ${outputs.outputMetadataFile} is not JSON` };
    }
    if (!isObject(parsed))
      return { ok: false, message: `its executor output file ${outputs.outputMetadataFile} is not a JSON object` };
    executorOutput = parsed;
  }
  const fromExecutor = executorParameters(executorOutput);
  const parameters: Record<string, JsonValue> = {};
  for (const [name, def] of Object.entries(outputDefinitions?.parameters ?? {})) {
    if (name in fromExecutor) {
      parameters[name] = fromExecutor[name] as JsonValue;
      continue;
    }
    const file = outputs.outputParameters[name]?.outputFile;
    const text = file === undefined ? undefined : files.get(file);
    if (text === undefined)
      return { ok: false, message: `its output parameter '${name}' was not written (${file ?? 'no file'})` };
    const typed = typedParameter(text, def.parameterType);
    if (!typed.ok) return { ok: false, message: `its output parameter '${name}': ${typed.message}` };
    parameters[name] = typed.value;
  }
  const artifacts: Record<string, ArtifactValue[]> = {};
  const described = isObject(executorOutput.artifacts) ? executorOutput.artifacts : {};
  for (const [name, list] of Object.entries(provisionedArtifacts(outputs))) {
    const given = described[name];
    const items = isObject(given) && Array.isArray(given.artifacts) ? given.artifacts.filter(isObject) : [];
    artifacts[name] = list.map((a, i) => {
      const item = items[i];
      const metadata = item && isObject(item.metadata) ? item.metadata : undefined;
      const uri = item && typeof item.uri === 'string' && item.uri !== '' ? item.uri : a.uri;
      return { ...a, uri, ...(metadata ? { metadata } : {}) };
    });
  }
  return { ok: true, value: { parameters, artifacts } };
}
