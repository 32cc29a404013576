/**
 * Who is signed in: the API token, kept in sessionStorage (this tab, this session: gone when the
 * browser closes), and who it belongs to (`GET /me`). An operator also works as a data scientist
 * and chooses the view; a data scientist has only theirs.
 */
import { createContext, type ReactNode, useCallback, useContext, useMemo, useState } from 'react';
import { answer, apiClient, type Client, describeProblem } from '../api/client';
import type { Me } from '../api/views';

const TOKEN_KEY = 'gpupool.token';
const VIEW_KEY = 'gpupool.view';

export type View = 'operator' | 'scientist';

export interface Session {
  readonly token: string;
  readonly me: Me;
  readonly client: Client;
  readonly view: View;
  setView(view: View): void;
  signOut(): void;
}

interface SessionState {
  session: Session | null;
  signIn(token: string): Promise<string | null>;
}

const SessionContext = createContext<SessionState | null>(null);

export const storedToken = (): string | null => sessionStorage.getItem(TOKEN_KEY);

export function SessionProvider({ initial, children }: { initial: { token: string; me: Me } | null; children: ReactNode }) {
  const [signedIn, setSignedIn] = useState(initial);
  const [view, setViewState] = useState<View>(() =>
    sessionStorage.getItem(VIEW_KEY) === 'scientist' || initial?.me.role !== 'operator' ? 'scientist' : 'operator',
  );
  const setView = useCallback((v: View) => {
    sessionStorage.setItem(VIEW_KEY, v);
    setViewState(v);
  }, []);
  const signOut = useCallback(() => {
    sessionStorage.removeItem(TOKEN_KEY);
    sessionStorage.removeItem(VIEW_KEY);
    setSignedIn(null);
    window.location.hash = '';
  }, []);
  const signIn = useCallback(async (token: string) => {
    const me = await whoAmI(token);
    if (!me.ok) return me.error;
    sessionStorage.setItem(TOKEN_KEY, token);
    setSignedIn({ token, me: me.value });
    setViewState(me.value.role === 'operator' ? 'operator' : 'scientist');
    return null;
  }, []);
  const session = useMemo<Session | null>(
    () =>
      signedIn && {
        token: signedIn.token,
        me: signedIn.me,
        client: apiClient(signedIn.token),
        view: signedIn.me.role === 'operator' ? view : 'scientist',
        setView,
        signOut,
      },
    [signedIn, view, setView, signOut],
  );
  return <SessionContext.Provider value={{ session, signIn }}>{children}</SessionContext.Provider>;
}

/** Ask the API who a token belongs to. */
export async function whoAmI(token: string): Promise<{ ok: true; value: Me } | { ok: false; error: string }> {
  const r = await answer<Me>(apiClient(token).GET('/api/v1/me'));
  if (r.ok) return { ok: true, value: r.value };
  return {
    ok: false,
    error: r.problem.status === 401 ? 'This token is not valid (or was revoked).' : describeProblem(r.problem),
  };
}

export function useSessionState(): SessionState {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSessionState outside SessionProvider');
  return s;
}

/** The signed-in session (pages below the sign-in gate only). */
export function useSession(): Session {
  const s = useSessionState().session;
  if (!s) throw new Error('useSession before sign-in');
  return s;
}
