/** @jsxImportSource preact */
/**
 * @module
 * The page's frame: the navigation, the view the address names, the token dialog.
 */
import { Link } from './components/link.tsx'
import { TokenDialog } from './components/token-dialog.tsx'
import { CreateExperiment } from './pages/create-experiment.tsx'
import { Environments } from './pages/environments.tsx'
import { ExperimentDetail } from './pages/experiment-detail.tsx'
import { ExperimentList } from './pages/experiment-list.tsx'
import { type Route, useRoute } from './router.ts'

function View(props: { route: Route }) {
  const r = props.route
  switch (r.view) {
    case 'list':
      return <ExperimentList status={r.status} name={r.name} after={r.after} />
    case 'detail':
      return <ExperimentDetail key={r.id} id={r.id} />
    case 'create':
      return <CreateExperiment />
    case 'environments':
      return <Environments />
    case 'missing':
      return (
        <section>
          <h1>Not a page</h1>
          <p>
            periscope has no page at <span class="mono">{r.path}</span>.{' '}
            <Link href="/experiments">See the experiments</Link>.
          </p>
        </section>
      )
  }
}

/** The whole page. */
export function App() {
  const route = useRoute()
  const section = route.view === 'detail' ? 'list' : route.view
  return (
    <>
      <a class="skip" href="#main">
        Skip to the content
      </a>
      <header class="top">
        <span class="brand">periscope</span>
        <nav aria-label="Main">
          <Link href="/experiments" current={section === 'list'}>
            Experiments
          </Link>
          <Link href="/create" current={section === 'create'}>
            New experiment
          </Link>
          <Link href="/environments" current={section === 'environments'}>
            Environments
          </Link>
        </nav>
      </header>
      <main id="main" tabIndex={-1}>
        <View route={route} />
      </main>
      <TokenDialog />
    </>
  )
}
