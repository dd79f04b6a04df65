/**
 * `npm run lint` runs this: no import cycles in server, shared or client (docs/security.md, issue #20),
 * and the client's layers (docs/ui.md "Client layers"): app/ (the shell) → features/<name>/ (each through
 * its index.ts) → state/, api/, lib/, components/; client/src/lib/boundaries.test.ts shows each rule fires.
 */
const C = '^client/src/';
/** Modules the shell loads lazily (app/optional-features.tsx): a static re-export from an index would bundle them. */
const LAZY_PAGES = `${C}features/(rules/RulesPage|upload/UploadPanel|session/LoginPage|compare/ComparePage)\\.tsx$`;

export default {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'An import cycle: break it by moving the shared part into its own module.', from: {}, to: { circular: true } },
    {
      name: 'client-app-is-the-top',
      severity: 'error',
      comment: 'Only the shell (App.tsx, main.tsx, app/) imports app/: move what a feature needs into state/ or lib/.',
      from: { path: `${C}(features|state|api|lib|components|testing)/` },
      to: { path: `${C}(app/|App\\.tsx$|main\\.tsx$)` },
    },
    {
      name: 'client-lower-layers-import-no-feature',
      severity: 'error',
      comment: 'state/, api/, lib/ and components/ are below the features: they import no feature.',
      from: { path: `${C}(state|api|lib|components)/` },
      to: { path: `${C}features/` },
    },
    {
      name: 'client-feature-through-its-index',
      severity: 'error',
      comment: "A feature reaches another feature only through that feature's index.ts (its public face).",
      from: { path: `${C}features/([^/]+)/` },
      to: { path: `${C}features/[^/]+/`, pathNot: [`${C}features/$1/`, `${C}features/[^/]+/index\\.ts$`] },
    },
    {
      name: 'client-shell-through-feature-index',
      severity: 'error',
      comment: "The shell reaches a feature through its index.ts (lazily loaded pages excepted, app/optional-features.tsx).",
      from: { path: `${C}(app/|App\\.tsx$|main\\.tsx$)` },
      to: { path: `${C}features/[^/]+/`, pathNot: [`${C}features/[^/]+/index\\.ts$`, LAZY_PAGES] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|node_modules)/' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.js', '.mjs'] },
  },
};
