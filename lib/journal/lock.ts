// One writer per journal. Inside a process, a registry (shared through a global symbol, so that two copies of
// this module still see each other) refuses a second open of a directory. Between processes, a lock file
// names its holder by pid and, on Linux, by the holder's start time: a lock whose process is gone (a writer
// killed by SIGKILL or a power cut) or whose pid now belongs to another process is stale and taken over.
//
// Taking over goes through rename: the stale file is moved aside and read back, and only when it is the very
// file that was judged stale is it removed; creating the lock is an exclusive create, so of two processes
// racing for one journal at most one gets it.

import { randomBytes } from 'node:crypto';
import { link, open, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { JournalError } from './errors';
import { LOCK_FILE } from './format';

const REGISTRY = Symbol.for('flaregrid.journal.openDirectories');

function registry(): Set<string> {
  const holder = globalThis as { [REGISTRY]?: Set<string> };
  return (holder[REGISTRY] ??= new Set<string>());
}

interface LockContent {
  pid: number;
  /** the holder's start time in clock ticks since boot (/proc/<pid>/stat field 22), where there is /proc */
  startTime?: string;
  /** tells this lock apart from an earlier one of the same process */
  nonce: string;
}

export interface JournalLock {
  release(): Promise<void>;
}

/** Claims `dir` (a real path) for this process; throws ALREADY_OPEN or LOCKED. */
export async function acquireLock(dir: string, warn: (message: string) => void): Promise<JournalLock> {
  const openDirs = registry();
  if (openDirs.has(dir)) {
    throw new JournalError('ALREADY_OPEN', `journal ${dir} is already open in this process: use that Journal, or close it before opening the directory again`);
  }
  openDirs.add(dir);
  try {
    const path = join(dir, LOCK_FILE);
    const content: LockContent = { pid: process.pid, startTime: await processStartTime(process.pid), nonce: randomBytes(8).toString('hex') };
    const text = `${JSON.stringify(content)}\n`;
    await claim(dir, path, text, warn);
    return {
      async release() {
        try {
          if ((await readFile(path, 'utf8')) === text) await unlink(path);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        } finally {
          openDirs.delete(dir);
        }
      },
    };
  } catch (err) {
    openDirs.delete(dir);
    throw err;
  }
}

async function claim(dir: string, path: string, text: string, warn: (message: string) => void): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const handle = await open(path, 'wx');
      try {
        await handle.writeFile(text);
        await handle.sync();
      } finally {
        await handle.close();
      }
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const held = await readIfPresent(path);
    if (held === undefined) continue;
    const holder = parseLock(held);
    if (holder !== undefined && (await isLive(holder))) {
      throw new JournalError('LOCKED', `journal ${dir} is in use by process ${holder.pid} (lock file ${path}); stop that process, or remove the lock file if it is not a journal writer`);
    }
    const aside = `${path}.stale-${randomBytes(6).toString('hex')}`;
    try {
      await rename(path, aside);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw err;
    }
    if ((await readFile(aside, 'utf8')) === held) {
      await unlink(aside);
      warn(`journal lock ${path}: took over a stale lock ${holder === undefined ? '(unreadable)' : `of process ${holder.pid}, which is gone`}`);
      continue;
    }
    // Another process replaced the stale lock with its own between the read and the rename: put it back.
    try {
      await link(aside, path);
    } catch (err) {
      throw new JournalError('LOCKED', `journal lock ${path}: several processes are claiming the journal at once; check them, then remove ${aside}`, { cause: err });
    }
    await unlink(aside);
  }
  throw new JournalError('LOCKED', `journal lock ${path}: could not take the lock, other processes keep taking it`);
}

async function readIfPresent(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function parseLock(text: string): LockContent | undefined {
  try {
    const parsed = JSON.parse(text) as Partial<LockContent>;
    return Number.isSafeInteger(parsed.pid) && (parsed.pid as number) > 0 ? (parsed as LockContent) : undefined;
  } catch {
    return undefined;
  }
}

async function isLive(holder: LockContent): Promise<boolean> {
  // Our own pid in a lock this process does not hold (the registry said so) is a previous process that had
  // the same pid, as happens when a container restarts.
  if (holder.pid === process.pid) return false;
  try {
    process.kill(holder.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    // EPERM: the process exists but belongs to another user.
  }
  if (holder.startTime === undefined) return true;
  const now = await processStartTime(holder.pid);
  return now === undefined || now === holder.startTime;
}

/** Start time of a process in clock ticks since boot, on systems with /proc (Linux); undefined elsewhere. */
async function processStartTime(pid: number): Promise<string | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces and parentheses) start at field 3.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}
