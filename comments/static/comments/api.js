// The one module that talks to the network.

export async function postForm(form) {
  const response = await fetch(form.action, {
    method: "POST",
    body: new FormData(form),
    headers: { Accept: "application/json" },
    credentials: "same-origin",
  });
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = { error: { code: "invalid", message: "Your comment could not be posted. Please try again." } };
  }
  return { ok: response.ok, status: response.status, data };
}
