// Today's list at the desk and this phone's sync panel, drawn from what the phone holds: the
// outbox (queued or refused entries) and the server's rows (pulled, answered to a push, or
// shown by a form's answer). The shell the service worker keeps has no entries in it.
"use strict";

(() => {
  const desk = self.hallwatchDesk;
  if (!desk) return;
  const queue = self.hallwatchQueue;
  const rules = self.hallwatchRules;
  // Today and the times shown are the hall's (app.js), whatever zone the phone is set to.
  const { t, clock, isHallToday: sameDay, latest, refuse, exportFile, forgetPages } =
    self.hallwatchPage;
  const DRIFT_SHOWN_MS = 5 * 60 * 1000;

  // privacy.mask_phone, for an entry the server has not masked yet.
  function mask(phone) {
    const chars = [...(phone ?? "")];
    if (chars.length < 7) return "*".repeat(chars.length);
    return chars.slice(0, 3).join("") + "*".repeat(chars.length - 7) + chars.slice(-4).join("");
  }

  function viewOfRow({ entity, row, outcome }) {
    const common = {
      id: row.id,
      temperature: row.temperature,
      remeasure_temperature: row.remeasure_temperature,
      status: row.status,
      state: outcome,
    };
    if (entity === "visitor_check") {
      const { name, phone, time_in: at, time_out } = row;
      return { ...common, kind: "visitor", name, phone, at, time_out };
    }
    if (entity === "staff_check") {
      const { person_name: name, direction, taken_at: at } = row;
      return { ...common, kind: "staff", name, direction, at };
    }
    return null;
  }

  // What an unsent mutation changes in the entry as the list shows it.
  function apply(view, { kind, fields, captured_at: at }) {
    const policy = desk.policy();
    if (kind === "visitor_check.create") {
      const { name, temperature, symptoms, travel_or_contact: travel } = fields;
      const status = rules.firstReadingStatus(temperature, symptoms, travel, policy);
      const phone = mask(fields.phone);
      Object.assign(view, { kind: "visitor", name, phone, temperature, status, at });
    } else if (kind === "staff_check.create") {
      const name = desk.roster().get(String(fields.person))?.textContent ?? "";
      const { direction, temperature } = fields;
      const status = rules.firstReadingStatus(temperature, [], false, policy);
      Object.assign(view, { kind: "staff", name, direction, temperature, status, at });
    } else if (kind.endsWith(".remeasure")) {
      view.remeasure_temperature = fields.temperature;
      if (!view.status || view.status === "remeasure") {
        view.status = rules.remeasureStatus(fields.temperature, policy);
      }
    } else if (kind === "visitor_check.time_out") {
      view.time_out = fields.time_out;
    }
  }

  function entries(records, rows) {
    const shown = new Map();
    for (const row of rows) {
      const view = viewOfRow(row);
      if (view && sameDay(view.at)) shown.set(view.id, view);
    }
    // Unsent entries are listed whatever their day: they still have to reach the server.
    for (const record of records) {
      const { mutation } = record;
      if (!shown.has(mutation.entity_id)) {
        shown.set(mutation.entity_id, {
          id: mutation.entity_id,
          at: mutation.captured_at,
          ...record.label,
        });
      }
      const view = shown.get(mutation.entity_id);
      apply(view, mutation);
      (view.records ??= []).push(record);
    }
    for (const view of shown.values()) {
      if (view.records) {
        view.state = view.records.some((r) => r.state === "rejected") ? "rejected" : "queued";
      }
    }
    return [...shown.values()].sort((a, b) => Date.parse(b.at) - Date.parse(a.at));
  }

  const show = (node, text) => {
    node.textContent = text || "";
    node.hidden = !text;
  };

  function entryNode(view) {
    const item = document.getElementById("t-entry").content.firstElementChild.cloneNode(true);
    const part = (selector) => item.querySelector(selector);
    item.dataset.id = view.id;
    item.classList.add(`status-${view.status}`, `sync-${view.state}`);
    show(part(".time"), view.at && clock(view.at));
    show(part(".kind"), t(view.kind === "visitor" ? "visitor" : view.direction));
    show(part(".who"), view.name);
    show(part(".phone"), view.phone);
    show(part(".reading"), view.temperature != null && desk.readings(view));
    show(part(".status"), t(`status_${view.status}`));
    part(".status").classList.add(`status-${view.status}`);
    show(part(".sync-state"), t(`sync_${view.state}`));
    show(part(".left"), view.time_out && t("left_at", { time: clock(view.time_out) }));
    const rejected = (view.records ?? []).filter((r) => r.state === "rejected");
    const problems = rejected.flatMap((r) => [r.reason, ...Object.values(r.errors ?? {})]);
    show(part(".problem"), problems.join(" "));

    const leave = part(".leave");
    leave.hidden = view.kind !== "visitor" || Boolean(view.time_out) || rejected.length > 0;
    leave.addEventListener("click", () => {
      const fields = { time_out: new Date().toISOString() };
      const kind = "visitor_check.time_out";
      desk.save([{ kind, entity_id: view.id, fields, by: desk.userId }]);
    });
    // An entry left waiting for its second reading (the page was closed, the phone
    // restarted) is measured again from here: a possible fever is never left hanging.
    const again = part(".remeasure");
    again.hidden = view.status !== "remeasure" || rejected.length > 0;
    again.addEventListener("click", () => desk.after(view.kind, view.id, view));
    const correct = part(".correct");
    correct.hidden = !rejected.length;
    correct.addEventListener("click", () => desk.correct(view.id, rejected));
    return item;
  }

  async function drawToday() {
    const [records, rows] = await Promise.all([queue.records(), queue.rows()]);
    const shown = entries(records, rows);
    const section = document.getElementById("today");
    section.querySelector(".entries").replaceChildren(...shown.map(entryNode));
    section.querySelector(".count").textContent = shown.length;
    section.querySelector(".empty").hidden = shown.length > 0;
  }

  const panel = document.getElementById("sync");

  async function drawSync() {
    const { unsent, status, device } = await queue.summary();
    const part = (selector) => panel.querySelector(selector);
    panel.hidden = false;
    show(part(".sync-unsent"), t("unsent", { count: unsent }));
    const last = status.last_sync && t("last_sync", { time: clock(status.last_sync) });
    show(part(".sync-last"), last || t("never_synced"));
    part(".sync-auth").hidden = !status.auth;
    show(part(".sync-auth .detail"), status.auth?.detail);
    // A revoked phone is enrolled again; logging in again would change nothing.
    part(".sync-auth .relogin").hidden = status.auth?.error === "device_revoked";
    const drift = Math.abs(status.drift_ms ?? 0);
    const minutes = Math.round(drift / 60000);
    show(part(".sync-drift"), drift > DRIFT_SHOWN_MS && t("clock_drift", { minutes }));
    show(part(".sync-device"), device ? t("enrolled_as", { device }) : t("not_enrolled"));
    part(".enrol").hidden = Boolean(device);
  }

  const redraw = latest(async () => {
    await desk.refresh();
    await Promise.all([drawToday(), drawSync()]);
  });

  // A form's answer (htmx) lists the server's rows with the record as the phone stores it:
  // keep them, so the list still has them with no connection.
  async function keepShownRows() {
    const items = document.querySelectorAll("#today li[data-stored]");
    if (items.length) await queue.putRows([...items].map((li) => JSON.parse(li.dataset.stored)));
  }

  document.body.addEventListener("htmx:afterSettle", async () => {
    await keepShownRows();
    redraw();
  });

  panel.querySelector(".sync-now").addEventListener("click", () => queue.flush({ force: true }));
  panel.querySelector(".export").addEventListener("click", exportFile);
  panel.querySelector(".clear-data").addEventListener("click", async () => {
    const count = await queue.clear();
    if (count) return refuse(count);
    await forgetPages();
    panel.querySelector(".cleared").hidden = false;
  });

  (async () => {
    await desk.ready;
    await keepShownRows();
    // Yesterday's rows go; rows of kinds the desk does not show are not its to drop.
    await queue.dropRows((row) => {
      const view = viewOfRow(row);
      return !view || sameDay(view.at);
    });
    queue.onChange(redraw);
    redraw();
  })();
})();
