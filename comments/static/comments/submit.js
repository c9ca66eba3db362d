// Post the form in place and show the new comment at once.

import { postForm } from "./api.js";

function clearErrors(form) {
  form.querySelectorAll(".form-error.js-error").forEach((node) => node.remove());
  form.querySelectorAll("[aria-invalid]").forEach((node) => node.removeAttribute("aria-invalid"));
  form.querySelectorAll(".form-error").forEach((node) => node.remove());
  form.querySelector(".form-messages").textContent = "";
}

function showErrors(form, error) {
  const messages = form.querySelector(".form-messages");
  const fields = error.fields || {};
  let placed = false;
  for (const [name, list] of Object.entries(fields)) {
    const input = form.elements[name];
    if (!input || input.type === "hidden") continue;
    const note = document.createElement("span");
    note.className = "form-error js-error";
    note.id = `${input.id}-error`;
    note.textContent = list.join(" ");
    input.before(note);
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", note.id);
    if (!placed) input.focus();
    placed = true;
  }
  const general = Object.entries(fields).filter(([name]) => !form.elements[name] || form.elements[name].type === "hidden");
  const text = general.length ? general.map(([, list]) => list.join(" ")).join(" ") : error.message;
  if (!placed || general.length) messages.textContent = text;
}

function insertComment(section, data) {
  const holder = document.createElement("template");
  holder.innerHTML = data.comment.html.trim();
  const node = holder.content.firstElementChild;
  let list = section.querySelector(".comment-list");
  if (data.comment.parent) {
    const parent = section.querySelector(`#comment-${data.comment.parent}`);
    if (parent) {
      list = parent.querySelector(":scope > ol.children");
      if (!list) {
        list = document.createElement("ol");
        list.className = "children";
        parent.append(list);
      }
    }
  }
  list.append(node);
  return node;
}

// A random key for each comment: a post sent again after its answer was lost (a dropped
// connection) is recognised by the server and not stored twice.
function newKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export function setupSubmit(section, form, replies) {
  const button = form.querySelector("[type=submit]");
  let key = form.elements["submission"];
  if (!key) {
    key = document.createElement("input");
    key.type = "hidden";
    key.name = "submission";
    form.append(key);
  }
  key.value = newKey();
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    button.disabled = true;
    try {
      const { ok, data } = await postForm(form);
      if (!ok) {
        showErrors(form, data.error || {});
        return;
      }
      replies?.cancelReply();
      const node = insertComment(section, data);
      section.querySelector(".comments-title").textContent = data.count_text;
      form.elements["body"].value = "";
      key.value = newKey();
      node.scrollIntoView({ block: "center" });
      node.setAttribute("tabindex", "-1");
      node.focus();
      history.replaceState(null, "", `#${data.comment.anchor}`);
    } catch {
      form.querySelector(".form-messages").textContent =
        "Your comment could not be sent. Check your connection and try again.";
    } finally {
      button.disabled = false;
    }
  });
}
