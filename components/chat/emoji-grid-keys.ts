/** Where a key press moves the focus in a grid of `count` cells laid out `columns` to a row. */
export type GridMove = number | 'exit-up' | 'exit-down';

const PAGE_ROWS = 4;

/**
 * The emoji picker's grid keys: arrows move by one (left/right run on across rows, as reading does), Home/End go
 * to the row's ends (with Ctrl, the grid's), PageUp/PageDown by four rows. Up from the first row and Down from
 * the last leave the grid (the picker moves focus to the search box, the row above or the tabs). `undefined`:
 * not a grid key, let it through.
 */
export function moveInGrid(index: number, key: string, count: number, columns: number, ctrlKey = false): GridMove | undefined {
  if (count <= 0 || columns <= 0) return undefined;
  const last = count - 1;
  const at = Math.min(Math.max(index, 0), last);
  const row = Math.floor(at / columns);
  const lastRow = Math.floor(last / columns);
  const column = at % columns;

  switch (key) {
    case 'ArrowRight':
      return Math.min(at + 1, last);
    case 'ArrowLeft':
      return Math.max(at - 1, 0);
    case 'ArrowDown':
      // Into a short last row: its last cell, not past it.
      return row === lastRow ? 'exit-down' : Math.min(at + columns, last);
    case 'ArrowUp':
      return row === 0 ? 'exit-up' : at - columns;
    case 'Home':
      return ctrlKey ? 0 : row * columns;
    case 'End':
      return ctrlKey ? last : Math.min(row * columns + columns - 1, last);
    case 'PageDown':
      return Math.min(Math.min(row + PAGE_ROWS, lastRow) * columns + column, last);
    case 'PageUp':
      return Math.max(row - PAGE_ROWS, 0) * columns + column;
    default:
      return undefined;
  }
}
