// The repository page's scan progress bar (progressive enhancement: without it the page
// shows the state it was rendered with, and a Reload link). Polls the scan's progress
// every two seconds and reloads the page once the scan has finished, so that its
// signals and runs show.
(function () {
  "use strict";
  const box = document.getElementById("scan-progress");
  if (!box || !window.fetch) return;
  const bar = document.getElementById("scan-progress-bar");
  const text = document.getElementById("scan-progress-text");
  const url = box.dataset.progressUrl;
  const every = 2000;
  const labels = { queued: "Queued", running: "Running", succeeded: "Succeeded", failed: "Failed" };
  let failures = 0;

  function show(state) {
    const percent = Math.max(0, Math.min(100, Number(state.percent) || 0));
    const label = labels[state.status] || state.status;
    const step = state.step || (state.status === "queued" ? "waiting for a worker" : "");
    const said = `${label}: ${step} (${percent} %)`;
    bar.value = percent;
    bar.textContent = `${percent} %`;
    // Only a change is written, so a screen reader hears each step once.
    if (text.textContent !== said) text.textContent = said;
  }

  async function poll() {
    let state;
    try {
      const response = await fetch(url, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
        cache: "no-store",
      });
      if (response.status === 404 || response.status === 403) return; // nothing to follow
      if (!response.ok || response.redirected) throw new Error(String(response.status));
      state = await response.json();
    } catch (error) {
      // The server or the connection hiccupped: slow down, and stop after a while.
      failures += 1;
      if (failures <= 10) setTimeout(poll, every * (failures + 1));
      return;
    }
    failures = 0;
    show(state);
    if (state.finished) {
      text.textContent = `${labels[state.status] || state.status}. Loading the results…`;
      window.location.reload();
      return;
    }
    setTimeout(poll, every);
  }

  setTimeout(poll, every);
})();
