/*
 * Directory pickers: a WAI-ARIA combobox with a listbox of options and chips for the picks.
 * htmx fetches the options (the input's hx-get) and the note beside them ("no matches",
 * "refine your search"); this script handles the keyboard, the chips and what the live region
 * says. Focus stays in the input throughout. The popup holds the listbox and the note; the
 * combobox is expanded only while the listbox shows options.
 *
 * An option is only ever made active or picked from the answer to the text now in the box:
 * the server names the text it answered (X-Picker-Query), an answer for any other text is
 * dropped, and while the answer for the current text is on its way the listbox is stale:
 * Down/Up do nothing and Enter waits for that answer, then picks its first option. A fresh
 * answer to typed text arrives with its first option active, so Enter picks it.
 */
(function () {
  "use strict";

  function parts(picker) {
    var name = picker.getAttribute("data-picker");
    return {
      picker: picker,
      name: name,
      input: picker.querySelector('[role="combobox"]'),
      popup: picker.querySelector(".popup"),
      listbox: picker.querySelector('[role="listbox"]'),
      note: picker.querySelector(".popup .note"),
      chips: picker.querySelector(".chips"),
      status: picker.querySelector('[role="status"]'),
    };
  }

  function options(p) {
    return Array.prototype.slice.call(p.listbox.querySelectorAll('[role="option"]'));
  }

  function chosenIds(p) {
    return Array.prototype.map.call(
      p.chips.querySelectorAll('input[type="hidden"]'),
      function (input) { return input.value; }
    );
  }

  // The text whose answer the listbox holds ("" before any answer).
  function answeredFor(p) {
    return p.picker.getAttribute("data-answered-for");
  }

  function fresh(p) {
    return answeredFor(p) === p.input.value;
  }

  function announce(p, text) {
    p.status.textContent = text;
  }

  function setActive(p, option) {
    options(p).forEach(function (o) { o.setAttribute("aria-selected", o === option ? "true" : "false"); });
    if (option) {
      p.input.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    } else {
      p.input.removeAttribute("aria-activedescendant");
    }
  }

  function isOpen(p) {
    return !p.popup.hidden;
  }

  function open(p) {
    p.popup.hidden = false;
    p.input.setAttribute("aria-expanded", options(p).length ? "true" : "false");
  }

  function close(p) {
    p.popup.hidden = true;
    p.input.setAttribute("aria-expanded", "false");
    setActive(p, null);
  }

  function setNote(p, kind, text) {
    p.note.setAttribute("data-note", kind);
    p.note.classList.toggle("error", kind === "failed");
    p.note.textContent = text;
    p.note.hidden = false;
  }

  function addChip(p, id, label) {
    var li = document.createElement("li");
    li.className = "chip";
    var hidden = document.createElement("input");
    hidden.type = "hidden";
    hidden.name = p.name;
    hidden.value = id;
    var text = document.createElement("span");
    text.className = "chip-label";
    text.textContent = label;
    var remove = document.createElement("button");
    remove.type = "button";
    remove.className = "chip-remove";
    remove.setAttribute("data-remove", "");
    remove.setAttribute("aria-label", "Remove " + label);
    remove.textContent = "\u00d7";
    li.appendChild(hidden);
    li.appendChild(text);
    li.appendChild(remove);
    p.chips.appendChild(li);
  }

  // Tells the enclosing form that the picks changed (the phone list reloads on it).
  function changed(p) {
    p.input.dispatchEvent(new CustomEvent("picker:change", { bubbles: true }));
  }

  // refocus: false for a pick that completes after the agent has moved on to another field.
  function pick(p, option, refocus) {
    addChip(p, option.getAttribute("data-id"), option.getAttribute("data-label"));
    announce(p, "Added " + option.getAttribute("data-label"));
    p.input.value = "";
    close(p);
    // A picked record is not offered again by Down on the same answer.
    option.remove();
    if (refocus !== false) { p.input.focus(); }
    changed(p);
  }

  function removeChip(p, chip) {
    var label = chip.querySelector(".chip-label").textContent;
    chip.remove();
    announce(p, "Removed " + label);
    p.input.focus();
    changed(p);
  }

  // The search text typed into a picker is not a form value: its "change" stays inside.
  document.addEventListener("change", function (event) {
    if (event.target && event.target.getAttribute && event.target.getAttribute("role") === "combobox") {
      event.stopPropagation();
    }
  }, true);

  function move(p, step) {
    var list = options(p);
    if (!list.length || !fresh(p)) { return; }
    open(p);
    var current = list.indexOf(p.listbox.querySelector('[aria-selected="true"]'));
    var next = current === -1 ? (step > 0 ? 0 : list.length - 1) : (current + step + list.length) % list.length;
    setActive(p, list[next]);
  }

  function pickerOf(node) {
    var picker = node && node.closest ? node.closest("[data-picker]") : null;
    return picker ? parts(picker) : null;
  }

  document.addEventListener("keydown", function (event) {
    var p = pickerOf(event.target);
    if (!p || event.target !== p.input) { return; }
    var active = p.listbox.querySelector('[aria-selected="true"]');
    switch (event.key) {
      case "ArrowDown":
        event.preventDefault();
        move(p, 1);
        break;
      case "ArrowUp":
        event.preventDefault();
        move(p, -1);
        break;
      case "Enter":
        // Ctrl+Enter submits the form (shortcuts.js); it never picks.
        if (event.ctrlKey || event.metaKey || event.altKey) { break; }
        if (!fresh(p) && p.input.value.trim() !== "") {
          // The answer for this text is on its way: pick its first option when it comes.
          event.preventDefault();
          p.picker.setAttribute("data-pick-when-answered", p.input.value);
          announce(p, "Searching\u2026");
        } else if (isOpen(p) && active) {
          event.preventDefault();
          pick(p, active);
        } else if (isOpen(p)) {
          event.preventDefault();
        }
        break;
      case "Escape":
        if (isOpen(p)) {
          event.preventDefault();
          close(p);
        }
        break;
      case "Backspace":
        if (p.input.value === "") {
          var chips = p.chips.querySelectorAll(".chip");
          if (chips.length) {
            event.preventDefault();
            removeChip(p, chips[chips.length - 1]);
          }
        }
        break;
    }
  });

  document.addEventListener("mousedown", function (event) {
    var popup = event.target.closest && event.target.closest(".popup");
    var p = pickerOf(popup);
    if (!p) { return; }
    // A press anywhere in the popup keeps the focus in the input.
    event.preventDefault();
    var option = event.target.closest('[role="option"]');
    if (option && fresh(p)) { pick(p, option); }
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-remove]");
    var p = pickerOf(button);
    if (p) {
      removeChip(p, button.closest(".chip"));
    }
  });

  // Typing makes the listbox's answer stale until the answer for the new text arrives.
  document.addEventListener("input", function (event) {
    var p = pickerOf(event.target);
    if (!p || event.target !== p.input) { return; }
    var stale = !fresh(p);
    p.popup.classList.toggle("stale", stale);
    p.listbox.setAttribute("aria-busy", stale ? "true" : "false");
    if (stale) { setActive(p, null); }
    var waiting = p.picker.getAttribute("data-pick-when-answered");
    if (waiting !== null && waiting !== p.input.value) {
      p.picker.removeAttribute("data-pick-when-answered");
    }
  });

  // An answer for any text but the one now in the box is never shown.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var p = pickerOf(event.detail.target);
    if (!p || event.detail.target !== p.listbox || event.detail.isError) { return; }
    var header = event.detail.xhr.getResponseHeader("X-Picker-Query");
    var query = header === null ? null : decodeURIComponent(header);
    if (query !== p.input.value) {
      event.preventDefault();
      return;
    }
    p.picker.setAttribute("data-answered-for", query);
  });

  document.addEventListener("focusout", function (event) {
    var p = pickerOf(event.target);
    if (p && event.target === p.input && !(event.relatedTarget && p.popup.contains(event.relatedTarget))) {
      close(p);
    }
  });

  // Fired once per swapped element (the listbox, and the note swapped beside it): act once.
  document.addEventListener("htmx:afterSwap", function (event) {
    var p = pickerOf(event.target);
    if (!p || event.target !== p.listbox) { return; }
    var taken = chosenIds(p);
    options(p).forEach(function (o) {
      if (taken.indexOf(o.getAttribute("data-id")) !== -1) { o.remove(); }
    });
    setActive(p, null);
    p.popup.classList.remove("stale");
    p.listbox.setAttribute("aria-busy", "false");
    var waiting = p.picker.getAttribute("data-pick-when-answered");
    p.picker.removeAttribute("data-pick-when-answered");
    var focused = document.activeElement === p.input;
    var count = options(p).length;
    // Enter pressed while this answer was on its way picks its first option, even when the
    // agent has already moved on to the next field.
    if (waiting === p.input.value && count) {
      pick(p, options(p)[0], focused);
      return;
    }
    // Any other answer that arrives after the agent has left the picker stays closed and silent,
    // and so does an empty answer to an empty box (nothing was asked yet).
    if (!focused || (count === 0 && p.input.value.trim() === "")) { return; }
    var more = p.note.getAttribute("data-note") === "more";
    if (count === 0 && !more && p.note.getAttribute("data-note") !== "empty") {
      setNote(p, "empty", "No matches");
    }
    open(p);
    // Typed text gets its best match active, so Enter picks it; the unfiltered first answer
    // on focus leaves the choice to Down.
    if (count && p.input.value.trim() !== "") { setActive(p, options(p)[0]); }
    announce(p, count === 0 ? "No matches" : count + (count === 1 ? " result" : " results") + (more ? "; refine your search to see more" : ""));
  });

  function searchFailed(event) {
    var p = pickerOf(event.detail.elt);
    if (!p || event.detail.elt !== p.input) { return; }
    p.picker.removeAttribute("data-pick-when-answered");
    p.picker.removeAttribute("data-answered-for");
    p.popup.classList.remove("stale");
    p.listbox.innerHTML = "";
    setActive(p, null);
    setNote(p, "failed", "Search failed; keep typing to try again");
    open(p);
    announce(p, "Search failed");
  }
  document.addEventListener("htmx:responseError", searchFailed);
  document.addEventListener("htmx:sendError", searchFailed);
})();
