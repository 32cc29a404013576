/**
 * The dashboard: a sign-in gate, then the layout (top bar with the views' pages and the user
 * menu) and the page the hash route names. Hash routes (`#/jobs/…`) keep the server's side to
 * two paths, `/` and `/assets/*`.
 */
import { Redirect, Route, Router, Switch } from 'wouter';
import { useHashLocation } from 'wouter/use-hash-location';
import type { AssetKind, JobKind, Me } from './api/views';
import { Layout } from './layout';
import { ClusterPage } from './pages/operator/cluster';
import { GroupsPage } from './pages/operator/groups';
import { PoolsPage } from './pages/operator/pools';
import { UsersPage } from './pages/operator/users';
import { AssetPage, AssetsPage, NewAssetPage } from './pages/scientist/assets';
import { ExperimentPage } from './pages/scientist/experiment';
import { ExperimentsPage, NewExperimentPage } from './pages/scientist/experiments';
import { JobPage } from './pages/scientist/job';
import { JobsPage } from './pages/scientist/jobs';
import { PipelineExperimentPage, PipelineExperimentsPage } from './pages/scientist/pipeline-experiments';
import { NewRecurringRunPage, RecurringRunPage, RecurringRunsPage } from './pages/scientist/pipeline-recurring';
import { RunPage, RunsPage } from './pages/scientist/pipeline-runs';
import { NewPipelinePage, PipelinePage, PipelinesPage } from './pages/scientist/pipelines';
import { SubmitJobPage } from './pages/scientist/submit';
import { SignInPage } from './pages/sign-in';
import { LiveProvider } from './store/live';
import { SessionProvider, useSession, useSessionState } from './store/session';

const ASSET_KINDS: readonly AssetKind[] = ['workspace', 'dataset', 'model'];

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
      <Route path="/jobs/new">{() => <SubmitJobPage />}</Route>
      <Route path="/jobs/new/:kind">{(p) => <SubmitJobPage kind={p.kind as JobKind} />}</Route>
      <Route path="/jobs/:group/:name">
        {(p) => <JobPage group={decodeURIComponent(p.group)} name={decodeURIComponent(p.name)} />}
      </Route>
      <Route path="/jobs">{() => <JobsPage />}</Route>
      <Route path="/experiments/new">{() => <NewExperimentPage />}</Route>
      <Route path="/experiments/:group/:name">
        {(p) => <ExperimentPage group={decodeURIComponent(p.group)} name={decodeURIComponent(p.name)} />}
      </Route>
      <Route path="/experiments">{() => <ExperimentsPage />}</Route>
      {/* Pipelines: the section's pages first, then one pipeline's (`/pipelines/<group>/<name>`). */}
      <Route path="/pipelines/new">{() => <NewPipelinePage />}</Route>
      <Route path="/pipelines/experiments/:group/:name">
        {(p) => <PipelineExperimentPage group={decodeURIComponent(p.group)} name={decodeURIComponent(p.name)} />}
      </Route>
      <Route path="/pipelines/experiments">{() => <PipelineExperimentsPage />}</Route>
      <Route path="/pipelines/runs/:group/:name">
        {(p) => <RunPage group={decodeURIComponent(p.group)} name={decodeURIComponent(p.name)} />}
      </Route>
      <Route path="/pipelines/runs">{() => <RunsPage />}</Route>
      <Route path="/pipelines/recurring/new">{() => <NewRecurringRunPage />}</Route>
      <Route path="/pipelines/recurring/:group/:name">
        {(p) => <RecurringRunPage group={decodeURIComponent(p.group)} name={decodeURIComponent(p.name)} />}
      </Route>
      <Route path="/pipelines/recurring">{() => <RecurringRunsPage />}</Route>
      <Route path="/pipelines/:group/:name">
        {(p) => <PipelinePage group={decodeURIComponent(p.group)} name={decodeURIComponent(p.name)} />}
      </Route>
      <Route path="/pipelines">{() => <PipelinesPage />}</Route>
      <Route path="/notebooks">{() => <JobsPage key="notebook" fixedKind="notebook" />}</Route>
      <Route path="/inferences">{() => <JobsPage key="inference" fixedKind="inference" />}</Route>
      {ASSET_KINDS.flatMap((kind) => [
        <Route key={`${kind}-new`} path={`/${kind}s/new`}>
          {() => <NewAssetPage kind={kind} />}
        </Route>,
        <Route key={`${kind}-one`} path={`/${kind}s/:group/:name/:version?`}>
          {(p) => (
            <AssetPage
              kind={kind}
              group={decodeURIComponent(p.group)}
              name={decodeURIComponent(p.name)}
              {...(p.version ? { version: Number(p.version) } : {})}
            />
          )}
        </Route>,
        <Route key={kind} path={`/${kind}s`}>
          {() => <AssetsPage key={kind} kind={kind} />}
        </Route>,
      ])}
      <Route>
        <p>
          There is no such page here. {operator ? <a href="#/cluster">Go to the cluster</a> : <a href="#/jobs">Go to the jobs</a>}
        </p>
      </Route>
    </Switch>
  );
}
