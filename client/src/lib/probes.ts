/**
 * Test probes (docs/ui.md "Test probes"): `window.__lineage` and the hidden graph-state element exist
 * only in the e2e build (`vite build --mode e2e`, made by playwright.config.ts). Vite replaces
 * `import.meta.env.MODE` at build time, so in the production build this is the constant `false` and
 * every probe branch is removed from the bundle (probes.test.ts greps both bundles).
 */
export const PROBES: boolean = import.meta.env.MODE === 'e2e';
