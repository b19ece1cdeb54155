// Progressive enhancement shared by every page; each page works without it.
// - A drawer (<details data-open-wide>) starts open on wide screens and folded on phones,
//   so that on a phone the results come first.
// - A copy button (<button data-copy="id-of-field">) copies its field and says so.
// - A long list of choices (<fieldset data-filterable>) shows its first ones, a "show more"
//   button and a type-to-search field.
"use strict";

(function () {
  const wide = window.matchMedia("(min-width: 50rem)");
  document.querySelectorAll("details[data-open-wide]").forEach(function (drawer) {
    drawer.open = wide.matches;
  });

  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    const field = document.getElementById(button.dataset.copy);
    const status = document.getElementById(button.dataset.copy + "-status");
    button.hidden = false;
    button.addEventListener("click", async function () {
      field.select();
      try {
        await navigator.clipboard.writeText(field.value);
      } catch (error) {
        document.execCommand("copy");
      }
      if (status) { status.textContent = button.dataset.copied; }
    });
  });

  document.querySelectorAll("fieldset[data-filterable]").forEach(function (fieldset) {
    const shown = Number(fieldset.dataset.filterable);
    const choices = Array.from(fieldset.querySelectorAll(".choice"));
    if (choices.length <= shown) { return; }
    const search = fieldset.querySelector(".filter-search");
    const more = fieldset.querySelector(".show-more");
    let expanded = false;
    function apply() {
      const wanted = search.value.trim().toLocaleLowerCase();
      choices.forEach(function (choice, index) {
        // A skill also answers to its name in the other language (data-names).
        const text = (choice.textContent + " " + (choice.dataset.names || "")).toLocaleLowerCase();
        const checked = choice.querySelector("input").checked;
        const visible = wanted ? text.includes(wanted) : expanded || index < shown || checked;
        choice.hidden = !visible;
      });
      more.hidden = Boolean(wanted) || expanded;
    }
    search.hidden = false;
    search.previousElementSibling.hidden = false;
    more.addEventListener("click", function () { expanded = true; apply(); });
    search.addEventListener("input", apply);
    apply();
  });
})();
