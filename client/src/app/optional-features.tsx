/**
 * Feature screens the shell mounts lazily (rules, upload, session), each loaded on first use so the
 * investigation screen does not pay for them. Every entry keeps its component's own prop types: a
 * feature whose props change breaks the build here, not at run time.
 */
import { lazy } from 'react';

const features = {
  'rules/RulesPage': lazy(() => import('../features/rules/RulesPage').then((m) => ({ default: m.RulesPage }))),
  'upload/UploadPanel': lazy(() => import('../features/upload/UploadPanel').then((m) => ({ default: m.UploadPanel }))),
  'session/LoginPage': lazy(() => import('../features/session/LoginPage').then((m) => ({ default: m.LoginPage }))),
  'session/LogoutButton': lazy(() => import('../features/session/LoginPage').then((m) => ({ default: m.LogoutButton }))),
};
type Features = typeof features;
type Folder<K> = K extends `${infer F}/${string}` ? F : never;

/** The lazy component `exportName` of feature `folder`, typed as the component itself. */
export function optionalFeature<F extends Folder<keyof Features>, N extends string>(folder: F, exportName: N): Features[`${F}/${N}` & keyof Features] {
  return features[`${folder}/${exportName}` as `${F}/${N}` & keyof Features];
}
