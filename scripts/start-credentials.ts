// The credentials file of a fresh user directory. With a credentialSecret and no flows_cred.json, Node-RED
// logs "[warn] Encrypted credentials not found" at every start until a deploy from the editor writes one, and
// the reference flows are written as the flow file, not deployed. An empty set of credentials, encrypted with
// the secret the way Node-RED writes its own file, is what that first deploy would have written.
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, parse } from 'node:path';

/** Node-RED keeps the credentials of <name>.json in <name>_cred.json beside it. */
export function credentialFileName(flowFile: string): string {
  const { name, ext } = parse(flowFile);
  return `${name}_cred${ext}`;
}

/** Node-RED's format: aes-256-ctr under sha256(secret); the hex IV, then the base64 cipher text, in "$". */
function encryptCredentials(secret: string, credentials: Record<string, unknown>): { $: string } {
  const key = createHash('sha256').update(secret).digest();
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-256-ctr', key, iv);
  return { $: iv.toString('hex') + cipher.update(JSON.stringify(credentials), 'utf8', 'base64') + cipher.final('base64') };
}

/** Writes `credentials` (by node id) as the credentials file, replacing what was there (the reference flows' own). */
export function writeCredentialFile(userDir: string, flowFile: string, secret: string, credentials: Record<string, unknown>): string {
  const path = join(userDir, credentialFileName(flowFile));
  mkdirSync(userDir, { recursive: true });
  writeFileSync(path, `${JSON.stringify(encryptCredentials(secret, credentials))}\n`);
  return path;
}

/**
 * Writes an empty credentials file when there is none; an existing one (credentials the engineer entered) is
 * never touched.
 * @returns the path written, when one was
 */
export function ensureCredentialFile(userDir: string, flowFile: string, secret: string): string | undefined {
  const path = join(userDir, credentialFileName(flowFile));
  if (existsSync(path)) return undefined;
  mkdirSync(userDir, { recursive: true });
  writeFileSync(path, `${JSON.stringify(encryptCredentials(secret, {}))}\n`);
  return path;
}
