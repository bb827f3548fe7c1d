// Annexe 1, section 6: the annual equivalent of each level and the totals, updated as the head types.
// The server computes them (requests:equivalents), so the conversion and the French formatting are written
// once; without JavaScript the figures are those of the last save.
(function () {
  "use strict";
  var form = document.getElementById("annexe1");
  if (!form || !window.fetch) { return; }
  var url = form.getAttribute("data-equivalents-url");
  var inputs = form.querySelectorAll("input[data-hse-level]");
  if (!url || !inputs.length) { return; }
  var timer = null;
  var latest = 0;

  function show(id, text) {
    var output = document.getElementById(id);
    if (output) { output.textContent = text; }
  }

  function update() {
    var params = new URLSearchParams();
    inputs.forEach(function (input) { params.append(input.getAttribute("data-hse-level"), input.value); });
    var asked = ++latest;
    fetch(url + "?" + params.toString(), { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data || asked !== latest) { return; }
        if (!data.valid) {
          inputs.forEach(function (input) { show("annual-" + input.getAttribute("data-hse-level"), "?"); });
          show("total-weekly", "?");
          show("total-annual", "?");
          return;
        }
        Object.keys(data.annual).forEach(function (key) { show("annual-" + key, data.annual[key]); });
        show("total-weekly", data.total_weekly);
        show("total-annual", data.total_annual);
      })
      .catch(function () { /* the figures of the last save stay shown */ });
  }

  inputs.forEach(function (input) {
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(update, 250);
    });
  });
})();
