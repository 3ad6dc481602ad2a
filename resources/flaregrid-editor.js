// Edit-dialog helpers shared by the FlareGrid nodes. Node-RED serves this folder at
// resources/@flaregrid/node-red-microgrid/, and each node's .html loads it before registering its type.
(function () {
  var ENV_VALUE = /^\$\{[^}]+\}$/;

  // A number field within [min, max]. `ns` is the node's message namespace, whose catalogue has errors.range;
  // ${ENV} values pass, as RED.validators.number() lets them. Two parameters: Node-RED then shows the string.
  function range(ns, min, max) {
    var isNumber = RED.validators.number();
    return function (v, opt) {
      var valid = isNumber(v, opt);
      if (valid !== true || ENV_VALUE.test(v)) return valid;
      var n = Number(v);
      if (v !== '' && n >= min && n <= max) return true;
      return opt ? RED._(ns + 'errors.range', { min: min, max: max }) : false;
    };
  }

  // A number field above min (and at most max); the catalogue has errors.above.
  function above(ns, min, max) {
    var inRange = range(ns, min, max);
    return function (v, opt) {
      var valid = inRange(v, opt);
      if (valid !== true || Number(v) > min || ENV_VALUE.test(v)) return valid;
      return opt ? RED._(ns + 'errors.above', { min: min }) : false;
    };
  }

  // A whole number within [min, max]; the catalogue has errors.wholeRange.
  function wholeRange(ns, min, max) {
    var inRange = range(ns, min, max);
    return function (v, opt) {
      var valid = inRange(v, opt);
      if (valid !== true || ENV_VALUE.test(v) || Number.isInteger(Number(v))) return valid;
      return opt ? RED._(ns + 'errors.wholeRange', { min: min, max: max }) : false;
    };
  }

  // An id that is also an MQTT topic level (the contracts' id pattern); the catalogue has errors.id.
  var ID = /^[A-Za-z0-9_.:-]{1,64}$/;
  function id(ns) {
    return function (v, opt) {
      if (ID.test(v || '') || ENV_VALUE.test(v || '')) return true;
      return opt ? RED._(ns + 'errors.id') : false;
    };
  }

  // An id that may be left empty.
  function optionalId(ns) {
    var required = id(ns);
    return function (v, opt) {
      return !v ? true : required(v, opt);
    };
  }

  // A TypedInput field (its type in the hidden input `typeField`) whose number form must be a whole number of at
  // least min; the other forms (msg, flow, global, env, JSONata) are checked by Node-RED's own typedInput
  // validator and, at run time, by the node. The catalogue has errors.whole.
  function typedWhole(ns, typeField, min) {
    var typed = RED.validators.typedInput(typeField);
    return function (v, opt) {
      var input = $('#node-input-' + typeField);
      var type = input.length ? input.val() : this[typeField];
      var valid = typed.call(this, v, opt);
      if (valid !== true || type !== 'num' || ENV_VALUE.test(v)) return valid;
      var n = Number(v);
      if (v !== '' && Number.isSafeInteger(n) && n >= min) return true;
      return opt ? RED._(ns + 'errors.whole', { min: min }) : false;
    };
  }

  // Fills a <select> from an enum of the runtime's catalogue, keeping `value` selectable even when the runtime
  // is unreachable; labels come from the node's catalogue (<ns>enum.<name>.<value>) when it has them.
  // A select filled with the runtime's list `name`; each option's label is the catalogue entry `labels` + value
  // (by default `<ns>enum.<name>.`), or the value itself when there is none.
  function enumSelect(select, name, value, ns, labels) {
    var prefix = labels || ns + 'enum.' + name + '.';
    function fill(values) {
      select.empty();
      values.forEach(function (v) {
        var key = prefix + v;
        var label = RED._(key);
        // i18next answers a missing key with the key, without its namespace
        var missing = label === key || label === key.split(':').pop();
        select.append($('<option/>').val(v).text(missing ? v : label));
      });
      select.val(value);
    }
    fill([value]);
    return catalogue().then(function (c) { fill(c.enums[name]); });
  }

  // The contracts' enums and the meter profile schema, from the runtime (one request per editor session).
  var contracts;
  function catalogue() {
    contracts = contracts || $.getJSON('flaregrid/contracts');
    return contracts;
  }

  // A node saved by an older release: the runtime's own migrations bring its properties forward, and the dialog
  // shows the result, so that saving the dialog stores what the runtime would run. `current` is the version the
  // node's defaults declare; the callback gets the migrated properties (or none when nothing had to change).
  function inputValue(input) {
    if (!input.length) return undefined;
    return input.is(':checkbox') ? input.is(':checked') : input.val();
  }

  function bringForward(node, type, current, done) {
    var version = node.configVersion === undefined || node.configVersion === '' ? 0 : Number(node.configVersion);
    if (version >= current) return done();
    var props = {};
    Object.keys(node._def.defaults).forEach(function (key) { props[key] = node[key]; });
    props.configVersion = version;
    // What the dialog showed when it opened: a field the user edits before the answer arrives keeps the edit.
    var shown = {};
    Object.keys(props).forEach(function (key) { shown[key] = inputValue($('#node-input-' + key)); });
    $.ajax({ url: 'flaregrid/migrate/' + type, method: 'POST', contentType: 'application/json', data: JSON.stringify(props) })
      .done(function (migrated) {
        Object.keys(migrated).forEach(function (key) {
          var input = $('#node-input-' + key);
          if (key === 'configVersion' || !input.length || migrated[key] === props[key]) return;
          if (inputValue(input) !== shown[key]) return;
          if (input.is(':checkbox')) input.prop('checked', migrated[key] === true);
          else input.val(migrated[key]);
        });
        done(migrated);
      })
      .fail(function () { done(); });
  }

  window.FlareGridEditor = {
    range: range, above: above, wholeRange: wholeRange, id: id, optionalId: optionalId, typedWhole: typedWhole,
    catalogue: catalogue, enumSelect: enumSelect, bringForward: bringForward
  };
})();
