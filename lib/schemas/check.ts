// One ajv instance compiles every contract once; a Check answers "is this value that contract?" and, when it is
// not, says why in sentences that name the field, the rule and the value given, so that an integrator can fix a
// message from the Catch node's text alone.

import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import { isoTimeMs } from './iso-time';
import type { Static, TSchema } from './kit';

// strictRequired is off because a schema may require a property that a sibling branch (if/then) declares.
const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false });
// ISO 8601 date-time as the contracts write timestamps (ajv-formats would be one more runtime dependency).
ajv.addFormat('date-time', { type: 'string', validate: (s: string) => !Number.isNaN(isoTimeMs(s)) });

export class ContractError extends Error {
  readonly code = 'CONTRACT_VIOLATION';
  override name = 'ContractError';
  constructor(
    readonly contract: string,
    readonly problems: readonly string[],
  ) {
    super(`${contract}: ${problems.join('; ')}`);
  }
}

export interface Check<T> {
  /** the contract's name, e.g. MeterReading */
  readonly contract: string;
  readonly schema: TSchema;
  (value: unknown): value is T;
  /** The value as the contract's type; @throws ContractError with every problem found. */
  parse(value: unknown): T;
  /** The problems of `value` as sentences; empty when it is valid. */
  problems(value: unknown): string[];
}

export interface CheckOptions {
  /** how the whole value is called in sentences ("the profile"); default "the <contract>" */
  subject?: string;
  /** sentences for schema rules whose ajv message says nothing a person can use, by ajv schemaPath */
  sentences?: Record<string, string>;
}

/** Compiles `schema` once. */
export function compileCheck<S extends TSchema>(contract: string, schema: S, options: CheckOptions = {}): Check<Static<S>> {
  const validate: ValidateFunction = ajv.compile(schema);
  const subject = options.subject ?? `the ${contract}`;
  const problemsOf = (value: unknown): string[] =>
    validate(value) ? [] : describeErrors(validate.errors ?? [], value, subject, options.sentences ?? {});
  const check = ((value: unknown) => validate(value)) as Check<Static<S>>;
  Object.defineProperties(check, {
    contract: { value: contract },
    schema: { value: schema },
    problems: { value: problemsOf },
    parse: {
      value: (value: unknown) => {
        const problems = problemsOf(value);
        if (problems.length > 0) throw new ContractError(contract, problems);
        return value;
      },
    },
  });
  return check;
}

/** '/registers/5/field' -> "registers[5].field"; '' -> the subject */
export function fieldPath(instancePath: string, subject: string): string {
  if (instancePath === '') return subject;
  return instancePath
    .slice(1)
    .split('/')
    .map((part, i) => (/^\d+$/.test(part) ? `[${part}]` : i === 0 ? part : `.${part}`))
    .join('');
}

function valueAt(root: unknown, instancePath: string): unknown {
  let value = root;
  for (const part of instancePath.split('/').slice(1)) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return value;
}

function shown(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}

function describeErrors(errors: readonly ErrorObject[], root: unknown, subject: string, sentences: Record<string, string>): string[] {
  const out: string[] = [];
  for (const error of errors) {
    // A property name's own failure is reported once, by the propertyNames error that names it.
    if (error.schemaPath.includes('/propertyNames/')) continue;
    const text = sentence(error, root, subject, sentences);
    if (text !== undefined && !out.includes(text)) out.push(text);
  }
  return out;
}

function sentence(error: ErrorObject, root: unknown, subject: string, sentences: Record<string, string>): string | undefined {
  const where = fieldPath(error.instancePath, subject);
  const params = error.params as Record<string, unknown>;
  const given = `, got ${shown(valueAt(root, error.instancePath))}`;
  const known = sentences[error.schemaPath];
  if (known !== undefined) return `${where} ${known}`;
  switch (error.keyword) {
    case 'if':
      return undefined; // the failing branch reports the real problem
    case 'enum':
      return `${where} must be one of ${(params.allowedValues as unknown[]).join(', ')}${given}`;
    case 'const':
      return `${where} must be ${shown(params.allowedValue)}${given}`;
    case 'required':
      return `${where} is missing the required property '${String(params.missingProperty)}'`;
    case 'additionalProperties':
      return `${where} has an unknown property '${String(params.additionalProperty)}'`;
    case 'propertyNames':
      return `${where} has a property '${String(params.propertyName)}' that is not allowed there`;
    case 'type':
      return `${where} must be ${article(String(params.type))}${given}`;
    case 'pattern':
      return `${where} must match ${String(params.pattern)}${given}`;
    case 'format':
      return `${where} must be ${params.format === 'date-time' ? 'an ISO 8601 date-time with a zone, e.g. 2026-12-01T06:00:00Z' : `a ${String(params.format)}`}${given}`;
    default:
      return `${where} ${error.message ?? 'is invalid'}${error.keyword === 'not' ? '' : given}`;
  }
}

function article(type: string): string {
  if (type === 'integer') return 'a whole number';
  if (type === 'object' || type === 'array') return `an ${type}`;
  return `a ${type}`;
}
