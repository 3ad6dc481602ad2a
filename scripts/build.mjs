// Compiles the TypeScript tree to dist/ and lays the editor files (.html, icons, locales) and JSON data
// (meter profiles, schemas) beside the compiled .js, so that Node-RED loads dist/ as an ordinary package.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
rmSync(dist, { recursive: true, force: true });
execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.json')], {
  stdio: 'inherit',
});

const assetPattern = /\.(html|json|svg|png)$/;
function copyAssets(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) copyAssets(path);
    else if (assetPattern.test(name)) cpSync(path, join(dist, relative(root, path)));
  }
}
for (const top of ['nodes', 'lib', 'sim', 'test']) {
  if (existsSync(join(root, top))) copyAssets(join(root, top));
}
