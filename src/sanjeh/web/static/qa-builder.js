/* Sanjeh QA scorecard builder: the add / remove / move buttons done in the page (the
   server does them too when this script is off: the buttons post the form), the example
   rating lists following each category's scale, and the live score preview of the
   example ratings (qa-score.js: the server's maths). The server checks everything again
   on saving. */
(function () {
  "use strict";
  const DIGITS = { latin: "0123456789", persian: "۰۱۲۳۴۵۶۷۸۹", arabic: "٠١٢٣٤٥٦٧٨٩" };
  const digits = DIGITS[document.body.dataset.digits] || DIGITS.latin;
  const localize = (text) => digits === DIGITS.latin ? text
    : text.replace(/[0-9]/g, (d) => digits[+d]).replace(/\./g, "٫").replace(/%/g, "٪");

  const form = document.querySelector("form[data-qa-form=builder]");
  if (!form || !window.SanjehScore) return;
  const scales = JSON.parse(form.dataset.scales);
  const sectionsBox = form.querySelector("[data-b-sections]");
  const template = (name) => form.querySelector(`template[data-template=${name}]`).content.firstElementChild;

  /* names and button values after any change: s.<i>.<field>, c.<i>.<j>.<field> */
  function renumber() {
    sectionsBox.querySelectorAll(":scope > [data-b-section]").forEach((sec, i) => {
      sec.querySelectorAll("[data-sfield]").forEach((el) => { el.name = `s.${i}.${el.dataset.sfield}`; });
      const number = sec.querySelector(":scope > legend [data-b-number]");
      if (number) number.textContent = localize(String(i + 1));
      sec.querySelectorAll(":scope > .b-head [data-op]").forEach((b) => {
        b.value = `${b.dataset.op}_section:${i}`;
      });
      const add = sec.querySelector(":scope > [data-op=add_category]");
      if (add) add.value = `add_category:${i}`;
      sec.querySelectorAll("[data-b-category]").forEach((cat, j) => {
        cat.querySelectorAll("[data-cfield]").forEach((el) => { el.name = `c.${i}.${j}.${el.dataset.cfield}`; });
        const n = cat.querySelector(":scope > legend [data-b-number]");
        if (n) n.textContent = localize(String(j + 1));
        cat.querySelectorAll(".b-buttons [data-op]").forEach((b) => {
          b.value = `${b.dataset.op}_category:${i}:${j}`;
        });
      });
    });
  }

  function exampleOptions(cat) {
    const scale = cat.querySelector("[data-cfield=scale]").value;
    const select = cat.querySelector("[data-cfield=example]");
    const keep = select.value;
    const values = (scales[scale] || []).map(String);
    const options = [["", "—"], ...values.map((v) => [v, localize(v)]), ["na", form.dataset.naLabel]];
    select.replaceChildren(...options.map(([value, label]) => new Option(label, value)));
    select.value = options.some(([value]) => value === keep) ? keep : "";
  }

  /* the form as a card in the Scorecard.to_dict() form, and the example ratings */
  function read() {
    const card = { sections: [] }, ratings = {};
    let valid = true;
    sectionsBox.querySelectorAll(":scope > [data-b-section]").forEach((sec, i) => {
      const categories = [];
      sec.querySelectorAll("[data-b-category]").forEach((cat, j) => {
        const get = (f) => cat.querySelector(`[data-cfield=${f}]`);
        const weight = get("weight").value.trim();
        if (!/^[0-9]{1,3}$/.test(weight) || +weight > 100) valid = false;
        const kind = get("kind").value, id = `${i}.${j}`;
        categories.push({ id: id, weight: +weight, scale: get("scale").value,
          critical: kind === "critical", fail_section: kind === "fail_section", bonus: kind === "bonus" });
        const example = get("example").value;
        ratings[id] = example === "" || example === "na" ? null : +example;
      });
      card.sections.push({ id: String(i), categories: categories });
    });
    const all = card.sections.flatMap((s) => s.categories);
    if (!all.length || all.every((c) => c.bonus)) valid = false;
    return valid ? { card, ratings } : null;
  }

  function update() {
    const out = form.querySelector("[data-live-preview]");
    const detail = form.querySelector("[data-live-detail]");
    const found = read();
    const result = found && window.SanjehScore.review(found.card, found.ratings);
    if (!result || result.score === null) {
      out.textContent = "—"; out.dataset.value = ""; out.className = ""; detail.textContent = "";
      return;
    }
    out.dataset.value = String(result.score);
    out.textContent = localize(result.score.toFixed(1) + "%");
    out.className = result.score >= +form.querySelector("[name=pass_threshold]").value ? "pass" : "fail";
    const parts = [];
    if (result.bonus) parts.push(`${detail.dataset.bonusLabel}: \u2066+${localize(result.bonus.toFixed(1))}\u2069`);
    if (result.failed_critical) parts.push(detail.dataset.criticalLabel);
    if (result.failed_sections.length) {
      const names = result.failed_sections.map((i) => {
        const sec = sectionsBox.querySelectorAll(":scope > [data-b-section]")[+i];
        const field = sec.querySelector("[data-sfield=name]").value || sec.querySelector("[data-sfield=id]").value;
        return field || localize(String(+i + 1));
      });
      parts.push(`${detail.dataset.sectionsLabel}: ${names.join("، ")}`);
    }
    detail.textContent = parts.length ? " · " + parts.join(" · ") : "";
  }

  function addCategory(sec) {
    sec.querySelector("[data-b-categories]").append(template("category").cloneNode(true));
  }

  form.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-op]");
    if (!button) return;
    event.preventDefault();
    const op = button.dataset.op;
    const row = button.closest("[data-b-category]") || button.closest("[data-b-section]");
    if (op === "add_section") {
      const sec = template("section").cloneNode(true);
      sectionsBox.append(sec);
      addCategory(sec);
    } else if (op === "add_category") {
      addCategory(button.closest("[data-b-section]"));
    } else if (op === "remove") {
      row.remove();
    } else if (op === "up" && row.previousElementSibling) {
      row.previousElementSibling.before(row);
    } else if (op === "down" && row.nextElementSibling) {
      row.nextElementSibling.after(row);
    }
    renumber();
    form.querySelectorAll("[data-b-category]").forEach((cat) => {
      if (!cat.querySelector("[data-cfield=example]").options.length) exampleOptions(cat);
    });
    update();
  });

  form.addEventListener("change", (event) => {
    if (event.target.matches("[data-cfield=scale]")) exampleOptions(event.target.closest("[data-b-category]"));
    update();
  });
  form.addEventListener("input", update);

  /* the server's own preview is for the page without this script */
  form.querySelectorAll("[data-server-preview] > :not([data-b-recompute])").forEach((el) => { el.hidden = true; });
  renumber();
  update();
})();
