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
