// The one script of the page (ui/assets.py installs it): a Copy button puts its panel's quote on the clipboard.
// It holds no document text (it reads the panel's text node when clicked); the cards work without it.
(() => {
  if (window.__nbCopy) return;
  window.__nbCopy = true;
  const report = (btn, ok) => {
    const status = btn.parentElement.querySelector(".nb-copy-status");
    if (status) status.textContent = ok ? "Copied" : "Select the text above and copy it (Ctrl+C)";
  };
  const selectAndCopy = (btn, quote) => {
    const range = document.createRange();
    range.selectNodeContents(quote);
    const sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
    let ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    report(btn, ok);
  };
  document.addEventListener("click", (event) => {
    const btn = event.target instanceof Element ? event.target.closest("button.nb-copy-btn") : null;
    const quote = btn?.closest(".nb-panel")?.querySelector(".nb-quote");
    if (!quote) return;
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(quote.textContent).then(() => report(btn, true), () => selectAndCopy(btn, quote));
    } else {
      selectAndCopy(btn, quote);
    }
  });
})();
