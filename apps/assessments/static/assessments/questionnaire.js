// Autosave for questionnaire pages (progressive enhancement: the form works without it).
// Each change is posted for its question alone. Until the server confirms, the answer is
// kept in localStorage, so a failed save or a reload loses nothing; it is retried.
(function () {
  "use strict";
  const form = document.getElementById("questionnaire");
  if (!form || form.querySelector("fieldset[disabled]")) return;
  const assessment = form.dataset.assessment;
  const csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  const storageKey = (question) => `tollgate:assessment:${assessment}:q${question}`;
  const retryDelays = [3000, 10000, 30000];
  const timers = {};
  const attempts = {};

  function fieldset(question) {
    return form.querySelector(`fieldset[data-question="${question}"]`);
  }

  function setStatus(question, text, kind) {
    const node = document.getElementById(`q${question}-status`);
    if (!node) return;
    node.textContent = text;
    node.className = `save-status ${kind || ""}`;
  }

  function entries(question) {
    const prefix = `q${question}-`;
    return Array.from(new FormData(form).entries()).filter(([name]) => name.startsWith(prefix));
  }

  function restore(question, saved) {
    const box = fieldset(question);
    box.querySelectorAll("input[type=radio], input[type=checkbox]").forEach((input) => {
      input.checked = saved.some(([name, value]) => name === input.name && value === input.value);
    });
    box.querySelectorAll("select, textarea, input[type=number]").forEach((input) => {
      const match = saved.find(([name]) => name === input.name);
      input.value = match ? match[1] : "";
    });
  }

  function updateProgress(progress) {
    if (!progress) return;
    const bar = document.getElementById("progress-bar");
    const text = document.getElementById("progress-text");
    if (bar) { bar.max = progress.total; bar.value = progress.answered; }
    if (text) text.textContent = `${progress.answered} of ${progress.total} questions answered`;
  }

  async function save(question) {
    const pending = localStorage.getItem(storageKey(question));
    if (pending === null) return;
    const body = new URLSearchParams(JSON.parse(pending));
    body.append("questions", question);
    setStatus(question, "Saving…", "saving");
    let response;
    try {
      response = await fetch(window.location.pathname, {
        method: "POST",
        headers: { "X-Autosave": "1", "X-CSRFToken": csrf },
        body,
        credentials: "same-origin",
      });
    } catch (error) {
      return retry(question, "Not saved (no connection); retrying…");
    }
    let result = {};
    try { result = await response.json(); } catch (error) { /* not JSON: handled below */ }
    if (response.ok && result.ok) {
      if (localStorage.getItem(storageKey(question)) === pending) {
        localStorage.removeItem(storageKey(question));
      }
      attempts[question] = 0;
      setStatus(question, "Saved", "saved");
      updateProgress(result.progress);
      return;
    }
    if (response.status === 400 && result.errors) {
      // The server refused the value: keep it on screen and say why; no retry.
      const messages = Object.values(result.errors).flat().join(" ");
      setStatus(question, `Not saved: ${messages}`, "error");
      return;
    }
    retry(question, `Not saved (server answered ${response.status}); retrying…`);
  }

  function retry(question, message) {
    setStatus(question, message, "error");
    const attempt = attempts[question] || 0;
    attempts[question] = attempt + 1;
    const delay = retryDelays[Math.min(attempt, retryDelays.length - 1)];
    clearTimeout(timers[question]);
    timers[question] = setTimeout(() => save(question), delay);
  }

  function queue(question, delay) {
    localStorage.setItem(storageKey(question), JSON.stringify(entries(question)));
    setStatus(question, "Unsaved changes…", "saving");
    clearTimeout(timers[question]);
    timers[question] = setTimeout(() => save(question), delay);
  }

  form.addEventListener("change", (event) => {
    const box = event.target.closest("fieldset[data-question]");
    if (!box) return;
    if (event.target.type === "checkbox") {
      const exclusive = event.target.hasAttribute("data-exclusive");
      box.querySelectorAll("input[type=checkbox]").forEach((other) => {
        if (other !== event.target && event.target.checked &&
            (exclusive || other.hasAttribute("data-exclusive"))) {
          other.checked = false;
        }
      });
    }
    queue(box.dataset.question, 0);
  });

  form.addEventListener("input", (event) => {
    const box = event.target.closest("fieldset[data-question]");
    if (box && (event.target.tagName === "TEXTAREA" || event.target.type === "number")) {
      queue(box.dataset.question, 800);
    }
  });

  // A full-page save posts every answer of the page; nothing is pending after it.
  form.addEventListener("submit", () => {
    form.querySelectorAll("fieldset[data-question]").forEach((box) => {
      clearTimeout(timers[box.dataset.question]);
      localStorage.removeItem(storageKey(box.dataset.question));
    });
  });

  window.addEventListener("beforeunload", (event) => {
    const unsaved = Array.from(form.querySelectorAll("fieldset[data-question]"))
      .some((box) => localStorage.getItem(storageKey(box.dataset.question)) !== null);
    if (unsaved) { event.preventDefault(); event.returnValue = ""; }
  });

  // Answers a previous visit could not save come back and are saved now.
  form.querySelectorAll("fieldset[data-question]").forEach((box) => {
    const pending = localStorage.getItem(storageKey(box.dataset.question));
    if (pending !== null) {
      restore(box.dataset.question, JSON.parse(pending));
      setStatus(box.dataset.question, "Restored an unsaved answer; saving…", "saving");
      save(box.dataset.question);
    }
  });
})();
