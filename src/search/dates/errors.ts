/**
 * How the date library reports a bad format, zone or date: it builds messages (ES's wording) and
 * leaves the error class to the caller, so that aggregations, queries and indexing each raise their
 * own kind of error without this folder depending on them.
 */

/** Builds the error to throw; `type` is ES's error type, left out for illegal_argument_exception. */
export type DateErrors = (message: string, type?: string) => Error;
