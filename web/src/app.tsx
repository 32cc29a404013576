/**
 * The dashboard: a sign-in gate, then the layout (top bar with the views' pages and the user
 * menu) and the page the hash route names. Hash routes (`#/jobs/…`) keep the server's side to
 * two paths, `/` and `/assets/*`.
 */
import { Redirect, Route, Router, Switch } from 'wouter';
import { useHashLocation } from 'wouter/use-hash-location';
import type { Me } from './api/views';
import { Layout } from './layout';
import { ClusterPage } from './pages/operator/cluster';
import { GroupsPage } from './pages/operator/groups';
import { PoolsPage } from './pages/operator/pools';
import { UsersPage } from './pages/operator/users';
import { AssetsPage } from './pages/scientist/assets';
import { JobPage } from './pages/scientist/job';
import { JobsPage } from './pages/scientist/jobs';
import { SubmitJobPage } from './pages/scientist/submit';
import { SignInPage } from './pages/sign-in';
import { LiveProvider } from './store/live';
import { SessionProvider, useSession, useSessionState } from './store/session';

export function App({ initial }: { initial: { token: string; me: Me } | null }) {
  return (
    <SessionProvider initial={initial}>
      <Gate />
    </SessionProvider>
  );
}

function Gate() {
  const { session } = useSessionState();
  if (!session) return <SignInPage />;
  return (
    <LiveProvider key={session.token}>
      <Router hook={useHashLocation}>
        <Layout>
          <Pages />
        </Layout>
      </Router>
    </LiveProvider>
  );
}

function Pages() {
  const { view } = useSession();
  const operator = view === 'operator';
  return (
    <Switch>
      <Route path="/">{operator ? <Redirect to="/cluster" /> : <Redirect to="/jobs" />}</Route>
      {operator && <Route path="/cluster" component={ClusterPage} />}
      {operator && <Route path="/pools" component={PoolsPage} />}
      {operator && <Route path="/groups" component={GroupsPage} />}
      {operator && <Route path="/users" component={UsersPage} />}
      <Route path="/jobs/new" component={SubmitJobPage} />
      <Route path="/jobs/:group/:name">
        {(p) => <JobPage group={decodeURIComponent(p.group)} name={decodeURIComponent(p.name)} />}
      </Route>
      <Route path="/jobs" component={JobsPage} />
      <Route path="/workspaces">{() => <AssetsPage kind="workspace" />}</Route>
      <Route path="/datasets">{() => <AssetsPage kind="dataset" />}</Route>
      <Route path="/models">{() => <AssetsPage kind="model" />}</Route>
      <Route>
        <p>
          There is no such page here. {operator ? <a href="#/cluster">Go to the cluster</a> : <a href="#/jobs">Go to the jobs</a>}
        </p>
      </Route>
    </Switch>
  );
}
