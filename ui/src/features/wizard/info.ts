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

/**
 * The errors still to show once the form has changed from `shownFor` (the values they were
 * found for): a field's error goes as soon as its value changes and passes the local check,
 * so it vanishes while the person types, never later when focus moves on. (An error that
 * vanished on leaving the field moved the buttons below it mid-click: a click on Next right
 * after fixing the name was lost.) A changed value that is still wrong shows the new reason.
 */
export function errorsStillShown(errors: InfoErrors, shownFor: InfoForm, form: InfoForm): InfoErrors {
  const local = validateInfo(form);
  const kept: InfoErrors = {};
  if (errors.name !== undefined) {
    const name = form.name === shownFor.name ? errors.name : local.name;
    if (name !== undefined) kept.name = name;
  }
  if (errors.reportEmail !== undefined) {
    const email = form.reportEmail === shownFor.reportEmail ? errors.reportEmail : local.reportEmail;
    if (email !== undefined) kept.reportEmail = email;
  }
  return kept;
}
