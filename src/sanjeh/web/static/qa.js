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

  /* the review score by the published formula (qa-score.js: the server's maths, with
     critical, fail-section and bonus categories) */
  function preview(form) {
    const out = form.querySelector("[data-preview]");
    if (!out || !window.SanjehScore) return;
    const card = { sections: [] }, ratings = {};
    form.querySelectorAll(".qa-section[data-section]").forEach((sec) => {
      const categories = [];
      sec.querySelectorAll(".qa-category[data-category]").forEach((box) => {
        const kind = box.dataset.kind || (box.dataset.critical ? "critical" : "standard");
        const id = box.dataset.category;
        /* (a form without data-scale: the scale from its lowest and highest rating) */
        const scale = box.dataset.scale || (+box.dataset.min === 0 ? "binary" : box.dataset.max);
        categories.push({ id: id, weight: +box.dataset.weight, scale: scale,
          critical: kind === "critical", fail_section: kind === "fail_section", bonus: kind === "bonus" });
        const value = chosen(box);
        ratings[id] = value === null || value === "na" ? null : +value;
      });
      card.sections.push({ id: sec.dataset.section, categories: categories });
    });
    const score = window.SanjehScore.review(card, ratings).score;
    if (score === null) { out.textContent = "—"; out.className = ""; return; }
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
