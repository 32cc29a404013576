/** The dashboard's entry: sign in from a stored token if there is one, then the app. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app';
import { storedToken, whoAmI } from './store/session';
import './styles.css';

async function start() {
  const token = storedToken();
  const me = token === null ? null : await whoAmI(token);
  const initial = token !== null && me?.ok ? { token, me: me.value } : null;
  createRoot(document.getElementById('root') as HTMLElement).render(
    <StrictMode>
      <App initial={initial} />
    </StrictMode>,
  );
}
void start();
