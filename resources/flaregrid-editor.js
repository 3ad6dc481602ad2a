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

  window.FlareGridEditor = { range: range, above: above, wholeRange: wholeRange };
})();
