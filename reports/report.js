// Sorting and filtering for the report's tables. Optional: without it every row shows.
(function () {
  "use strict";
  function cellValue(row, index, numeric) {
    var cell = row.cells[index];
    var raw = cell ? (cell.getAttribute("data-value") || cell.textContent) : "";
    return numeric ? parseFloat(raw) || 0 : raw.toLowerCase();
  }
  function sortBy(table, header, index) {
    var numeric = header.getAttribute("data-type") === "num";
    var ascending = header.getAttribute("aria-sort") !== "ascending";
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = cellValue(a, index, numeric), y = cellValue(b, index, numeric);
      var order = x < y ? -1 : x > y ? 1 : 0;
      return ascending ? order : -order;
    });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
      th.removeAttribute("aria-sort");
    });
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    rows.forEach(function (row) { body.appendChild(row); });
  }
  function applyFilter(table, controls) {
    var text = controls.querySelector("[data-filter]").value.trim().toLowerCase();
    var select = controls.querySelector("[data-filter-attr]");
    var attr = "data-" + select.getAttribute("data-filter-attr");
    var wanted = select.value;
    var shown = 0;
    Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
      var visible = (!text || row.getAttribute("data-search").indexOf(text) !== -1) &&
        (!wanted || row.getAttribute(attr) === wanted);
      row.hidden = !visible;
      if (visible) { shown += 1; }
    });
    controls.querySelector("[data-count]").textContent = String(shown);
  }
  Array.prototype.forEach.call(document.querySelectorAll("[data-controls]"), function (controls) {
    var table = document.getElementById(controls.getAttribute("data-controls"));
    if (!table) { return; }
    controls.hidden = false;
    var update = function () { applyFilter(table, controls); };
    controls.querySelector("[data-filter]").addEventListener("input", update);
    controls.querySelector("[data-filter-attr]").addEventListener("change", update);
    Array.prototype.forEach.call(table.querySelectorAll("button.sort"), function (button) {
      button.addEventListener("click", function () {
        sortBy(table, button.parentNode, parseInt(button.getAttribute("data-col"), 10));
      });
    });
  });
}());
