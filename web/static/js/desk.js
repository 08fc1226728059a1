// The entrance desk's forms, with or without a connection. An enrolled phone keeps every entry
// in the outbox at once, so the server records the device; a browser without enrolment posts
// the htmx forms while the server answers, and falls back to the outbox when it does not.
// Either way SPEC rule 3 (re-measure, hold) answers here at once, from the cached policy.
// today.js draws the list of the phone's entries.
"use strict";

self.hallwatchDesk = (() => {
  const desk = document.getElementById("desk");
  if (!desk) return null;
  const queue = self.hallwatchQueue;
  const rules = self.hallwatchRules;
  const { t, keepOnPhone, showFieldErrors } = self.hallwatchPage;

  const userId = Number(desk.dataset.userId);
  const pagePolicy = JSON.parse(desk.dataset.policy);
  const ENTITIES = { visitor: "visitor_check", staff: "staff_check" };
  const PATHS = { visitor: "visitors", staff: "staff" };
  const REMEASURE = /^\/desk\/(visitors|staff)\/([0-9a-f-]{36})\/remeasure$/;

  let policy = pagePolicy;
  let enrolled = false;
  let reachable = true;
  // Refused entries being corrected, by entity id: what the corrected entry replaces.
  const corrections = new Map();

  const panelOf = (kind) => document.getElementById(`${kind}-panel`);
  // The panels as the shell rendered them: every state drawn here starts from a copy.
  const pristine = {
    visitor: panelOf("visitor").cloneNode(true),
    staff: panelOf("staff").cloneNode(true),
  };
  const fromTemplate = (id) => document.getElementById(id).content.cloneNode(true);
  const celsius = (value) => Number(value).toFixed(1);
  const readings = (v) =>
    `${celsius(v.temperature)} °C` +
    (v.remeasure_temperature != null ? ` → ${celsius(v.remeasure_temperature)} °C` : "");
  const slot = (root, name, text) => {
    root.querySelector(`[data-slot="${name}"]`).textContent = text;
  };

  // The roster as the page has it (the phone holds it offline): person id → <option>.
  function roster() {
    const select = pristine.staff.querySelector('select[name="person"]');
    return new Map([...select.options].filter((o) => o.value).map((o) => [o.value, o]));
  }

  async function refresh() {
    const [{ device, status }, reference] = await Promise.all([
      queue.summary(),
      queue.getMeta("reference"),
    ]);
    enrolled = Boolean(device);
    reachable = status.reachable !== false;
    policy = reference?.policy ?? pagePolicy;
  }
  const ready = refresh();

  // --- the panels --------------------------------------------------------------------------

  function place(kind, panel) {
    panelOf(kind).replaceWith(panel);
    htmx.process(panel);
    enhance(kind);
  }

  function formValues(form) {
    const data = new FormData(form);
    return { ...Object.fromEntries(data), symptoms: data.getAll("symptoms") };
  }

  function fill(form, values) {
    for (const [name, value] of Object.entries(values)) {
      const field = form.elements[name];
      if (!field || name === "entry_id") continue;
      if (field instanceof RadioNodeList || field.type === "checkbox") {
        const chosen = [value].flat().map((v) => (v === true ? "yes" : v === false ? "no" : v));
        for (const box of field instanceof RadioNodeList ? field : [field]) {
          box.checked = chosen.includes(box.value);
        }
      } else {
        field.value = value ?? "";
      }
    }
  }

  const messages = (problems) =>
    Object.fromEntries(problems.map((p) => [p.field, t(`rule_${p.code}`, p.params)]));

  function showForm(kind, { values = {}, errors = {}, notice = null, entityId } = {}) {
    const panel = pristine[kind].cloneNode(true);
    const form = panel.querySelector("form");
    fill(form, values);
    form.elements.entry_id.value = entityId ?? queue.uuid7();
    showFieldErrors(form, errors);
    if (Object.keys(errors).length && kind === "visitor") {
      const alert = Object.assign(document.createElement("p"), {
        className: "alert error",
        textContent: t("correct_fields"),
      });
      alert.setAttribute("role", "alert");
      form.before(alert);
    }
    if (notice) {
      const note = fromTemplate("t-notice");
      const parts = [t("recorded", { name: notice.name }), readings(notice)];
      if (notice.status === "cleared") parts.push(t("status_cleared"));
      note.firstElementChild.textContent = [...parts, t("saved_here")].join(" · ");
      panel.querySelector("h2").after(note);
    }
    place(kind, panel);
    if (kind === "staff" && form.elements.batch.checked) focusStaffName();
  }

  function showRemeasure(kind, entityId, view, { errors = {}, keep = {} } = {}) {
    const panel = pristine[kind].cloneNode(true);
    panel.querySelector("form").replaceWith(fromTemplate("t-remeasure"));
    slot(panel, "name", view.name);
    slot(panel, "first", celsius(view.temperature));
    slot(panel, "threshold", celsius(policy.fever_threshold));
    const form = panel.querySelector("form");
    form.setAttribute("action", `/desk/${PATHS[kind]}/${entityId}/remeasure`);
    Object.assign(form.dataset, { name: view.name, temperature: view.temperature });
    for (const [name, value] of Object.entries(keep)) {
      form.append(Object.assign(document.createElement("input"), { type: "hidden", name, value }));
    }
    showFieldErrors(form, errors);
    place(kind, panel);
    form.elements.temperature.focus();
  }

  // The numbers the hold says to call, from the settings this phone last pulled: the shell
  // the service worker keeps may be older than them.
  function dial(place, number) {
    const shown = number
      ? Object.assign(document.createElement("a"), { href: `tel:${number}`, textContent: number })
      : Object.assign(document.createElement("em"), { textContent: t("phone_unset") });
    place.replaceChildren(shown);
  }

  function showHold(kind, view) {
    const panel = pristine[kind].cloneNode(true);
    const hold = fromTemplate("t-hold");
    slot(hold, "name", view.name);
    const reason =
      view.remeasure_temperature != null
        ? t("reason_remeasured", {
            first: celsius(view.temperature),
            second: celsius(view.remeasure_temperature),
          })
        : t("reason_symptoms");
    slot(hold, "reason", reason);
    for (const place of hold.querySelectorAll("[data-phone]")) {
      dial(place, policy[place.dataset.phone]);
    }
    const next = hold.querySelector("button.next");
    next.textContent = t(kind === "visitor" ? "next_visitor" : "next_staff");
    next.addEventListener("click", () => showForm(kind));
    panel.querySelector("form").replaceWith(hold);
    place(kind, panel);
  }

  function after(kind, entityId, view, keep) {
    if (view.status === "remeasure") showRemeasure(kind, entityId, view, { keep });
    else if (view.status === "held") showHold(kind, view);
    else showForm(kind, { notice: view, values: keep });
  }

  // --- entries into the outbox -------------------------------------------------------------

  async function save(parts, entityId) {
    const correction = corrections.get(entityId);
    corrections.delete(entityId);
    // A corrected first reading goes out again with what depended on it (its re-measure).
    const again = (correction?.dependents ?? []).map(({ mutation, label }) => ({
      ...mutation,
      label,
    }));
    await queue.add([...parts, ...again], correction?.remove ?? []);
    queue.flush({ force: true });
  }

  async function recordVisitor(values) {
    const entityId = values.entry_id;
    let fields;
    try {
      fields = rules.cleanVisitor(values, policy);
    } catch (bad) {
      if (!(bad instanceof rules.Invalid)) throw bad;
      return showForm("visitor", { values, errors: messages(bad.problems), entityId });
    }
    const { temperature, symptoms, travel_or_contact: travel } = fields;
    const status = rules.firstReadingStatus(temperature, symptoms, travel, policy);
    const captured_at = corrections.get(entityId)?.captured_at;
    const part = { kind: "visitor_check.create", entity_id: entityId, fields, by: userId };
    await save([{ ...part, captured_at }], entityId);
    after("visitor", entityId, { name: fields.name, temperature, status });
  }

  async function recordStaff(values) {
    const entityId = values.entry_id;
    const people = roster();
    let fields;
    try {
      fields = rules.cleanStaff(values, policy, new Set(people.keys()));
    } catch (bad) {
      if (!(bad instanceof rules.Invalid)) throw bad;
      return showForm("staff", { values, errors: messages(bad.problems), entityId });
    }
    const status = rules.firstReadingStatus(fields.temperature, [], false, policy);
    const captured_at = corrections.get(entityId)?.captured_at;
    const part = { kind: "staff_check.create", entity_id: entityId, fields, by: userId };
    await save([{ ...part, captured_at }], entityId);
    const name = people.get(String(fields.person)).textContent;
    const keep = values.batch ? { batch: "on", direction: fields.direction } : {};
    after("staff", entityId, { name, temperature: fields.temperature, status }, keep);
  }

  async function recordRemeasure(kind, entityId, form, values) {
    const first = { name: form.dataset.name, temperature: Number(form.dataset.temperature) };
    const keep = values.batch ? { batch: "on", direction: values.direction } : {};
    let temperature;
    try {
      temperature = rules.parseTemperature(values.temperature, policy);
    } catch (bad) {
      if (!(bad instanceof rules.Invalid)) throw bad;
      return showRemeasure(kind, entityId, first, { errors: messages(bad.problems), keep });
    }
    const kindOf = `${ENTITIES[kind]}.remeasure`;
    const label = { kind, ...first };
    await save([{ kind: kindOf, entity_id: entityId, fields: { temperature }, by: userId, label }]);
    const status = rules.remeasureStatus(temperature, policy);
    after(kind, entityId, { ...first, remeasure_temperature: temperature, status }, keep);
  }

  function recordHere(form) {
    const values = formValues(form);
    const remeasure = new URL(form.action).pathname.match(REMEASURE);
    if (remeasure) {
      const kind = remeasure[1] === "visitors" ? "visitor" : "staff";
      return recordRemeasure(kind, remeasure[2], form, values);
    }
    return form.closest("#staff-panel") ? recordStaff(values) : recordVisitor(values);
  }

  const deskForm = (element) =>
    element instanceof HTMLFormElement && Boolean(element.closest("#visitor-panel, #staff-panel"));

  const keepHere = (form) =>
    enrolled || !navigator.onLine || !reachable || corrections.has(form.elements.entry_id?.value);

  keepOnPhone({
    owns: deskForm,
    keepHere,
    keep: recordHere,
    unreachable: () => (reachable = false),
    ready,
  });

  document.addEventListener("submit", (event) => {
    if (!event.target.matches("form[data-local]")) return;
    event.preventDefault();
    recordHere(event.target);
  });

  // A refused entry: its first reading back in the form with the server's messages, or, when
  // only a later change was refused, that change sent again under a new id.
  function correct(entityId, rejected) {
    const create = rejected.find((r) => r.mutation.kind.endsWith(".create"));
    const dependents = rejected.filter((r) => r !== create);
    if (!create) {
      const again = dependents.map(({ mutation, label }) => ({ ...mutation, label }));
      const remove = dependents.map((r) => r.id);
      return queue.add(again, remove).then(() => queue.flush({ force: true }));
    }
    const kind = create.mutation.kind.startsWith("staff") ? "staff" : "visitor";
    const { fields, captured_at } = create.mutation;
    corrections.set(entityId, { remove: rejected.map((r) => r.id), dependents, captured_at });
    showForm(kind, { values: fields, errors: create.errors ?? {}, entityId });
    panelOf(kind).scrollIntoView({ block: "start" });
  }

  // --- batch mode: pick or type a name, Enter, temperature, Enter, and again ----------------

  function focusStaffName() {
    const finder = panelOf("staff").querySelector(".roster-find input");
    (finder ?? panelOf("staff").querySelector('select[name="person"]'))?.focus();
  }

  // The roster as a type-ahead beside the select: "name · department" picks one person, and
  // so does the bare name when no one else has it.
  function enhance(kind) {
    const form = panelOf(kind).querySelector('form[action="/desk/staff"]');
    if (kind !== "staff" || !form || form.dataset.enhanced) return;
    form.dataset.enhanced = "yes";
    const select = form.elements.person;
    const finder = form.querySelector(".roster-find");
    const input = finder.querySelector("input");
    const byName = new Map();
    const taken = new Set();
    for (const option of roster().values()) {
      const name = option.textContent;
      const label = `${name} · ${option.parentElement.label}`;
      byName.set(label, option.value);
      finder.querySelector("datalist").append(new Option("", label));
      if (taken.has(name)) byName.delete(name);
      else byName.set(name, option.value);
      taken.add(name);
    }
    finder.hidden = false;
    if (select.value) input.value = select.selectedOptions[0].textContent;
    const pick = () => {
      if (byName.has(input.value.trim())) select.value = byName.get(input.value.trim());
    };
    input.addEventListener("input", pick);
    input.addEventListener("keydown", (event) => {
      if (event.key !== "Enter") return;
      event.preventDefault();
      pick();
      form.elements.temperature.focus();
    });
    select.addEventListener("change", () => {
      input.value = select.value ? select.selectedOptions[0].textContent : "";
    });
  }

  document.body.addEventListener("htmx:afterSettle", (event) => {
    if (event.detail.target?.id !== "staff-panel") return;
    enhance("staff");
    if (panelOf("staff").querySelector('input[name="batch"]:checked')) focusStaffName();
  });

  navigator.storage?.persist?.();
  for (const kind of Object.keys(ENTITIES)) {
    // The cached shell holds one id for every start: each form gets its own.
    const entryId = panelOf(kind).querySelector('input[name="entry_id"]');
    if (entryId) entryId.value = queue.uuid7();
    enhance(kind);
  }

  return {
    userId,
    ready,
    refresh,
    policy: () => policy,
    roster,
    readings,
    save,
    correct,
    after,
  };
})();
