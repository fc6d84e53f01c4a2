/* The case form (/cases/new): the suggested category and priority as the agent types.

   Asks POST /api/triage (the page's CSRF token in X-CSRF-Token) at most every
   400 ms after the subject or message change, and shows the result with the words
   behind it. Without JavaScript the "Suggest" button does the same through the server.
   Nothing leaves this server. */
(function () {
  "use strict";
  const form = document.querySelector("form[data-case-form]");
  const box = document.querySelector("[data-suggestion]");
  const data = document.getElementById("case-labels");
  if (!form || !box || !data) return;
  const labels = JSON.parse(data.textContent);
  const subject = form.querySelector("[name=subject]");
  const message = form.querySelector("[name=message]");
  const csrf = form.querySelector("input[name=csrf_token]");
  const lang = document.documentElement.lang;
  let timer = null;
  let asked = 0;

  function show(found) {
    box.dataset.category = found.category;
    box.dataset.priority = found.priority;
    box.replaceChildren();
    const line = document.createElement("p");
    line.textContent = box.dataset.template
      .replace("{category}", labels.category[found.category] || found.category)
      .replace("{priority}", labels.priority[found.priority] || found.priority);
    const cues = document.createElement("p");
    cues.className = "reasons";
    for (const r of found.reasons) {
      const cue = document.createElement("span");
      cue.className = `cue cue-${r.kind}`;
      cue.dataset.cue = r.kind;
      cue.title = labels.cue[r.kind] || r.kind;
      const text = document.createElement("bdi");
      text.textContent = r.text;
      cue.append(text);
      cues.append(cue);
    }
    box.append(line, cues);
  }

  async function suggest() {
    timer = null;
    const text = `${subject.value}\n${message.value}`.trim();
    if (!text) return;
    const mine = ++asked;
    try {
      const r = await fetch(`/api/triage?lang=${encodeURIComponent(lang)}`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRF-Token": csrf ? csrf.value : "" },
        body: JSON.stringify({ text: text.slice(0, 10000) }),
      });
      if (r.ok && mine === asked) show(await r.json());
    } catch (err) {
      /* the server is away: the Suggest button still works */
    }
  }

  function later() {
    if (timer) clearTimeout(timer);
    timer = setTimeout(suggest, 400);
  }

  subject.addEventListener("input", later);
  message.addEventListener("input", later);
})();
