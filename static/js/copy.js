// Copy buttons: every <button data-copy="TEXT"> puts TEXT on the clipboard when pressed, then
// says "Copied" for a moment, on the button and in a polite live region for screen readers.
// Works for buttons htmx swaps in later (one delegated listener on the document).
(function () {
  "use strict";

  var SHOWN_MS = 1500;
  var region = null;

  function liveRegion() {
    if (region && document.body.contains(region)) return region;
    region = document.createElement("span");
    region.className = "visually-hidden";
    region.setAttribute("role", "status");
    region.setAttribute("aria-live", "polite");
    region.setAttribute("data-copy-status", "");
    document.body.appendChild(region);
    return region;
  }

  function announce(text) {
    var live = liveRegion();
    live.textContent = "";
    // A fresh text node after clearing makes screen readers read a repeated message again.
    window.setTimeout(function () { live.textContent = text; }, 30);
  }

  // For pages served without a secure origin, where navigator.clipboard is missing.
  function copyWithTextarea(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "copy-buffer";
    document.body.appendChild(area);
    var focused = document.activeElement;
    area.select();
    var ok = false;
    try {
      ok = document.execCommand("copy");
    } catch (error) {
      ok = false;
    }
    document.body.removeChild(area);
    if (focused && typeof focused.focus === "function") focused.focus();
    return ok ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  }

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () {
        return copyWithTextarea(text);
      });
    }
    return copyWithTextarea(text);
  }

  function show(button, text) {
    if (!button.hasAttribute("data-copy-label")) {
      button.setAttribute("data-copy-label", button.textContent);
    }
    window.clearTimeout(Number(button.getAttribute("data-copy-timer")) || 0);
    button.textContent = text;
    button.classList.add("copied");
    announce(text);
    var timer = window.setTimeout(function () {
      button.textContent = button.getAttribute("data-copy-label");
      button.removeAttribute("data-copy-label");
      button.removeAttribute("data-copy-timer");
      button.classList.remove("copied");
    }, SHOWN_MS);
    button.setAttribute("data-copy-timer", String(timer));
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    var button = target && target.closest ? target.closest("button[data-copy]") : null;
    if (!button) return;
    event.preventDefault();
    copyText(button.getAttribute("data-copy")).then(
      function () { show(button, "Copied"); },
      function () { show(button, "Could not copy"); }
    );
  });
})();
