/**
 * The terminal's size, updated on resize. Ink 6 has no such hook, and its own resize listener is off when `CI` is
 * set; this one listens to stdout itself. ink-testing-library's stdout has no `rows`, hence the fallback.
 */
import {useEffect, useState} from 'react';
import {useStdout} from 'ink';

export interface WindowSize {
  readonly columns: number;
  readonly rows: number;
}

export function useWindowSize(fallback: WindowSize = {columns: 80, rows: 24}): WindowSize {
  const {stdout} = useStdout();
  const read = (): WindowSize => ({columns: stdout.columns || fallback.columns, rows: stdout.rows || fallback.rows});
  const [size, setSize] = useState(read);
  useEffect(() => {
    const onResize = () => setSize({columns: stdout.columns || fallback.columns, rows: stdout.rows || fallback.rows});
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout, fallback.columns, fallback.rows]);
  return size;
}
