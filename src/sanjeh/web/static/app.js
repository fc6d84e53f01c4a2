/* Sanjeh dashboard: draws the Plotly charts, writes their numbers in the page's digits,
   runs the date picker in the page's calendar, and keeps the filter URL tidy.
   Everything it needs is on this server; it makes no other request. */
(function () {
  "use strict";
  const body = document.body;
  const DIGITS = { latin: "0123456789", persian: "۰۱۲۳۴۵۶۷۸۹", arabic: "٠١٢٣٤٥٦٧٨٩" };
  const digits = DIGITS[body.dataset.digits] || DIGITS.latin;
  const rtl = document.documentElement.dir === "rtl";

  function localize(text) {
    if (digits === DIGITS.latin) return text;
    return text.replace(/[0-9]/g, (d) => digits[+d]).replace(/\./g, "٫").replace(/,/g, "٬");
  }

  function localizeTree(root) {
    if (digits === DIGITS.latin) return;
    root.querySelectorAll(".xtick text, .ytick text, .colorbar text, .hovertext text, .annotation-text")
      .forEach((node) => {
        if (/[0-9]/.test(node.textContent)) node.textContent = localize(node.textContent);
      });
  }

  /* -- charts --------------------------------------------------------------------- */
  const PLOT_CONFIG = { displaylogo: false, displayModeBar: false, responsive: true };

  function figureOf(el) {
    const source = document.querySelector(`script[data-chart-for="${el.dataset.chart}"]`);
    return source ? JSON.parse(source.textContent) : null;
  }

  /* the charts under root not drawn yet; those named in `changed` (drawn, with a new
     figure after live.js swapped the page's content) are redrawn in place */
  function drawCharts(root = document, changed = []) {
    if (!window.Plotly) return;
    root.querySelectorAll(".chart[data-chart]").forEach((el) => {
      if (el.dataset.drawn) {
        const fig = changed.includes(el.dataset.chart) ? figureOf(el) : null;
        if (fig) window.Plotly.react(el, fig.data, fig.layout, PLOT_CONFIG);
        return;
      }
      const fig = figureOf(el);
      if (!fig) return;
      window.Plotly.newPlot(el, fig.data, fig.layout, PLOT_CONFIG).then(() => {
        localizeTree(el);
        el.on("plotly_afterplot", () => localizeTree(el));
        el.dataset.drawn = "1";
        // hover labels are drawn on demand: localise them as they appear
        new MutationObserver(() => localizeTree(el)).observe(el, { childList: true, subtree: true });
      });
    });
  }

  /* -- date picker in the page's calendar ----------------------------------------- */
  const CAL = { gregorian: "gregory", jalali: "persian", hijri: "islamic-umalqura" };
  const WEEK_START = { monday: 1, saturday: 6, sunday: 0 };
  const pickerData = JSON.parse((document.getElementById("picker-data") || {}).textContent || "{}");
  const calendar = body.dataset.calendar || "gregorian";
  const partsFormat = new Intl.DateTimeFormat("en-US-u-ca-" + CAL[calendar] + "-nu-latn", {
    timeZone: "UTC", year: "numeric", month: "numeric", day: "numeric",
  });

  function parts(date) {
    const out = {};
    for (const p of partsFormat.formatToParts(date)) out[p.type] = p.value;
    return { y: parseInt(out.year, 10), m: parseInt(out.month, 10), d: parseInt(out.day, 10) };
  }
  const DAY = 86400000;
  const iso = (date) => date.toISOString().slice(0, 10);
  const fromIso = (text) => new Date(text + "T00:00:00Z");
  const label = (date) => {
    const p = parts(date);
    return localize(`${p.d} ${pickerData.months[p.m - 1]} ${p.y}`).replace(/٬/g, "");
  };

  function monthStart(date) {
    return new Date(date.getTime() - (parts(date).d - 1) * DAY);
  }

  function openPicker(shown) {
    closePicker();
    const hidden = shown.parentElement.querySelector("input[type=hidden]");
    const current = fromIso(hidden.value || hidden.dataset.default);
    const node = document.getElementById("picker-template").content.firstElementChild.cloneNode(true);
    let first = monthStart(current);

    function render() {
      const p = parts(first);
      node.querySelector(".picker-title").textContent = localize(`${pickerData.months[p.m - 1]} ${p.y}`).replace(/٬/g, "");
      const grid = node.querySelector(".picker-grid");
      grid.textContent = "";
      const startDay = WEEK_START[body.dataset.weekStart] ?? 1;
      pickerData.weekdays.forEach((name) => {
        const cell = document.createElement("span");
        cell.className = "wd";
        cell.textContent = name.slice(0, 2);
        grid.appendChild(cell);
      });
      const lead = (first.getUTCDay() - startDay + 7) % 7;
      for (let i = 0; i < lead; i++) grid.appendChild(document.createElement("span"));
      for (let day = first; parts(day).m === p.m; day = new Date(day.getTime() + DAY)) {
        const b = document.createElement("button");
        b.type = "button";
        b.textContent = localize(String(parts(day).d));
        b.dataset.iso = iso(day);
        if (b.dataset.iso === iso(current)) b.classList.add("chosen");
        if (pickerData.first && (b.dataset.iso < pickerData.first || b.dataset.iso > pickerData.last)) {
          b.classList.add("outside");
        }
        b.addEventListener("click", () => {
          hidden.value = b.dataset.iso;
          shown.value = label(fromIso(b.dataset.iso));
          closePicker();
        });
        grid.appendChild(b);
      }
    }
    node.querySelector(".picker-prev").addEventListener("click", () => {
      first = monthStart(new Date(first.getTime() - DAY));
      render();
    });
    node.querySelector(".picker-next").addEventListener("click", () => {
      first = new Date(first.getTime() + 32 * DAY);
      first = monthStart(first);
      render();
    });
    render();
    const box = shown.getBoundingClientRect();
    node.style.top = `${window.scrollY + box.bottom + 4}px`;
    if (rtl) node.style.right = `${document.documentElement.clientWidth - box.right}px`;
    else node.style.left = `${box.left}px`;
    document.body.appendChild(node);
  }

  function closePicker() {
    document.querySelectorAll(".picker").forEach((p) => p.remove());
  }

  document.addEventListener("click", (event) => {
    const shown = event.target.closest(".date-shown");
    if (shown) { openPicker(shown); return; }
    if (!event.target.closest(".picker")) closePicker();
  });
  document.addEventListener("keydown", (event) => { if (event.key === "Escape") closePicker(); });

  /* -- filters: only the parameters that say something go in the URL -------------- */
  document.querySelectorAll("form[data-filters]").forEach((form) => {
    form.addEventListener("submit", () => {
      form.querySelectorAll("input, select").forEach((field) => {
        if (!field.name || field.value === "" || (field.name === "period" && field.value === "auto")
            || (field.name === "hours" && field.value === "business")) {
          field.disabled = true;
        }
      });
    });
  });

  /* -- tables sort by a click on the header ---------------------------------------- */
  function bindSorting(root) {
    root.querySelectorAll("table[data-table] thead tr").forEach((tr) => {
      Array.from(tr.cells).forEach((th, index) => bindSort(th, index));
    });
  }

  function bindSort(th, index) {
    th.addEventListener("click", () => {
      const body_ = th.closest("table").tBodies[0];
      const rows = Array.from(body_.rows);
      const down = th.dataset.sort !== "desc";
      th.dataset.sort = down ? "desc" : "asc";
      const key = (row) => {
        const v = row.cells[index] ? row.cells[index].dataset.value : "";
        const n = parseFloat(v);
        return v !== "" && !isNaN(n) && /^-?[0-9.e+-]+$/i.test(v) ? n : v;
      };
      rows.sort((a, b) => {
        const x = key(a), y = key(b);
        const order = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y));
        return down ? -order : order;
      });
      rows.forEach((row) => body_.appendChild(row));
    });
  }
  bindSorting(document);

  /* live.js swapped the main content: draw its new charts, redraw changed ones, and
     make its new tables sortable */
  document.addEventListener("sanjeh:swapped", (event) => {
    const detail = event.detail || {};
    drawCharts(detail.root || document, detail.changed || []);
    bindSorting(detail.root || document);
  });

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", () => drawCharts());
  else drawCharts();
})();
