/**
 * What the Operator view's pages share: the reads most of them need (pools, nodes, groups, users),
 * a form card whose one action shows its refusal in words, and a table that scrolls sideways on a
 * phone instead of widening the page.
 */
import './operator.css';
import { type FormEvent, type ReactNode, useId } from 'react';
import { type Answer, answer } from '../../api/client';
import type { Group, NodeView, Pool, User } from '../../api/views';
import { type Loaded, useApi } from '../../store/live';
import { useAction } from '../../ui/action';
import { ProblemMessage } from '../../ui/components';

export const usePools = () => useApi((c, past) => answer<Pool[]>(c.GET('/api/v1/pools', { params: { query: past } })), []);
export const useNodes = () => useApi((c, past) => answer<NodeView[]>(c.GET('/api/v1/nodes', { params: { query: past } })), []);
export const useGroups = () => useApi((c, past) => answer<Group[]>(c.GET('/api/v1/groups', { params: { query: past } })), []);
export const useUsers = () => useApi((c, past) => answer<User[]>(c.GET('/api/v1/users', { params: { query: past } })), []);

/** The value of a read once it has one (an empty list while loading or refused). */
export function listOf<T>(loaded: Loaded<T[]>): T[] {
  return loaded.state === 'done' && loaded.answer.ok ? loaded.answer.value : [];
}

/**
 * A card holding one form and one action: submitting runs `act`; while it runs the button is
 * busy, and a refusal is shown in words under the fields. `act` answers whether it was done.
 */
export function ActionCard<T>({
  title,
  submitLabel,
  act,
  onDone,
  children,
  note,
}: {
  title: string;
  submitLabel: string;
  act: () => Promise<Answer<T>>;
  onDone?: (value: T) => void;
  children: ReactNode;
  note?: ReactNode;
}) {
  const action = useAction<T>();
  const headingId = useId();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    await action.run(act, onDone);
  };
  return (
    <form className="card op-card" onSubmit={submit} aria-labelledby={headingId}>
      <h2 id={headingId}>{title}</h2>
      {children}
      <ProblemMessage problem={action.problem} />
      {note}
      <div>
        <button type="submit" disabled={action.busy || action.readOnly}>
          {action.busy ? 'Working…' : submitLabel}
        </button>
      </div>
    </form>
  );
}

/** A labelled field: the label above its control. */
export function Field({ label, id, children, hint }: { label: string; id: string; children: ReactNode; hint?: string }) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children}
      {hint && (
        <span className="muted hint" id={`${id}-hint`}>
          {hint}
        </span>
      )}
    </div>
  );
}

/** A wide table in a region that scrolls sideways (focusable, so a keyboard can scroll it too). */
export function TableScroll({ label, children }: { label: string; children: ReactNode }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard to be scrolled
    <section className="table-scroll" aria-label={label} tabIndex={0}>
      {children}
    </section>
  );
}

/** The id of a new entity from its name: lower case, dashes for anything else. */
export const idFromName = (name: string) =>
  name
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^-+|-+$/g, '');
