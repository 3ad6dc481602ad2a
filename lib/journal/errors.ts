// The error vocabulary of lib/journal. A JournalError names its journal directory and, where there is one,
// the file, the line and the sequence number, so that an operator can find the record.

export type JournalErrorCode =
  /** options are not usable (version not a positive integer, ...) */
  | 'OPTIONS_INVALID'
  /** the directory is not a journal (verifyJournal on a missing directory) */
  | 'NOT_FOUND'
  /** this process already has the journal open */
  | 'ALREADY_OPEN'
  /** another live process holds the journal's lock */
  | 'LOCKED'
  /** append or snapshot after close() */
  | 'CLOSED'
  /** append or snapshot after a write failed; the journal must be reopened */
  | 'FAILED'
  /** a write or fsync failed; the records of the batch may or may not be on disk */
  | 'WRITE_FAILED'
  /** a record is not valid JSON or not a journal record, and it is not the last one */
  | 'RECORD_INVALID'
  /** a record's seq is not the one after its predecessor's (a record is missing, repeated or reordered) */
  | 'SEQ_GAP'
  /** a record's prev is not its predecessor's hash */
  | 'PREV_MISMATCH'
  /** a record's hash is not the hash of its content: the record was changed after it was written */
  | 'HASH_MISMATCH'
  /** the snapshot file is unreadable or its digest does not match its content */
  | 'SNAPSHOT_INVALID'
  /** the snapshot does not sit on the chain of the records beside it */
  | 'SNAPSHOT_MISMATCH'
  /** a record or snapshot is of a newer format than this code writes */
  | 'VERSION_TOO_NEW'
  /** no migration from a record or snapshot format that is on disk */
  | 'MIGRATION_MISSING';

export interface JournalErrorDetails {
  file?: string;
  /** 1-based line in `file` */
  line?: number;
  seq?: number;
  cause?: unknown;
}

export class JournalError extends Error {
  readonly code: JournalErrorCode;
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly seq: number | undefined;

  constructor(code: JournalErrorCode, message: string, details: JournalErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'JournalError';
    this.code = code;
    this.file = details.file;
    this.line = details.line;
    this.seq = details.seq;
  }
}
