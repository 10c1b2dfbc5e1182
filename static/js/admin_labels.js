// Two admin widgets have no label a screen reader can find: Django's split date/time boxes
// (the field's <label> has no `for`: it cannot point at two inputs) and the body editor
// (django-prose-editor hides the labelled <textarea> and edits a contenteditable <div>).
// Name each after its field's label, e.g. "Publish time, Date" and "Body".
(function () {
  "use strict";

  function fieldLabel(element) {
    const cell = element.closest("td");
    if (cell) {
      // A tabular inline: the column heading is the label.
      const heading = cell.closest("table").querySelectorAll("thead th")[cell.cellIndex];
      return heading ? heading.textContent.trim() : "";
    }
    const row = element.closest(".fieldBox, .form-row");
    const label = row && row.querySelector("label");
    return label ? label.textContent.trim().replace(/:$/, "") : "";
  }

  function labelDateTimes(root) {
    root.querySelectorAll("p.datetime input").forEach(function (input) {
      if (input.hasAttribute("aria-label")) return;
      // Django writes "Date:" and "Time:" in front of the two boxes.
      const part = (input.previousSibling && input.previousSibling.textContent || "")
        .trim().replace(/:$/, "");
      const name = [fieldLabel(input), part].filter(Boolean).join(", ");
      if (name) input.setAttribute("aria-label", name);
    });
  }

  function labelEditor(textarea, surface) {
    const label = textarea.id && document.querySelector('label[for="' + textarea.id + '"]');
    if (label && surface && !surface.hasAttribute("aria-label")) {
      surface.setAttribute("aria-label", label.textContent.trim().replace(/:$/, ""));
      const help = textarea.getAttribute("aria-describedby");
      if (help) surface.setAttribute("aria-describedby", help);
    }
  }

  document.addEventListener("prose-editor:ready", function (event) {
    labelEditor(event.detail.textarea, event.detail.editor.view.dom);
  });
  // Inline rows added with "Add another ..." bring new boxes.
  document.addEventListener("formset:added", function (event) {
    labelDateTimes(event.target);
  });
  document.addEventListener("DOMContentLoaded", function () {
    labelDateTimes(document);
  });
})();
