// Pre-registered visitors at the desk, with or without a connection: the code typed, scanned
// (BarcodeDetector, where the browser has it) or opened from the visitor's QR link finds the
// pre-registration this phone pulled while online; the desk adds only the temperature and the
// check goes to the outbox as `visitor_check.prereg.create` (the server fills in the visitor's
// full answers). SPEC rule 3 answers at once, through the desk's own panels.
"use strict";

(() => {
  const desk = self.hallwatchDesk;
  const section = document.getElementById("prereg");
  if (!desk || !section) return;
  const queue = self.hallwatchQueue;
  const rules = self.hallwatchRules;
  const { t } = self.hallwatchPage;
  const ENTITY = "visitor_prereg";
  const KIND = "visitor_check.prereg.create";
  const finder = section.querySelector("form.prereg-find");
  const card = section.querySelector(".prereg-found");
  const recorder = card.querySelector("form");
  let current = null;

  const normalise = (text) => String(text).toUpperCase().replace(/[^A-Z0-9]/g, "");
  // A scanned QR holds the link /desk?prereg=CODE; a typed code is the code.
  function codeFrom(text) {
    try {
      const code = new URL(text).searchParams.get("prereg");
      if (code) return normalise(code);
    } catch {
      // not a link
    }
    return normalise(text);
  }

  const usable = (row) => row && !row.used && Date.parse(row.expires_at) > Date.now();

  async function lookup(code) {
    const [rows, records] = await Promise.all([queue.rows(), queue.records()]);
    const row = rows.find((r) => r.entity === ENTITY && r.row.code === code)?.row;
    const usedHere = records.some((r) => r.mutation.kind === KIND && r.mutation.fields.prereg === code);
    return row && { ...row, used: row.used || usedHere };
  }

  function message(text) {
    const error = section.querySelector(".prereg-error");
    error.textContent = text;
    error.hidden = !text;
  }

  function slot(name, text) {
    card.querySelector(`[data-slot="${name}"]`).textContent = text;
  }

  // As the server writes them (server/checks/export.py), in the page's language: the words
  // listed, what the visitor wrote under "other" as their aside (咳嗽、其他（头痛）).
  function symptomsText(row) {
    const words = (row.symptoms || "").split(",").filter(Boolean).map((s) => t(`sym_${s}`));
    const joined = (text, item) => (text ? t("pre_listed", { list: text, item }) : item);
    const list = words.reduce(joined, "");
    return row.symptoms_other ? t("pre_aside", { text: list, remark: row.symptoms_other }) : list;
  }

  function show(row) {
    current = row;
    slot("name", row.name);
    slot("phone", row.phone);
    slot("purpose", row.purpose || "—");
    slot("symptoms", symptomsText(row) || t("pre_none"));
    slot("travel", t(row.travel_or_contact ? "pre_yes" : "pre_no"));
    recorder.elements.temperature.value = "";
    recorder.querySelector(".field-error")?.remove();
    card.hidden = false;
    recorder.elements.temperature.focus();
  }

  async function find(text) {
    const code = codeFrom(text);
    card.hidden = true;
    current = null;
    if (!code) return message(t("pre_enter_code"));
    let row = await lookup(code);
    if (!row && navigator.onLine) {
      await queue.flush({ force: true }); // registered since the last pull
      row = await lookup(code);
    }
    if (!row) return message(t("pre_not_found", { code }));
    if (row.used) return message(t("pre_used", { code }));
    if (!usable(row)) return message(t("pre_expired", { code }));
    message("");
    show(row);
  }

  async function record() {
    const row = current;
    const policy = desk.policy();
    let temperature;
    try {
      temperature = rules.parseTemperature(recorder.elements.temperature.value, policy);
    } catch (bad) {
      if (!(bad instanceof rules.Invalid)) throw bad;
      const [problem] = bad.problems;
      recorder.querySelector(".field-error")?.remove();
      const error = Object.assign(document.createElement("span"), {
        className: "field-error",
        id: "prereg-temperature-error",
        textContent: t(`rule_${problem.code}`, problem.params),
      });
      recorder.querySelector("label").append(error);
      return;
    }
    const symptoms = (row.symptoms || "").split(",").filter(Boolean);
    const status = rules.firstReadingStatus(temperature, symptoms, row.travel_or_contact, policy);
    const entityId = queue.uuid7();
    const view = { name: row.name, temperature, status };
    // The label is what today's list shows until the server's row comes back.
    const label = { kind: "visitor", ...view, phone: row.phone };
    const fields = { prereg: row.code, temperature };
    await desk.save([{ kind: KIND, entity_id: entityId, fields, by: desk.userId, label }]);
    card.hidden = true;
    current = null;
    finder.reset();
    desk.after("visitor", entityId, view);
    document.getElementById("visitor-panel").scrollIntoView({ block: "start" });
  }

  finder.addEventListener("submit", (event) => {
    event.preventDefault();
    find(finder.elements.prereg.value);
  });
  recorder.addEventListener("submit", (event) => {
    event.preventDefault();
    if (current) record();
  });

  const scan = section.querySelector(".prereg-scan");
  if ("BarcodeDetector" in self) {
    scan.hidden = false;
    scan.querySelector("input").addEventListener("change", async (event) => {
      const [file] = event.target.files;
      if (!file) return;
      try {
        const detector = new BarcodeDetector({ formats: ["qr_code"] });
        const [found] = await detector.detect(await createImageBitmap(file));
        if (!found) return message(t("pre_no_qr"));
        finder.elements.prereg.value = codeFrom(found.rawValue);
        find(found.rawValue);
      } catch {
        message(t("pre_no_qr"));
      } finally {
        event.target.value = "";
      }
    });
  }

  section.hidden = false;
  (async () => {
    await desk.ready;
    // Pre-registrations expired or used go; other rows are not this script's to drop.
    await queue.dropRows((row) => row.entity !== ENTITY || usable(row.row));
    const linked = new URLSearchParams(location.search).get("prereg");
    if (linked) {
      history.replaceState(null, "", location.pathname); // a reload must not find it again
      finder.elements.prereg.value = normalise(linked);
      find(linked);
    }
  })();
})();
