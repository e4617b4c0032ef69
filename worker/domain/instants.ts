/** Instants are integer milliseconds in D1 and ISO 8601 strings in the API: the one conversion. */
export const iso = (ms: number | null | undefined): string | null => (ms == null ? null : new Date(ms).toISOString());
