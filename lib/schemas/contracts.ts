// The one source of every FlareGrid contract (docs/contracts.md). Each contract is one TypeBox schema in a module of
// its domain (metering, meter-profile, market, payments, dispatch); from it come the TypeScript type, the ajv
// check the nodes use (lib/schemas/index.ts), the published JSON Schema (`npm run schemas` writes schemas/ and
// docs/contracts.md, and a test keeps those current) and the editor's enums (served to the edit dialogs at
// /flaregrid/contracts).
//
// Adding a contract: write its schema in the module of its domain with the kit's building blocks, add it to
// CONTRACTS below, run `npm run schemas`, and commit the new schemas/<file> and docs/contracts.md with it.

import { SCHEMA_BASE_URL, type TSchema } from './kit';
import { MinerTelemetrySchema, PowerTargetSchema } from './dispatch';
import { BookSnapshotSchema, CancelSchema, ClearingSummarySchema, OrderSchema, ParticipantSchema, RejectSchema, TradeSchema } from './market';
import { MeterProfileSchema } from './meter-profile';
import { MeterReadingSchema, SiteBalanceSchema } from './metering';
import { CutOffSchema, InvoiceSchema, ReceiptSchema } from './payments';

export * from './dispatch';
export * from './market';
export * from './meter-profile';
export * from './metering';
export * from './payments';

export interface ContractEntry {
  name: string;
  /** the published file, schemas/<file> */
  file: string;
  schema: TSchema;
}

export const CONTRACTS: readonly ContractEntry[] = [
  { name: 'MeterReading', file: 'meter-reading.schema.json', schema: MeterReadingSchema },
  { name: 'SiteBalance', file: 'site-balance.schema.json', schema: SiteBalanceSchema },
  { name: 'MeterProfile', file: 'meter-profile.schema.json', schema: MeterProfileSchema },
  { name: 'Order', file: 'order.schema.json', schema: OrderSchema },
  { name: 'Cancel', file: 'cancel.schema.json', schema: CancelSchema },
  { name: 'Trade', file: 'trade.schema.json', schema: TradeSchema },
  { name: 'Reject', file: 'reject.schema.json', schema: RejectSchema },
  { name: 'Participant', file: 'participant.schema.json', schema: ParticipantSchema },
  { name: 'ClearingSummary', file: 'clearing-summary.schema.json', schema: ClearingSummarySchema },
  { name: 'BookSnapshot', file: 'book-snapshot.schema.json', schema: BookSnapshotSchema },
  { name: 'Receipt', file: 'receipt.schema.json', schema: ReceiptSchema },
  { name: 'Invoice', file: 'invoice.schema.json', schema: InvoiceSchema },
  { name: 'CutOff', file: 'cutoff.schema.json', schema: CutOffSchema },
  { name: 'PowerTarget', file: 'power-target.schema.json', schema: PowerTargetSchema },
  { name: 'MinerTelemetry', file: 'miner-telemetry.schema.json', schema: MinerTelemetrySchema },
];

/** A contract as published: draft 2020-12, with its $id, as plain JSON. */
export function publishedSchema(entry: ContractEntry): Record<string, unknown> {
  const plain = JSON.parse(JSON.stringify(entry.schema)) as Record<string, unknown>;
  return { $schema: 'https://json-schema.org/draft/2020-12/schema', $id: `${SCHEMA_BASE_URL}${entry.file}`, ...plain };
}
