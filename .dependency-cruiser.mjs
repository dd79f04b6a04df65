/** `npm run lint` runs this: no import cycles in server, shared or client (docs/security.md, issue #20). */
export default {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'An import cycle: break it by moving the shared part into its own module.', from: {}, to: { circular: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|node_modules)/' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.js', '.mjs'] },
  },
};
