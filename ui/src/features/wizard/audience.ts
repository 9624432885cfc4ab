// Step 2 (Target audience): reading the chosen CSV file, and which columns are chosen.
import type { AudiencePreview, AudienceSource } from "../../api";

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
  file?: string;
  idColumn?: string;
  phoneColumn?: string;
}

export function checkColumns(preview: AudiencePreview | null, choice: ColumnChoice): ColumnErrors {
  if (!preview) return { file: "Choose the CSV file with the people to text." };
  const errors: ColumnErrors = {};
  if (choice.idColumn === "") errors.idColumn = "Choose the column that holds the iMIS ID.";
  if (choice.phoneColumn === "") errors.phoneColumn = "Choose the column that holds the mobile phone number.";
  if (choice.idColumn !== "" && choice.idColumn === choice.phoneColumn) {
    errors.phoneColumn = "The phone number and the iMIS ID must be different columns.";
  }
  return errors;
}
