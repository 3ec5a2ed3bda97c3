// Starts GOV.UK Frontend's components. Everything works without it.
import { initAll } from "../govuk/govuk-frontend.min.js";

initAll();

// Radios that reveal more questions when chosen (GOV.UK's conditional reveal,
// templates/gds/layout/conditional_question.html). GOV.UK Frontend's own
// version marks the radio aria-expanded, which a radio may not have. Without
// this script every revealed question simply shows.
const revealing = document.querySelectorAll("input[type=radio][data-portal-reveals]");
function showChosen() {
  for (const radio of revealing) {
    const content = document.getElementById(radio.dataset.portalReveals);
    if (content) {
      content.classList.toggle("govuk-radios__conditional--hidden", !radio.checked);
    }
  }
}
if (revealing.length) {
  document.addEventListener("change", (event) => {
    if (event.target instanceof HTMLInputElement && event.target.type === "radio") {
      showChosen();
    }
  });
  showChosen();
}

// A progress report being made (templates/progress/report_detail.html): ask for
// its state every few seconds and say it in the page's live region, so a screen
// reader hears the change and nobody loses their place. When it is done, the
// "Check again" link becomes a link to the finished report. Without this script
// the page keeps its "Check again" link, and nothing reloads by itself.
const working = document.querySelector("[data-portal-report-status]");
const stateText = document.getElementById("report-state");
if (working && stateText) {
  const statusUrl = working.dataset.portalReportStatus;
  const pageUrl = window.location.pathname;
  const ask = async () => {
    let status;
    try {
      const response = await fetch(statusUrl, { headers: { Accept: "application/json" } });
      if (!response.ok) throw new Error(String(response.status));
      status = await response.json();
    } catch {
      window.setTimeout(ask, 10000); // a blip: try again a little later
      return;
    }
    if (stateText.textContent.trim() !== status.label) {
      stateText.textContent = status.label;
    }
    if (status.working) {
      window.setTimeout(ask, 3000);
      return;
    }
    const link = document.createElement("a");
    link.className = "govuk-link";
    link.href = pageUrl;
    const failed = status.state === "failed";
    link.textContent = failed ? "See what went wrong" : "Show the finished report";
    const sentence = failed ? "The report could not be generated. " : "The report is ready to check. ";
    working.replaceChildren(sentence, link, ".");
  };
  window.setTimeout(ask, 3000);
}
