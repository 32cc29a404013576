/** Sign in with an API token: pasted once, kept for this browser session only. */
import { type FormEvent, useState } from 'react';
import { useSessionState } from '../store/session';
import { ProblemMessage } from '../ui/components';

export function SignInPage() {
  const { signIn } = useSessionState();
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(await signIn(token.trim()));
    setBusy(false);
  };
  return (
    <main className="sign-in">
      <h1>gpupool</h1>
      <form onSubmit={submit} aria-label="Sign in">
        <label htmlFor="token">API token</label>
        <input
          id="token"
          type="password"
          autoComplete="off"
          required
          value={token}
          onChange={(e) => setToken(e.target.value)}
          aria-describedby="token-help"
        />
        <p id="token-help" className="muted">
          The token <code>gpupool serve</code> printed for the operator, or one an operator issued to you. It is kept in this
          browser tab until you close it.
        </p>
        <ProblemMessage problem={error} />
        <button type="submit" disabled={busy || token.trim() === ''}>
          Sign in
        </button>
      </form>
    </main>
  );
}
