// The report page's progress bar (progressive enhancement: without it the page shows
// the state it was rendered with). Polls the report's status every two seconds and
// reloads the page once it has finished, to offer the download or show the error.
(function () {
  "use strict";
  const box = document.getElementById("report-progress");
  if (!box || !window.fetch) return;
  const bar = document.getElementById("report-progress-bar");
  const text = document.getElementById("report-progress-text");
  const labels = { pending: "Waiting for a worker", rendering: "Rendering" };
  let failures = 0;

  async function poll() {
    let state;
    try {
      const response = await fetch(box.dataset.statusUrl, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
        cache: "no-store",
      });
      if (!response.ok || response.redirected) throw new Error(String(response.status));
      state = await response.json();
    } catch (error) {
      failures += 1;
      if (failures <= 10) setTimeout(poll, 2000 * (failures + 1));
      return;
    }
    failures = 0;
    if (state.status === "done" || state.status === "failed") {
      window.location.reload();
      return;
    }
    bar.value = state.progress;
    const said = `${labels[state.status] || state.status} (${state.progress} %)`;
    if (text.textContent !== said) text.textContent = said;
    setTimeout(poll, 2000);
  }

  setTimeout(poll, 2000);
})();
