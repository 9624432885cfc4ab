// Step 1 (Campaign information): its form, its checks, and what changed since the last save.
import type { DraftChanges, Mode } from "../../api";

export interface InfoForm {
  name: string;
  reportEmail: string;
  mode: Mode;
}

export interface InfoErrors {
  name?: string;
  reportEmail?: string;
}

export const NAME_MAX = 120;

/** A plain check that catches typos; the backend has the last word. */
export function isEmailAddress(text: string): boolean {
  const value = text.trim();
  return value.length <= 254 && /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/.test(value);
}

export function validateInfo(form: InfoForm): InfoErrors {
  const errors: InfoErrors = {};
  const name = form.name.trim();
  if (name === "") errors.name = "Give the campaign a name.";
  else if (name.length > NAME_MAX) errors.name = `Keep the name under ${NAME_MAX} characters.`;
  const email = form.reportEmail.trim();
  if (email !== "" && !isEmailAddress(email)) {
    errors.reportEmail = "Enter an email address like name@example.org, or leave it empty.";
  }
  return errors;
}

export function hasErrors(errors: InfoErrors): boolean {
  return errors.name !== undefined || errors.reportEmail !== undefined;
}

/** The form as it will be stored (trimmed). */
export function normalize(form: InfoForm): InfoForm {
  return { name: form.name.trim(), reportEmail: form.reportEmail.trim(), mode: form.mode };
}

/**
 * The DraftChanges for update_draft: only the fields that changed (report_email "" clears the
 * address). Null when there is nothing to save.
 */
export function infoChanges(saved: InfoForm, current: InfoForm): DraftChanges | null {
  const before = normalize(saved);
  const after = normalize(current);
  const changes: DraftChanges = {};
  if (after.name !== before.name) changes.name = after.name;
  if (after.reportEmail !== before.reportEmail) changes.report_email = after.reportEmail;
  if (after.mode !== before.mode) changes.mode = after.mode;
  return Object.keys(changes).length > 0 ? changes : null;
}
