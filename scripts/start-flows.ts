// The reference flows in flows/ become the deployment the embedded Node-RED starts with, on the first start only:
// after that the user's deployed flows are theirs, and a restart keeps them. `--reset` deploys the shipped flows
// again, after backing the user's up.
//
// They are written as the flow file before Node-RED starts rather than deployed with setFlows afterwards:
// the nodes then start once, with `${...}` (resolved by Node-RED at start) pointing at this run's ports.
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export class FlowFileError extends Error {
  override readonly name = 'FlowFileError';
  constructor(
    readonly code: 'BAD_FLOW_FILE' | 'DUPLICATE_NODE_ID',
    message: string,
  ) {
    super(message);
  }
}

export interface FlowNode {
  id: string;
  type: string;
  [key: string]: unknown;
}

export interface FlowFile {
  name: string;
  nodes: unknown;
}

/** One full deployment from several flow files; a node id used twice would silently replace a node. */
export function mergeFlowFiles(files: readonly FlowFile[]): FlowNode[] {
  const merged: FlowNode[] = [];
  const origin = new Map<string, string>();
  for (const file of files) {
    if (!Array.isArray(file.nodes)) {
      throw new FlowFileError('BAD_FLOW_FILE', `${file.name} is not a flow export (a JSON array of nodes)`);
    }
    for (const node of file.nodes as unknown[]) {
      const candidate = node as Partial<FlowNode> | null;
      if (typeof candidate !== 'object' || candidate === null || typeof candidate.id !== 'string' || typeof candidate.type !== 'string') {
        throw new FlowFileError('BAD_FLOW_FILE', `${file.name} holds an entry without a string id and type`);
      }
      const first = origin.get(candidate.id);
      if (first !== undefined) {
        throw new FlowFileError('DUPLICATE_NODE_ID', `node id ${candidate.id} is in both ${first} and ${file.name}`);
      }
      origin.set(candidate.id, file.name);
      merged.push(candidate as FlowNode);
    }
  }
  return merged;
}

/** Dashboard 2 serves its pages under httpNodeRoot + the ui-base node's path, '/dashboard' unless set. */
export function dashboardPath(flows: readonly FlowNode[]): string | undefined {
  const base = flows.find((node) => node.type === 'ui-base');
  if (!base) return undefined;
  const path = typeof base.path === 'string' && base.path !== '' ? base.path : '/dashboard';
  return path.startsWith('/') ? path : `/${path}`;
}

export function readFlowDir(dir: string): FlowFile[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => {
      const path = join(dir, name);
      try {
        return { name: path, nodes: JSON.parse(readFileSync(path, 'utf8')) as unknown };
      } catch (err) {
        throw new FlowFileError('BAD_FLOW_FILE', `${path} is not valid JSON: ${(err as Error).message}`);
      }
    });
}

export type FlowFileOutcome =
  | { action: 'deployed' }
  | { action: 'kept' }
  | { action: 'reset'; backups: string[] };

/**
 * Writes the shipped deployment as the flow file when there is none yet (the first start), or when `reset` is
 * asked for, after copying the user's flow file and its credentials to `<name>.backup-<stamp>.json`; otherwise
 * leaves the user's flows as they are.
 */
export function writeFlowFile(userDir: string, flowFile: string, flows: readonly FlowNode[], options: { reset?: boolean; stamp?: string } = {}): FlowFileOutcome {
  mkdirSync(userDir, { recursive: true });
  const path = join(userDir, flowFile);
  if (existsSync(path) && !options.reset) return { action: 'kept' };
  const backups: string[] = [];
  if (existsSync(path)) {
    const stamp = options.stamp ?? new Date().toISOString().replace(/[:.]/g, '-');
    const base = flowFile.replace(/\.json$/, '');
    for (const name of [flowFile, `${base}_cred.json`]) {
      if (!existsSync(join(userDir, name))) continue;
      const backup = join(userDir, name.replace(/\.json$/, `.backup-${stamp}.json`));
      copyFileSync(join(userDir, name), backup);
      backups.push(backup);
    }
  }
  writeFileSync(path, `${JSON.stringify(flows, null, 2)}\n`);
  return backups.length > 0 ? { action: 'reset', backups } : { action: 'deployed' };
}

/** The flows Node-RED will run from `userDir`: its flow file (an empty list when it holds none yet, or no array). */
export function deployedFlows(userDir: string, flowFile: string): FlowNode[] {
  const path = join(userDir, flowFile);
  if (!existsSync(path)) return [];
  try {
    const nodes = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    return Array.isArray(nodes) ? (nodes as FlowNode[]) : [];
  } catch {
    return [];
  }
}
