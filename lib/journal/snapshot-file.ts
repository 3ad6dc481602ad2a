// The snapshot file: read (open, verify) and written atomically (temp file, fsync, rename, directory fsync),
// after which the segments it covers are removed unless the history is kept.

import { open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { JournalError } from './errors';
import { decodeSnapshot, segmentFiles, SNAPSHOT_FILE, SNAPSHOT_TEMP_FILE, syncDirectory, writeFully, type SnapshotRecord } from './format';

/** The snapshot file of `dir`, undefined when there is none; SNAPSHOT_INVALID when it is damaged. */
export async function readSnapshotFile(dir: string): Promise<SnapshotRecord | undefined> {
  const file = join(dir, SNAPSHOT_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const snapshot = decodeSnapshot(text);
  if (typeof snapshot === 'string') throw new JournalError('SNAPSHOT_INVALID', `journal snapshot ${file} cannot be used: ${snapshot}`, { file });
  return snapshot;
}

/**
 * Makes `text` (encodeSnapshot's) the snapshot of `dir`. The caller has made every record up to `seq`
 * durable and sends later records to segments that start after `seq`, so every segment that starts at or
 * before `seq` is covered by the snapshot.
 */
export async function writeSnapshotFile(dir: string, text: string, seq: number, keepHistory: boolean, warn: (message: string) => void): Promise<void> {
  const temp = join(dir, SNAPSHOT_TEMP_FILE);
  const handle = await open(temp, 'w');
  try {
    await writeFully(handle, Buffer.from(text, 'utf8'));
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, join(dir, SNAPSHOT_FILE));
  await syncDirectory(dir);
  if (keepHistory) return;
  for (const segment of segmentFiles(await readdir(dir))) {
    if (segment.firstSeq > seq) continue;
    try {
      await unlink(join(dir, segment.name));
    } catch (err) {
      warn(`journal ${dir}: could not remove ${segment.name}, which the snapshot at seq ${seq} covers (${(err as Error).message}); the next open removes it`);
    }
  }
}
