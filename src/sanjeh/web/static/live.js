/* Sanjeh live pages: follow the data without reloading.

   A page rendered with a data stamp (<body data-live="…">) asks /api/stamp every second
   while the tab is visible. When the stamp changes it fetches the same URL, swaps the
   page's <main> for the new one and the header's "as of" for the new one: the filter
   form (outside <main>), the scroll position, which tables are open, and the charts
   whose figure did not change stay as they are; app.js draws the new charts and
   redraws the changed ones in place. A page with data-live-every="N" (the wallboard:
   ages grow by the minute) is also fetched every N seconds. Nothing leaves this server. */
(function () {
  "use strict";
  const body = document.body;
  if (!body || body.dataset.live === undefined) return;
  const POLL_MS = 1000;
  const every = parseInt(body.dataset.liveEvery || "0", 10) * 1000;
  let stamp = body.dataset.live;
  let busy = false;
  let fetched = Date.now();
  let timer = null;

  async function poll() {
    timer = null;
    if (document.hidden) return; // visibilitychange starts it again
    if (!busy) {
      busy = true;
      try {
        const r = await fetch("/api/stamp", { headers: { Accept: "application/json" }, cache: "no-store" });
        if (r.ok) {
          const found = await r.json();
          const due = every > 0 && Date.now() - fetched >= every;
          if (found.stamp !== stamp || due) await refresh(found.stamp);
        }
      } catch (err) {
        /* the server restarts or the network is away: ask again next time */
      } finally {
        busy = false;
      }
    }
    schedule();
  }

  function schedule() {
    if (timer === null && !document.hidden) timer = setTimeout(poll, POLL_MS);
  }

  async function refresh(next) {
    const r = await fetch(window.location.href, { headers: { Accept: "text/html" }, cache: "no-store" });
    if (r.status === 503) return; // busy: ask again at the next poll
    // any other answer settles this stamp (a page that now answers 400 is not asked again
    // every second); a lost login or an error leaves the page as it is
    stamp = next;
    body.dataset.live = next;
    fetched = Date.now();
    const type = r.headers.get("content-type") || "";
    if (!r.ok || r.redirected || !type.startsWith("text/html")) return;
    const doc = new DOMParser().parseFromString(await r.text(), "text/html");
    const found = doc.querySelector("main");
    if (!found) return;
    swap(document.adoptNode(found)); // (into this document first: charts move into it)
    const asOf = document.querySelector("[data-as-of]");
    const newAsOf = doc.querySelector("[data-as-of]");
    if (asOf && newAsOf && asOf.textContent !== newAsOf.textContent) {
      asOf.textContent = newAsOf.textContent;
      asOf.dataset.asOf = newAsOf.dataset.asOf;
      asOf.classList.add("fresh");
      setTimeout(() => asOf.classList.remove("fresh"), 2000);
    }
    stamp = (doc.body && doc.body.dataset.live) || next;
    body.dataset.live = stamp;
  }

  function swap(fresh) {
    const main = document.querySelector("main");
    const x = window.scrollX, y = window.scrollY;
    main.style.minHeight = `${main.offsetHeight}px`; // no jump while the charts settle
    // drawn charts move into the new content (no flicker); changed ones are redrawn
    const changed = [];
    fresh.querySelectorAll(".chart[data-chart]").forEach((el) => {
      const name = el.dataset.chart;
      const old = main.querySelector(`.chart[data-chart="${CSS.escape(name)}"]`);
      if (!old || !old.dataset.drawn) return;
      const before = main.querySelector(`script[data-chart-for="${CSS.escape(name)}"]`);
      const after = fresh.querySelector(`script[data-chart-for="${CSS.escape(name)}"]`);
      if (!before || !after || before.textContent !== after.textContent) changed.push(name);
      el.replaceWith(old);
    });
    // tables stay open or folded as the reader left them
    main.querySelectorAll("details[id]").forEach((d) => {
      const twin = fresh.querySelector(`details[id="${CSS.escape(d.id)}"]`);
      if (twin) twin.open = d.open;
    });
    if (window.Plotly) main.querySelectorAll(".chart[data-chart]").forEach((el) => window.Plotly.purge(el)); // not reused
    main.replaceChildren(...Array.from(fresh.childNodes));
    document.dispatchEvent(new CustomEvent("sanjeh:swapped", { detail: { root: main, changed } }));
    window.scrollTo(x, y);
    requestAnimationFrame(() => {
      main.style.minHeight = "";
      window.scrollTo(x, y);
    });
  }

  document.addEventListener("visibilitychange", () => {
    if (!document.hidden && timer === null) poll(); // (back in sight: look at once)
  });
  schedule();
})();
