// The desk's disinfection log, with or without a connection: each round goes to the outbox at
// once (kind disinfection_round.create), and the points turn red when fewer rounds are done
// than are due by now. The points come from the pulled reference (else the page's own list);
// the day's rounds from the rows pulled from the server (every desk's) and this phone's outbox.
// Days and times are the hall's (app.js hallTime: the zone the page names, or the policy's), and
// so are its open days (the policy), whatever zone the phone is set to.
"use strict";

self.hallwatchDisinfection = (() => {
  const desk = self.hallwatchDesk;
  const section = document.getElementById("disinfection");
  if (!desk || !section) return null;
  const queue = self.hallwatchQueue;
  const { t, latest, hallTime, isHallToday: sameDay } = self.hallwatchPage;
  const form = section.querySelector("form");
  const ENTITY = "disinfection_round";
  const KIND = "disinfection_round.create";
  const WHO = "hallwatch-disinfector"; // the last name typed: the same person does most rounds

  const EVERY_DAY = [1, 2, 3, 4, 5, 6, 7]; // ISO weekdays, as hallTime numbers them
  const minutes = (hhmm) => {
    const [hours, mins] = String(hhmm).split(":").map(Number);
    return hours * 60 + mins;
  };

  // server/disinfection/schedule.py point_state and due_by: nothing on a day the hall is
  // closed, else rounds spread evenly over the opening hours.
  function dueBy(times, policy, now = new Date()) {
    const { weekday, minutes: at } = hallTime(now, policy);
    if (times <= 0 || !(policy.opening_weekdays ?? EVERY_DAY).includes(weekday)) return 0;
    const [start, end] = [minutes(policy.hall_opens), minutes(policy.hall_closes)];
    if (end <= start || at >= end) return at >= end ? times : 0;
    if (at < start) return 0;
    return Math.min(times, Math.floor((at - start) / ((end - start) / times)));
  }

  const pagePoints = [...form.elements.point.options]
    .filter((option) => option.value)
    .map((option) => ({ id: option.value, name: option.textContent, ...option.dataset }));

  async function points() {
    const reference = await queue.getMeta("reference");
    return reference?.disinfection_points ?? pagePoints;
  }

  // Today's rounds: the server's rows, then what this phone has not sent (or had refused).
  async function rounds() {
    const [records, rows] = await Promise.all([queue.records(), queue.rows()]);
    const shown = new Map();
    for (const { entity, row } of rows) {
      if (entity === ENTITY && sameDay(row.done_at)) shown.set(row.id, { ...row, state: "synced" });
    }
    for (const record of records) {
      const { mutation } = record;
      if (mutation.kind !== KIND) continue;
      shown.set(mutation.entity_id, {
        ...mutation.fields,
        id: mutation.entity_id,
        done_at: mutation.captured_at,
        state: record.state === "rejected" ? "rejected" : "queued",
        record,
      });
    }
    return [...shown.values()].sort((a, b) => Date.parse(b.done_at) - Date.parse(a.done_at));
  }

  function fillPoints(list) {
    const select = form.elements.point;
    const chosen = select.value;
    const options = list.map((p) => {
      const option = new Option(p.name, p.id);
      Object.assign(option.dataset, { agent: p.agent ?? "", concentration: p.concentration ?? "" });
      return option;
    });
    select.replaceChildren(new Option(t("dis_choose"), ""), ...options);
    select.value = chosen;
  }

  function pointItem(point, done, policy) {
    const due = dueBy(Number(point.times_per_day), policy);
    const item = document.createElement("li");
    item.dataset.point = point.id;
    item.className = done < due ? "point overdue" : "point";
    const standing = t("dis_done", { done, times: point.times_per_day });
    const late = done < due ? ` · ${t("dis_overdue", { due })}` : "";
    item.textContent = `${point.name}${point.area ? ` · ${point.area}` : ""} — ${standing}${late}`;
    return item;
  }

  function roundItem(round, names) {
    const item = document.createElement("li");
    item.dataset.id = round.id;
    item.className = `round sync-${round.state}`;
    const name = round.point_name ?? names.get(round.point) ?? "";
    const parts = [hallTime(round.done_at).clock, name, round.done_by, t(`sync_${round.state}`)];
    item.textContent = parts.filter(Boolean).join(" · ");
    if (round.state === "rejected") {
      const { reason = "", errors = {} } = round.record;
      const problem = Object.assign(document.createElement("span"), {
        className: "problem field-error",
        textContent: [reason, ...Object.values(errors)].join(" "),
      });
      const again = Object.assign(document.createElement("button"), {
        type: "button",
        className: "small correct",
        textContent: t("dis_correct"),
      });
      again.addEventListener("click", () => correct(round));
      item.append(" ", problem, " ", again);
    }
    return item;
  }

  const draw = latest(async () => {
    const [list, done] = await Promise.all([points(), rounds()]);
    const policy = desk.policy();
    if (list !== pagePoints) fillPoints(list);
    const counts = new Map();
    for (const round of done) counts.set(round.point, (counts.get(round.point) ?? 0) + 1);
    const items = list.map((p) => pointItem(p, counts.get(p.id) ?? 0, policy));
    section.querySelector(".points").replaceChildren(...items);
    const names = new Map(list.map((p) => [p.id, p.name]));
    section.querySelector(".rounds").replaceChildren(...done.map((r) => roundItem(r, names)));
    const last = noted && done.find((round) => round.id === noted.id);
    if (last) showNotice(last.state);
  });

  // The note under the form names the last round logged here and says where it is now, as
  // the list below does: on this phone, synced, or refused.
  let noted = null;
  function showNotice(state) {
    const notice = section.querySelector(".dis-notice");
    const where = { synced: "sync_synced", rejected: "sync_rejected" }[state] ?? "saved_here";
    notice.textContent = `${t("dis_recorded", { point: noted.point })} · ${t(where)}`;
    notice.classList.toggle("ok", state !== "rejected");
    notice.classList.toggle("error", state === "rejected");
    notice.hidden = false;
  }

  // A refused round back in the form; saving it again replaces the refused one.
  let replacing = [];
  function correct(round) {
    for (const name of ["point", "agent", "concentration", "done_by"]) {
      form.elements[name].value = round[name] ?? "";
    }
    replacing = [round.record.id];
    form.scrollIntoView({ block: "start" });
  }

  function showError(message) {
    const error = section.querySelector(".dis-error");
    error.textContent = message;
    error.hidden = !message;
  }

  form.elements.point.addEventListener("change", () => {
    const option = form.elements.point.selectedOptions[0];
    form.elements.agent.value = option?.dataset.agent ?? "";
    form.elements.concentration.value = option?.dataset.concentration ?? "";
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const fields = Object.fromEntries(
      ["point", "agent", "concentration", "done_by"].map((n) => [n, form.elements[n].value.trim()]),
    );
    if (!fields.point) return showError(t("dis_choose_point"));
    if (!fields.done_by) return showError(t("dis_who"));
    showError("");
    localStorage.setItem(WHO, fields.done_by);
    const part = { kind: KIND, entity_id: queue.uuid7(), fields, by: desk.userId };
    await queue.add([part], replacing);
    replacing = [];
    noted = { id: part.entity_id, point: form.elements.point.selectedOptions[0].textContent };
    showNotice("queued");
    form.elements.point.value = "";
    queue.flush({ force: true });
  });

  form.elements.done_by.value = localStorage.getItem(WHO) ?? "";
  (async () => {
    await desk.ready;
    // Yesterday's rounds go; other kinds of rows are not this script's to drop.
    await queue.dropRows((row) => row.entity !== ENTITY || sameDay(row.row.done_at));
    queue.onChange(() => draw());
    setInterval(() => draw(), 60000); // a point turns red as time passes, with no new data
    draw();
  })();

  return { dueBy };
})();
