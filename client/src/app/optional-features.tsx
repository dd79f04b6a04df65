/**
 * Components other engineers write in their own folders (rules, upload, session) are mounted through
 * here. `import.meta.glob` finds them at build time, so the app builds and runs whether or not a
 * feature folder exists yet; when one is missing, the caller gets null and hides the affordance.
 */
import { lazy, type ComponentType, type LazyExoticComponent } from 'react';

type Loader = () => Promise<Record<string, unknown>>;
const modules = import.meta.glob<Record<string, unknown>>([
  '../features/rules/**/*.tsx', '../features/upload/**/*.tsx', '../features/session/**/*.tsx',
  '!**/*.test.tsx', '!**/*.spec.tsx',
]);

const cache = new Map<string, LazyExoticComponent<ComponentType<Record<string, unknown>>> | null>();

/**
 * A lazy component for the named export (e.g. `RulesPage`) found in `folder`, or null when no file there
 * can provide it. The file named after the export is tried first.
 */
export function optionalFeature(folder: 'rules' | 'upload' | 'session', exportName: string): LazyExoticComponent<ComponentType<Record<string, unknown>>> | null {
  const key = `${folder}/${exportName}`;
  if (cache.has(key)) return cache.get(key)!;
  const loaders = Object.entries(modules)
    .filter(([path]) => path.startsWith(`../features/${folder}/`))
    .sort(([a], [b]) => Number(!a.endsWith(`/${exportName}.tsx`)) - Number(!b.endsWith(`/${exportName}.tsx`)))
    .map(([, load]) => load as Loader);
  const found = loaders.length === 0 ? null : lazy(async () => {
    for (const load of loaders) {
      const mod = await load();
      const c = mod[exportName];
      if (typeof c === 'function' || (typeof c === 'object' && c !== null)) return { default: c as ComponentType<Record<string, unknown>> };
    }
    return { default: () => <p role="alert">{exportName} is not available in this build.</p> };
  });
  cache.set(key, found);
  return found;
}
