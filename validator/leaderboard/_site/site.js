// The leaderboard's one script, shared by every page (assets/site.js): sortable tables, sections
// loaded from data files when needed, pages of problem tables, and permalinks into them.
//
// Large sections are not in the page: data/<page>-<n>.js holds their HTML, gzip-compressed and
// base64-encoded, and calls KP.fragment(src, text) when its script tag is inserted. A <script src>
// works from file:// (fetch does not), and the browser's own DecompressionStream unpacks it, so
// the site needs no server and no network.
(function () {
  "use strict";
  const KP = (window.KP = window.KP || {});

  // Sorting: click a column heading (or press Enter on it) to sort by it; again to reverse.
  // Cells sort by their data-sort number when they have one, else by their text; empty values
  // stay last in both directions, and equal keys keep their order (Array.prototype.sort is stable).
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
  function sortBy(heading) {
    const table = heading.closest("table");
    const column = heading.cellIndex;
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
  function prepareHeadings(root) {
    for (const heading of root.querySelectorAll("table.sortable > thead th")) {
      heading.tabIndex = 0;
      heading.title = "sort by " + heading.textContent;
    }
  }
  // Delegated, so that tables inserted later sort too.
  function sortHeading(event) {
    return event.target.closest ? event.target.closest("table.sortable > thead th") : null;
  }
  document.addEventListener("click", (event) => {
    const heading = sortHeading(event);
    if (heading) sortBy(heading);
  });
  document.addEventListener("keydown", (event) => {
    const heading = sortHeading(event);
    if (heading && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      sortBy(heading);
    }
  });

  // Marks `make bench` and the browser test read (milliseconds since navigation): the first table
  // on screen, and the page ready (the sections it opens with shown, a permalink followed).
  function markFirstTable() {
    const root = document.documentElement;
    if (root.dataset.firstTableMs === undefined && document.querySelector("main table")) {
      root.dataset.firstTableMs = performance.now().toFixed(1);
    }
  }

  // Sections from data files.
  const waiting = new Map();
  KP.fragment = function (src, text) {
    const entry = waiting.get(src);
    if (entry) entry.resolve(text);
  };
  function fetchScript(src) {
    if (!waiting.has(src)) {
      const entry = {};
      entry.promise = new Promise((resolve, reject) => {
        entry.resolve = resolve;
        const tag = document.createElement("script");
        tag.src = src;
        tag.onerror = () => reject(new Error("cannot load " + src));
        document.head.appendChild(tag);
      });
      waiting.set(src, entry);
    }
    return waiting.get(src).promise;
  }
  async function inflate(base64) {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Response(stream).text();
  }
  function load(section) {
    if (!section.kpLoaded) {
      section.kpLoaded = fetchScript(section.dataset.src)
        .then(inflate)
        .then((html) => {
          section.innerHTML = html;
          section.classList.remove("loading");
          prepareHeadings(section);
          markFirstTable();
        })
        .catch((error) => {
          section.textContent = "This section could not be shown (" + error.message + "); " +
            "leaderboard.json.gz holds the same data.";
        });
    }
    return section.kpLoaded;
  }
  // One page of a paged group is shown at a time; its pager link is marked current.
  function showPage(section) {
    const group = section.dataset.group;
    if (group) {
      for (const other of document.querySelectorAll('section.lazy[data-group="' + group + '"]')) {
        other.hidden = other !== section;
      }
      for (const link of document.querySelectorAll('nav.pager[data-group="' + group + '"] a')) {
        link.classList.toggle("current", link.getAttribute("href") === "#" + section.id);
      }
    }
    return load(section);
  }

  // Permalinks: an id inside a section not loaded yet is found through the page's anchor index.
  function anchorIndex() {
    const node = document.getElementById("kp-anchors");
    return node ? JSON.parse(node.textContent) : {};
  }
  async function reveal() {
    const id = decodeURIComponent(location.hash.slice(1));
    if (!id) return;
    let target = document.getElementById(id);
    if (target && target.matches("section.lazy")) {
      await showPage(target);
    } else if (!target || target.closest("section.lazy[hidden]")) {
      const holder = document.getElementById(anchorIndex()[id] || "");
      if (!holder) return;
      await showPage(holder);
      target = document.getElementById(id);
    }
    if (!target) return;
    for (const old of document.querySelectorAll(".target")) old.classList.remove("target");
    target.classList.add("target");
    target.scrollIntoView();
  }

  prepareHeadings(document);
  markFirstTable();
  const first = [];
  for (const section of document.querySelectorAll("section.lazy")) {
    if (!section.hidden) first.push(load(section));
  }
  window.addEventListener("hashchange", reveal);
  Promise.all(first)
    .then(reveal)
    .finally(() => {
      document.documentElement.dataset.readyMs = performance.now().toFixed(1);
    });
})();
