/**
 * Errors of the corporate-action files (LEAN factor and map files, the plain CSV of splits and
 * dividends).
 */
import { ImportError } from "../../domain/errors.js";

/**
 * A factor file, map file or corporate-action CSV that cannot be used: a malformed or unsorted
 * row, a non-positive factor, map dates going backwards. Names the file and the 1-based line
 * (0 for the file as a whole); nothing of the import was stored.
 */
export class CorporateActionFileError extends ImportError {}
