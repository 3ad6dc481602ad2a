// The custom meter profile as the edit dialog's table sees it, derived from the MeterProfile contract that the
// runtime serves (GET flaregrid/contracts): the columns, the header fields and every enum come from the schema, so
// a property added to the contract reaches the dialog without an edit here. A round trip (profile -> table ->
// profile) keeps every property, shown or not: what the table does not show is carried through unchanged.
// The same file runs in the editor (window.FlareGridProfileTable) and in Node.js for the unit tests.
(function (root, factory) {
  if (typeof module === 'object' && module.exports) module.exports = factory();
  else root.FlareGridProfileTable = factory();
})(typeof self !== 'undefined' ? self : this, function () {
  // Register properties shown on a row's first line (which register, where it is); the rest go on the second (what
  // it means). Seven units a line: the range takes two.
  var FIRST_LINE = ['name', 'label', 'address', 'fc', 'type', 'wordOrder', 'words'];
  // Profile properties the header does not edit as a single value; they are carried through.
  var NOT_IN_HEADER = ['$schema', 'registers', 'ranges', 'energyCounters'];

  function kindOf(property) {
    if (property.enum) return 'enum';
    if (property.type === 'object' && property.properties && property.properties.min && property.properties.max) return 'range';
    if (property.type === 'integer' || property.type === 'number') return property.type;
    return 'string';
  }

  function describe(key, property) {
    var column = { key: key, kind: kindOf(property), description: property.description || '' };
    if (column.kind === 'enum') column.values = property.enum.slice();
    return column;
  }

  /** The register columns, in the schema's order, each with its line (1 or 2). */
  function columns(profileSchema) {
    var props = profileSchema.properties.registers.items.properties;
    return Object.keys(props).map(function (key) {
      var column = describe(key, props[key]);
      column.line = FIRST_LINE.indexOf(key) >= 0 ? 1 : 2;
      column.required = (profileSchema.properties.registers.items.required || []).indexOf(key) >= 0;
      return column;
    });
  }

  /** The header fields (the profile's own scalar properties: id, name, manufacturer, model, source, kind, ...). */
  function headerFields(profileSchema) {
    var props = profileSchema.properties;
    return Object.keys(props)
      .filter(function (key) { return NOT_IN_HEADER.indexOf(key) < 0; })
      .map(function (key) {
        var field = describe(key, props[key]);
        field.required = (profileSchema.required || []).indexOf(key) >= 0;
        return field;
      });
  }

  function cellText(value) {
    return value === undefined || value === null ? '' : String(value);
  }

  /** A cell's text back as the property's type; undefined for an empty cell (the property is left out). */
  function parseCell(column, text) {
    if (text === undefined || text === '') return undefined;
    if (column.kind === 'enum') {
      for (var i = 0; i < column.values.length; i++) if (String(column.values[i]) === text) return column.values[i];
      return text; // not a member: the check names it
    }
    if (column.kind === 'integer' || column.kind === 'number') {
      var n = Number(text);
      return Number.isFinite(n) ? n : text;
    }
    return text;
  }

  /** The cells of one register: text per column (a range as min and max). */
  function registerCells(register, cols) {
    var cells = {};
    cols.forEach(function (column) {
      var value = register[column.key];
      if (column.kind === 'range') {
        cells[column.key + '.min'] = cellText(value && value.min);
        cells[column.key + '.max'] = cellText(value && value.max);
      } else {
        cells[column.key] = cellText(value);
      }
    });
    return cells;
  }

  /** A register from its cells, over the original register so that properties the table lacks are kept. */
  function registerFrom(cells, cols, original) {
    var register = {};
    Object.keys(original || {}).forEach(function (key) { register[key] = original[key]; });
    cols.forEach(function (column) {
      delete register[column.key];
      if (column.kind === 'range') {
        var min = parseCell({ kind: 'number' }, cells[column.key + '.min']);
        var max = parseCell({ kind: 'number' }, cells[column.key + '.max']);
        if (min !== undefined || max !== undefined) register[column.key] = { min: min, max: max };
        return;
      }
      var value = parseCell(column, cells[column.key]);
      if (value !== undefined) register[column.key] = value;
    });
    return register;
  }

  /** Values a profile started in the dialog gets, visible in its header, so that one register row passes the check. */
  function startingHeader(role) {
    return { id: 'custom', name: 'Custom meter', manufacturer: 'unspecified', model: 'unspecified', source: 'entered in the flaregrid-meter edit dialog', kind: role || 'load' };
  }

  /** profile -> { header: {key: text}, rows: [{ cells, original }], carried: properties the table does not edit } */
  function toTable(profile, profileSchema) {
    var cols = columns(profileSchema);
    var header = {};
    headerFields(profileSchema).forEach(function (field) { header[field.key] = cellText(profile[field.key]); });
    var carried = {};
    NOT_IN_HEADER.forEach(function (key) { if (key !== 'registers' && profile[key] !== undefined) carried[key] = profile[key]; });
    var rows = (profile.registers || []).map(function (register) {
      return { cells: registerCells(register, cols), original: register };
    });
    return { header: header, rows: rows, carried: carried };
  }

  function fromTable(table, profileSchema) {
    var cols = columns(profileSchema);
    var profile = {};
    Object.keys(table.carried || {}).forEach(function (key) { profile[key] = table.carried[key]; });
    headerFields(profileSchema).forEach(function (field) {
      var value = parseCell(field, table.header[field.key]);
      if (value !== undefined) profile[field.key] = value;
    });
    profile.registers = table.rows.map(function (row) { return registerFrom(row.cells, cols, row.original); });
    return profile;
  }

  return {
    columns: columns,
    headerFields: headerFields,
    registerCells: registerCells,
    registerFrom: registerFrom,
    startingHeader: startingHeader,
    toTable: toTable,
    fromTable: fromTable,
  };
});
