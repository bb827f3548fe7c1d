// Regional envelopes: the total of the typed amounts, updated as DGER types.
(function () {
  "use strict";
  var form = document.getElementById("envelopes");
  var output = document.getElementById("envelopes-total");
  if (!form || !output) { return; }
  var volume = parseInt(form.getAttribute("data-volume"), 10) || 0;
  var inputs = form.querySelectorAll("input[data-envelope]");
  var format = new Intl.NumberFormat("fr-FR");
  function update() {
    var total = 0;
    var valid = true;
    inputs.forEach(function (input) {
      var text = input.value.replace(/[\s\u202f\u00a0]/g, "");
      if (text === "") { return; }
      if (!/^\d+$/.test(text)) { valid = false; return; }
      total += parseInt(text, 10);
    });
    output.textContent = valid ? format.format(total) : "?";
    output.parentNode.classList.toggle("fr-text-default--error", valid && total > volume);
  }
  inputs.forEach(function (input) { input.addEventListener("input", update); });
  update();
})();
