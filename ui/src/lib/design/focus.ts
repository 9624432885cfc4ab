const FOCUSABLE = [
  "a[href]",
  "button:not([disabled])",
  "input:not([disabled]):not([type=hidden])",
  "select:not([disabled])",
  "textarea:not([disabled])",
  "[tabindex]:not([tabindex='-1'])",
].join(",");

export function focusables(root: HTMLElement): HTMLElement[] {
  return [...root.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((el) => !el.hasAttribute("inert"));
}

/**
 * Keeps Tab and Shift+Tab inside `root`, calls `onEscape` on Escape, focuses the element marked
 * data-autofocus (else the first focusable), and on release gives focus back to what had it.
 */
export function trapFocus(root: HTMLElement, onEscape: () => void): () => void {
  const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  const initial = root.querySelector<HTMLElement>("[data-autofocus]") ?? focusables(root)[0] ?? root;
  initial.focus();

  function onKeydown(event: KeyboardEvent) {
    if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      onEscape();
      return;
    }
    if (event.key !== "Tab") return;
    const items = focusables(root);
    const first = items[0];
    const last = items[items.length - 1];
    if (!first || !last) {
      event.preventDefault();
      return;
    }
    const active = document.activeElement;
    if (event.shiftKey && (active === first || !root.contains(active))) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && (active === last || !root.contains(active))) {
      event.preventDefault();
      first.focus();
    }
  }

  document.addEventListener("keydown", onKeydown, true);
  return () => {
    document.removeEventListener("keydown", onKeydown, true);
    if (previous?.isConnected) previous.focus();
  };
}

/**
 * The first form field in `root` that a person fills in, for focus to land on: not hidden, not
 * disabled, and for a radio group its checked option (where Tab would land). Null when none.
 */
export function firstField(root: HTMLElement): HTMLElement | null {
  const fields = root.querySelectorAll<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>("input, select, textarea");
  for (const field of fields) {
    if (field.disabled || field.type === "hidden" || field.closest("[hidden], [inert]") !== null) continue;
    if (field instanceof HTMLInputElement && field.type === "radio" && field.name !== "") {
      const group = [...root.querySelectorAll<HTMLInputElement>("input[type=radio]")].filter((r) => r.name === field.name);
      return group.find((r) => r.checked && !r.disabled) ?? field;
    }
    return field;
  }
  return null;
}
