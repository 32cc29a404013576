/**
 * An action a page takes (a POST, PATCH, PUT or DELETE): busy while it runs, its refusal in words
 * when the API refuses it, and the view read again when it is done (the stream would tell us
 * too, a moment later).
 */
import { useCallback, useState } from 'react';
import type { Answer, Problem } from '../api/client';
import { useLive } from '../store/live';

export function useAction<T>() {
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const { past } = useLive();
  const run = useCallback(
    async (action: () => Promise<Answer<T>>, onDone?: (value: T) => void): Promise<boolean> => {
      if (past) {
        setProblem({ status: 0, title: 'Viewing the past', detail: 'Go back to now to change anything.' });
        return false;
      }
      setBusy(true);
      setProblem(null);
      const r = await action();
      setBusy(false);
      if (!r.ok) {
        setProblem(r.problem);
        return false;
      }
      onDone?.(r.value);
      return true;
    },
    [past],
  );
  return { run, problem, busy, readOnly: past !== null, clear: () => setProblem(null) };
}
