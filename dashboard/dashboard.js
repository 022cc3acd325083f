// Unifeed dashboard: the only script. Pages work without it; it asks before "publish now" and keeps
// the filter form from sending empty fields.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var publish = document.querySelector("form.publish");
  if (publish) {
    publish.addEventListener("submit", function (event) {
      if (!window.confirm("Publish every enabled channel now?")) { event.preventDefault(); }
    });
  }
  var filters = document.querySelector("form.filters");
  if (filters) {
    filters.addEventListener("submit", function () {
      filters.querySelectorAll("select").forEach(function (select) { if (select.value === "") { select.disabled = true; } });
    });
  }
});
