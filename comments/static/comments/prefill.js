// Fill name, email and website from the cookie the reader asked us to keep.

const COOKIE = "masthead_commenter";

function readCookie(name) {
  for (const part of document.cookie.split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return rest.join("=");
  }
  return null;
}

export function prefill(form) {
  const raw = readCookie(COOKIE);
  if (!raw) return;
  try {
    const saved = JSON.parse(decodeURIComponent(raw));
    for (const field of ["name", "email", "website"]) {
      const input = form.elements[field];
      if (input && !input.value && typeof saved[field] === "string") input.value = saved[field];
    }
    const consent = form.elements["save_commenter"];
    if (consent) consent.checked = true;
  } catch {
    // An unreadable cookie just means an empty form.
  }
}
