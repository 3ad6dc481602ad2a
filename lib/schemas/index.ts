// The contracts' JSON Schemas (draft 2020-12), for outside participants and for our own tests, with one ajv
// instance that checks a message against them.

import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import meterReadingSchema from './meter-reading.schema.json';
import siteBalanceSchema from './site-balance.schema.json';
import type { MeterReading, SiteBalance } from './contracts';

export { meterReadingSchema, siteBalanceSchema };

const ajv = new Ajv2020({ allErrors: true, strict: true });
// ISO 8601 date-time, as the contracts write timestamps (ajv-formats would be a seventh runtime dependency).
ajv.addFormat('date-time', { type: 'string', validate: (s: string) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(s) && !Number.isNaN(Date.parse(s)) });

export const isMeterReading: ValidateFunction<MeterReading> = ajv.compile<MeterReading>(meterReadingSchema);
export const isSiteBalance: ValidateFunction<SiteBalance> = ajv.compile<SiteBalance>(siteBalanceSchema);

/** The schema errors of the last check, as one sentence. */
export function schemaProblems(check: ValidateFunction): string {
  return (check.errors ?? []).map((e) => `${e.instancePath || '(message)'} ${e.message}`).join('; ');
}
