/**
 * Builds the web app (web/) into .web-dist/ with Vite when it is missing or older than its sources;
 * `npm start`, the test suite's global setup and `npm run build:web` call it. Prints the JavaScript
 * shipped (bytes and gzipped) after a build.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

const root = path.resolve(__dirname, '..');
const webDir = path.join(root, 'web');
const outDir = path.join(root, '.web-dist');
const stamp = path.join(outDir, '.built-from');

function newestSource(): number {
  let newest = 0;
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (!entry.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  walk(path.join(webDir, 'src'));
  for (const f of ['index.html', 'vite.config.mts']) newest = Math.max(newest, statSync(path.join(webDir, f)).mtimeMs);
  newest = Math.max(newest, statSync(path.join(root, 'package-lock.json')).mtimeMs);
  return newest;
}

/** The built app's JavaScript: files, bytes and gzipped bytes. */
export function shippedJs(): { files: number; bytes: number; gzipBytes: number } {
  const assets = path.join(outDir, 'assets');
  let bytes = 0;
  let gzipBytes = 0;
  let files = 0;
  for (const f of existsSync(assets) ? readdirSync(assets) : []) {
    if (!f.endsWith('.js')) continue;
    const data = readFileSync(path.join(assets, f));
    files++;
    bytes += data.length;
    gzipBytes += gzipSync(data, { level: 9 }).length;
  }
  return { files, bytes, gzipBytes };
}

export function ensureWebBuilt(opts: { force?: boolean; log?: (line: string) => void } = {}): { built: boolean } {
  const log = opts.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const sources = newestSource();
  if (!opts.force && existsSync(path.join(outDir, 'index.html')) && existsSync(stamp) && Number(readFileSync(stamp, 'utf8')) >= sources) return { built: false };
  log('web: building the app with Vite (web/ → .web-dist/)…');
  const vite = path.join(root, 'node_modules', 'vite', 'bin', 'vite.js');
  const result = spawnSync(process.execPath, [vite, 'build', '--config', path.join(webDir, 'vite.config.mts')], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, NODE_ENV: 'production' } });
  if (result.status !== 0) throw new Error(`web: vite build failed (exit ${result.status})`);
  writeFileSync(stamp, String(sources));
  const js = shippedJs();
  log(`web: built; JavaScript shipped ${(js.bytes / 1024).toFixed(1)} KB in ${js.files} file(s), ${(js.gzipBytes / 1024).toFixed(1)} KB gzipped`);
  return { built: true };
}

if (require.main === module) {
  try {
    ensureWebBuilt({ force: process.argv.includes('--force') });
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(1);
  }
}
