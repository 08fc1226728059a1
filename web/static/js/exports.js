// Export links (a[data-export]): the file is fetched here so the page can show how far it
// has got — CSV rows received of the X-Row-Count the server sends first; for a workbook, that
// it is being built — instead of a link that looks dead until a large file is complete. The
// server's refusal (too many rows for a workbook, a range too long) is shown where the link
// is. Without this script, or in a browser without streams, the link downloads as it is.
"use strict";

(() => {
  const { t } = self.hallwatchPage;

  const isPlainClick = (event) =>
    event.button === 0 && !event.ctrlKey && !event.metaKey && !event.shiftKey && !event.altKey;

  function statusFor(link) {
    const holder = link.closest("[data-export-status]") ?? link.parentElement;
    let status = holder.querySelector(".export-status");
    if (!status) {
      status = Object.assign(document.createElement("div"), { className: "export-status" });
      status.setAttribute("role", "status");
      status.append(document.createElement("progress"), document.createElement("span"));
      holder.append(status);
    }
    status.hidden = false;
    status.classList.remove("error");
    return { bar: status.querySelector("progress"), text: status.querySelector("span"), status };
  }

  function show({ bar, text }, rows, expected) {
    if (expected) {
      bar.max = expected;
      bar.value = Math.min(rows, expected);
    } else {
      bar.removeAttribute("value"); // indeterminate
    }
    text.textContent = expected
      ? t("export_rows_of", { rows, total: expected })
      : t("export_rows", { rows });
  }

  // RFC 6266: filename*=UTF-8''… (Chinese names) before the plain filename="…".
  function filenameOf(response, fallback) {
    const header = response.headers.get("content-disposition") ?? "";
    const encoded = /filename\*=UTF-8''([^;]+)/i.exec(header);
    if (encoded) return decodeURIComponent(encoded[1]);
    return /filename="?([^";]+)"?/i.exec(header)?.[1] ?? fallback;
  }

  function save(blob, name) {
    const link = Object.assign(document.createElement("a"), {
      href: URL.createObjectURL(blob),
      download: name,
    });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10000);
  }

  const newlines = (chunk) => chunk.reduce((count, byte) => count + (byte === 10), 0);

  async function download(link) {
    const view = statusFor(link);
    const isCsv = link.dataset.export === "csv";
    view.text.textContent = t(isCsv ? "export_starting" : "export_building");
    view.bar.removeAttribute("value");
    link.setAttribute("aria-busy", "true");
    try {
      const response = await fetch(link.href, { credentials: "same-origin" });
      if (!response.ok) throw new Error((await response.text()) || t("export_failed"));
      const expected = Number(response.headers.get("x-row-count")) || 0;
      const reader = response.body.getReader();
      const chunks = [];
      // Lines before the first row: the watermark, the column heads.
      let lines = -Number(link.dataset.headLines ?? 1);
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
        if (isCsv) {
          lines += newlines(value);
          show(view, Math.max(lines, 0), expected);
        }
      }
      const type = response.headers.get("content-type") ?? "application/octet-stream";
      save(new Blob(chunks, { type }), filenameOf(response, link.pathname.split("/").pop()));
      view.text.textContent = t("export_done");
      view.bar.value = view.bar.max = 1;
    } catch (error) {
      view.status.classList.add("error");
      view.bar.value = 0;
      view.text.textContent = error instanceof TypeError ? t("export_failed") : error.message;
    } finally {
      link.removeAttribute("aria-busy");
    }
  }

  document.addEventListener("click", (event) => {
    const link = event.target.closest?.("a[data-export]");
    if (!link || event.defaultPrevented || !isPlainClick(event) || !self.ReadableStream) return;
    event.preventDefault();
    if (link.getAttribute("aria-busy") !== "true") download(link);
  });
})();
