/** CSV cells for the exports: the one CSV text-safety layer lives in the output module. */
export { csvCell, csvLine, csvLineSql, CSV_CELL_LAMBDA } from '../core/output/csv.js';
