// Annexe 1, section 6: the annual equivalent of each level and the totals, updated as the head types.
(function () {
  "use strict";
  var form = document.getElementById("annexe1");
  if (!form) { return; }
  var weeks = parseInt(form.getAttribute("data-weeks"), 10) || 36;
  var inputs = form.querySelectorAll("input[data-hse-level]");
  var format = new Intl.NumberFormat("fr-FR", { maximumFractionDigits: 1 });

  function parse(value) {
    var text = (value || "").replace(/[\s\u202f\u00a0]/g, "").replace(",", ".");
    if (text === "") { return 0; }
    var number = Number(text);
    return isFinite(number) && number >= 0 ? number : null;
  }

  function update() {
    var weekly = 0;
    var valid = true;
    inputs.forEach(function (input) {
      var value = parse(input.value);
      var output = document.getElementById("annual-" + input.getAttribute("data-hse-level"));
      if (value === null) {
        valid = false;
        if (output) { output.textContent = "?"; }
        return;
      }
      weekly += value;
      if (output) { output.textContent = format.format(Math.round(value * weeks * 10) / 10); }
    });
    var totalWeekly = document.getElementById("total-weekly");
    var totalAnnual = document.getElementById("total-annual");
    if (totalWeekly) { totalWeekly.textContent = valid ? format.format(Math.round(weekly * 10) / 10) : "?"; }
    if (totalAnnual) { totalAnnual.textContent = valid ? format.format(Math.round(weekly * weeks * 10) / 10) : "?"; }
  }

  inputs.forEach(function (input) { input.addEventListener("input", update); });
  update();
})();
