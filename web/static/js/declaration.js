// /me/declaration on a staff member's phone, with or without a connection. Online, the form
// posts through htmx like any form. With no connection (or no answer, or an answer that
// stores nothing) the declaration goes to the outbox as a `declaration.submit` mutation under
// the form's own id, so a server that did store the post says "duplicate"; /sync/push sends
// it with the login session. The page the service worker keeps for a start with no network
// is a shell with nobody's answers: this fills it from the person's own last declaration,
// kept in IndexedDB (app.js drops it at logout), and shows the server's answer — stay home,
// with what to do — when it arrives.
"use strict";

(() => {
  const root = document.getElementById("declare");
  if (!root) return;
  const queue = self.hallwatchQueue;
  const rules = self.hallwatchRules;
  const { t, latest, keepOnPhone, showFieldErrors, hallTime } = self.hallwatchPage;

  const KIND = "declaration.submit";
  const ANSWER = "declaration"; // rows the outbox keeps for an answered declaration.submit
  const KEPT = "my_declaration"; // the one row this page keeps: {person, work_state, last}
  const YES_NO = ["left_city", "outbreak_contact", "household_symptoms"];
  const MODES = ["on_site", "from_home", "leave"];
  const RISKS = ["fever", "symptoms", ...YES_NO];
  const FLUSH_EVERY_MS = 30000;
  const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

  // Who is declaring: the server's page says; the shell names no one, and takes them from
  // the row the page kept (none when no page of this login was seen online).
  let person = Number(root.dataset.person) || null;
  let userId = Number(root.dataset.user) || null;
  const isMine = (id, known) => known === null || id === known;
  const policy = JSON.parse(root.dataset.policy);
  const isShell = root.dataset.shell === "yes";
  let reachable = true;
  let replacing = []; // refused outbox records the corrected form replaces

  const mine = () => document.getElementById("mine");
  const formOf = () => mine().querySelector("#declaration-form form");
  const isDeclarationForm = (element) =>
    element instanceof HTMLFormElement && mine()?.contains(element) && element === formOf();

  // The day before `day` ("YYYY-MM-DD"): calendar arithmetic, no zone comes into it.
  const dayBefore = (day) => {
    const [year, month, date] = day.split("-").map(Number);
    return new Date(Date.UTC(year, month - 1, date - 1)).toISOString().slice(0, 10);
  };

  // --- the form ----------------------------------------------------------------------------

  function formValues(form) {
    const data = new FormData(form);
    return { ...Object.fromEntries(data), symptoms: data.getAll("symptoms") };
  }

  function fill(form, values) {
    for (const [name, value] of Object.entries(values)) {
      const field = form.elements[name];
      if (!field || name === "entry_id" || name === "csrf_token") continue;
      if (field instanceof RadioNodeList || field.type === "checkbox") {
        const chosen = [value]
          .flat()
          .flatMap((v) => (typeof v === "string" && name === "symptoms" ? v.split(",") : [v]))
          .map((v) => (v === true ? "yes" : v === false ? "no" : v));
        for (const box of field instanceof RadioNodeList ? field : [field]) {
          box.checked = chosen.includes(box.value);
        }
      } else {
        field.value = value ?? "";
      }
    }
  }

  function showErrors(form, messages) {
    showFieldErrors(form, messages);
    if (Object.keys(messages).length) {
      form.querySelector("details.answers")?.setAttribute("open", "");
      note("alert error", t("decl_correct"), "alert");
    }
  }

  // server/declarations/rules.py clean_answers, enough to refuse on the phone what the server
  // would; the server checks again and its refusal comes back through the outbox.
  function clean(values) {
    const problems = [];
    let temperature;
    try {
      temperature = rules.parseTemperature(values.temperature, policy);
    } catch (bad) {
      if (!(bad instanceof rules.Invalid)) throw bad;
      problems.push(...bad.problems);
    }
    for (const name of YES_NO) {
      if (!["yes", "no"].includes(values[name])) problems.push({ field: name, code: "yes_no" });
    }
    const where = (values.left_city_where ?? "").trim();
    if (values.left_city === "yes" && !where) {
      problems.push({ field: "left_city_where", code: "where" });
    }
    if (!MODES.includes(values.work_mode)) problems.push({ field: "work_mode", code: "work_mode" });
    if (problems.length) throw new rules.Invalid(problems);
    const fields = { temperature };
    for (const name of ["symptoms_other", ...YES_NO, "left_city_where", "work_mode", "note"]) {
      fields[name] = (values[name] ?? "").trim();
    }
    // As the server: symptoms typed under "other" are the symptom "other", ticked or not.
    const ticked = fields.symptoms_other ? [...values.symptoms, "other"] : values.symptoms;
    fields.symptoms = rules.cleanSymptoms(ticked);
    return fields;
  }

  function risksOf(fields) {
    const found = {
      fever: fields.temperature >= policy.fever_threshold,
      symptoms: fields.symptoms.length > 0,
      ...Object.fromEntries(YES_NO.map((name) => [name, fields[name] === "yes"])),
    };
    return RISKS.filter((code) => found[code] && policy.declaration_risk_answers.includes(code));
  }

  // --- what the page says ------------------------------------------------------------------

  // Everything drawn here carries .decl-local, so each drawing starts from the server's page.
  function note(className, text, role = "status") {
    const node = Object.assign(document.createElement("p"), { className, textContent: text });
    node.classList.add("decl-local");
    node.setAttribute("role", role);
    mine().prepend(node);
    return node;
  }

  function stayHome(risks) {
    const banner = document.getElementById("t-decl-stay-home").content.cloneNode(true);
    banner.querySelectorAll("[data-risk]").forEach((risk) => {
      if (!risks.includes(risk.dataset.risk)) risk.remove();
    });
    if (!risks.length) banner.querySelector(".because")?.remove();
    const node = banner.firstElementChild;
    node.classList.add("decl-local");
    mine().prepend(node);
    return node;
  }

  const clearDrawn = () => mine().querySelectorAll(".decl-local").forEach((n) => n.remove());

  function freshId(form) {
    form.elements.entry_id.value = queue.uuid7();
  }

  // The shell with no network: the last status this phone knows, and the form prefilled as
  // the server would (today's answers to change; yesterday's when all normal, no temperature).
  async function fillShell() {
    const form = formOf();
    freshId(form);
    const offline = mine().querySelector(".offline-note");
    if (offline && !navigator.onLine) {
      offline.textContent = t("decl_offline");
      offline.hidden = false;
    }
    const kept = (await queue.rows()).find((r) => r.entity === KEPT);
    if (!kept) return;
    person = kept.row.person ?? null;
    userId = kept.row.user ?? null;
    const { work_state: state, last } = kept.row;
    if (state === "stay_home") {
      stayHome(last?.risks ? last.risks.split(",") : []);
      note("hint decl-known", t("decl_last_known"));
    }
    // The hall's day, as the server takes it from the capture time (not the phone's own).
    const today = hallTime().day;
    if (last?.day === today) {
      fill(form, last);
      form.elements.amending.value = "1";
      form.closest("section").querySelector("h2").textContent = t("decl_amending");
    } else if (last?.day === dayBefore(today) && !last.risks) {
      fill(form, { ...last, temperature: "" });
      const details = form.querySelector("details.answers");
      details.removeAttribute("open");
      const mode = t(`mode_${last.work_mode}`);
      details.querySelector("summary").textContent = t("decl_quick", { mode });
    }
  }

  // --- into the outbox ---------------------------------------------------------------------

  async function keep(form) {
    const values = formValues(form);
    let fields;
    try {
      fields = clean(values);
    } catch (bad) {
      if (!(bad instanceof rules.Invalid)) throw bad;
      clearDrawn();
      const messages = bad.problems.map((p) => [p.field, t(`rule_${p.code}`, p.params)]);
      return showErrors(form, Object.fromEntries(messages));
    }
    const id = UUID.test(values.entry_id ?? "") ? values.entry_id : queue.uuid7();
    const part = { kind: KIND, form_id: id, entity_id: queue.uuid7(), fields, by: userId };
    await queue.add([part], replacing);
    replacing = [];
    freshId(form); // a second declaration is an amendment, not a replay of this one
    showErrors(form, {});
    await refresh();
    queue.flush({ force: true });
  }

  // A login expired, a form kept from another session (its CSRF token), a server error:
  // nothing was stored, and the session push may still get it there.
  keepOnPhone({
    owns: isDeclarationForm,
    keepHere: () => !navigator.onLine || !reachable,
    keep,
    unreachable: () => (reachable = false),
  });
  // app.js sends the outbox on these only where it existed when the page loaded.
  window.addEventListener("online", () => {
    reachable = true;
    queue.flush({ force: true });
  });
  setInterval(async () => {
    if ((await queue.summary()).unsent) queue.flush();
  }, FLUSH_EVERY_MS);

  // --- the answers -------------------------------------------------------------------------

  // The server's page for what it now knows (history, status), swapped in when reachable.
  async function reload() {
    try {
      const response = await fetch("/me/declaration", {
        headers: { "HX-Request": "true" },
        credentials: "same-origin",
        cache: "no-store",
      });
      if (!response.ok || response.redirected) return false;
      const holder = document.createElement("div");
      holder.innerHTML = await response.text();
      const fresh = holder.querySelector("#mine");
      if (!fresh) return false;
      mine().replaceWith(fresh);
      htmx.process(fresh);
      await keepFromPage();
      return true;
    } catch {
      return false;
    }
  }

  // The page's own copy of the person's latest declaration and status, for the next start
  // with no network; the only row of this kind the phone keeps.
  async function keepFromPage() {
    const template = document.getElementById("my-last");
    if (!template) return;
    await storeKept(JSON.parse(template.dataset.kept));
  }

  async function storeKept(row) {
    if (!isMine(row.person, person)) return;
    await queue.dropRows((r) => r.entity !== KEPT && r.entity !== ANSWER);
    await queue.putRows([{ entity: KEPT, row: { ...row, user: userId, id: KEPT } }]);
  }

  const newest = (rows) =>
    rows.reduce((a, b) => (`${b.day}`.localeCompare(`${a.day}`) || b.version - a.version) > 0 ? b : a);

  async function answered(answers) {
    const row = newest(answers);
    await storeKept({ person: row.person, work_state: row.work_state, last: row });
    if (!(await reload())) clearDrawn();
    if (row.work_state === "stay_home" && !mine().querySelector(".stay-home")) {
      stayHome(row.risks ? row.risks.split(",") : []);
    }
    // Kept from work (stay home, sick absence): not a green "all done" under the red box.
    const tone = row.work_state && row.work_state !== "on_duty" ? "warn" : "ok";
    note(`alert ${tone} decl-answer`, t("decl_declared", { day: row.day }));
  }

  function refused(records) {
    const record = records.at(-1);
    const form = formOf();
    replacing = records.map((r) => r.id);
    fill(form, record.mutation.fields);
    freshId(form);
    clearDrawn();
    showErrors(form, record.errors ?? {});
  }

  const refresh = latest(async () => {
    const records = (await queue.records()).filter(
      (r) => r.mutation.kind === KIND && isMine(r.mutation.by, userId),
    );
    const answers = (await queue.rows())
      .filter((r) => r.entity === ANSWER && isMine(r.row.person, person))
      .map((r) => r.row);
    const rejected = records.filter((r) => r.state === "rejected");
    const pending = records.filter((r) => r.state === "pending");
    if (answers.length) await answered(answers);
    if (rejected.length) return refused(rejected);
    if (!pending.length) return;
    mine().querySelectorAll(".decl-answer, .decl-queued").forEach((n) => n.remove());
    const fields = pending.at(-1).mutation.fields;
    if (risksOf(fields).length) note("alert hold decl-queued", t("decl_advice"), "alert");
    note("alert warn decl-queued queued", t("decl_queued"));
  });

  queue.onChange(async () => {
    // After a flush: whether the server answered, so the next declaration tries htmx again.
    reachable = (await queue.getMeta("status"))?.reachable !== false;
    refresh();
  });
  document.body.addEventListener("htmx:afterSwap", (event) => {
    if (event.detail.target?.id === "mine" || event.detail.elt?.id === "mine") keepFromPage();
  });

  (async () => {
    if (isShell) await fillShell();
    else await keepFromPage();
    await refresh();
  })();
})();
