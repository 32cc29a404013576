/**
 * The frame around every page: the views' pages as a navigation bar, the live connection's state,
 * the time-travel control, and the user menu (top right), where an operator switches between the
 * Operator and Data Scientist views and anyone signs out.
 */
import { type ReactNode, useEffect, useState } from 'react';
import { Link, useLocation } from 'wouter';
import { TimeTravelControl } from './pages/time-travel';
import { useLive } from './store/live';
import { useSession } from './store/session';

const OPERATOR_PAGES = [
  ['/cluster', 'Cluster'],
  ['/pools', 'Pools'],
  ['/groups', 'Groups'],
  ['/users', 'Users'],
] as const;
const SCIENTIST_PAGES = [
  ['/jobs', 'Jobs'],
  ['/notebooks', 'Notebooks'],
  ['/inferences', 'Inferences'],
  ['/experiments', 'Experiments'],
  ['/pipelines', 'Pipelines'],
  ['/workspaces', 'Workspaces'],
  ['/datasets', 'Datasets'],
  ['/models', 'Models'],
] as const;

export function Layout({ children }: { children: ReactNode }) {
  const { view } = useSession();
  const { status, past } = useLive();
  const [location] = useLocation();
  const pages = view === 'operator' ? OPERATOR_PAGES : SCIENTIST_PAGES;
  return (
    <div className={past ? 'app in-the-past' : 'app'}>
      <header className="topbar">
        <a className="brand" href="#/">
          gpupool
        </a>
        <nav aria-label={view === 'operator' ? 'Operator' : 'Data Scientist'}>
          {pages.map(([path, label]) => (
            <Link key={path} href={path} aria-current={location.startsWith(path) ? 'page' : undefined}>
              {label}
            </Link>
          ))}
        </nav>
        <span className={`live live-${status}`} role="status" title="the live event stream">
          {status === 'live' ? 'Live' : status === 'ended' ? 'Disconnected' : 'Connecting…'}
        </span>
        <UserMenu />
      </header>
      <TimeTravelControl />
      <main>{children}</main>
    </div>
  );
}

function UserMenu() {
  const { me, view, setView, signOut } = useSession();
  const [open, setOpen] = useState(false);
  const [, navigate] = useLocation();
  // Escape or a click elsewhere closes the menu.
  useEffect(() => {
    if (!open) return;
    const close = (e: Event) => {
      if (e instanceof KeyboardEvent ? e.key === 'Escape' : !(e.target as Element).closest?.('.user-menu')) setOpen(false);
    };
    document.addEventListener('keydown', close);
    document.addEventListener('click', close);
    return () => {
      document.removeEventListener('keydown', close);
      document.removeEventListener('click', close);
    };
  }, [open]);
  return (
    <div className="user-menu">
      <button type="button" aria-haspopup="menu" aria-expanded={open} onClick={() => setOpen(!open)}>
        {me.name} <span className="muted">({me.role === 'operator' ? 'operator' : 'data scientist'})</span>
      </button>
      {open && (
        <div role="menu" className="menu">
          {me.role === 'operator' && (
            <button
              type="button"
              role="menuitem"
              onClick={() => {
                setView(view === 'operator' ? 'scientist' : 'operator');
                setOpen(false);
                navigate('/');
              }}
            >
              {view === 'operator' ? 'Switch to the Data Scientist view' : 'Switch to the Operator view'}
            </button>
          )}
          <button type="button" role="menuitem" onClick={signOut}>
            Sign out
          </button>
        </div>
      )}
    </div>
  );
}
