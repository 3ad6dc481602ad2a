// Helpers shared by the journal tests: temporary journal directories and a reader of segment files that does
// not go through lib/journal, so that the tests check the files themselves.

import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh directory for each test; removed after it. */
export function journalDirs(): { next(): string } {
  const made: string[] = [];
  afterEach(() => {
    for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  return {
    next() {
      const dir = mkdtempSync(join(tmpdir(), 'flaregrid-journal-'));
      made.push(dir);
      return join(dir, 'journal');
    },
  };
}

export function segmentNames(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => name.startsWith('segment-'))
    .sort();
}

/** Every record line of every segment, parsed, oldest first. */
export function recordsOnDisk(dir: string): { seq: number; kind: string; data: unknown; prev: string; hash: string; v: number }[] {
  return segmentNames(dir).flatMap((name) =>
    readFileSync(join(dir, name), 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as { seq: number; kind: string; data: unknown; prev: string; hash: string; v: number }),
  );
}

export function collectWarnings(): { warn: (message: string) => void; messages: string[] } {
  const messages: string[] = [];
  return { warn: (message) => messages.push(message), messages };
}
