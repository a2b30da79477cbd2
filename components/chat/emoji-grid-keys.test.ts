import { describe, expect, it } from 'vitest';
import { moveInGrid } from './emoji-grid-keys';

// 8 columns, 20 cells: rows 0–7, 8–15 and a short last row 16–19.
const move = (index: number, key: string, ctrl = false) => moveInGrid(index, key, 20, 8, ctrl);

describe('moveInGrid', () => {
  it('moves left and right by one, running on across rows and stopping at the ends', () => {
    expect(move(3, 'ArrowRight')).toBe(4);
    expect(move(7, 'ArrowRight')).toBe(8);
    expect(move(8, 'ArrowLeft')).toBe(7);
    expect(move(0, 'ArrowLeft')).toBe(0);
    expect(move(19, 'ArrowRight')).toBe(19);
  });

  it('moves up and down by a row, into a short last row at its end, and leaves at the edges', () => {
    expect(move(3, 'ArrowDown')).toBe(11);
    expect(move(11, 'ArrowUp')).toBe(3);
    expect(move(10, 'ArrowDown')).toBe(18);
    expect(move(14, 'ArrowDown')).toBe(19);
    expect(move(18, 'ArrowDown')).toBe('exit-down');
    expect(move(3, 'ArrowUp')).toBe('exit-up');
  });

  it('goes to the ends of the row with Home/End and of the grid with Ctrl', () => {
    expect(move(11, 'Home')).toBe(8);
    expect(move(11, 'End')).toBe(15);
    expect(move(17, 'End')).toBe(19);
    expect(move(11, 'Home', true)).toBe(0);
    expect(move(11, 'End', true)).toBe(19);
  });

  it('pages by four rows in the same column, stopping at the first and last rows', () => {
    const big = (index: number, key: string) => moveInGrid(index, key, 100, 8);
    expect(big(2, 'PageDown')).toBe(34);
    expect(big(34, 'PageUp')).toBe(2);
    expect(big(10, 'PageUp')).toBe(2);
    expect(big(90, 'PageDown')).toBe(98);
    expect(big(95, 'PageDown')).toBe(99);
  });

  it('ignores other keys and empty grids, and copes with a stale index', () => {
    expect(move(3, 'a')).toBeUndefined();
    expect(move(3, 'Enter')).toBeUndefined();
    expect(move(3, 'Tab')).toBeUndefined();
    expect(moveInGrid(0, 'ArrowRight', 0, 8)).toBeUndefined();
    expect(moveInGrid(50, 'ArrowLeft', 20, 8)).toBe(18);
    expect(moveInGrid(0, 'ArrowDown', 3, 8)).toBe('exit-down');
  });
});
