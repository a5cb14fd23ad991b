// Runs inside a leaderboard page (tests/tools/chromium.py injects it before </body>) and writes
// what it saw as JSON into a pre element with the id "selftest": the systems listed, whether
// clicking a column heading reorders the rows of the largest sortable table, the drawn size of
// every plot, the page's timing marks, and the permalink target it was opened at. It waits for
// the page's script to say the page is ready (sections from data files shown, permalink followed).
(function () {
  "use strict";
  const root = document.documentElement;
  function run() {
    const out = { systems: [], sort: null, plots: [], tables: 0, target: null, pager: null };
    out.first_table_ms = root.dataset.firstTableMs === undefined ? null : Number(root.dataset.firstTableMs);
    out.ready_ms = Number(root.dataset.readyMs);
    const systems = document.getElementById("t-systems");
    if (systems) out.systems = Array.from(systems.tBodies[0].rows, (r) => r.cells[0].textContent.trim());
    const visible = (node) => node.offsetParent !== null;
    out.tables = Array.from(document.querySelectorAll("main table")).filter(visible).length;
    const target = document.querySelector(".target");
    if (target) out.target = { id: target.id, visible: visible(target), tag: target.tagName.toLowerCase() };
    const pager = document.querySelector("nav.pager");
    if (pager) {
      const current = pager.querySelector("a.current");
      out.pager = { pages: pager.querySelectorAll("a").length, current: current ? current.textContent : null };
    }
    const tables = Array.from(document.querySelectorAll("table.sortable")).filter(visible);
    tables.sort((a, b) => b.tBodies[0].rows.length - a.tBodies[0].rows.length);
    const table = tables[0];
    if (table) {
      const order = () => Array.from(table.tBodies[0].rows, (r) => r.textContent);
      const headings = Array.from(table.tHead.rows[0].cells);
      // Numeric columns first: their data-sort keys let the test check the order, not just a change.
      const columns = headings.map((h, i) => i);
      columns.sort((a, b) => headings[b].classList.contains("num") - headings[a].classList.contains("num"));
      for (const column of columns) {
        if (out.sort !== null) break;
        const before = order();
        headings[column].click();
        const after = order();
        if (after.join("\n") !== before.join("\n")) {
          out.sort = {
            table: table.id,
            column: headings[column].textContent,
            aria: headings[column].getAttribute("aria-sort"),
            rows: after.length,
            same_rows: after.slice().sort().join("\n") === before.slice().sort().join("\n"),
            keys: Array.from(table.tBodies[0].rows, (r) => r.cells[column].dataset.sort ?? null),
          };
        }
      }
    }
    for (const svg of document.querySelectorAll("svg.plot")) {
      const box = svg.getBoundingClientRect();
      const marks = svg.querySelectorAll(".mark");
      const first = marks.length ? marks[0].getBoundingClientRect() : { width: 0, height: 0 };
      out.plots.push({ width: box.width, height: box.height, marks: marks.length, mark_width: first.width });
    }
    const pre = document.createElement("pre");
    pre.id = "selftest";
    pre.textContent = JSON.stringify(out);
    document.body.appendChild(pre);
  }
  function whenReady() {
    if (root.dataset.readyMs !== undefined) run();
    else setTimeout(whenReady, 20);
  }
  whenReady();
})();
