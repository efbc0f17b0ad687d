// The scribe workspace: re-check the claim through /api/v1/check whenever a line changes.
// Everything shown is set with textContent, never innerHTML, so nothing from the note runs as markup.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("scribe-data").textContent);
  const tbody = document.querySelector("#lines tbody");
  const BUNDLING = ["NCCI-PTP", "IMAGING-INCLUDED", "IMAGING-INTEGRAL"];
  let timer = null;

  function money(v) { return v === null || v === undefined ? "—" : "$" + Number(v).toFixed(2); }

  function readLines() {
    return Array.from(tbody.querySelectorAll("tr")).map(function (tr) {
      const mods = tr.querySelector(".mods").value.split(",").map(function (m) { return m.trim().toUpperCase(); })
        .filter(function (m) { return m; });
      return { code: tr.querySelector(".code").value.trim().toUpperCase(), modifiers: mods,
               units: parseInt(tr.querySelector(".units").value, 10) || 1 };
    }).filter(function (l) { return l.code; });
  }

  function readDiagnoses() {
    return document.getElementById("diagnoses").value.split(",").map(function (d) { return d.trim().toUpperCase(); })
      .filter(function (d) { return d; });
  }

  function item(cls, strong, text) {
    const li = document.createElement("li");
    li.className = cls;
    const b = document.createElement("strong");
    b.textContent = strong;
    li.appendChild(b);
    li.appendChild(document.createTextNode(" " + text));
    return li;
  }

  function show(result) {
    const rows = Array.from(tbody.querySelectorAll("tr")).filter(function (tr) { return tr.querySelector(".code").value.trim(); });
    result.lines.forEach(function (line, i) {
      if (!rows[i]) { return; }
      rows[i].querySelector(".outcome").textContent = line.outcome;
      rows[i].querySelector(".allowed").textContent = money(line.allowed);
    });
    document.getElementById("total").textContent = money(result.total_allowed);
    const list = document.getElementById("finding-list");
    list.replaceChildren();
    const alerts = document.getElementById("alert-list");
    alerts.querySelectorAll("li.live").forEach(function (li) { li.remove(); });
    result.findings.forEach(function (f) {
      const where = f.lines.length ? "line " + f.lines.map(function (i) { return i + 1; }).join(", ") + ": " : "";
      list.appendChild(item("sev-" + f.severity, f.rule, where + f.message + (f.fix ? " Fix: " + f.fix : "")));
      if (BUNDLING.indexOf(f.rule) >= 0 && f.lines.length) {
        alerts.appendChild(item("alert error live", f.rule, f.message));
      }
    });
    // documentation prompts: the DOC findings of the lines as they now stand, with their fixes
    const prompts = document.getElementById("prompt-list");
    prompts.replaceChildren();
    result.findings.forEach(function (f) {
      if (f.rule.indexOf("DOC-") === 0 && f.fix) {
        const code = f.lines.length ? result.lines[f.lines[0]].code : f.rule;
        prompts.appendChild(item("sev-" + f.severity, code, f.fix));
      }
    });
    document.getElementById("no-prompts").hidden = prompts.children.length > 0;
    const none = document.getElementById("no-alerts");
    if (none) { none.hidden = alerts.children.length > 0; }
    document.getElementById("save-findings").value = JSON.stringify(result);
  }

  function recheck() {
    const lines = readLines();
    const diagnoses = readDiagnoses();
    document.getElementById("save-lines").value = JSON.stringify(lines);
    document.getElementById("save-diagnoses").value = JSON.stringify(diagnoses);
    const status = document.getElementById("check-status");
    if (!lines.length) { status.textContent = "no lines"; return; }
    status.textContent = "checking…";
    const claim = { claim_type: "professional", date_of_service: data.date, place_of_service: data.place_of_service,
                    diagnoses: diagnoses, lines: lines, documentation: { facts: data.facts } };
    fetch("/api/v1/check", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": data.csrf },
      body: JSON.stringify(claim)
    }).then(function (r) {
      return r.json().then(function (body) { return { ok: r.ok, body: body }; });
    }).then(function (res) {
      if (!res.ok) { status.textContent = res.body.error || "check failed"; return; }
      status.textContent = "checked";
      show(res.body.results[0]);
    }).catch(function () { status.textContent = "check failed"; });
  }

  function later() { clearTimeout(timer); timer = setTimeout(recheck, 300); }

  tbody.addEventListener("input", later);
  document.getElementById("diagnoses").addEventListener("input", later);
  tbody.addEventListener("click", function (e) {
    if (e.target.classList.contains("remove")) { e.target.closest("tr").remove(); later(); }
  });
  document.getElementById("add-line").addEventListener("click", function () {
    const tr = tbody.querySelector("tr").cloneNode(true);
    tr.querySelector(".code").value = "";
    tr.querySelector(".mods").value = "";
    tr.querySelector(".units").value = "1";
    tr.querySelector(".outcome").textContent = "";
    tr.querySelector(".allowed").textContent = "—";
    tbody.appendChild(tr);
    tr.querySelector(".code").focus();
  });
})();
