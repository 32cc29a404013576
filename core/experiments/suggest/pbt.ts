/**
 * Population based training, as Katib's `pbt`: a population of `n_population` members trained in
 * generations. Generation 0 draws every member at random. Once every member of a generation has
 * completed, the next one is planned from it by truncation selection: the bottom
 * `truncation_threshold` of the members (by the objective) exploit a member of the top
 * `truncation_threshold` (take its assignment and its checkpoint) and explore (each value
 * multiplied by 0.8 or 1.2, a category moved to a neighbour; or, with `resample_probability` set,
 * each value redrawn from the prior with that probability); the others continue from their own
 * checkpoint with their own assignment.
 *
 * Every trial is labelled with its generation and its parent (Katib's labels), the member slot it
 * fills, and the parent's checkpoint directory (`suggestion_trial_dir`/<parent trial>), so the
 * trial can start from it. Nothing is kept between calls: a generation's plan depends only on the
 * seed, the generation's number and the previous generation's results, so replaying the
 * observations finds the same plan, and a slot whose trial failed is given again (Katib re-queues
 * failed trials with their assignment and parent).
 */
import type {
  Assignment,
  Observation,
  Parameter,
  SettingsIssue,
  Suggestion,
  SuggestionAlgorithm,
  SuggestRequest,
  SuggestResult,
} from '../space.js';
import { formatValue } from '../space.js';
import { createRng, drawAssignment, drawValue, isNumeric, quantize } from './sample.js';
import {
  checkSettings,
  intSetting,
  isComplete,
  isPending,
  lossOf,
  nonEmpty,
  numberIn,
  type RandomGenerator,
  settingValues,
  uniform,
} from './unit-space.js';

export const PBT_GENERATION_LABEL = 'pbt.suggestion.katib.kubeflow.org/generation';
export const PBT_PARENT_LABEL = 'pbt.suggestion.katib.kubeflow.org/parent';
export const PBT_MEMBER_LABEL = 'pbt.suggestion.gpupool.io/member';
/** Not a valid Kubernetes label value (it has slashes): the controller keeps it as an annotation. */
export const PBT_CHECKPOINT_LABEL = 'pbt.suggestion.gpupool.io/parent-checkpoint';

export interface PbtSettings {
  readonly trialDir: string;
  readonly population: number;
  readonly truncation: number;
  /** null: perturb by 0.8 or 1.2; a number: resample each value with that probability. */
  readonly resampleProbability: number | null;
  readonly seed: number;
}

const SETTINGS = {
  suggestion_trial_dir: nonEmpty,
  n_population: intSetting(5),
  truncation_threshold: numberIn(0, 1),
  resample_probability: numberIn(0, 1),
  // Not one of Katib's pbt settings; accepted as every other algorithm here accepts it.
  random_state: intSetting(0),
};
const REQUIRED = ['suggestion_trial_dir', 'n_population', 'truncation_threshold'];

export function pbtSettings(request: Pick<SuggestRequest, 'settings' | 'seed'>): PbtSettings {
  const v = settingValues(request.settings, SETTINGS);
  return {
    trialDir: typeof v.suggestion_trial_dir === 'string' ? v.suggestion_trial_dir : '/var/log/katib/checkpoints',
    population: typeof v.n_population === 'number' ? v.n_population : 5,
    truncation: typeof v.truncation_threshold === 'number' ? v.truncation_threshold : 0.2,
    resampleProbability: typeof v.resample_probability === 'number' ? v.resample_probability : null,
    seed: typeof v.random_state === 'number' ? v.random_state : request.seed,
  };
}

/** One member of a planned generation. */
export interface PlannedMember {
  readonly assignment: Assignment;
  readonly parent: string | null;
}

function perturbValue(p: Parameter, value: string, rng: RandomGenerator): string {
  if (!isNumeric(p)) {
    const i = p.list.indexOf(value);
    if (i < 0) return drawValue(p, rng);
    const j = (i + (uniform(rng) < 0.5 ? -1 : 1) + p.list.length) % p.list.length;
    return p.list[j]!;
  }
  const x = Number(value);
  if (!Number.isFinite(x)) return drawValue(p, rng);
  return formatValue(p, quantize(p, x * (uniform(rng) < 0.5 ? 0.8 : 1.2)));
}

/** Explore: perturb every value, or resample each with the probability. */
export function explore(
  space: readonly Parameter[],
  assignment: Assignment,
  resampleProbability: number | null,
  rng: RandomGenerator,
): Assignment {
  const out: Record<string, string> = {};
  for (const p of space) {
    const value = assignment[p.name] ?? drawValue(p, rng);
    if (resampleProbability === null) out[p.name] = perturbValue(p, value, rng);
    else out[p.name] = uniform(rng) < resampleProbability ? drawValue(p, rng) : value;
  }
  return out;
}

/**
 * The next generation's plan from a complete generation's members (slot order), by truncation
 * selection. Ties keep slot order; members with the same objective are ranked by slot.
 */
export function planNext(
  space: readonly Parameter[],
  members: readonly { trial: string; assignment: Assignment; loss: number }[],
  settings: PbtSettings,
  rng: RandomGenerator,
): PlannedMember[] {
  const n = members.length;
  const order = members.map((_, i) => i).sort((a, b) => members[a]!.loss - members[b]!.loss || a - b);
  const cut = Math.floor(n * settings.truncation);
  const top = order.slice(0, Math.max(1, cut));
  const bottom = new Set(cut > 0 ? order.slice(n - cut) : []);
  return members.map((m, i) => {
    if (!bottom.has(i)) return { assignment: m.assignment, parent: m.trial };
    const source = members[top[Math.min(top.length - 1, Math.floor(uniform(rng) * top.length))]!]!;
    return { assignment: explore(space, source.assignment, settings.resampleProbability, rng), parent: source.trial };
  });
}

function intLabel(o: Observation, key: string): number | null {
  const v = o.labels[key];
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : null;
}

export interface PbtState {
  readonly generation: number;
  readonly plan: readonly PlannedMember[];
  /** Per slot: whether a trial holds it (running or completed). */
  readonly taken: readonly boolean[];
}

/** The current generation, its plan and which slots are held, replayed from the observations. */
export function rebuildPbt(request: SuggestRequest, settings: PbtSettings = pbtSettings(request)): PbtState {
  const n = settings.population;
  const slots = new Map<string, Observation[]>();
  for (const o of request.observations) {
    const g = intLabel(o, PBT_GENERATION_LABEL);
    const m = intLabel(o, PBT_MEMBER_LABEL);
    if (g === null || m === null || m >= n) continue;
    const key = `${g}/${m}`;
    slots.set(key, [...(slots.get(key) ?? []), o]);
  }
  // A generation's draws depend on the seed and its number only.
  const gen0 = createRng(settings.seed, 0);
  let plan: PlannedMember[] = Array.from({ length: n }, () => ({
    assignment: drawAssignment(request.space, gen0),
    parent: null,
  }));
  for (let g = 0; ; g++) {
    const done = plan.map((_, m) => (slots.get(`${g}/${m}`) ?? []).find(isComplete));
    if (done.some((o) => o === undefined)) {
      const taken = plan.map((_, m) => (slots.get(`${g}/${m}`) ?? []).some((o) => isComplete(o) || isPending(o)));
      return { generation: g, plan, taken };
    }
    const members = done.map((o) => ({
      trial: o!.trial,
      assignment: o!.assignment,
      loss: lossOf(request.objective, o!.objective!),
    }));
    plan = planNext(request.space, members, settings, createRng(settings.seed, g + 1));
  }
}

function suggest(request: SuggestRequest): SuggestResult {
  const settings = pbtSettings(request);
  const state = rebuildPbt(request, settings);
  const dir = settings.trialDir.replace(/\/+$/, '');
  const suggestions: Suggestion[] = [];
  // A generation cannot start before the previous one completes, so fewer than `count` may come back.
  state.plan.forEach((member, slot) => {
    if (state.taken[slot] || suggestions.length >= request.count) return;
    const labels: Record<string, string> = {
      [PBT_GENERATION_LABEL]: String(state.generation),
      [PBT_MEMBER_LABEL]: String(slot),
    };
    if (member.parent !== null) {
      labels[PBT_PARENT_LABEL] = member.parent;
      labels[PBT_CHECKPOINT_LABEL] = `${dir}/${member.parent}`;
    }
    suggestions.push({ assignment: member.assignment, labels });
  });
  return { suggestions, exhausted: false };
}

export const pbt: SuggestionAlgorithm = {
  name: 'pbt',
  validate(request): SettingsIssue[] {
    return checkSettings(request.settings, SETTINGS, REQUIRED);
  },
  suggest,
};
