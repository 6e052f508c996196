// Builds the dashboard into web/dist when a source is newer than the last build (npm start's prestart step).
// `node web/build.mjs --force` always builds. Without Vite installed (a production-only install) an existing build is kept.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const webDir = dirname(fileURLToPath(import.meta.url));
const stamp = join(webDir, 'dist', 'index.html');

function newestMtime(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

const sources = ['src', 'index.html', 'vite.config.ts', 'public'].map((p) => join(webDir, p)).filter((p) => existsSync(p));
const sourceTime = Math.max(...sources.map(newestMtime));
const upToDate = existsSync(stamp) && statSync(stamp).mtimeMs >= sourceTime;

if (upToDate && !process.argv.includes('--force')) {
  process.exit(0);
}
let vite;
try {
  vite = await import('vite');
} catch {
  if (existsSync(stamp)) process.exit(0);
  console.error('web/build.mjs: Vite is not installed (npm install with dev dependencies) and web/dist is missing');
  process.exit(1);
}
const started = Date.now();
await vite.build({ configFile: join(webDir, 'vite.config.ts'), logLevel: 'warn' });
console.log(`dashboard built into web/dist in ${Date.now() - started} ms`);
