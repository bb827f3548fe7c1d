// Background PDF: poll the job's progress and offer the download as soon as it is ready.
(function () {
  "use strict";
  var box = document.getElementById("job");
  var bar = document.getElementById("job-progress");
  if (!box || !bar) { return; }
  var url = box.getAttribute("data-status-url");
  var meta = document.querySelector('meta[http-equiv="refresh"]');
  if (meta) { meta.parentNode.removeChild(meta); }
  function poll() {
    fetch(url, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (job) {
      bar.value = job.progress;
      document.getElementById("job-step").textContent = job.step + " — " + job.progress + " %";
      if (job.status === "done") {
        var link = document.createElement("a");
        link.href = job.download;
        link.id = "job-download";
        link.className = "fr-btn fr-icon-download-line fr-btn--icon-left";
        link.textContent = "Télécharger le PDF";
        document.getElementById("job-download-slot").appendChild(link);
        document.getElementById("job-step").textContent = "Le document est prêt.";
        bar.value = 100;
      } else if (job.status === "failed") {
        document.getElementById("job-step").textContent = "La fabrication du document a échoué. Réessayez.";
      } else {
        window.setTimeout(poll, 500);
      }
    }).catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 300);
})();
