// lib/journal: the durable, hash-chained, append-only journal; journal.ts describes the guarantees and the format.

export { Journal, type OpenOptions, type OpenedJournal, type JournalStats } from './journal';
export { readJournal, verifyJournal, type JournalReading, type VerifyReport } from './verify';
export { JournalError, type JournalErrorCode, type JournalErrorDetails } from './errors';
export { GENESIS_HASH, stateHash, type JournalEntry } from './format';
export type { ChainProblem, TornTail } from './chain';
export type { RecordMigration, SnapshotMigration } from './migrate';
