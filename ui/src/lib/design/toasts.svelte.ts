// Short-lived notes ("Draft saved", "Campaign archived") shown in the Toasts region.

export interface Toast {
  id: number;
  message: string;
  tone: "info" | "success" | "danger";
}

let nextId = 1;

export const toasts = $state<Toast[]>([]);

export function dismissToast(id: number): void {
  const index = toasts.findIndex((t) => t.id === id);
  if (index !== -1) toasts.splice(index, 1);
}

export function showToast(message: string, tone: Toast["tone"] = "success", ms = 4000): void {
  // The same note again replaces the one still showing (one toast, its time restarted).
  const same = toasts.findIndex((t) => t.message === message && t.tone === tone);
  if (same !== -1) toasts.splice(same, 1);
  const id = nextId++;
  toasts.push({ id, message, tone });
  if (toasts.length > 4) toasts.shift();
  setTimeout(() => {
    dismissToast(id);
  }, ms);
}
