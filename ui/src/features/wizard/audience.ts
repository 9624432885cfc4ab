// Step 2 (Target audience): where the rows come from (an iMIS query or a CSV file), reading the
// chosen CSV file, and which columns are chosen.
import type { AudiencePreview, AudienceSource } from "../../api";
import { isQueryPath } from "./query";

/** The two ways to get the audience, as the step's switch names them. */
export type AudienceKind = "imis" | "csv";

/** Where a draft's rows came from, without the columns. */
export type AudienceOrigin = Pick<AudienceSource, "query" | "params" | "csv">;

/** The parameter values that are set. */
export function definedParams(params: Readonly<Partial<Record<string, string>>> | undefined): Record<string, string> {
  const defined: Record<string, string> = {};
  for (const [name, value] of Object.entries(params ?? {})) {
    if (value !== undefined) defined[name] = value;
  }
  return defined;
}

function paramsOf(source: AudienceSource | null | undefined): Record<string, string> {
  return definedParams(source?.params);
}

/**
 * Where the cached rows came from: the snapshot's own name when it has one (a query path starts
 * with $), else the draft's saved source; null when the draft has neither. The saved parameters
 * go with the same query only.
 */
export function originOf(preview: AudiencePreview | null, saved: AudienceSource | null): AudienceOrigin | null {
  const source = preview?.source ?? saved;
  const name = preview?.source_name ?? null;
  if (!preview && !source) return null;
  if (name === null || name === "") {
    if (source?.query) return { query: source.query, params: paramsOf(source), csv: null };
    return { query: null, params: {}, csv: source?.csv ?? "audience.csv" };
  }
  if (isQueryPath(name)) {
    return { query: name, params: source?.query === name ? paramsOf(source) : {}, csv: null };
  }
  return { query: null, params: {}, csv: name };
}

/** Which switch to open the step on: where the draft's audience came from; an iMIS query when it has none. */
export function audienceKind(preview: AudiencePreview | null, saved: AudienceSource | null): AudienceKind {
  const origin = originOf(preview, saved);
  return origin === null || origin.query ? "imis" : "csv";
}

/** The draft's audience: the rows' origin with the chosen columns. */
export function sourceWith(origin: AudienceOrigin, choice: ColumnChoice): AudienceSource {
  return {
    query: origin.query ?? null,
    params: origin.query ? { ...origin.params } : {},
    csv: origin.query ? null : (origin.csv ?? "audience.csv"),
    id_column: choice.idColumn,
    phone_column: choice.phoneColumn,
  };
}

/** The file's text, or an Error people can act on when it is not UTF-8. */
export async function readCsvText(file: File): Promise<string> {
  const bytes = await file.arrayBuffer();
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new Error(`${file.name} is not UTF-8 text: save it as CSV UTF-8 and try again.`);
  }
}

export interface ColumnChoice {
  idColumn: string;
  phoneColumn: string;
}

/** The columns to preselect: the draft's saved ones when the audience still has them, else the guesses. */
export function initialColumns(preview: AudiencePreview, saved: AudienceSource | null): ColumnChoice {
  const has = (column: string | null | undefined): column is string =>
    column !== null && column !== undefined && column !== "" && preview.columns.includes(column);
  const source = preview.source ?? saved;
  return {
    idColumn: has(source?.id_column) ? source.id_column : has(preview.suggested_id_column) ? preview.suggested_id_column : "",
    phoneColumn: has(source?.phone_column)
      ? source.phone_column
      : has(preview.suggested_phone_column)
        ? preview.suggested_phone_column
        : "",
  };
}

/** Where the audience came from, for people: the file name or the query path. */
export function sourceName(source: AudienceSource | null | undefined): string | null {
  return source?.csv ?? source?.query ?? null;
}

/** True when the draft has a saved audience whose two columns exist in the cached rows. */
export function audienceComplete(preview: AudiencePreview | null): boolean {
  const source = preview?.source;
  if (!preview || !source) return false;
  return (
    preview.columns.includes(source.id_column) &&
    preview.columns.includes(source.phone_column) &&
    source.id_column !== source.phone_column
  );
}

export interface ColumnErrors {
  /** No rows yet, on the CSV side. */
  file?: string;
  /** No rows yet, on the iMIS side (shown under the query path). */
  query?: string;
  idColumn?: string;
  phoneColumn?: string;
}

export function checkColumns(
  preview: AudiencePreview | null,
  choice: ColumnChoice,
  kind: AudienceKind = "csv",
): ColumnErrors {
  if (!preview) {
    return kind === "imis"
      ? { query: "Choose the iMIS query with the people to text, then run it." }
      : { file: "Choose the CSV file with the people to text." };
  }
  const errors: ColumnErrors = {};
  if (choice.idColumn === "") errors.idColumn = "Choose the column that holds the iMIS ID.";
  if (choice.phoneColumn === "") errors.phoneColumn = "Choose the column that holds the mobile phone number.";
  if (choice.idColumn !== "" && choice.idColumn === choice.phoneColumn) {
    errors.phoneColumn = "The phone number and the iMIS ID must be different columns.";
  }
  return errors;
}
