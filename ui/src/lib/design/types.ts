// Types shared by the design components (kept in .ts so that .ts and .svelte callers both see them).

/** What a control inside a Field needs to be labelled and described. */
export interface FieldControl {
  id: string;
  describedBy: string | undefined;
  invalid: boolean;
}

export interface TabItem<Id extends string> {
  id: Id;
  label: string;
  count?: number;
}

export interface MenuItem {
  label: string;
  onselect: () => void;
  danger?: boolean;
  testid?: string;
}

/** One radio card of a ChoiceGroup. */
export interface ChoiceOption<T extends string> {
  value: T;
  label: string;
  hint: string;
  disabled?: boolean;
}
