/* Sanjeh QA pages: on the review form, a live score preview (the published formula),
   root-cause tags shown only on negative ratings, suggestions that point at their
   evidence in the conversation; on the resolve form, corrected ratings only when the
   dispute is (partly) accepted. The server checks everything again. */
(function () {
  "use strict";
  const DIGITS = { latin: "0123456789", persian: "۰۱۲۳۴۵۶۷۸۹", arabic: "٠١٢٣٤٥٦٧٨٩" };
  const digits = DIGITS[document.body.dataset.digits] || DIGITS.latin;
  const localize = (text) => digits === DIGITS.latin ? text
    : text.replace(/[0-9]/g, (d) => digits[+d]).replace(/\./g, "٫").replace(/%/g, "٪");

  function chosen(box) {
    const input = box.querySelector("input[type=radio]:checked");
    return input ? input.value : null;
  }

  function share(box, value) {
    const min = +box.dataset.min, max = +box.dataset.max;
    return (+value - min) / (max - min);
  }

  /* review score = weighted mean of rated categories; a critical one under 50 % → 0 */
  function preview(form) {
    const out = form.querySelector("[data-preview]");
    if (!out) return;
    let sum = 0, weights = 0, failed = false;
    form.querySelectorAll(".qa-category[data-category]").forEach((box) => {
      const value = chosen(box);
      if (value === null || value === "na") return;
      const s = share(box, value) * 100;
      const w = +box.dataset.weight;
      if (box.dataset.critical && s < 50) failed = true;
      if (w > 0) { sum += s * w; weights += w; }
    });
    if (!weights && !failed) { out.textContent = "—"; out.className = ""; return; }
    const score = failed ? 0 : sum / weights;
    out.textContent = localize(score.toFixed(1) + "%");
    out.className = score >= +out.dataset.threshold ? "pass" : "fail";
  }

  function causes(box) {
    const tags = box.querySelector("[data-causes]");
    if (!tags) return;
    const value = chosen(box);
    const negative = value !== null && value !== "na" && share(box, value) < 0.5;
    tags.hidden = !negative;
    if (!negative) tags.querySelectorAll("input").forEach((i) => { i.checked = false; });
  }

  document.querySelectorAll("form[data-qa-form=review]").forEach((form) => {
    form.querySelectorAll(".qa-category[data-category]").forEach((box) => {
      causes(box);
      box.addEventListener("change", () => { causes(box); preview(form); });
    });
    preview(form);
  });

  /* a suggestion → its evidence in the conversation */
  document.querySelectorAll(".qa-suggestions li[data-event]").forEach((item) => {
    item.addEventListener("click", () => {
      const entry = document.querySelector(`.qa-timeline [data-event="${CSS.escape(item.dataset.event)}"]`);
      if (!entry) return;
      entry.scrollIntoView({ block: "center", behavior: "smooth" });
      entry.querySelectorAll(`mark[data-analyzer="${CSS.escape(item.dataset.suggestion)}"]`).forEach((m) => {
        m.classList.add("flash");
        setTimeout(() => m.classList.remove("flash"), 1500);
      });
    });
  });

  /* resolve form: corrected ratings only for (partly) accepted disputes */
  document.querySelectorAll("form[data-qa-form=resolve]").forEach((form) => {
    const box = form.querySelector("[data-new-ratings]");
    const sync = () => {
      const outcome = (form.querySelector("input[name=outcome]:checked") || {}).value;
      box.hidden = outcome === "rejected";
      if (box.hidden) box.querySelectorAll("select").forEach((s) => { s.value = ""; });
    };
    form.addEventListener("change", sync);
    sync();
  });
})();
