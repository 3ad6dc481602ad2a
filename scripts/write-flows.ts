// `npm run flows`: writes the shipped flows (flows/ and examples/) from scripts/flows/; `--check` only reports
// the files that differ, for the test that keeps them in step.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { shippedFlows } from './flows';

const root = resolve(__dirname, '..', '..');

/** The text of a flow file: the editor's own export layout (an array, two-space indent, a final newline). */
export function flowText(nodes: unknown[]): string {
  return `${JSON.stringify(nodes, null, 2)}\n`;
}

/** The shipped files whose text in the tree differs from what scripts/flows/ makes. */
export function staleFlowFiles(base = root): string[] {
  return shippedFlows()
    .filter((f) => !existsSync(join(base, f.path)) || readFileSync(join(base, f.path), 'utf8') !== flowText(f.nodes))
    .map((f) => f.path);
}

function main(): void {
  if (process.argv.includes('--check')) {
    const stale = staleFlowFiles();
    if (stale.length > 0) {
      console.error(`stale flow files (run npm run flows): ${stale.join(', ')}`);
      process.exitCode = 1;
    }
    return;
  }
  for (const file of shippedFlows()) {
    const path = join(root, file.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, flowText(file.nodes));
    console.log(`wrote ${file.path} (${file.nodes.length} nodes)`);
  }
}

if (require.main === module) main();
