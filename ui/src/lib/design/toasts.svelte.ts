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
  const id = nextId++;
  toasts.push({ id, message, tone });
  if (toasts.length > 4) toasts.shift();
  setTimeout(() => {
    dismissToast(id);
  }, ms);
}
