
// claimdiff report: shows the evidence of the value selected and filters the
// findings. It only shows, hides and moves elements that are already on the
// page; it never builds HTML from text.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function select(item) {
    var cluster = item.closest(".cluster");
    var panel = cluster.querySelector(".panel");
    var target = document.getElementById(item.getAttribute("data-ev"));
    if (!target) { return; }
    cluster.querySelectorAll(".ev.shown").forEach(function (e) { e.classList.remove("shown"); });
    cluster.querySelectorAll('.val[aria-pressed="true"]').forEach(function (v) { v.setAttribute("aria-pressed", "false"); });
    target.classList.add("shown");
    item.setAttribute("aria-pressed", "true");
    panel.classList.add("has-selection");
    panel.scrollTop = 0;
  }

  document.addEventListener("click", function (event) {
    var item = event.target.closest(".val[data-ev]");
    if (item) { select(item); return; }
    var link = event.target.closest('a[href^="#"]');
    if (link) {
      // A claim in a closed source: open it before the browser jumps there.
      var goal = document.getElementById(link.getAttribute("href").slice(1));
      var details = goal && goal.closest("details");
      if (details) { details.open = true; }
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" && event.key !== " ") { return; }
    var item = event.target.closest && event.target.closest(".val[data-ev]");
    if (item) { event.preventDefault(); select(item); }
  });

  function applyFilters(cluster) {
    var form = cluster.querySelector(".filters");
    var checked = form.querySelector('input[type="radio"]:checked');
    var status = checked ? checked.value : "all";
    var query = form.querySelector('input[type="search"]').value.trim().toLowerCase();
    var rows = cluster.querySelectorAll("tr.finding");
    var shown = 0;
    rows.forEach(function (row) {
      var ok = (status === "all" || row.getAttribute("data-status") === status) &&
        (query === "" || row.getAttribute("data-search").indexOf(query) !== -1);
      row.hidden = !ok;
      if (ok) { shown += 1; }
    });
    form.querySelector(".shown").textContent = shown + " of " + rows.length + " findings shown";
  }

  document.querySelectorAll(".cluster").forEach(function (cluster) {
    var form = cluster.querySelector(".filters");
    form.addEventListener("input", function () { applyFilters(cluster); });
    form.addEventListener("change", function () { applyFilters(cluster); });
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    applyFilters(cluster);
  });
})();
