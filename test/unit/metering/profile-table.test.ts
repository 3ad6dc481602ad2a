// The edit dialog's custom-profile table (resources/flaregrid-profile-table.js) against the contract it is built
// from: every built-in profile survives the table's round trip unchanged, and a profile started in the dialog passes
// the same check the runtime runs.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadBuiltinProfiles } from '../../../lib/metering/profiles';
import { validateProfile } from '../../../lib/metering/validate';
import { EDITOR_CATALOGUE } from '../../../lib/schemas';

const table = require(join(__dirname, '..', '..', '..', '..', 'resources', 'flaregrid-profile-table.js'));
// The dialog receives the schema as JSON from the runtime.
const schema = JSON.parse(JSON.stringify(EDITOR_CATALOGUE.meterProfileSchema));

describe("the meter dialog's custom-profile table", () => {
  for (const profile of loadBuiltinProfiles()) {
    it(`keeps every property of ${profile.id} through the table, labels, ranges and words included`, () => {
      const rows = table.toTable(structuredClone(profile), schema);
      assert.deepEqual(table.fromTable(rows, schema), profile);
    });
  }

  it('keeps every property when each row is rebuilt from its cells alone, as the dialog does after an edit', () => {
    for (const profile of loadBuiltinProfiles()) {
      const t = table.toTable(structuredClone(profile), schema);
      const rebuilt = { ...t, rows: t.rows.map((row: { cells: object }) => ({ cells: { ...row.cells } })) };
      assert.deepEqual(table.fromTable(rebuilt, schema), profile, profile.id);
    }
  });

  it('shows every register property of the contract as a column, and every enum from it', () => {
    const columns = table.columns(schema);
    assert.deepEqual(columns.map((c: { key: string }) => c.key).sort(), Object.keys(schema.properties.registers.items.properties).sort());
    const field = columns.find((c: { key: string }) => c.key === 'field');
    assert.ok(field.values.includes('statusFlags') && field.values.includes('serialNumber'));
    assert.deepEqual(columns.find((c: { key: string }) => c.key === 'fc').values, [3, 4]);
    const header = table.headerFields(schema).map((f: { key: string }) => f.key);
    for (const key of ['id', 'name', 'manufacturer', 'model', 'source', 'kind']) assert.ok(header.includes(key), key);
  });

  it('a profile started in the dialog with one register passes the runtime check', () => {
    const cells = { name: 'P', address: '0', fc: '3', type: 's16', scale: '1', unit: 'W', field: 'powerW' };
    const profile = table.fromTable({ header: table.startingHeader('load'), rows: [{ cells }], carried: {} }, schema);
    assert.deepEqual(profile.registers, [{ name: 'P', address: 0, fc: 3, type: 's16', scale: 1, unit: 'W', field: 'powerW' }]);
    assert.equal(validateProfile(profile).source, 'entered in the flaregrid-meter edit dialog');
  });
});
