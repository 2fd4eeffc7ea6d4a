// The template change form's live preview (see admin/engagement/template/change_form.html):
// a static file, because the content-security policy allows no inline script.
(() => {
  const form = document.getElementById(document.getElementById("template-live-preview").dataset.form);
  const box = document.getElementById("template-live-preview");
  const result = document.getElementById("template-preview-result");
  const names = ["kind", "channel", "language", "subject", "body", "html_body"];
  let timer = null;
  let latest = 0;

  async function preview() {
    const data = new FormData();
    for (const name of names) {
      const field = form.elements[name];
      if (field) data.append(name, field.value);
    }
    const asked = ++latest;
    try {
      const response = await fetch(box.dataset.url, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: {"X-CSRFToken": form.elements.csrfmiddlewaretoken.value},
      });
      if (!response.ok) throw new Error(String(response.status));
      const html = await response.text();
      if (asked === latest) result.innerHTML = html;
    } catch (error) {
      if (asked === latest) result.textContent = box.dataset.failed;
    }
  }

  function soon(event) {
    if (!names.includes(event.target.name)) return;
    clearTimeout(timer);
    timer = setTimeout(preview, 400);
  }

  form.addEventListener("input", soon);
  form.addEventListener("change", soon);
  document.getElementById("template-preview-button").addEventListener("click", preview);
  preview();
})();
