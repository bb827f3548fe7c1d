// Allocation assistant: row totals, the grand total and what would remain, updated as staff edit.
(function () {
  "use strict";
  var form = document.getElementById("assistant");
  if (!form) { return; }
  var remaining = parseInt(document.getElementById("assistant-remaining").getAttribute("data-remaining"), 10) || 0;
  var format = new Intl.NumberFormat("fr-FR");
  var cells = form.querySelectorAll("input.hse-cell");
  function value(input) {
    var text = input.value.replace(/[\s\u202f\u00a0]/g, "");
    if (text === "") { return 0; }
    return /^\d+$/.test(text) ? parseInt(text, 10) : null;
  }
  function update() {
    var rows = {};
    var total = 0;
    var valid = true;
    cells.forEach(function (input) {
      var v = value(input);
      var row = input.getAttribute("data-request");
      if (v === null) { valid = false; rows[row] = null; return; }
      if (rows[row] !== null) { rows[row] = (rows[row] || 0) + v; }
      total += v;
    });
    Object.keys(rows).forEach(function (row) {
      var out = form.querySelector('output[data-row-total="' + row + '"]');
      if (out) { out.textContent = rows[row] === null ? "?" : format.format(rows[row]); }
    });
    var text = valid ? format.format(total) : "?";
    document.getElementById("assistant-total").textContent = text;
    document.getElementById("assistant-total-foot").textContent = text;
    var left = document.getElementById("assistant-left");
    left.textContent = valid ? format.format(remaining - total) : "?";
    left.classList.toggle("fr-text-default--error", valid && remaining - total < 0);
  }
  cells.forEach(function (input) { input.addEventListener("input", update); });
  update();
})();
