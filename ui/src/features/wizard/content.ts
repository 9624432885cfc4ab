// Steps 3 and 4 (Message, iMIS contact data): what they store on the draft.
import type { Campaign, DraftChanges, WriteBackTarget } from "../../api";

export interface ContentForm {
  template: string;
  skipEmpty: boolean;
  writeBack: WriteBackTarget;
}

export const BLANK_CONTENT: ContentForm = { template: "", skipEmpty: false, writeBack: "activity" };

export function contentOf(c: Pick<Campaign, "template" | "skip_empty" | "write_back">): ContentForm {
  return { template: c.template, skipEmpty: c.skip_empty, writeBack: c.write_back };
}

/** Only the fields that changed; null when there is nothing to save. */
export function contentChanges(saved: ContentForm, current: ContentForm): DraftChanges | null {
  const changes: DraftChanges = {};
  if (current.template !== saved.template) changes.template = current.template;
  if (current.skipEmpty !== saved.skipEmpty) changes.skip_empty = current.skipEmpty;
  if (current.writeBack !== saved.writeBack) changes.write_back = current.writeBack;
  return Object.keys(changes).length > 0 ? changes : null;
}
