// Sortable tables: click a column heading (or press Enter on it) to sort by it; again to reverse.
// Cells sort by their data-sort number when they have one, else by their text; empty values stay
// last in both directions, and equal keys keep their order (Array.prototype.sort is stable).
(function () {
  "use strict";
  function key(row, column) {
    const cell = row.cells[column];
    if (!cell) return null;
    if (cell.dataset.sort !== undefined) return cell.dataset.sort === "" ? null : Number(cell.dataset.sort);
    const text = cell.textContent.trim();
    return text === "" || text === "\u2014" ? null : text;
  }
  function compare(a, b) {
    if (typeof a === "number" && typeof b === "number") return a - b;
    return String(a).localeCompare(String(b), "en", { numeric: true });
  }
  function sortBy(table, heading, column) {
    const ascending = heading.getAttribute("aria-sort") !== "ascending";
    for (const other of table.tHead.rows[0].cells) other.removeAttribute("aria-sort");
    heading.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    const body = table.tBodies[0];
    const rows = Array.from(body.rows, (row) => ({ row, key: key(row, column) }));
    rows.sort((x, y) => {
      if (x.key === null || y.key === null) return (x.key === null) - (y.key === null);
      return ascending ? compare(x.key, y.key) : compare(y.key, x.key);
    });
    for (const item of rows) body.appendChild(item.row);
  }
  for (const table of document.querySelectorAll("table.sortable")) {
    Array.from(table.tHead.rows[0].cells).forEach((heading, column) => {
      heading.tabIndex = 0;
      heading.title = "sort by " + heading.textContent;
      heading.addEventListener("click", () => sortBy(table, heading, column));
      heading.addEventListener("keydown", (event) => {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          sortBy(table, heading, column);
        }
      });
    });
  }
})();
