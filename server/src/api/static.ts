/** Serve the built client (client/dist) at / with an SPA fallback: unknown non-API GETs get index.html. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express, { type Router } from 'express';

export function clientRouter(dir: string): Router | null {
  const index = join(dir, 'index.html');
  if (!existsSync(index)) return null;
  const r = express.Router();
  r.use(express.static(dir, { index: 'index.html', maxAge: '1h', setHeaders: (res, path) => {
    // index.html names the hashed assets; it must not be cached or a new build would not load.
    if (path.endsWith('index.html')) res.setHeader('Cache-Control', 'no-cache');
  } }));
  r.get(/^(?!\/api(?:\/|$)).*/, (req, res, next) => {
    if (!req.accepts('html')) { next(); return; }
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
  return r;
}
