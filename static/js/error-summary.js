// The error summary's links move the focus to the field at fault, not just the scroll
// position, so the next keystroke goes into that field (as in the GOV.UK Design System).
document.addEventListener("click", (event) => {
  const link = event.target.closest(".error-links a, .confirm-unchanged a");
  if (!link) return;
  const field = document.getElementById(link.getAttribute("href").slice(1));
  if (!field) return;
  event.preventDefault();
  field.scrollIntoView({ block: "center" });
  field.focus();
});
