// Every page: the service worker, the header's sync badge, the triggers that send the outbox,
// the logout guard, the export of unsent entries, and the enrolment form. Words shown here
// come from the page (<template class="texts">), in the language it was rendered in.
"use strict";

self.hallwatchPage = (() => {
  const queue = self.hallwatchQueue;
  const FLUSH_EVERY_MS = 30000;
  const texts = {};
  for (const template of document.querySelectorAll("template.texts")) {
    for (const node of template.content.querySelectorAll("[data-t]")) {
      texts[node.dataset.t] = node.textContent.trim();
    }
  }

  const t = (key, params = {}) =>
    (texts[key] ?? "").replace(/%\((\w+)\)s/g, (_, name) => String(params[name] ?? ""));

  // Days and times are the hall's (HALLWATCH_TZ), whatever zone the phone is set to: the
  // server names the zone on every page (<body data-hall-zone>; this script is deferred, so
  // the body is there), the shell the service worker keeps too; a policy the desk keeps names
  // it as `time_zone`. The phone's own zone only if neither does (or the browser does not know
  // the zone).
  const HALL_ZONE = document.body.dataset.hallZone || undefined;
  const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]; // ISO order, Monday = 1
  const PARTS = { year: "numeric", month: "2-digit", day: "2-digit", weekday: "short" };
  Object.assign(PARTS, { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" });
  const formats = new Map(); // one per zone: made once, used for every entry shown

  function formatIn(zone) {
    if (!formats.has(zone)) {
      let format;
      try {
        format = new Intl.DateTimeFormat("en-US", { ...PARTS, timeZone: zone });
      } catch {
        format = new Intl.DateTimeFormat("en-US", PARTS); // a zone this browser does not know
      }
      formats.set(zone, format);
    }
    return formats.get(zone);
  }

  // The hall's day ("YYYY-MM-DD"), ISO weekday and time of day ("HH:MM", and in minutes) at
  // `moment` (a Date, an ISO text or milliseconds); `policy.time_zone` names the zone when
  // given, else the page's.
  function hallTime(moment = new Date(), policy = null) {
    const part = {};
    const zone = policy?.time_zone || HALL_ZONE;
    for (const { type, value } of formatIn(zone).formatToParts(new Date(moment))) {
      part[type] = value;
    }
    return {
      day: `${part.year}-${part.month}-${part.day}`,
      weekday: WEEKDAYS.indexOf(part.weekday) + 1,
      clock: `${part.hour}:${part.minute}`,
      minutes: Number(part.hour) * 60 + Number(part.minute) + Number(part.second) / 60,
    };
  }

  const clock = (moment) => hallTime(moment).clock;
  // Whether `moment` falls on the hall's day today (no time, or not a time: not today).
  const isHallToday = (moment) =>
    moment != null &&
    !Number.isNaN(new Date(moment).getTime()) &&
    hallTime(moment).day === hallTime().day;

  // `draw` run one at a time, and once more if asked meanwhile: a slow draw that started
  // before a change never paints over the one that shows it.
  function latest(draw) {
    let running = null;
    let again = false;
    return function run() {
      if (running) {
        again = true;
        return running;
      }
      running = (async () => {
        do {
          again = false;
          await draw();
        } while (again);
      })().finally(() => {
        running = null;
      });
      return running;
    };
  }

  const badge = document.getElementById("sync-badge");
  const isDesk = badge?.dataset.desk === "yes";

  if ("serviceWorker" in navigator) {
    const servedByWorker = Boolean(navigator.serviceWorker.controller);
    window.addEventListener("load", () => {
      // "none": the worker's imported scripts (queue.js) are checked afresh on each update.
      navigator.serviceWorker
        .register("/sw.js", { scope: "/", updateViaCache: "none" })
        .catch(() => {});
    });
    if (!servedByWorker) {
      navigator.serviceWorker.ready.then((registration) =>
        registration.active?.postMessage({ keep: location.pathname }),
      );
    }
  }

  const refreshBadge = latest(async () => {
    if (!badge) return;
    const { unsent: count, status } = await queue.summary();
    badge.hidden = !isDesk && !count;
    badge.classList.toggle("has-unsent", count > 0);
    badge.querySelector(".unsent").textContent = count ? t("unsent", { count }) : "";
    badge.querySelector(".last").textContent = status.last_sync
      ? t("last_sync", { time: clock(status.last_sync) })
      : t("never_synced");
  });

  function refuse(count) {
    const alert = document.getElementById("outbox-alert");
    alert.querySelector(".message").textContent = t("unsent_refusal", { count });
    alert.hidden = false;
    alert.scrollIntoView({ block: "nearest" });
  }

  async function exportFile() {
    const document_ = await queue.exportDocument();
    const blob = new Blob([JSON.stringify(document_, null, 2)], { type: "application/json" });
    const stamp = document_.exported_at.slice(0, 19).replaceAll(":", "");
    const link = Object.assign(document.createElement("a"), {
      href: URL.createObjectURL(blob),
      download: ["hallwatch-outbox", document_.device, stamp].filter(Boolean).join("-") + ".json",
    });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10000);
  }

  // The cached desk page names the person logged in; the next person must not start from it.
  async function forgetPages() {
    if (!self.caches) return;
    for (const name of await caches.keys()) {
      if (name.startsWith("hallwatch-")) await (await caches.open(name)).delete("/desk");
    }
  }

  // Logging out with entries unsent would strand them behind a login: refuse, show how many,
  // offer the file.
  document.addEventListener("submit", async (event) => {
    const form = event.target;
    if (!form.matches('form[action="/logout"]')) return;
    event.preventDefault();
    const summary = isDesk || (await queue.exists()) ? await queue.summary() : null;
    if (summary?.unsent) return refuse(summary.unsent);
    // An enrolled phone keeps today's entries of its desk (the hall's today) for the next
    // shift (the desk role sees those anyway) and drops older ones; any other browser keeps no
    // one's entries past their logout.
    const ofToday = ({ row }) => isHallToday(row.time_in ?? row.taken_at);
    if (summary) await queue.dropRows(summary.device ? ofToday : () => false);
    await forgetPages();
    form.submit();
  });
  document.querySelector("#outbox-alert .export")?.addEventListener("click", exportFile);

  const enroll = document.getElementById("enroll-form");
  enroll?.addEventListener("submit", async (event) => {
    event.preventDefault();
    const error = document.getElementById("enroll-error");
    const done = document.getElementById("enroll-done");
    error.hidden = done.hidden = true;
    let response;
    try {
      response = await fetch(enroll.dataset.enrollUrl, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ code: enroll.elements.code.value }),
      });
    } catch {
      error.textContent = error.dataset.offline;
      error.hidden = false;
      return;
    }
    const body = await response.json().catch(() => ({}));
    if (response.status !== 201) {
      error.textContent = body.detail ?? error.dataset.offline;
      error.hidden = false;
      return;
    }
    await queue.enrol(body.device, body.token);
    done.hidden = false;
    queue.flush({ force: true });
  });

  // Send what is queued whenever there is a chance: now, on reconnecting, on coming back to
  // the page, and every half minute while a page is open (the queue backs off by itself).
  (async () => {
    if (!isDesk && !(await queue.exists())) return;
    queue.onChange((detail) => {
      if (detail.upgraded) location.reload();
      else refreshBadge();
    });
    refreshBadge();
    queue.flush({ force: true });
    window.addEventListener("online", () => queue.flush({ force: true }));
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") queue.flush();
    });
    setInterval(() => queue.flush(), FLUSH_EVERY_MS);
  })();

  // A form whose entry stays on the phone when the server cannot take it (the desk's forms,
  // the health declaration): kept at once when `keepHere(form)` says so; and when the request
  // gets no answer, or one that stores nothing (login or form expired, server error), kept
  // under the same id, so a server that did store it answers "duplicate". `unreachable` hears
  // of a request that got no answer.
  // Field errors the page shows itself (the phone's own checks, or a refusal that came back
  // through the outbox): each beside its field, replacing the ones shown before.
  function showFieldErrors(form, errors) {
    form.querySelectorAll(".field-error.local").forEach((node) => node.remove());
    for (const [name, message] of Object.entries(errors)) {
      const field = form.elements[name];
      const place = (field instanceof RadioNodeList ? field[0] : field)?.closest("label, fieldset");
      const error = Object.assign(document.createElement("span"), {
        className: "field-error local",
        id: `${name}-error`,
        textContent: message,
      });
      (place ?? form).append(error);
    }
  }

  function keepOnPhone({ owns, keepHere, keep, unreachable, ready = Promise.resolve() }) {
    document.body.addEventListener("htmx:confirm", async (event) => {
      const form = event.detail.elt;
      if (!owns(form)) return;
      event.preventDefault();
      await ready;
      if (keepHere(form)) keep(form);
      else event.detail.issueRequest(true);
    });
    for (const name of ["htmx:sendError", "htmx:timeout"]) {
      document.body.addEventListener(name, (event) => {
        if (!owns(event.detail.elt)) return;
        unreachable();
        keep(event.detail.elt);
      });
    }
    document.body.addEventListener("htmx:beforeOnLoad", (event) => {
      const status = event.detail.xhr.status;
      if (!owns(event.detail.elt) || !(status === 401 || status === 403 || status >= 500)) return;
      event.preventDefault();
      keep(event.detail.elt);
    });
  }

  return {
    t,
    hallTime,
    clock,
    isHallToday,
    latest,
    refuse,
    exportFile,
    forgetPages,
    keepOnPhone,
    showFieldErrors,
  };
})();
