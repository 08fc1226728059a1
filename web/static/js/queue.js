// The outbox: entries made on this phone, kept in IndexedDB until the server has answered for
// each one, and the client of /sync/push and /sync/pull (wire format: sync/protocol.py).
// Pages load it with a script tag and the service worker with importScripts, so a flush
// started by either runs the same code, and a Web Lock lets only one of them flush at a time.
"use strict";

self.hallwatchQueue = (() => {
  // Never rename the database or its stores: a phone that updates the app must find its
  // unsent entries. A new layout is a new DB_VERSION with an `oldVersion < n` step below.
  const DB_NAME = "hallwatch";
  const DB_VERSION = 1;
  const OUTBOX = "outbox"; // {id, mutation, state: pending|rejected, reason, errors, label}
  const ROWS = "rows"; // the server's rows this phone shows: {id, entity, row, outcome}
  const META = "meta"; // device, cursor, reference, seq, status
  const LOCK = "hallwatch-flush";
  const SYNC_TAG = "hallwatch-outbox";
  const BATCH = 200;
  const RETRY_SECONDS = [5, 15, 30, 60, 120, 300];
  const AUTH_RETRY_SECONDS = 60;
  const REQUEST_TIMEOUT_MS = 20000;

  const listeners = new Set();
  const channel = new BroadcastChannel("hallwatch-outbox");
  channel.onmessage = (event) => listeners.forEach((listener) => listener(event.data));
  let dbPromise = null;

  function changed(detail = {}) {
    listeners.forEach((listener) => listener(detail));
    channel.postMessage(detail);
  }

  function open() {
    dbPromise ??= new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, DB_VERSION);
      request.onupgradeneeded = (event) => {
        if (event.oldVersion < 1) {
          request.result.createObjectStore(OUTBOX, { keyPath: "id" });
          request.result.createObjectStore(ROWS, { keyPath: "id" });
          request.result.createObjectStore(META);
        }
      };
      request.onsuccess = () => {
        const db = request.result;
        // A newer version of the app is upgrading the database, and its request stays
        // `blocked` until every open connection closes: close this one. This code cannot
        // open the upgraded database, so pages reload into the new version (app.js).
        db.onversionchange = () => {
          db.close();
          dbPromise = null;
          listeners.forEach((listener) => listener({ upgraded: true }));
        };
        db.onclose = () => {
          dbPromise = null;
        };
        resolve(db);
      };
      request.onerror = () => {
        dbPromise = null;
        reject(request.error);
      };
    });
    return dbPromise;
  }

  // Whether this browser has the database, without creating it (pages of other roles).
  async function exists() {
    if (!indexedDB.databases) return true;
    return (await indexedDB.databases()).some((db) => db.name === DB_NAME);
  }

  const req = (request) =>
    new Promise((resolve, reject) => {
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });

  // `work` gets the named stores and must only await requests on them, or the transaction
  // commits under it.
  async function tx(names, mode, work) {
    const db = await open();
    const transaction = db.transaction(names, mode);
    const done = new Promise((resolve, reject) => {
      transaction.oncomplete = resolve;
      transaction.onerror = transaction.onabort = () => reject(transaction.error);
    });
    const stores = Object.fromEntries(names.map((name) => [name, transaction.objectStore(name)]));
    let result;
    try {
      result = await work(stores);
    } catch (error) {
      transaction.abort();
      done.catch(() => {});
      throw error;
    }
    await done;
    return result;
  }

  const all = (name) => tx([name], "readonly", (s) => req(s[name].getAll()));
  const getMeta = (key) => tx([META], "readonly", (s) => req(s.meta.get(key)));

  // RFC 9562 UUIDv7, method 1: a 12-bit counter after the milliseconds keeps the ids made in
  // one millisecond in the order they were made (a re-measure sorts after its first reading).
  let lastMs = 0;
  let counter = 0;
  function uuid7() {
    let ms = Date.now();
    if (ms <= lastMs) {
      counter += 1;
      if (counter > 0xfff) {
        lastMs += 1;
        counter = 0;
      }
      ms = lastMs;
    } else {
      lastMs = ms;
      counter = 0;
    }
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    for (let i = 5; i >= 0; i--) {
      bytes[i] = ms % 256;
      ms = Math.floor(ms / 256);
    }
    bytes[6] = 0x70 | (counter >> 8);
    bytes[7] = counter & 0xff;
    bytes[8] = 0x80 | (bytes[8] & 0x3f);
    const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
    return [[0, 8], [8, 12], [12, 16], [16, 20], [20, 32]]
      .map(([start, end]) => hex.slice(start, end))
      .join("-");
  }

  // Stores mutations at once (nothing here waits on the network) and drops the outbox
  // records in `remove` in the same transaction: a corrected entry replaces the rejected one.
  // Each part: {kind, entity_id, fields, by, form_id?, captured_at?, base_version?, label?}.
  // `form_id`: the id a form the server rendered gave the entry, when its post got no answer
  // (a part's `id` is ignored: a re-sent mutation is a new one).
  async function add(parts, remove = []) {
    const records = await tx([OUTBOX, META], "readwrite", async ({ outbox, meta }) => {
      let seq = (await req(meta.get("seq"))) ?? 0;
      const made = parts.map((part) => {
        const mutation = {
          id: part.form_id ?? uuid7(),
          kind: part.kind,
          schema: 1,
          seq: ++seq,
          captured_at: part.captured_at ?? new Date().toISOString(),
          entity_id: part.entity_id,
          base_version: part.base_version ?? null,
          by: part.by ?? null,
          fields: part.fields,
        };
        return { id: mutation.id, mutation, state: "pending", label: part.label ?? null };
      });
      remove.forEach((id) => outbox.delete(id));
      made.forEach((record) => outbox.add(record));
      meta.put(seq, "seq");
      return made;
    });
    changed();
    // Only Chromium has Background Sync; elsewhere the pages' own triggers do this.
    if (self.document && navigator.serviceWorker) {
      navigator.serviceWorker.ready.then((r) => r.sync?.register(SYNC_TAG)).catch(() => {});
    }
    return records;
  }

  async function putRows(found) {
    await tx([ROWS], "readwrite", async ({ rows }) => {
      for (const { entity, row } of found) {
        const before = await req(rows.get(row.id));
        rows.put({ id: row.id, entity, row, outcome: before?.outcome ?? "synced" });
      }
    });
    changed();
  }

  async function dropRows(keep) {
    await tx([ROWS], "readwrite", async ({ rows }) => {
      for (const record of await req(rows.getAll())) if (!keep(record)) rows.delete(record.id);
    });
  }

  async function summary() {
    const [records, status, device] = await Promise.all([
      all(OUTBOX),
      getMeta("status"),
      getMeta("device"),
    ]);
    return {
      unsent: new Set(records.map((r) => r.mutation.entity_id)).size,
      status: status ?? {},
      device: device?.device ?? "",
    };
  }

  async function enrol(device, token) {
    // A new identity starts its own feed: the old cursor belongs to the session or the
    // previous token.
    await tx([META], "readwrite", async ({ meta }) => {
      meta.put({ device, token }, "device");
      meta.delete("cursor");
    });
    changed();
  }

  // Forget rows, enrolment and cursor; refused (the count returned) while anything is unsent.
  async function clear() {
    const { unsent } = await summary();
    if (unsent) return unsent;
    await tx([ROWS, META], "readwrite", async ({ rows, meta }) => {
      rows.clear();
      for (const key of ["device", "cursor", "reference", "status"]) meta.delete(key);
    });
    changed();
    return 0;
  }

  async function exportDocument() {
    const [records, device] = await Promise.all([all(OUTBOX), getMeta("device")]);
    return {
      format: "hallwatch-outbox",
      version: 1,
      device: device?.device ?? "",
      exported_at: new Date().toISOString(),
      mutations: records.map((r) => r.mutation),
    };
  }

  async function send(path, options, report) {
    const device = await getMeta("device");
    const headers = device?.token
      ? { Authorization: `Device ${device.token}` }
      : { "X-Hallwatch-Sync": "1" };
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), REQUEST_TIMEOUT_MS);
    const sent = Date.now();
    try {
      const response = await fetch(path, {
        ...options,
        headers: { ...headers, ...options.headers },
        credentials: "same-origin",
        cache: "no-store",
        signal: abort.signal,
      });
      const body = await response.json().catch(() => null);
      if (body?.server_time) {
        report.drift_ms = Date.parse(body.server_time) - (sent + Date.now()) / 2;
      }
      if (response.status === 401) report.auth = { error: body?.error, detail: body?.detail };
      else if (!response.ok) report.retry = true;
      else report.synced = true;
      return response.ok ? body : null;
    } finally {
      clearTimeout(timer);
    }
  }

  // An entry leaves the outbox only on the server's own answer for it; `rejected` stays,
  // with the reason, until corrected; `retry` or no answer keeps it pending.
  async function applyResults(sent, results, report) {
    const answers = new Map(results.map((r) => [r.id, r]));
    await tx([OUTBOX, ROWS], "readwrite", async ({ outbox, rows }) => {
      for (const record of sent) {
        const answer = answers.get(record.id);
        if (!answer || answer.status === "retry") {
          report.retry = true;
        } else if (answer.status === "rejected") {
          const { reason = "", errors = {} } = answer;
          outbox.put({ ...record, state: "rejected", reason, errors });
        } else {
          outbox.delete(record.id);
          const id = record.mutation.entity_id;
          const entity = record.mutation.kind.split(".")[0];
          const before = await req(rows.get(id));
          const outcome = answer.status === "applied" ? "synced" : answer.status;
          const row = answer.row ?? before?.row;
          if (row) rows.put({ id, entity, row, outcome });
        }
      }
    });
  }

  async function push(report) {
    const tried = new Set();
    for (;;) {
      const batch = (await all(OUTBOX))
        .filter((r) => r.state === "pending" && !tried.has(r.id))
        .slice(0, BATCH);
      if (!batch.length) return true;
      const body = await send(
        "/sync/push",
        {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ mutations: batch.map((r) => r.mutation) }),
        },
        report,
      );
      if (!body) return false;
      batch.forEach((r) => tried.add(r.id));
      await applyResults(batch, body.results, report);
      changed();
    }
  }

  async function pull(report) {
    const [cursor, reference] = await Promise.all([getMeta("cursor"), getMeta("reference")]);
    const query = new URLSearchParams({ cursor: cursor ?? "", reference: reference?.hash ?? "" });
    const body = await send(`/sync/pull?${query}`, {}, report);
    if (!body) return;
    await tx([ROWS, META], "readwrite", async ({ rows, meta }) => {
      for (const { entity, row } of body.entries) {
        const before = await req(rows.get(row.id));
        rows.put({ id: row.id, entity, row, outcome: before?.outcome ?? "synced" });
      }
      body.tombstones.forEach(({ id }) => rows.delete(id));
      if (body.reference) meta.put(body.reference, "reference");
      meta.put(body.cursor, "cursor");
    });
  }

  async function flushOnce(force) {
    const before = (await getMeta("status")) ?? {};
    if (!navigator.onLine || (!force && Date.now() < (before.retry_at ?? 0))) return before;
    const report = {};
    try {
      if (await push(report)) await pull(report);
    } catch {
      report.unreachable = true; // no answer at all: offline, timed out, or the server is down
    }
    const status = { ...before, reachable: !report.unreachable };
    if (report.drift_ms !== undefined) status.drift_ms = report.drift_ms;
    if (report.synced) status.last_sync = new Date().toISOString();
    status.auth = report.auth ?? null;
    if (report.unreachable || report.retry) {
      status.failures = (before.failures ?? 0) + 1;
      const wait = RETRY_SECONDS[Math.min(status.failures, RETRY_SECONDS.length) - 1];
      status.retry_at = Date.now() + wait * 1000 * (0.75 + Math.random() / 2);
    } else {
      status.failures = 0;
      status.retry_at = report.auth ? Date.now() + AUTH_RETRY_SECONDS * 1000 : 0;
    }
    await tx([META], "readwrite", ({ meta }) => req(meta.put(status, "status")));
    changed();
    return status;
  }

  // One flush at a time in this context; a call made meanwhile runs it once more afterwards
  // (forced if any such call was), so an entry added during a push is not left for the timer.
  const locked = (work) => (navigator.locks ? navigator.locks.request(LOCK, work) : work());
  let running = null;
  let rerun = null; // null: nobody asked meanwhile; else whether someone asked to force
  function flush({ force = false } = {}) {
    if (running) {
      rerun = Boolean(rerun) || force;
      return running;
    }
    running = (async () => {
      let status;
      for (let next = force; next !== null; next = rerun) {
        rerun = null;
        status = await locked(() => flushOnce(next));
      }
      return status;
    })().finally(() => {
      running = null;
    });
    return running;
  }

  return {
    SYNC_TAG,
    uuid7,
    exists,
    add,
    putRows,
    dropRows,
    records: () => all(OUTBOX),
    rows: () => all(ROWS),
    getMeta,
    summary,
    enrol,
    clear,
    exportDocument,
    flush,
    onChange: (listener) => listeners.add(listener),
  };
})();
